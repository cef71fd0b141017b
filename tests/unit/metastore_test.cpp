// The metastore on both backends: every behaviour of the Metastore interface is one test
// run on SQLite and on a real PostgreSQL 15, then what only one backend has (SQLite's file,
// PostgreSQL's pool, retries and concurrent servers).
#include "auth/user_directory.hpp"
#include "common/error.hpp"
#include "metastore/postgres_metastore.hpp"
#include "metastore/sqlite_metastore.hpp"
#include "postgres_test_server.hpp"

#include <atomic>
#include <barrier>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <sqlite3.h>
#include <stdexcept>
#include <thread>
#include <vector>

using akko::Error;
using akko::ErrorCode;
using akko::metastore::AccessKeyRecord;
using akko::metastore::CatalogObjectRecord;
using akko::metastore::Metastore;
using akko::metastore::NamespaceRecord;
using akko::metastore::ObjectKind;
using akko::metastore::OpenMetastore;
using akko::metastore::OpenSqliteMetastore;
using akko::metastore::TokenRecord;
using akko::metastore::Transaction;
using akko::metastore::UserRecord;
using akko::test::MetastoreBackend;

namespace {

// users_and_tokens, catalog, access_keys.
constexpr int kNewestSchema = 3;

ErrorCode CodeOf(const std::function<void()> &body) {
	try {
		body();
	} catch (const Error &error) {
		return error.code;
	}
	ADD_FAILURE() << "expected an akko::Error";
	return ErrorCode::Internal;
}

std::string MessageOf(const std::function<void()> &body) {
	try {
		body();
	} catch (const Error &error) {
		return error.message;
	}
	ADD_FAILURE() << "expected an akko::Error";
	return "";
}

// Each test gets a fresh metastore: a new SQLite file, or a new PostgreSQL database.
class MetastoreFixture : public testing::Test {
protected:
	explicit MetastoreFixture(MetastoreBackend backend_p = MetastoreBackend::Sqlite) : backend(backend_p) {
	}
	void SetUp() override {
		directory = std::filesystem::temp_directory_path() /
		            ("akko_metastore_test_" + std::to_string(std::random_device()()));
		data_dir = (directory / "nested").string();
		path = (directory / "nested" / "metastore.db").string();
		config = akko::test::FreshMetastoreConfig(backend);
	}
	void TearDown() override {
		std::filesystem::remove_all(directory);
	}

	// Another handle on the same metastore, as another server process would open it.
	std::unique_ptr<Metastore> Open() {
		return OpenMetastore(config, data_dir);
	}

	bool OnPostgres() const {
		return backend == MetastoreBackend::Postgres;
	}

	// Reads the database directly, to see what the metastore wrote.
	int64_t Count(const std::string &sql) {
		if (OnPostgres()) {
			return akko::test::QueryPostgresInteger(config, "SET search_path TO akko; " + sql);
		}
		sqlite3 *db = nullptr;
		EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
		sqlite3_stmt *stmt = nullptr;
		EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
		EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
		auto value = sqlite3_column_int64(stmt, 0);
		sqlite3_finalize(stmt);
		sqlite3_close(db);
		return value;
	}

	void Execute(const std::string &sql) {
		if (OnPostgres()) {
			akko::test::ExecutePostgres(config, "SET search_path TO akko; " + sql);
			return;
		}
		sqlite3 *db = nullptr;
		ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
		EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
		sqlite3_close(db);
	}

	MetastoreBackend backend;
	std::filesystem::path directory;
	std::string data_dir;
	std::string path; // the SQLite file
	std::string config;
};

class MetastoreTest : public MetastoreFixture, public testing::WithParamInterface<MetastoreBackend> {
protected:
	MetastoreTest() : MetastoreFixture(GetParam()) {
	}
};

class SqliteMetastoreTest : public MetastoreFixture {};

class PostgresMetastoreTest : public MetastoreFixture {
protected:
	PostgresMetastoreTest() : MetastoreFixture(MetastoreBackend::Postgres) {
	}
};

INSTANTIATE_TEST_SUITE_P(Backends, MetastoreTest,
                         testing::Values(MetastoreBackend::Sqlite, MetastoreBackend::Postgres),
                         akko::test::BackendName);

UserRecord User(const std::string &name) {
	return UserRecord {name, "verifier-of-" + name, false, 1700000000};
}

} // namespace

TEST_P(MetastoreTest, MigratesOnceAcrossReopenings) {
	{
		auto metastore = Open();
		EXPECT_EQ(metastore->SchemaVersion(), kNewestSchema);
	}
	EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"), kNewestSchema);
	{
		auto metastore = Open();
		EXPECT_EQ(metastore->SchemaVersion(), kNewestSchema);
		metastore->RunInTransaction([](Transaction &transaction) { transaction.CreateUser(User("kept")); });
	}
	auto metastore = Open();
	EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"), kNewestSchema);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE name = 'kept'"), 1);
}

