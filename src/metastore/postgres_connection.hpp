#pragma once
// One libpq connection of the PostgreSQL metastore, and the results it returns. Internal to
// the metastore library. Errors become akko::Error with the password of the connection
// string scrubbed from their text; the connection remembers whether its last failure ended
// the transaction in a way that a fresh attempt may cure.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace akko::metastore {

// What may be shown of a connection string: where it points, never its password.
class ConnectionTarget {
public:
	explicit ConnectionTarget(std::string conninfo_p);

	const std::string &Conninfo() const {
		return conninfo;
	}
	// postgresql://user@host:port/dbname
	const std::string &Display() const {
		return display;
	}
	// `text` with the password, in every spelling it had in the connection string, replaced.
	std::string Scrub(std::string text) const;

private:
	std::string conninfo;
	std::string display;
	std::vector<std::string> secrets;
};

class PostgresResult {
public:
	explicit PostgresResult(pg_result *result_p);
	~PostgresResult();
	PostgresResult(PostgresResult &&other) noexcept;
	PostgresResult(const PostgresResult &) = delete;
	PostgresResult &operator=(const PostgresResult &) = delete;
	PostgresResult &operator=(PostgresResult &&) = delete;

	int Rows() const;
	int Columns() const;
	std::string Text(int row, int column) const;
	int64_t Integer(int row, int column) const;
	bool Boolean(int row, int column) const;
	// Rows an INSERT, UPDATE or DELETE touched.
	int64_t Affected() const;
	// "COMMIT", "ROLLBACK", "UPDATE 1", ...
	std::string CommandTag() const;

private:
	pg_result *result;
};

class PostgresConnection {
public:
	// Connects and points search_path at `schema`. Throws Internal when it cannot; the
	// message names the target, never the password.
	PostgresConnection(const ConnectionTarget &target_p, const std::string &schema);
	~PostgresConnection();
	PostgresConnection(const PostgresConnection &) = delete;
	PostgresConnection &operator=(const PostgresConnection &) = delete;

	// One statement with text parameters $1, $2, ... Throws akko::Error: SerializationFailure
	// for 40001 and 40P01, UniqueViolation, ForeignKeyViolation, InvalidInput for text
	// PostgreSQL cannot hold (NUL characters, bad encoding), Internal otherwise.
	PostgresResult Exec(std::string_view sql, const std::vector<std::string> &params = {});
	// Several statements without parameters (migrations).
	void ExecScript(const char *sql);

	// The server or the network dropped the connection; it cannot be used again.
	bool Broken() const;
	// Inside a transaction block, possibly a failed one.
	bool InTransaction() const;

	// Since the last ClearFailure: the database aborted the transaction for a conflict
	// (serialization failure, deadlock) or the connection broke. Either way nothing was
	// committed and the same work may be attempted again.
	bool RetryableFailure() const {
		return retryable_failure;
	}
	void ClearFailure() {
		retryable_failure = false;
	}

private:
	[[noreturn]] void ThrowFailure(pg_result *result, std::string_view sql);

	const ConnectionTarget &target;
	pg_conn *conn = nullptr;
	bool retryable_failure = false;
};

} // namespace akko::metastore
