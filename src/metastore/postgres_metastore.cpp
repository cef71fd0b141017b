#include "metastore/postgres_metastore.hpp"

#include "common/error.hpp"
#include "metastore/postgres_transaction.hpp"
#include "metastore/schema.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>
#include <random>
#include <thread>

namespace akko::metastore {

namespace {

constexpr const char *kSchema = "akko";
// Metastore transactions are a few short statements; a handful of connections serve a busy
// server, and every AKKO server sharing the database holds its own.
constexpr int kPoolSize = 8;
// Enough for dozens of writers racing on one row; each lost round costs one short transaction.
constexpr int kMaxAttempts = 30;
constexpr int kMaxBackoffMs = 100;
// "akkomigr" in ASCII: the advisory lock every AKKO server takes to migrate the schema.
constexpr int64_t kMigrationLockKey = 0x616b6b6f6d696772;

// The metastore whose transaction this thread is running, so that a nested one fails
// instead of waiting for a pooled connection it may never get.
thread_local const PostgresMetastore *running_transaction = nullptr;

int CurrentVersion(PostgresConnection &connection) {
	return static_cast<int>(connection.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Integer(0, 0));
}

// Random and growing, so that writers which collided do not collide again in lockstep.
void Backoff(int attempt) {
	thread_local std::mt19937 random(std::random_device {}());
	std::uniform_int_distribution<int> jitter(1, std::min(kMaxBackoffMs, 2 << std::min(attempt, 10)));
	std::this_thread::sleep_for(std::chrono::milliseconds(jitter(random)));
}

std::string MessageOf(const std::exception_ptr &failure) {
	try {
		std::rethrow_exception(failure);
	} catch (const std::exception &error) {
		return error.what();
	} catch (...) {
		return "unknown error";
	}
}

} // namespace

PostgresMetastore::PostgresMetastore(const std::string &uri) : target(uri) {
	std::unique_ptr<PostgresConnection> connection;
	try {
		connection = Acquire();
	} catch (const Error &error) {
		throw Error(ErrorCode::ConfigurationError, error.message);
	}
	try {
		Migrate(*connection);
	} catch (const Error &error) {
		if (error.code == ErrorCode::ConfigurationError) {
			throw;
		}
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("cannot migrate the metastore at {}: {}", target.Display(), error.message));
	}
	Release(std::move(connection));
}

PostgresMetastore::~PostgresMetastore() = default;

std::unique_ptr<PostgresConnection> PostgresMetastore::Acquire() {
	{
		std::unique_lock<std::mutex> guard(pool_lock);
		pool_changed.wait(guard, [&] { return !idle.empty() || open_connections < kPoolSize; });
		if (!idle.empty()) {
			auto connection = std::move(idle.back());
			idle.pop_back();
			return connection;
		}
		open_connections++;
	}
	try {
		return std::make_unique<PostgresConnection>(target, kSchema);
	} catch (...) {
		std::lock_guard<std::mutex> guard(pool_lock);
		open_connections--;
		pool_changed.notify_one();
		throw;
	}
}

void PostgresMetastore::Release(std::unique_ptr<PostgresConnection> connection) {
	// A broken connection, or one a failed ROLLBACK left inside a transaction, is closed; the
	// next Acquire opens a fresh one.
	bool reusable = !connection->Broken() && !connection->InTransaction();
	if (!reusable) {
		connection.reset();
	}
	std::lock_guard<std::mutex> guard(pool_lock);
	if (reusable) {
		idle.push_back(std::move(connection));
	} else {
		open_connections--;
	}
	pool_changed.notify_one();
}

