#pragma once
// sql::Session: the one path every statement from every adapter takes. It keeps the
// PostgreSQL session semantics (transaction blocks and their failed state, session
// parameters, cursors, COPY) over an engine session, and records every statement
// (log line and metrics).
#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "engine/engine.hpp"
#include "sql/copy_spec.hpp"
#include "sql/result_cursor.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace akko::auth {
class UserDirectory;
}
namespace akko::authz {
class AccessControl;
}
namespace akko::metastore {
class Metastore;
}

namespace akko::sql {

class SessionAccessGuard;

struct SessionIdentity {
	std::string user;
	std::string protocol; // "pgwire", "http", ...
	std::string client;   // peer address
	std::string database = "akko";
	std::string application_name;
	// Roles the identity provider vouches for (OIDC claims), on top of the user's own.
	std::vector<std::string> idp_roles;
};

// What happened to each statement, for metrics and logs.
struct StatementEvent {
	const SessionIdentity *identity;
	const std::string *sql;
	std::string tag;   // command tag, e.g. "SELECT 3"
	std::string status; // "ok" or the error's stable name
	uint64_t rows = 0;
	double seconds = 0;
	std::string error_message;
	std::vector<std::string> roles; // the principal's effective roles
	engine::AccessReport access;    // tables read and written, filters and masks applied
};

class SqlService {
public:
	explicit SqlService(engine::Engine &engine_p) : engine(engine_p) {
	}
	engine::Engine &engine;
	// The access model. Null only in tests of the SQL layer itself: every session may then do
	// everything and access statements are refused.
	authz::AccessControl *access = nullptr;
	auth::UserDirectory *users = nullptr;
	metastore::Metastore *metastore = nullptr;
	// Called once per finished statement, from the thread that ran it.
	std::function<void(const StatementEvent &)> on_statement;
	std::string server_version = "15.0";
};

enum class TransactionState { Idle, InBlock, Failed };

struct Notice {
	std::string severity; // "WARNING", "NOTICE"
	std::string sqlstate;
	std::string message;
};

// The record of one statement; finished (logged, counted) once, by Done or Failed or at
// destruction.
class StatementRecord {
public:
	StatementRecord(SqlService &service_p, const SessionIdentity &identity_p, std::string sql_p,
	                engine::EngineSession *engine_p = nullptr, std::vector<std::string> roles_p = {});
	~StatementRecord();
	void Done(const std::string &tag, uint64_t rows);
	void Failed(const akko::Error &error);

private:
	void Finish(StatementEvent &event);

	SqlService &service;
	const SessionIdentity &identity;
	std::string sql;
	engine::EngineSession *engine_session;
	std::vector<std::string> roles;
	std::chrono::steady_clock::time_point start;
	bool finished = false;
};

struct Outcome {
	enum class Kind { Rows, Command, CopyIn, CopyOut, Empty } kind = Kind::Command;
	// Command: the complete tag. Rows/CopyOut: the tag's verb; see CommandTag.
	std::string tag;
	// Rows and CopyOut: where rows come from. Owned, or a named cursor's (FETCH).
	std::unique_ptr<ResultCursor> rows;
	ResultCursor *cursor = nullptr;
	uint64_t row_limit = 0; // FETCH n: at most n rows; 0: all
	bool discard_rows = false; // MOVE: skip the rows, count them
	CopySpec copy;
	std::unique_ptr<engine::TableAppender> appender; // CopyIn
	bool implicit_transaction = false; // CopyIn outside a block: all rows or none
	uint64_t changed_rows = 0; // Command of an INSERT, UPDATE, DELETE or MERGE
	std::unique_ptr<StatementRecord> record;

