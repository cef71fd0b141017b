#pragma once
// The embedded DuckDB: one Engine per process, one EngineSession per client session.
// Fixed-width layouts in ColumnView.data: Boolean uint8; integers their C types; HugeInt,
// UHugeInt and Uuid Int128 (Uuid with the top bit flipped, as DuckDB keeps it); Decimal
// int16/int32/int64/Int128 for precision <=4/<=9/<=18/more; Date int32 days since
// 1970-01-01; Time int64 microseconds; Timestamp and TimestampTz int64 microseconds since
// 1970-01-01 (other precisions are converted); Interval engine::Interval.
#include "engine/access_guard.hpp"
#include "engine/column_type.hpp"
#include "engine/result_chunk.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace duckdb {
class Connection;
}

namespace akko::catalog {
class CatalogService;
}

namespace akko::engine {

struct EngineOptions {
	std::string database_path; // DuckDB database file; empty: in memory
	std::string temp_directory;
	int threads = 0;          // 0: DuckDB's default
	std::string memory_limit; // empty: DuckDB's default
	// The lake: when set, its namespaces and Iceberg tables are the catalog `iceberg`, the
	// default for every session (schema `main`, created on first start), and new tables go there.
	// It must outlive the Engine. `warehouse` is the URI new tables are placed under.
	catalog::CatalogService *lake = nullptr;
	std::string warehouse;
	// Local disk for the blocks of remote (S3) warehouse files the engine reads, e.g. "1GB".
	std::string remote_cache_size = "1GB";
	// The audit log's directory (obs::AuditLog): when set, superusers read it as akko_system.audit_log.
	std::string audit_directory;
};

enum class ReturnKind : uint8_t {
	Rows,        // a result set (SELECT, SHOW, EXPLAIN, ... RETURNING)
	ChangedRows, // a count of rows inserted, updated or deleted
	Nothing,     // DDL, SET, transaction control
};

// What a statement is, as far as the wire protocols need to know.
struct StatementInfo {
	ReturnKind returns = ReturnKind::Nothing;
	// PostgreSQL's command tag without counts: "SELECT", "INSERT", "CREATE TABLE", ...
	std::string tag;
};

// A bound parameter value as the client sent it. Text values are cast by the engine to
// the type the statement expects (or `type`, when the client declared one).
struct Param {
	enum class Kind : uint8_t { Null, Text, Blob, Boolean, Integer, Double } kind = Kind::Null;
	std::string bytes; // Text, Blob
	int64_t integer = 0;
	double real = 0;
	TypeKind type = TypeKind::Null; // declared type, Null when the client left it open
};

class QueryStream {
public:
	virtual ~QueryStream() = default;
	virtual const StatementInfo &Info() const = 0;
	virtual const std::vector<Column> &Columns() const = 0;
	// The next block of rows, or null at the end. Throws akko::Error.
	virtual std::unique_ptr<ResultChunk> Next() = 0;
	// For ReturnKind::ChangedRows: the count (reads the result if not yet read).
	virtual int64_t ChangedRows() = 0;
	// Buffers what is left, so the session can run other statements while this stays open.
	virtual void Materialize() = 0;
	virtual bool IsMaterialized() const = 0;
};

class PreparedQuery {
public:
	virtual ~PreparedQuery() = default;
	virtual const StatementInfo &Info() const = 0;
	virtual const std::vector<ColumnType> &ParameterTypes() const = 0;
	// Result columns, known before execution (empty when the statement returns no rows).
	virtual const std::vector<Column> &Columns() const = 0;
	virtual std::unique_ptr<QueryStream> Execute(const std::vector<Param> &params) = 0;
};

// Rows appended from text values (COPY FROM), cast to the table's column types.
class TableAppender {
public:
	virtual ~TableAppender() = default;
	virtual size_t ColumnCount() const = 0;
	virtual void AppendRow(const std::vector<std::optional<std::string_view>> &values) = 0;
	virtual uint64_t Finish() = 0; // flushes; returns rows appended
};

class EngineSession {
public:
	virtual ~EngineSession() = default;
	virtual std::unique_ptr<PreparedQuery> Prepare(const std::string &sql) = 0;
	// Runs one statement without parameters, streaming its result.
	virtual std::unique_ptr<QueryStream> Run(const std::string &sql) = 0;
	virtual std::unique_ptr<TableAppender> AppendTo(const std::string &table, const std::vector<std::string> &columns) = 0;
	// Safe from any thread: stops the running statement with query_canceled.
	virtual void Interrupt() = 0;
	virtual bool InTransaction() = 0;
	// The user current_user names in this session's SQL.
	virtual void SetUser(const std::string &user) = 0;
	// What the session's principal may do; null (the default) for the server's own sessions.
	virtual void SetAccessGuard(std::shared_ptr<const AccessGuard> guard) = 0;
	// What the statements since the last call touched; resets it.
	virtual AccessReport TakeAccessReport() = 0;
	// The engine's value of a setting, or nullopt when the engine has no such setting.
	virtual std::optional<std::string> CurrentSetting(const std::string &name) = 0;
};

class Engine {
public:
	explicit Engine(const EngineOptions &options);
	~Engine();
	Engine(const Engine &) = delete;
	Engine &operator=(const Engine &) = delete;

	std::unique_ptr<EngineSession> Connect();
	std::string Version() const;

	struct State;

private:
	void AttachLake(duckdb::Connection &setup);

	std::unique_ptr<State> state;
};

} // namespace akko::engine
