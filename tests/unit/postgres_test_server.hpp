#pragma once
// A throwaway PostgreSQL 15 cluster for the unit tests that run on the PostgreSQL metastore:
// started on first use (initdb and pg_ctl from Debian's postgresql-15, as the `postgres`
// user when the tests run as root) on a free loopback port, one fresh database per test,
// stopped by a GoogleTest global environment when the binary's tests are done. It is never
// skipped: when it cannot start, the tests that need it fail with the reason.
#include <cstdint>
#include <filesystem>
#include <gtest/gtest.h>
#include <memory>
#include <mutex>
#include <string>

namespace akko::test {

class PostgresTestServer {
public:
	// The binary's cluster, started on the first call. Throws std::runtime_error when it cannot.
	static PostgresTestServer &Instance();
	~PostgresTestServer();

	// A new empty database: its URI (postgresql://postgres:password@127.0.0.1:port/name).
	std::string CreateDatabase();
	int Port() const {
		return port;
	}
	const std::string &Password() const {
		return password;
	}
	void Stop();

private:
	PostgresTestServer();
	void Run(const std::vector<std::string> &args);

	std::filesystem::path directory;
	std::string password;
	int port = 0;
	bool running = false;
	std::mutex lock;
	int databases = 0;
};

// Runs SQL through a connection of its own (several statements allowed); throws
// std::runtime_error on failure.
void ExecutePostgres(const std::string &uri, const std::string &sql);
// The first column of the first row of the last statement's result, as an integer.
int64_t QueryPostgresInteger(const std::string &uri, const std::string &sql);

enum class MetastoreBackend { Sqlite, Postgres };

// The --metastore value for a fresh metastore: "" (SQLite in the data directory) or the URI
// of a new PostgreSQL database.
std::string FreshMetastoreConfig(MetastoreBackend backend);

inline std::string BackendName(const testing::TestParamInfo<MetastoreBackend> &info) {
	return info.param == MetastoreBackend::Sqlite ? "Sqlite" : "Postgres";
}

} // namespace akko::test