	ResultCursor *Source() {
		return cursor ? cursor : rows.get();
	}
};

// "INSERT" + 5 -> "INSERT 0 5"; "SELECT" + 5 -> "SELECT 5".
std::string CommandTag(const std::string &verb, uint64_t rows);

// A statement prepared for the extended protocol (or the HTTP API's parameters).
class Prepared {
public:
	std::string sql;
	std::vector<engine::ColumnType> parameter_types;
	std::vector<engine::Column> columns; // result columns, empty when none
	bool returns_rows = false;
	std::unique_ptr<engine::PreparedQuery> query; // null: a session command, run by text
};

class Session {
public:
	Session(SqlService &service, SessionIdentity identity);
	~Session();

	// One statement's text (see akko::SplitStatements). Throws akko::Error.
	Outcome Run(const std::string &sql);
	std::unique_ptr<Prepared> Prepare(const std::string &sql, const std::vector<engine::TypeKind> &declared_types);
	Outcome Execute(Prepared &prepared, const std::vector<engine::Param> &params);
	// The adapter reports an error raised while it streamed an outcome's rows or copy data.
	void StreamFailed(Outcome &outcome, const akko::Error &error);
	// Ends a CopyIn outcome once its data is all appended; returns the row count.
	uint64_t FinishCopyIn(Outcome &outcome);
	// Several statements of one simple query run in one transaction unless they manage their
	// own (PostgreSQL's implicit transaction block). These are not statements of their own.
	// Whether a simple query of these statements needs one: several statements, no block
	// open, and none of them controls transactions (or is a COPY, which makes its own).
	bool NeedsImplicitTransaction(const std::vector<std::string> &statements) const;
	void BeginImplicitTransaction();
	void EndImplicitTransaction(bool commit);

	TransactionState State() const {
		return state;
	}
	// Safe from any thread.
	void Cancel();

	const SessionIdentity &Identity() const {
		return identity;
	}
	// Parameters reported to PostgreSQL clients at start and whenever they change.
	std::vector<std::pair<std::string, std::string>> ReportedParameters() const;
	std::vector<std::pair<std::string, std::string>> TakeParameterChanges();
	std::vector<Notice> TakeNotices();

	struct Parameters;

private:
	Outcome Dispatch(const std::string &sql, Prepared *prepared, const std::vector<engine::Param> &params);
	Outcome RunCommand(const std::string &sql);
	// Runs an access statement (authz::ParseAccessStatement); nullopt when `sql` is none.
	std::optional<Outcome> RunAccess(const std::string &sql);
	// Re-resolves the principal when the access model changed since the last statement.
	void RefreshAccess();
	Outcome RunEngine(const std::string &sql, Prepared *prepared, const std::vector<engine::Param> &params);
	Outcome RunTransactionControl(const std::string &verb);
	Outcome RunSet(const std::vector<akko::Token> &tokens, const std::string &sql);
	Outcome RunShow(const std::string &name);
	// The session parameter a SHOW statement asks for ("all" for SHOW ALL), or nullopt when
	// the engine answers it (SHOW TABLES, ...).
	std::optional<std::string> ShownParameter(const std::vector<akko::Token> &tokens, const std::string &sql) const;
	std::vector<engine::Column> ShowColumns(const std::string &name) const;
	Outcome RunCursorCommand(const std::vector<akko::Token> &tokens, const std::string &sql);
	Outcome RunCopy(const std::string &sql);
	void DetachOpenResults();
	void CloseCursors(bool keep_holdable);
	void Failed(const akko::Error &error);
	Outcome Rows(std::unique_ptr<engine::QueryStream> stream, std::string tag);
	Outcome Command(std::string tag);

	SqlService &service;
	SessionIdentity identity;
	std::unique_ptr<engine::EngineSession> engine;
	TransactionState state = TransactionState::Idle;
	std::set<ResultCursor *> open_results;
	struct NamedCursor {
		std::unique_ptr<ResultCursor> rows;
		bool holdable;
	};
	std::map<std::string, NamedCursor> cursors;
	std::unique_ptr<Parameters> parameters;
	std::vector<Notice> notices;
	std::unique_ptr<StatementRecord> current_record;
	std::shared_ptr<const SessionAccessGuard> guard; // null without an access model
};

} // namespace akko::sql