TEST_F(SqliteMetastoreTest, LivesInTheDataDirectoryInWalMode) {
	Open();
	EXPECT_TRUE(std::filesystem::exists(path));
	EXPECT_EQ(Count("SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
}

TEST_P(MetastoreTest, RefusesASchemaFromANewerBuild) {
	Open();
	Execute("INSERT INTO schema_migrations VALUES (99, 'from_the_future', 0)");
	EXPECT_EQ(CodeOf([&] { Open(); }), ErrorCode::ConfigurationError);
}

TEST_F(SqliteMetastoreTest, RefusesAnUnusablePath) {
	std::filesystem::create_directories(path);
	EXPECT_EQ(CodeOf([&] { Open(); }), ErrorCode::ConfigurationError);
}

TEST_F(SqliteMetastoreTest, RefusesAFileThatIsNotADatabase) {
	std::filesystem::create_directories(std::filesystem::path(path).parent_path());
	{
		std::ofstream file(path);
		file << std::string(4096, 'x');
	}
	try {
		Open();
		FAIL() << "opened a file that is not a database";
	} catch (const Error &error) {
		EXPECT_EQ(error.code, ErrorCode::ConfigurationError);
		EXPECT_NE(error.message.find(path), std::string::npos) << error.message;
	}
}

TEST_P(MetastoreTest, UsersCrud) {
	auto metastore = Open();
	metastore->RunInTransaction([](Transaction &transaction) {
		auto bob = User("bob");
		bob.is_superuser = true;
		transaction.CreateUser(bob);
		transaction.CreateUser(User("alice"));
	});
	metastore->RunInTransaction([&](Transaction &transaction) {
		auto bob = transaction.FindUser("bob");
		ASSERT_TRUE(bob.has_value());
		EXPECT_EQ(bob->scram_verifier, "verifier-of-bob");
		EXPECT_TRUE(bob->is_superuser);
		EXPECT_EQ(bob->created_at, 1700000000);
		EXPECT_FALSE(transaction.FindUser("carol").has_value());
		EXPECT_FALSE(transaction.FindUser("Bob").has_value());

		auto users = transaction.ListUsers();
		ASSERT_EQ(users.size(), 2u);
		EXPECT_EQ(users[0].name, "alice");
		EXPECT_FALSE(users[0].is_superuser);
		EXPECT_EQ(users[1].name, "bob");

		transaction.SetUserVerifier("alice", "new");
		EXPECT_EQ(transaction.FindUser("alice")->scram_verifier, "new");
		EXPECT_TRUE(transaction.DropUser("alice"));
		EXPECT_FALSE(transaction.DropUser("alice"));
	});
	EXPECT_EQ(CodeOf([&] {
		          metastore->RunInTransaction([](Transaction &transaction) { transaction.CreateUser(User("bob")); });
	          }),
	          ErrorCode::DuplicateObject);
	EXPECT_EQ(CodeOf([&] {
		          metastore->RunInTransaction(
		              [](Transaction &transaction) { transaction.SetUserVerifier("alice", "x"); });
	          }),
	          ErrorCode::UndefinedObject);
}

TEST_P(MetastoreTest, TokensCrud) {
	auto metastore = Open();
	metastore->RunInTransaction([](Transaction &transaction) {
		transaction.CreateUser(User("bob"));
		transaction.CreateToken(TokenRecord {"aa11", "bob", 1700000001});
		transaction.CreateToken(TokenRecord {"bb22", "bob", 1700000002});
	});
	metastore->RunInTransaction([](Transaction &transaction) {
		auto token = transaction.FindToken("aa11");
		ASSERT_TRUE(token.has_value());
		EXPECT_EQ(token->user, "bob");
		EXPECT_EQ(token->created_at, 1700000001);
		EXPECT_FALSE(transaction.FindToken("cc33").has_value());
		EXPECT_TRUE(transaction.DropToken("aa11"));
		EXPECT_FALSE(transaction.DropToken("aa11"));
		EXPECT_FALSE(transaction.FindToken("aa11").has_value());
	});
	EXPECT_EQ(CodeOf([&] {
		          metastore->RunInTransaction([](Transaction &transaction) {
			          transaction.CreateToken(TokenRecord {"dd44", "nobody", 0});
		          });
	          }),
	          ErrorCode::UndefinedObject);
	EXPECT_EQ(CodeOf([&] {
		          metastore->RunInTransaction(
		              [](Transaction &transaction) { transaction.CreateToken(TokenRecord {"bb22", "bob", 0}); });
	          }),
	          ErrorCode::DuplicateObject);
	// A dropped user's tokens go with it.
	metastore->RunInTransaction([](Transaction &transaction) {
		EXPECT_TRUE(transaction.DropUser("bob"));
		EXPECT_FALSE(transaction.FindToken("bb22").has_value());
	});
}

TEST_P(MetastoreTest, AccessKeysCrud) {
	auto metastore = Open();
	metastore->RunInTransaction([](Transaction &transaction) {
		transaction.CreateUser(User("bob"));
		transaction.CreateUser(User("alice"));
		transaction.PutAccessKey(AccessKeyRecord {"AKIDBOB", "bob", "first secret", 1700000001});
		transaction.PutAccessKey(AccessKeyRecord {"AKIDALICE", "alice", "hers", 1700000002});
	});
	metastore->RunInTransaction([](Transaction &transaction) {
		auto key = transaction.FindAccessKey("AKIDBOB");
		ASSERT_TRUE(key.has_value());
		EXPECT_EQ(key->access_key_id, "AKIDBOB");
		EXPECT_EQ(key->user, "bob");
		EXPECT_EQ(key->secret, "first secret");
		EXPECT_EQ(key->created_at, 1700000001);
		EXPECT_FALSE(transaction.FindAccessKey("akidbob").has_value());
		EXPECT_FALSE(transaction.FindAccessKey("AKIDCAROL").has_value());

		// Putting an existing id replaces the whole key.
		transaction.PutAccessKey(AccessKeyRecord {"AKIDBOB", "bob", "second secret", 1700000003});
		key = transaction.FindAccessKey("AKIDBOB");
		EXPECT_EQ(key->secret, "second secret");
		EXPECT_EQ(key->created_at, 1700000003);

		// A missing user is refused, and the transaction goes on (PostgreSQL would abort it
		// on a foreign key violation).
		EXPECT_EQ(CodeOf([&] { transaction.PutAccessKey(AccessKeyRecord {"AKIDX", "nobody", "s", 0}); }),
		          ErrorCode::UndefinedObject);
		EXPECT_FALSE(transaction.FindAccessKey("AKIDX").has_value());
		EXPECT_TRUE(transaction.DropAccessKey("AKIDALICE"));
		EXPECT_FALSE(transaction.DropAccessKey("AKIDALICE"));
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM access_keys"), 1);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM access_keys WHERE secret = 'second secret'"), 1);
	// A dropped user's keys go with it.
	metastore->RunInTransaction([](Transaction &transaction) {
		EXPECT_TRUE(transaction.DropUser("bob"));
		EXPECT_FALSE(transaction.FindAccessKey("AKIDBOB").has_value());
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM access_keys"), 0);
}

TEST_P(MetastoreTest, UpgradesAMetastoreFromBeforeAccessKeys) {
	Open();
	// Back to version 2, as an older build left it, with a user in it.
	Execute("DROP TABLE access_keys; DELETE FROM schema_migrations WHERE version = 3; "
	        "INSERT INTO users (name, scram_verifier, is_superuser, created_at) VALUES ('old', 'v', FALSE, 0)");
	EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"), 2);
	auto metastore = Open();
	EXPECT_EQ(metastore->SchemaVersion(), kNewestSchema);
	metastore->RunInTransaction([](Transaction &transaction) {
		EXPECT_TRUE(transaction.FindUser("old").has_value());
		EXPECT_FALSE(transaction.FindAccessKey("old").has_value());
		transaction.PutAccessKey(AccessKeyRecord {"old", "old", "pw", 1});
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM access_keys WHERE user_name = 'old'"), 1);
}

TEST_P(MetastoreTest, ExceptionRollsBack) {
	auto metastore = Open();
	EXPECT_THROW(metastore->RunInTransaction([](Transaction &transaction) {
		transaction.CreateUser(User("ghost"));
		throw std::runtime_error("changed my mind");
	}),
	             std::runtime_error);
	// A failing step rolls back the steps before it.
	metastore->RunInTransaction([](Transaction &transaction) { transaction.CreateUser(User("bob")); });
	EXPECT_EQ(CodeOf([&] {
		          metastore->RunInTransaction([](Transaction &transaction) {
			          transaction.CreateUser(User("carol"));
			          transaction.CreateUser(User("bob"));
		          });
	          }),
	          ErrorCode::DuplicateObject);
	metastore->RunInTransaction([](Transaction &transaction) {
		EXPECT_FALSE(transaction.FindUser("ghost").has_value());
		EXPECT_FALSE(transaction.FindUser("carol").has_value());
		EXPECT_TRUE(transaction.FindUser("bob").has_value());
	});
}

TEST_P(MetastoreTest, NestedTransactionsAreRefused) {
	auto metastore = Open();
	EXPECT_EQ(CodeOf([&] {
		          metastore->RunInTransaction([&](Transaction &transaction) {
			          transaction.CreateUser(User("outer"));
			          metastore->RunInTransaction([](Transaction &) {});
		          });
	          }),
	          ErrorCode::Internal);
	metastore->RunInTransaction(
	    [](Transaction &transaction) { EXPECT_FALSE(transaction.FindUser("outer").has_value()); });
}

TEST_P(MetastoreTest, ConcurrentUse) {
	// Two handles on one file stand in for two processes; each is shared by several threads.
	auto first = Open();
	auto second = Open();
	constexpr int kThreads = 8;
	constexpr int kUsersPerThread = 40;
	std::atomic<int> lost_updates = 0;
	std::vector<std::thread> threads;
	for (int t = 0; t < kThreads; t++) {
		threads.emplace_back([&, t] {
			Metastore &metastore = t % 2 == 0 ? *first : *second;
			for (int i = 0; i < kUsersPerThread; i++) {
				auto name = "user_" + std::to_string(t) + "_" + std::to_string(i);
				metastore.RunInTransaction([&](Transaction &transaction) { transaction.CreateUser(User(name)); });
				// Read-modify-write of one shared row: serializable transactions lose nothing.
				metastore.RunInTransaction([&](Transaction &transaction) {
					auto counter = transaction.FindUser("counter");
					if (!counter) {
						auto record = User("counter");
						record.scram_verifier = "1";
						transaction.CreateUser(record);
						return;
					}
					transaction.SetUserVerifier("counter", std::to_string(std::stoi(counter->scram_verifier) + 1));
				});
				bool found = false;
				metastore.RunInTransaction(
				    [&](Transaction &transaction) { found = transaction.FindUser(name).has_value(); });
				if (!found) {
					lost_updates++;
				}
			}
		});
	}
	for (auto &thread : threads) {
		thread.join();
	}
	EXPECT_EQ(lost_updates, 0);
	first->RunInTransaction([&](Transaction &transaction) {
		EXPECT_EQ(transaction.ListUsers().size(), size_t(kThreads * kUsersPerThread + 1));
		EXPECT_EQ(transaction.FindUser("counter")->scram_verifier, std::to_string(kThreads * kUsersPerThread));
	});
}

TEST_P(MetastoreTest, BootstrapAdminPasswordIsGeneratedOnce) {
	std::string generated;
	{
		auto metastore = Open();
		akko::auth::UserDirectory users(*metastore);
		auto password = users.EnsureBootstrapAdmin("");
		ASSERT_TRUE(password.has_value());
		generated = *password;
		EXPECT_EQ(generated.size(), 20u);
		EXPECT_EQ(generated.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
		          std::string::npos);
		EXPECT_TRUE(users.CheckPassword("admin", generated));
		EXPECT_FALSE(users.EnsureBootstrapAdmin("").has_value());
	}
	{
		auto metastore = Open();
		akko::auth::UserDirectory users(*metastore);
		EXPECT_FALSE(users.EnsureBootstrapAdmin("").has_value());
		EXPECT_TRUE(users.CheckPassword("admin", generated));
		metastore->RunInTransaction(
		    [](Transaction &transaction) { EXPECT_TRUE(transaction.FindUser("admin")->is_superuser); });
		// A configured password replaces whatever was there, and is never echoed back.
		EXPECT_FALSE(users.EnsureBootstrapAdmin("configured").has_value());
		EXPECT_TRUE(users.CheckPassword("admin", "configured"));
		EXPECT_FALSE(users.CheckPassword("admin", generated));
	}
	// The verifier, never the password, is what is stored.
	EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE scram_verifier LIKE 'SCRAM-SHA-256$4096:%'"), 1);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE scram_verifier LIKE '%configured%'"), 0);
}

TEST_P(MetastoreTest, ConfiguredAdminOnAFreshMetastore) {
	auto metastore = Open();
	akko::auth::UserDirectory users(*metastore);
	EXPECT_FALSE(users.EnsureBootstrapAdmin("configured").has_value());
	EXPECT_TRUE(users.CheckPassword("admin", "configured"));
	metastore->RunInTransaction(
	    [](Transaction &transaction) { EXPECT_TRUE(transaction.FindUser("admin")->is_superuser); });
}

TEST_P(MetastoreTest, UserDirectoryPasswordsAndTokens) {
	auto metastore = Open();
	akko::auth::UserDirectory users(*metastore);
	EXPECT_FALSE(users.Exists("alice"));
	EXPECT_FALSE(users.Verifier("alice").has_value());
	EXPECT_FALSE(users.CheckPassword("alice", "pw"));

	users.SetPassword("alice", "first");
	EXPECT_TRUE(users.Exists("alice"));
	EXPECT_TRUE(users.CheckPassword("alice", "first"));
	users.SetPassword("alice", "second");
	EXPECT_FALSE(users.CheckPassword("alice", "first"));
	EXPECT_TRUE(users.CheckPassword("alice", "second"));
	auto verifier = users.Verifier("alice");
	ASSERT_TRUE(verifier.has_value());
	EXPECT_TRUE(verifier->CheckPassword("second"));

	auto token = users.IssueToken("alice");
	EXPECT_TRUE(token.starts_with("akko_"));
	EXPECT_EQ(token.size(), 5u + 64u);
	EXPECT_NE(users.IssueToken("alice"), token);
	EXPECT_EQ(users.UserForToken(token), std::optional<std::string>("alice"));
	EXPECT_FALSE(users.UserForToken(token + "0").has_value());
	EXPECT_FALSE(users.UserForToken(token.substr(5)).has_value());
	EXPECT_FALSE(users.UserForToken("").has_value());
	EXPECT_EQ(CodeOf([&] { users.IssueToken("nobody"); }), ErrorCode::UndefinedObject);
	// Only hashes are stored.
	EXPECT_EQ(Count("SELECT COUNT(*) FROM api_tokens WHERE length(sha256) = 64"), 2);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM api_tokens WHERE sha256 LIKE '%" + token.substr(5, 16) + "%'"), 0);

	Execute("UPDATE users SET scram_verifier = 'garbage' WHERE name = 'alice'");
	EXPECT_EQ(CodeOf([&] { users.Verifier("alice"); }), ErrorCode::Internal);
}

TEST_P(MetastoreTest, NestedNamespacesWithProperties) {
	auto metastore = Open();
	metastore->RunInTransaction([&](Transaction &transaction) {
		transaction.CreateNamespace(NamespaceRecord {{"sales"}, {{"owner", "ana"}}});
		transaction.CreateNamespace(NamespaceRecord {{"sales", "eu"}, {}});
		transaction.CreateNamespace(NamespaceRecord {{"sales", "us"}, {}});
		transaction.CreateNamespace(NamespaceRecord {{"hr"}, {}});
		EXPECT_EQ(CodeOf([&] { transaction.CreateNamespace(NamespaceRecord {{"sales"}, {}}); }),
		          ErrorCode::DuplicateSchema);
		EXPECT_EQ(CodeOf([&] { transaction.CreateNamespace(NamespaceRecord {{"nope", "child"}, {}}); }),
		          ErrorCode::InvalidSchemaName);
	});
	metastore->RunInTransaction([&](Transaction &transaction) {
		auto top = transaction.ListNamespaces({});
		ASSERT_EQ(top.size(), 2u);
		EXPECT_EQ(top[0].name, std::vector<std::string>({"hr"}));
		EXPECT_EQ(top[1].properties.at("owner"), "ana");
		auto children = transaction.ListNamespaces({"sales"});
		ASSERT_EQ(children.size(), 2u);
		EXPECT_EQ(children[1].name, std::vector<std::string>({"sales", "us"}));
		transaction.SetNamespaceProperties({"sales", "eu"}, {{"region", "eu-west"}});
		EXPECT_EQ(transaction.FindNamespace({"sales", "eu"})->properties.at("region"), "eu-west");
		EXPECT_EQ(CodeOf([&] { transaction.DropNamespace({"sales"}); }), ErrorCode::DependentObjects);
		EXPECT_TRUE(transaction.DropNamespace({"sales", "us"}));
		EXPECT_FALSE(transaction.DropNamespace({"sales", "us"}));
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM namespaces"), 3);
}

TEST_P(MetastoreTest, CatalogObjectsSwapTheirPointerOnlyFromTheExpectedOne) {
	auto metastore = Open();
	metastore->RunInTransaction([&](Transaction &transaction) {
		transaction.CreateNamespace(NamespaceRecord {{"a"}, {}});
		transaction.CreateNamespace(NamespaceRecord {{"b"}, {}});
		transaction.CreateObject(CatalogObjectRecord {{"a"}, "t", ObjectKind::Table, "s3://w/t/v1.json"});
		transaction.CreateObject(CatalogObjectRecord {{"a"}, "v", ObjectKind::View, "s3://w/v/v1.json"});
		EXPECT_EQ(CodeOf([&] {
			          transaction.CreateObject(CatalogObjectRecord {{"a"}, "v", ObjectKind::Table, "x"});
		          }),
		          ErrorCode::DuplicateTable);
		EXPECT_EQ(CodeOf([&] {
			          transaction.CreateObject(CatalogObjectRecord {{"zz"}, "t", ObjectKind::Table, "x"});
		          }),
		          ErrorCode::InvalidSchemaName);
		EXPECT_EQ(CodeOf([&] { transaction.DropNamespace({"a"}); }), ErrorCode::DependentObjects);
	});
	metastore->RunInTransaction([&](Transaction &transaction) {
		EXPECT_FALSE(transaction.SwapMetadataLocation({"a"}, "t", "s3://w/t/v0.json", "s3://w/t/v2.json"));
		EXPECT_TRUE(transaction.SwapMetadataLocation({"a"}, "t", "s3://w/t/v1.json", "s3://w/t/v2.json"));
		EXPECT_EQ(transaction.FindObject({"a"}, "t")->metadata_location, "s3://w/t/v2.json");
		EXPECT_EQ(transaction.ListObjects({"a"}, ObjectKind::Table).size(), 1u);
		EXPECT_EQ(transaction.ListObjects({"a"}, ObjectKind::View)[0].name, "v");
		transaction.RenameObject({"a"}, "t", {"b"}, "moved");
		EXPECT_FALSE(transaction.FindObject({"a"}, "t"));
		EXPECT_EQ(CodeOf([&] { transaction.RenameObject({"a"}, "t", {"b"}, "x"); }), ErrorCode::UndefinedTable);
		EXPECT_EQ(CodeOf([&] { transaction.RenameObject({"a"}, "v", {"b"}, "moved"); }), ErrorCode::DuplicateTable);
		EXPECT_EQ(CodeOf([&] { transaction.RenameObject({"a"}, "v", {"c"}, "v"); }), ErrorCode::InvalidSchemaName);
		EXPECT_TRUE(transaction.DropObject({"b"}, "moved"));
		EXPECT_FALSE(transaction.DropObject({"b"}, "moved"));
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM catalog_objects"), 1);
}

TEST(OpenMetastoreTest, RefusesUnknownKindsWithoutEchoingThem) {
	auto message = MessageOf([] { OpenMetastore("mysql://root:hunter2@db/akko", "/nonexistent"); });
	EXPECT_NE(message.find("mysql://"), std::string::npos) << message;
	EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
	EXPECT_EQ(CodeOf([] { OpenMetastore("root:hunter2@db", "/nonexistent"); }), ErrorCode::ConfigurationError);
	EXPECT_EQ(MessageOf([] { OpenMetastore("root:hunter2@db", "/nonexistent"); }).find("hunter2"), std::string::npos);
}

TEST_F(PostgresMetastoreTest, KeepsToASchemaOfItsOwn) {
	auto metastore = Open();
	EXPECT_EQ(akko::test::QueryPostgresInteger(
	              config, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"),
	          0);
	// schema_migrations, users, api_tokens, namespaces, catalog_objects, access_keys.
	EXPECT_EQ(akko::test::QueryPostgresInteger(
	              config, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'akko'"),
	          6);
	// The postgres:// spelling opens the same metastore.
	auto uri = config;
	uri.replace(0, std::string("postgresql").size(), "postgres");
	auto again = OpenMetastore(uri, data_dir);
	metastore->RunInTransaction([](Transaction &transaction) { transaction.CreateUser(User("seen")); });
	again->RunInTransaction(
	    [](Transaction &transaction) { EXPECT_TRUE(transaction.FindUser("seen").has_value()); });
}

TEST_F(PostgresMetastoreTest, ListsInByteOrderWhateverTheCollation) {
	// A database whose default collation puts "a" before "B"; SQLite (and the interface) say "B" first.
	auto database = config.substr(config.rfind('/') + 1);
	auto server = config.substr(0, config.rfind('/'));
	akko::test::ExecutePostgres(server + "/postgres",
	                            fmt::format("CREATE DATABASE {}_icu TEMPLATE template0 LOCALE_PROVIDER icu "
	                                        "ICU_LOCALE 'en-US' LOCALE 'C'",
	                                        database));
	config = server + "/" + database + "_icu";
	EXPECT_EQ(akko::test::QueryPostgresInteger(config, "SELECT ('a' < 'B')::int"), 1);
	auto metastore = Open();
	metastore->RunInTransaction([](Transaction &transaction) {
		transaction.CreateNamespace(NamespaceRecord {{"a"}, {}});
		transaction.CreateNamespace(NamespaceRecord {{"B"}, {}});
		transaction.CreateObject(CatalogObjectRecord {{"a"}, "x", ObjectKind::Table, "l"});
		transaction.CreateObject(CatalogObjectRecord {{"a"}, "Y", ObjectKind::Table, "l"});
		transaction.CreateUser(User("b"));
		transaction.CreateUser(User("A"));
	});
	metastore->RunInTransaction([](Transaction &transaction) {
		EXPECT_EQ(transaction.ListNamespaces({})[0].name, std::vector<std::string>({"B"}));
		EXPECT_EQ(transaction.ListObjects({"a"}, ObjectKind::Table)[0].name, "Y");
		EXPECT_EQ(transaction.ListUsers()[0].name, "A");
	});
}

TEST_F(PostgresMetastoreTest, ConcurrentCompareAndSwapHasOneWinnerPerRound) {
	// Two handles stand in for two servers; each of the threads swaps from the pointer the
	// round started with, so exactly one of them may move it.
	auto first = Open();
	auto second = Open();
	first->RunInTransaction([](Transaction &transaction) {
		transaction.CreateNamespace(NamespaceRecord {{"n"}, {}});
		transaction.CreateObject(CatalogObjectRecord {{"n"}, "t", ObjectKind::Table, "v0"});
	});
	constexpr int kThreads = 12;
	constexpr int kRounds = 25;
	std::vector<std::atomic<int>> winners(kRounds);
	std::barrier round_start(kThreads);
	std::vector<std::thread> threads;
	for (int t = 0; t < kThreads; t++) {
		threads.emplace_back([&, t] {
			Metastore &metastore = t % 2 == 0 ? *first : *second;
			for (int round = 0; round < kRounds; round++) {
				round_start.arrive_and_wait();
				bool won = false;
				try {
					metastore.RunInTransaction([&](Transaction &transaction) {
						won = transaction.SwapMetadataLocation({"n"}, "t", fmt::format("v{}", round),
						                                       fmt::format("v{}", round + 1));
					});
				} catch (const std::exception &error) {
					ADD_FAILURE() << error.what();
				}
				if (won) {
					winners[round]++;
				}
			}
		});
	}
	for (auto &thread : threads) {
		thread.join();
	}
	for (int round = 0; round < kRounds; round++) {
		EXPECT_EQ(winners[round].load(), 1) << "round " << round;
	}
	EXPECT_EQ(Count("SELECT COUNT(*) FROM catalog_objects WHERE metadata_location = 'v25'"), 1);
}

TEST_F(PostgresMetastoreTest, TwoServersCommittingConcurrentlyLoseNothing) {
	// Each writer commits as the catalog does: read the pointer, then swap it from what it read,
	// and read again when it lost. Every won swap must show in the final pointer.
	auto first = Open();
	auto second = Open();
	first->RunInTransaction([](Transaction &transaction) {
		transaction.CreateNamespace(NamespaceRecord {{"n"}, {}});
		transaction.CreateObject(CatalogObjectRecord {{"n"}, "t", ObjectKind::Table, "0"});
	});
	constexpr int kThreads = 8;
	constexpr int kCommits = 15;
	std::atomic<int> won {0};
	std::vector<std::thread> threads;
	for (int t = 0; t < kThreads; t++) {
		threads.emplace_back([&, t] {
			Metastore &metastore = t % 2 == 0 ? *first : *second;
			try {
				for (int i = 0; i < kCommits; i++) {
					bool swapped = false;
					while (!swapped) {
						std::string base;
						metastore.RunInTransaction([&](Transaction &transaction) {
							base = transaction.FindObject({"n"}, "t")->metadata_location;
						});
						metastore.RunInTransaction([&](Transaction &transaction) {
							swapped =
							    transaction.SwapMetadataLocation({"n"}, "t", base, std::to_string(std::stoi(base) + 1));
						});
					}
					won++;
				}
			} catch (const std::exception &error) {
				ADD_FAILURE() << error.what();
			}
		});
	}
	for (auto &thread : threads) {
		thread.join();
	}
	EXPECT_EQ(won.load(), kThreads * kCommits);
	first->RunInTransaction([&](Transaction &transaction) {
		EXPECT_EQ(transaction.FindObject({"n"}, "t")->metadata_location, std::to_string(kThreads * kCommits));
	});
}

TEST_F(PostgresMetastoreTest, ServersStartingTogetherMigrateOnce) {
	for (int trial = 0; trial < 5; trial++) {
		auto uri = akko::test::PostgresTestServer::Instance().CreateDatabase();
		constexpr int kServers = 4;
		std::barrier start(kServers);
		std::atomic<int> opened {0};
		std::vector<std::thread> threads;
		for (int s = 0; s < kServers; s++) {
			threads.emplace_back([&] {
				start.arrive_and_wait();
				try {
					auto metastore = OpenMetastore(uri, data_dir);
					if (metastore->SchemaVersion() == kNewestSchema) {
						opened++;
					}
				} catch (const std::exception &error) {
					ADD_FAILURE() << error.what();
				}
			});
		}
		for (auto &thread : threads) {
			thread.join();
		}
		EXPECT_EQ(opened.load(), kServers);
		EXPECT_EQ(akko::test::QueryPostgresInteger(uri, "SELECT COUNT(*) FROM akko.schema_migrations"),
		          kNewestSchema);
	}
}

TEST_F(PostgresMetastoreTest, RecoversFromTerminatedConnections) {
	auto metastore = Open();
	metastore->RunInTransaction([](Transaction &transaction) { transaction.CreateUser(User("before")); });
	// Waits up to 10 s for each backend to be gone; the FILTER runs only on the rows selected.
	std::string terminate = "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
	                        "WHERE datname = current_database() AND application_name = 'akko'";
	// Every pooled connection dies while idle; the next transaction reconnects.
	EXPECT_GE(akko::test::QueryPostgresInteger(config, terminate), 1);
	metastore->RunInTransaction(
	    [](Transaction &transaction) { EXPECT_TRUE(transaction.FindUser("before").has_value()); });
	EXPECT_EQ(metastore->SchemaVersion(), kNewestSchema);

	// A connection dies in the middle of a transaction: nothing of the first run is kept and
	// the body runs again on a new connection.
	int runs = 0;
	metastore->RunInTransaction([&](Transaction &transaction) {
		runs++;
		transaction.CreateUser(User(fmt::format("run{}", runs)));
		if (runs == 1) {
			EXPECT_EQ(akko::test::QueryPostgresInteger(config, terminate), 1);
		}
		transaction.FindUser("before");
	});
	EXPECT_EQ(runs, 2);
	metastore->RunInTransaction([](Transaction &transaction) {
		EXPECT_FALSE(transaction.FindUser("run1").has_value());
		EXPECT_TRUE(transaction.FindUser("run2").has_value());
	});
}

TEST_F(PostgresMetastoreTest, ConflictsTheBodyCatchesStillRetry) {
	// A body that swallows the serialization failure cannot commit its aborted transaction:
	// it runs again, and what it finally commits is from a clean run.
	auto first = Open();
	auto second = Open();
	first->RunInTransaction([](Transaction &transaction) { transaction.CreateUser(User("counter")); });
	std::barrier both_read(2);
	std::atomic<int> runs {0};
	auto increment = [&](Metastore &metastore) {
		metastore.RunInTransaction([&](Transaction &transaction) {
			auto value = transaction.FindUser("counter")->scram_verifier;
			if (runs++ < 2) {
				both_read.arrive_and_wait();
			}
			try {
				transaction.SetUserVerifier("counter", value + "+");
			} catch (const Error &) {
			}
		});
	};
	std::thread other([&] { increment(*second); });
	increment(*first);
	other.join();
	EXPECT_GE(runs.load(), 3);
	first->RunInTransaction([](Transaction &transaction) {
		EXPECT_EQ(transaction.FindUser("counter")->scram_verifier, "verifier-of-counter++");
	});
}

TEST_F(PostgresMetastoreTest, ErrorsNeverShowThePassword) {
	auto &server = akko::test::PostgresTestServer::Instance();
	auto wrong = fmt::format("postgresql://postgres:Wr0ngSecret@127.0.0.1:{}/postgres", server.Port());
	auto message = MessageOf([&] { OpenMetastore(wrong, data_dir); });
	EXPECT_EQ(CodeOf([&] { OpenMetastore(wrong, data_dir); }), ErrorCode::ConfigurationError);
	EXPECT_NE(message.find("postgresql://postgres@127.0.0.1"), std::string::npos) << message;
	EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
	EXPECT_EQ(message.find("Wr0ngSecret"), std::string::npos) << message;

	// libpq quotes what it cannot parse; the password must not come back that way either.
	for (auto uri : {std::string("postgresql://postgres:Sec%zzret@127.0.0.1:1/x"),
	                 std::string("postgresql://postgres:Secret%zz@127.0.0.1:1/x"),
	                 std::string("postgresql://postgres:Secret@127.0.0.1:notaport/x"),
	                 std::string("postgresql://postgres:Secret@127.0.0.1:1/x")}) {
		auto text = MessageOf([&] { OpenMetastore(uri, data_dir); });
		EXPECT_EQ(text.find("Secret"), std::string::npos) << text;
		EXPECT_EQ(text.find("zzret"), std::string::npos) << text;
		EXPECT_FALSE(text.empty());
	}
	// The right password, spelled the same way, works.
	auto right = wrong.replace(wrong.find("Wr0ngSecret"), 11, server.Password());
	EXPECT_EQ(OpenMetastore(right, data_dir)->SchemaVersion(), kNewestSchema);
}