void PostgresMetastore::Migrate(PostgresConnection &connection) {
	// READ COMMITTED: once the lock is ours, every statement sees what a server that migrated
	// before us committed.
	connection.Exec("BEGIN");
	connection.Exec("SELECT pg_advisory_xact_lock($1)", {std::to_string(kMigrationLockKey)});
	// Checked first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the
	// schema exists, and an operator may have created it for a less privileged role.
	if (connection.Exec("SELECT 1 FROM pg_namespace WHERE nspname = $1", {kSchema}).Rows() == 0) {
		connection.ExecScript(fmt::format("CREATE SCHEMA {}", kSchema).c_str());
	}
	connection.ExecScript(kSchemaMigrationsTable);
	auto migrations = Migrations();
	int latest = static_cast<int>(migrations.size());
	int found = CurrentVersion(connection);
	if (found > latest) {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("the metastore at {} has schema version {}, newer than this build knows ({})",
		                        target.Display(), found, latest));
	}
	for (int version = found + 1; version <= latest; version++) {
		const auto &migration = migrations[version - 1];
		connection.ExecScript(migration.sql);
		connection.Exec("INSERT INTO schema_migrations (version, name, applied_at) "
		                "VALUES ($1, $2, EXTRACT(EPOCH FROM now())::BIGINT)",
		                {std::to_string(version), migration.name});
	}
	connection.Exec("COMMIT");
}

void PostgresMetastore::WithRetries(const std::function<void(PostgresConnection &)> &attempt) {
	for (int number = 1;; number++) {
		auto connection = Acquire();
		connection->ClearFailure();
		try {
			attempt(*connection);
			Release(std::move(connection));
			return;
		} catch (...) {
			auto failure = std::current_exception();
			bool retry = connection->RetryableFailure();
			if (!connection->Broken() && connection->InTransaction()) {
				try {
					connection->Exec("ROLLBACK");
				} catch (const Error &) {
					// Release closes a connection that is still inside a transaction.
				}
			}
			Release(std::move(connection));
			if (!retry) {
				throw;
			}
			if (number == kMaxAttempts) {
				throw Error(ErrorCode::SerializationFailure,
				            fmt::format("metastore: gave up after {} attempts: {}", number, MessageOf(failure)));
			}
		}
		Backoff(number);
	}
}

void PostgresMetastore::RunInTransaction(const std::function<void(Transaction &)> &body) {
	if (running_transaction == this) {
		throw Error(ErrorCode::Internal, "metastore transactions do not nest");
	}
	auto outer = running_transaction;
	running_transaction = this;
	struct Restore {
		const PostgresMetastore *outer;
		~Restore() {
			running_transaction = outer;
		}
	} restore {outer};

	WithRetries([&](PostgresConnection &connection) {
		connection.Exec("BEGIN ISOLATION LEVEL SERIALIZABLE");
		PostgresTransaction transaction(connection);
		body(transaction);
		if (connection.RetryableFailure()) {
			// The body caught a conflict and carried on; COMMIT would only roll back.
			throw Error(ErrorCode::SerializationFailure, "metastore: a concurrent transaction aborted this one");
		}
		std::string tag;
		try {
			tag = connection.Exec("COMMIT").CommandTag();
		} catch (const Error &error) {
			if (!connection.Broken()) {
				throw;
			}
			// Not retried: the server may have committed before the connection went.
			connection.ClearFailure();
			throw Error(ErrorCode::TransactionResolutionUnknown,
			            fmt::format("the metastore connection was lost during COMMIT, which may or may not have "
			                        "taken effect: {}",
			                        error.message));
		}
		if (tag != "COMMIT") {
			// The body caught a failed statement and returned, so PostgreSQL rolled back.
			throw Error(ErrorCode::Internal, "metastore: the transaction had failed and was rolled back");
		}
	});
}

int PostgresMetastore::SchemaVersion() {
	int version = 0;
	WithRetries([&](PostgresConnection &connection) { version = CurrentVersion(connection); });
	return version;
}

std::unique_ptr<Metastore> OpenPostgresMetastore(const std::string &uri) {
	return std::make_unique<PostgresMetastore>(uri);
}

} // namespace akko::metastore
