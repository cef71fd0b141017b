// The statement gate (docs/statement-gate.md) on a real Engine over a real lake: every way
// SQL could reach server files or the engine's own machinery is refused, with PostgreSQL's
// insufficient_privilege, unless the session's guard grants the capability; lake tables keep
// working for everyone. Refusals use paths that do not exist, so a refusal that came after
// DuckDB opened the file would read "No files found" instead of "permission denied".
#include "catalog/catalog_service.hpp"
#include "common/error.hpp"
#include "engine/engine.hpp"
#include "metastore/sqlite_metastore.hpp"
#include "objstore/store.hpp"
#include "sql/value_text.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

namespace akko::engine {
namespace {

namespace fs = std::filesystem;

// Grants the capabilities it is given and every table; says what it refuses in the words
// sql::SessionAccessGuard uses.
class TestGuard : public AccessGuard {
public:
	explicit TestGuard(std::set<Capability> granted_p) : granted(std::move(granted_p)) {
	}
	bool Unrestricted() const override {
		return false;
	}
	void CheckTable(const LakeObjectName &, TableAction) const override {
	}
	void CheckNamespaceDdl(const std::vector<std::string> &) const override {
	}
	void CheckCatalogDdl() const override {
	}
	void CheckCapability(Capability capability, const std::string &what) const override {
		if (granted.count(capability)) {
			return;
		}
		switch (capability) {
		case Capability::ReadFiles:
			throw Error(ErrorCode::PermissionDenied,
			            fmt::format("permission denied: {} reads server files; it requires pg_read_server_files", what));
		case Capability::WriteFiles:
			throw Error(ErrorCode::PermissionDenied,
			            fmt::format("permission denied: {} writes server files; it requires pg_write_server_files", what));
		case Capability::EngineAdmin:
			throw Error(ErrorCode::PermissionDenied, fmt::format("permission denied: {} requires superuser", what));
		}
	}
	TableRestriction RestrictionOn(const LakeObjectName &) const override {
		return {};
	}

private:
	std::set<Capability> granted;
};

class StatementGateTest : public testing::Test {
protected:
	void SetUp() override {
		directory = fs::temp_directory_path() / ("akko_statement_gate_test_" + std::to_string(std::random_device()()));
		fs::create_directories(directory / "engine");
		metastore = metastore::OpenSqliteMetastore((directory / "metastore.db").string());
		store = objstore::OpenLocalStore((directory / "objects").string());
		lake = std::make_unique<catalog::CatalogService>(*metastore, *store, "s3://akko-warehouse/");
		EngineOptions options;
		options.database_path = (directory / "engine" / "akko.duckdb").string();
		options.lake = lake.get();
		options.warehouse = "s3://akko-warehouse/";
		engine = std::make_unique<Engine>(options);
		server = engine->Connect();
		Exec(*server, "CREATE TABLE t (id INTEGER, name VARCHAR)");
		Exec(*server, "INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')");
		std::ofstream(directory / "rows.csv") << "id,name\n10,ten\n11,eleven\n";
		missing = (directory / "missing").string();
	}
	void TearDown() override {
		server.reset();
		engine.reset();
		lake.reset();
		store.reset();
		metastore.reset();
		fs::remove_all(directory);
	}

	std::unique_ptr<EngineSession> Session(std::set<Capability> granted) {
		auto session = engine->Connect();
		session->SetAccessGuard(std::make_shared<TestGuard>(std::move(granted)));
		return session;
	}

	// Runs `sql` to the end; the rows' first column as text.
	static std::vector<std::string> Exec(EngineSession &session, const std::string &sql) {
		auto stream = session.Run(sql);
		std::vector<std::string> rows;
		while (auto chunk = stream->Next()) {
			auto &column = chunk->Columns()[0];
			for (uint64_t row = 0; row < chunk->RowCount(); row++) {
				std::string text = "NULL";
				if (!column.IsNull(row)) {
					text.clear();
					sql::AppendValueText(text, column, row);
				}
				rows.push_back(text);
			}
		}
		return rows;
	}

	static std::optional<Error> Attempt(EngineSession &session, const std::string &sql) {
		try {
			Exec(session, sql);
		} catch (const Error &error) {
			return error;
		}
		return std::nullopt;
	}

