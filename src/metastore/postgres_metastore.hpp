#pragma once
// The production metastore: PostgreSQL over libpq, its tables in a schema of their own
// (`akko`) so that it can share a database, reached through a small pool of connections.
//
// Transactions are SERIALIZABLE: a body sees the database as if it ran alone, as it does on
// SQLite. When PostgreSQL aborts one for a conflict (serialization failure, deadlock) or
// the connection breaks before COMMIT, RunInTransaction runs the body again on a fresh
// transaction, a bounded number of times with jittered backoff. A connection lost during
// COMMIT is reported, not retried: whether it committed is unknown.
#include "metastore/metastore.hpp"
#include "metastore/postgres_connection.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace akko::metastore {

class PostgresMetastore : public Metastore {
public:
	// Connects, creates the schema and applies pending migrations (under an advisory lock, so
	// servers starting together migrate once). Throws ConfigurationError, naming the server
	// but never the password.
	explicit PostgresMetastore(const std::string &uri);
	~PostgresMetastore() override;
	PostgresMetastore(const PostgresMetastore &) = delete;
	PostgresMetastore &operator=(const PostgresMetastore &) = delete;

	void RunInTransaction(const std::function<void(Transaction &)> &body) override;
	int SchemaVersion() override;

private:
	// Runs `attempt` on a pooled connection, again on a fresh one when it failed in a way
	// that left nothing committed (see PostgresConnection::RetryableFailure).
	void WithRetries(const std::function<void(PostgresConnection &)> &attempt);
	std::unique_ptr<PostgresConnection> Acquire();
	void Release(std::unique_ptr<PostgresConnection> connection);
	void Migrate(PostgresConnection &connection);

	ConnectionTarget target;
	std::mutex pool_lock;
	std::condition_variable pool_changed;
	std::vector<std::unique_ptr<PostgresConnection>> idle;
	int open_connections = 0;
};

// `uri`: a libpq connection URI (postgresql://user:password@host:port/dbname?sslmode=...)
// or key=value string.
std::unique_ptr<Metastore> OpenPostgresMetastore(const std::string &uri);

} // namespace akko::metastore
