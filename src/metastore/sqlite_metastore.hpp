#pragma once
// The embedded metastore: one SQLite file in WAL mode, one connection behind a mutex.
// Metastore traffic is small (logins, catalog commits), so serializing it costs little
// and keeps SQLite's locking out of the picture within the process.
#include "metastore/metastore.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace akko::metastore {

class SqliteMetastore : public Metastore {
public:
	// Opens (creating when missing) the database file and applies pending migrations.
	explicit SqliteMetastore(const std::string &path_p);
	~SqliteMetastore() override;
	SqliteMetastore(const SqliteMetastore &) = delete;
	SqliteMetastore &operator=(const SqliteMetastore &) = delete;

	void RunInTransaction(const std::function<void(Transaction &)> &body) override;
	int SchemaVersion() override;

private:
	// Runs `body` holding `lock`, refusing to re-enter from the thread that holds it.
	void WithLock(const std::function<void()> &body);
	// Runs `body` between BEGIN IMMEDIATE and COMMIT; expects `lock` to be held.
	void InTransaction(const std::function<void()> &body);
	void Migrate();

	std::string path;
	sqlite3 *db = nullptr;
	std::mutex lock;
	// Which thread holds `lock`, so a nested RunInTransaction fails instead of deadlocking.
	std::atomic<std::thread::id> owner;
};

std::unique_ptr<Metastore> OpenSqliteMetastore(const std::string &path);

} // namespace akko::metastore