	// `sql` fails with insufficient_privilege and a message naming `what`.
	static void ExpectDenied(EngineSession &session, const std::string &sql, const std::string &what) {
		auto error = Attempt(session, sql);
		ASSERT_TRUE(error) << sql << ": ran";
		EXPECT_EQ(error->code, ErrorCode::PermissionDenied) << sql << ": " << error->message;
		EXPECT_EQ(std::string(Describe(error->code).sqlstate), "42501") << sql;
		EXPECT_NE(error->message.find("permission denied: " + what), std::string::npos) << sql << ": " << error->message;
	}

	// `sql` is not refused by the gate (it may still fail for its own reasons, e.g. a missing file).
	static void ExpectNotDenied(EngineSession &session, const std::string &sql) {
		auto error = Attempt(session, sql);
		if (error) {
			EXPECT_NE(error->code, ErrorCode::PermissionDenied) << sql << ": " << error->message;
		}
	}

	std::string Path(const std::string &name) const {
		return (directory / name).string();
	}

	fs::path directory;
	std::string missing;
	std::unique_ptr<metastore::Metastore> metastore;
	std::unique_ptr<objstore::Store> store;
	std::unique_ptr<catalog::CatalogService> lake;
	std::unique_ptr<Engine> engine;
	std::unique_ptr<EngineSession> server;
};

TEST_F(StatementGateTest, FileFunctionsAreRefusedHoweverTheyAreSpelled) {
	auto user = Session({});
	auto csv = missing + ".csv";
	std::vector<std::pair<std::string, std::string>> attempts = {
	    {fmt::format("SELECT * FROM read_csv('{}')", csv), "read_csv reads server files"},
	    {fmt::format("SELECT * FROM READ_CSV('{}')", csv), "read_csv reads server files"},
	    {fmt::format("SELECT * FROM \"read_csv\"('{}')", csv), "read_csv reads server files"},
	    {fmt::format("SELECT * FROM system.main.read_csv('{}')", csv), "read_csv reads server files"},
	    {fmt::format("SELECT * FROM read_csv_auto('{}')", csv), "read_csv_auto reads server files"},
	    {fmt::format("SELECT * FROM read_csv(['{}', '{}'])", csv, csv), "read_csv reads server files"},
	    {fmt::format("SELECT * FROM '{}'", csv), "read_csv"},
	    {fmt::format("SELECT * FROM '{}.parquet'", missing), "parquet_scan"},
	    {fmt::format("SELECT * FROM '{}.json'", missing), "read_json"},
	    {fmt::format("SELECT * FROM read_parquet('{}.parquet')", missing), "read_parquet reads server files"},
	    {fmt::format("SELECT * FROM parquet_scan('{}.parquet')", missing), "parquet_scan reads server files"},
	    {fmt::format("SELECT * FROM parquet_metadata('{}.parquet')", missing), "parquet_metadata reads server files"},
	    {fmt::format("SELECT * FROM parquet_schema('{}.parquet')", missing), "parquet_schema reads server files"},
	    {fmt::format("SELECT * FROM parquet_kv_metadata('{}.parquet')", missing), "parquet_kv_metadata reads server files"},
	    {fmt::format("SELECT * FROM read_json('{}.json')", missing), "read_json reads server files"},
	    {fmt::format("SELECT * FROM read_json_auto('{}.json')", missing), "read_json_auto reads server files"},
	    {fmt::format("SELECT * FROM read_ndjson_objects('{}.json')", missing), "read_ndjson_objects reads server files"},
	    {"SELECT * FROM read_text('/etc/passwd')", "read_text reads server files"},
	    {"SELECT * FROM read_blob('/etc/hostname')", "read_blob reads server files"},
	    {"SELECT * FROM glob('/*')", "glob reads server files"},
	    {fmt::format("SELECT * FROM sniff_csv('{}')", csv), "sniff_csv reads server files"},
	    {fmt::format("WITH f AS (SELECT * FROM read_csv('{}')) SELECT * FROM f", csv), "read_csv"},
	    {fmt::format("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r, read_csv('{}') WHERE n < 2) "
	                 "SELECT * FROM r", csv),
	     "read_csv"},
	    {fmt::format("SELECT * FROM t, LATERAL (SELECT * FROM read_csv('{}')) f", csv), "read_csv"},
	    {fmt::format("SELECT * FROM t WHERE id IN (SELECT 1 FROM read_csv('{}'))", csv), "read_csv"},
	    {"SELECT (SELECT content FROM read_text('/etc/hostname'))", "read_text"},
	    {fmt::format("SELECT id FROM t UNION ALL SELECT count(*) FROM read_csv('{}')", csv), "read_csv"},
	    {fmt::format("SELECT * FROM query('SELECT * FROM read_csv(''{}'')')", csv), "read_csv"},
	    {fmt::format("SELECT * FROM query_table('{}')", csv), "read_csv"},
	    {fmt::format("DESCRIBE SELECT * FROM read_csv('{}')", csv), "read_csv"},
	    {fmt::format("SUMMARIZE '{}'", csv), "read_csv"},
	    {fmt::format("EXPLAIN SELECT * FROM read_csv('{}')", csv), "read_csv"},
	    {fmt::format("CREATE TABLE stolen AS SELECT * FROM read_csv('{}')", csv), "read_csv"},
	    {fmt::format("INSERT INTO t SELECT * FROM read_csv('{}')", csv), "read_csv"},
	    {"SET VARIABLE secret = (SELECT content FROM read_text('/etc/hostname'))", "read_text"},
	    {"CALL glob('/*')", "glob"},
	    {fmt::format("CREATE TEMP VIEW v AS SELECT * FROM read_csv('{}')", csv), "read_csv"},
	};
	for (auto &[sql, what] : attempts) {
		ExpectDenied(*user, sql, what);
	}
	// Nothing the refused statements started was left behind.
	EXPECT_EQ(Exec(*user, "SELECT count(*) FROM t"), std::vector<std::string>({"3"}));
}

TEST_F(StatementGateTest, ViewsMacrosAndPreparedStatementsDoNotLaunderFileAccess) {
	// What the server's own session (no guard) defines is checked against whoever uses it.
	Exec(*server, "CREATE VIEW akko.main.host AS SELECT content FROM read_text('/etc/hostname')");
	Exec(*server, "CREATE MACRO akko.main.file_rows(p) AS TABLE SELECT * FROM read_text(p)");
	Exec(*server, "CREATE MACRO akko.main.file_text(p) AS (SELECT content FROM read_text(p))");
	auto user = Session({});
	ExpectDenied(*user, "SELECT * FROM akko.main.host", "read_text");
	ExpectDenied(*user, "SELECT * FROM akko.main.file_rows('/etc/hostname')", "read_text");
	ExpectDenied(*user, "SELECT akko.main.file_text('/etc/hostname')", "read_text");
	// A user's own temporary macro may be created (it reads nothing) but not used.
	Exec(*user, "CREATE TEMP MACRO mine(p) AS TABLE SELECT * FROM read_csv(p)");
	ExpectDenied(*user, fmt::format("SELECT * FROM mine('{}.csv')", missing), "read_csv");
	ExpectDenied(*user, "PREPARE p AS SELECT * FROM read_text('/etc/hostname')", "read_text");
	try {
		user->Prepare("SELECT * FROM read_text('/etc/hostname')");
		ADD_FAILURE() << "prepared";
	} catch (const Error &error) {
		EXPECT_EQ(error.code, ErrorCode::PermissionDenied) << error.message;
	}
	try {
		user->Prepare("ATTACH ':memory:' AS scratch");
		ADD_FAILURE() << "prepared";
	} catch (const Error &error) {
		EXPECT_EQ(error.code, ErrorCode::PermissionDenied) << error.message;
	}
}

TEST_F(StatementGateTest, EngineStatementsAreRefused) {
	auto user = Session({});
	auto engine_file = Path("engine/akko.duckdb");
	std::vector<std::pair<std::string, std::string>> attempts = {
	    {fmt::format("ATTACH '{}' AS meta", Path("metastore.db")), "ATTACH"},
	    {fmt::format("ATTACH '{}' AS copy (READ_ONLY)", engine_file), "ATTACH"},
	    {fmt::format("/* hello */ aTtAcH '{}' AS copy", engine_file), "ATTACH"},
	    {"ATTACH ':memory:' AS scratch", "ATTACH"},
	    {"SELECT 1; ATTACH ':memory:' AS scratch", "ATTACH"},
	    {"DETACH akko", "DETACH"},
	    {"INSTALL httpfs", "INSTALL"},
	    {"FORCE INSTALL httpfs", "INSTALL"},
	    {"LOAD httpfs", "LOAD"},
	    {"UPDATE EXTENSIONS", "UPDATE EXTENSIONS"},
	    {"SET enable_external_access = true", "SET enable_external_access"},
	    {"SET allowed_directories = ['/']", "SET allowed_directories"},
	    {"SET GLOBAL TimeZone = 'UTC'", "SET TimeZone"},
	    {"SET threads = 1", "SET threads"},
	    {"RESET memory_limit", "RESET memory_limit"},
	    {"SET SESSION temp_directory = '/tmp'", "SET temp_directory"},
	    {"CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')", "CREATE SECRET"},
	    {"CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')", "CREATE SECRET"},
	    {"DROP SECRET IF EXISTS s", "DROP SECRET"},
	    {"PRAGMA version", "PRAGMA version"},
	    {"PRAGMA table_info('t')", "PRAGMA table_info"},
	    {"PRAGMA enable_profiling", "PRAGMA enable_profiling"},
	    {fmt::format("IMPORT DATABASE '{}'", missing), "IMPORT DATABASE"},
	    {fmt::format("EXPORT DATABASE '{}'", Path("export")), "EXPORT DATABASE writes server files"},
	    {fmt::format("COPY t TO '{}'", Path("out.csv")), "COPY TO a file writes server files"},
	    {"COPY (SELECT 1) TO '/dev/stdout'", "COPY TO a file"},
	    {fmt::format("COPY t FROM '{}.csv'", missing), "COPY FROM a file reads server files"},
	    {fmt::format("EXPLAIN ANALYZE COPY t TO '{}'", Path("out.csv")), "COPY TO a file"},
	    {"COPY FROM DATABASE akko TO memory", "COPY FROM DATABASE"},
	    {"VACUUM", "VACUUM"},
	    {"ANALYZE", "VACUUM"},
	    {"CHECKPOINT", "checkpoint"},
	    {"FORCE CHECKPOINT", "force_checkpoint"},
	    {"CALL checkpoint()", "checkpoint"},
	    {"USE akko", "SET schema to catalog akko"},
	    {"SET search_path = 'akko.main'", "SET search_path to catalog akko"},
	    {"SELECT * FROM duckdb_secrets()", "duckdb_secrets"},
	    {"SELECT * FROM which_secret('s3://bucket/key', 's3')", "which_secret"},
	    {"SELECT * FROM duckdb_logs", "duckdb_logs"},
	    {"SELECT * FROM duckdb_temporary_files()", "duckdb_temporary_files"},
	    {"SELECT * FROM duckdb_extensions()", "duckdb_extensions"},
	    {"SELECT * FROM pragma_storage_info('t')", "pragma_storage_info"},
	    {"CALL enable_logging()", "enable_logging"},
	};
	for (auto &[sql, what] : attempts) {
		ExpectDenied(*user, sql, what);
	}
	EXPECT_FALSE(fs::exists(Path("out.csv")));
	EXPECT_FALSE(fs::exists(Path("export")));
	EXPECT_EQ(Exec(*server, "SELECT count(*) FROM duckdb_databases() WHERE database_name IN ('meta', 'copy', 'scratch')"),
	          std::vector<std::string>({"0"}));
}

TEST_F(StatementGateTest, GrantedCapabilitiesOpenTheirStatements) {
	auto reader = Session({Capability::ReadFiles});
	auto csv = Path("rows.csv");
	EXPECT_EQ(Exec(*reader, fmt::format("SELECT count(*) FROM read_csv('{}')", csv)), std::vector<std::string>({"2"}));
	EXPECT_EQ(Exec(*reader, fmt::format("SELECT name FROM '{}' ORDER BY id", csv)),
	          std::vector<std::string>({"ten", "eleven"}));
	// With the privilege, a missing file is DuckDB's own error: the refusal above came first.
	auto error = Attempt(*reader, fmt::format("SELECT * FROM read_csv('{}.csv')", missing));
	ASSERT_TRUE(error);
	EXPECT_NE(error->code, ErrorCode::PermissionDenied) << error->message;
	Exec(*reader, fmt::format("COPY t FROM '{}' (HEADER)", csv));
	EXPECT_EQ(Exec(*reader, "SELECT count(*) FROM t"), std::vector<std::string>({"5"}));
	ExpectDenied(*reader, fmt::format("COPY t TO '{}'", Path("out.csv")), "COPY TO a file");
	ExpectDenied(*reader, "ATTACH ':memory:' AS scratch", "ATTACH");

	auto writer = Session({Capability::WriteFiles});
	Exec(*writer, fmt::format("COPY (SELECT id FROM t ORDER BY id) TO '{}' (HEADER false)", Path("out.csv")));
	std::ifstream written(Path("out.csv"));
	std::string first;
	std::getline(written, first);
	EXPECT_EQ(first, "1");
	ExpectDenied(*writer, fmt::format("SELECT * FROM read_csv('{}')", csv), "read_csv");
	ExpectNotDenied(*writer, fmt::format("EXPORT DATABASE akko TO '{}'", Path("export")));

	auto admin = Session({Capability::EngineAdmin});
	Exec(*admin, "ATTACH ':memory:' AS scratch");
	Exec(*admin, "DETACH scratch");
	Exec(*admin, "SET threads = 2");
	EXPECT_EQ(Exec(*admin, "PRAGMA version").size(), 1u);
	Exec(*admin, "SELECT * FROM duckdb_secrets()");
	Exec(*admin, "CHECKPOINT akko");
	Exec(*admin, "USE akko");
	Exec(*admin, "USE iceberg");
	// IMPORT DATABASE needs both file reading and the engine.
	ExpectDenied(*admin, fmt::format("IMPORT DATABASE '{}'", missing), "IMPORT DATABASE reads server files");
	auto importer = Session({Capability::EngineAdmin, Capability::ReadFiles});
	ExpectNotDenied(*importer, fmt::format("IMPORT DATABASE '{}'", missing));

	// The server's own sessions are not gated.
	EXPECT_EQ(Exec(*server, fmt::format("SELECT count(*) FROM read_csv('{}')", csv)), std::vector<std::string>({"2"}));
}

TEST_F(StatementGateTest, LakeTablesAndSessionSettingsStayOpen) {
	auto user = Session({});
	EXPECT_EQ(Exec(*user, "SELECT name FROM t ORDER BY id"), std::vector<std::string>({"one", "two", "three"}));
	Exec(*user, "INSERT INTO t VALUES (4, 'four')");
	Exec(*user, "DELETE FROM t WHERE id = 2");
	// Reading after a delete reads the table's delete files too.
	EXPECT_EQ(Exec(*user, "SELECT id FROM t ORDER BY id"), std::vector<std::string>({"1", "3", "4"}));
	Exec(*user, "UPDATE t SET name = 'uno' WHERE id = 1");
	EXPECT_EQ(Exec(*user, "SELECT name FROM t WHERE id = 1"), std::vector<std::string>({"uno"}));
	Exec(*user, "CREATE TABLE copied AS SELECT * FROM t");
	EXPECT_EQ(Exec(*user, "SELECT count(*) FROM copied"), std::vector<std::string>({"3"}));
	// COPY FROM STDIN: the SQL layer appends the rows, in a transaction as sql::Session does.
	Exec(*user, "BEGIN TRANSACTION");
	auto appender = user->AppendTo("t", {"id", "name"});
	appender->AppendRow({std::string_view("5"), std::string_view("five")});
	EXPECT_EQ(appender->Finish(), 1u);
	appender.reset();
	Exec(*user, "COMMIT");
	EXPECT_EQ(Exec(*user, "SELECT count(*) FROM t"), std::vector<std::string>({"4"}));
	// What the SQL layer forwards for PostgreSQL's session parameters, and USE of the lake.
	Exec(*user, "SET SESSION TimeZone = 'Europe/Paris'");
	Exec(*user, "RESET TimeZone");
	Exec(*user, "SET SESSION search_path = 'iceberg.main'");
	Exec(*user, "SET VARIABLE answer = 42");
	EXPECT_EQ(Exec(*user, "SELECT getvariable('answer')"), std::vector<std::string>({"42"}));
	Exec(*user, "USE iceberg.main");
	Exec(*user, "USE main");
	Exec(*user, "BEGIN TRANSACTION");
	Exec(*user, "INSERT INTO t VALUES (6, 'six')");
	Exec(*user, "COMMIT");
	// Catalog views PostgreSQL clients read are built on open engine functions.
	EXPECT_FALSE(Exec(*user, "SELECT table_name FROM information_schema.tables WHERE table_name = 't'").empty());
	EXPECT_FALSE(Exec(*user, "SELECT datname FROM pg_catalog.pg_database").empty());
	EXPECT_FALSE(Exec(*user, "SELECT name FROM pg_catalog.pg_settings").empty());
	Exec(*user, "SHOW TABLES");
	Exec(*user, "DESCRIBE t");
}

} // namespace
} // namespace akko::engine
