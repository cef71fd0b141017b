// The metastore on both backends: every behaviour of the Metastore interface is one test
// run on SQLite and on a real PostgreSQL 15, then what only one backend has (SQLite's file,
// PostgreSQL's pool, retries and concurrent servers).
#include "auth/user_directory.hpp"
#include "common/error.hpp"
#include "metastore/postgres_metastore.hpp"
#include "metastore/sqlite_metastore.hpp"
#include "postgres_test_server.hpp"
#include "error_of.hpp"

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
using akko::test::CodeOf;
using akko::test::MessageOf;
using akko::metastore::AccessKeyRecord;
using akko::metastore::AccessModel;
using akko::metastore::CatalogObjectRecord;
using akko::metastore::ColumnMaskRecord;
using akko::metastore::GrantRecord;
using akko::metastore::Metastore;
using akko::metastore::NamespaceName;
using akko::metastore::NamespaceRecord;
using akko::metastore::ObjectKind;
using akko::metastore::OpenMetastore;
using akko::metastore::OpenSqliteMetastore;
using akko::metastore::RoleMembershipRecord;
using akko::metastore::RoleRecord;
using akko::metastore::RowPolicyRecord;
using akko::metastore::TokenRecord;
using akko::metastore::Transaction;
using akko::metastore::UserAttributeRecord;
using akko::metastore::UserRecord;
using akko::test::MetastoreBackend;

namespace {

// users_and_tokens, catalog, access_keys, access_control, cockpit_items.
constexpr int kNewestSchema = 5;

// Undoes migrations 5 (cockpit_items) and 4 (access_control), leaving a metastore as a
// version-3 build wrote it.
constexpr const char *kBackToVersion3 =
    "DROP TABLE cockpit_items; DELETE FROM schema_migrations WHERE version = 5; DROP TABLE role_members; DROP TABLE roles; DROP TABLE grants; DROP TABLE row_policies; "
    "DROP TABLE column_masks; DROP TABLE user_attributes; DROP TABLE server_settings; DROP TABLE access_version; "
    "DROP INDEX api_tokens_expires_at; ALTER TABLE api_tokens DROP COLUMN expires_at; "
    "ALTER TABLE api_tokens DROP COLUMN kind; ALTER TABLE users DROP COLUMN password_hash; "
    "DELETE FROM schema_migrations WHERE version = 4;";

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
	return UserRecord {name, "verifier-of-" + name, false, 1700000000, ""};
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
	Execute(std::string(kBackToVersion3) + "DROP TABLE access_keys; DELETE FROM schema_migrations WHERE version = 3; "
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

TEST_P(MetastoreTest, UpgradesAVersion3MetastoreKeepingItsUsers) {
	Open();
	// Back to version 3, as the build before access control left it, with a user and a token.
	Execute(std::string(kBackToVersion3) +
	        "INSERT INTO users (name, scram_verifier, is_superuser, created_at) VALUES ('old', 'v', TRUE, 5); "
	        "INSERT INTO api_tokens (sha256, user_name, created_at) VALUES ('cafe', 'old', 6);");
	EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"), 3);
	auto metastore = Open();
	EXPECT_EQ(metastore->SchemaVersion(), kNewestSchema);
	metastore->RunInTransaction([](Transaction &transaction) {
		auto old = transaction.FindUser("old");
		ASSERT_TRUE(old.has_value());
		EXPECT_EQ(old->scram_verifier, "v");
		EXPECT_TRUE(old->is_superuser);
		EXPECT_EQ(old->password_hash, "");
		auto token = transaction.FindToken("cafe");
		ASSERT_TRUE(token.has_value());
		EXPECT_EQ(token->expires_at, 0);
		EXPECT_EQ(token->kind, "api");
		// A token that never expires survives any sweep.
		EXPECT_EQ(transaction.DropExpiredTokens(INT64_MAX), 0);
		auto model = transaction.LoadAccessModel();
		ASSERT_EQ(model.users.size(), 1u);
		EXPECT_EQ(model.users[0].name, "old");
		EXPECT_TRUE(model.roles.empty());
		// Existing users become roles' members like new ones.
		transaction.CreateRole(RoleRecord {"auditors", false, 7});
		transaction.PutRoleMembership(RoleMembershipRecord {"old", "auditors"});
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM role_members WHERE member_name = 'old' AND role_name = 'auditors'"), 1);
}

TEST_P(MetastoreTest, PasswordHashesTokenExpiryAndSettings) {
	auto metastore = Open();
	metastore->RunInTransaction([](Transaction &transaction) {
		auto bob = User("bob");
		bob.password_hash = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA";
		transaction.CreateUser(bob);
		transaction.CreateUser(User("alice"));
		transaction.CreateToken(TokenRecord {"t-past", "bob", 10, 100, "refresh"});
		transaction.CreateToken(TokenRecord {"t-now", "bob", 10, 200, "refresh"});
		transaction.CreateToken(TokenRecord {"t-future", "alice", 10, 300, "api"});
		transaction.CreateToken(TokenRecord {"t-never", "alice", 10});
	});
	metastore->RunInTransaction([](Transaction &transaction) {
		EXPECT_EQ(transaction.FindUser("bob")->password_hash, "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA");
		EXPECT_EQ(transaction.ListUsers()[0].password_hash, "");
		transaction.SetUserPasswordHash("alice", "$argon2id$second");
		EXPECT_EQ(transaction.FindUser("alice")->password_hash, "$argon2id$second");
		EXPECT_EQ(CodeOf([&] { transaction.SetUserPasswordHash("carol", "x"); }), ErrorCode::UndefinedObject);

		auto token = transaction.FindToken("t-past");
		ASSERT_TRUE(token.has_value());
		EXPECT_EQ(token->expires_at, 100);
		EXPECT_EQ(token->kind, "refresh");
		EXPECT_EQ(transaction.FindToken("t-never")->kind, "api");
		EXPECT_EQ(transaction.FindToken("t-never")->expires_at, 0);

		EXPECT_FALSE(transaction.FindSetting("jwt-key").has_value());
		transaction.PutSetting("jwt-key", "first");
		transaction.PutSetting("jwt-key", "second");
		transaction.PutSetting("other", "");
		EXPECT_EQ(transaction.FindSetting("jwt-key"), "second");
		EXPECT_EQ(transaction.FindSetting("other"), "");
	});
	int64_t swept = -1;
	// A token whose expiry instant is now is over (as a JWT's "exp"); later ones and those
	// that never expire stay.
	metastore->RunInTransaction([&](Transaction &transaction) { swept = transaction.DropExpiredTokens(200); });
	EXPECT_EQ(swept, 2);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM api_tokens"), 2);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM api_tokens WHERE sha256 IN ('t-future', 't-never')"), 2);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM server_settings"), 2);
}

TEST_P(MetastoreTest, UsersAndRolesShareOneNameSpace) {
	auto metastore = Open();
	metastore->RunInTransaction([](Transaction &transaction) {
		transaction.CreateUser(User("eve"));
		transaction.CreateRole(RoleRecord {"akko-admin", true, 1});
		transaction.CreateRole(RoleRecord {"auditors", false, 2});
		EXPECT_EQ(CodeOf([&] { transaction.CreateRole(RoleRecord {"eve", false, 3}); }), ErrorCode::DuplicateObject);
		EXPECT_EQ(CodeOf([&] { transaction.CreateUser(User("auditors")); }), ErrorCode::DuplicateObject);
		EXPECT_EQ(CodeOf([&] { transaction.CreateRole(RoleRecord {"auditors", false, 3}); }),
		          ErrorCode::DuplicateObject);
		// Names are kept as given: case tells them apart.
		transaction.CreateRole(RoleRecord {"Auditors", false, 4});
		// The refusals above left the transaction usable (PostgreSQL aborts on a failed statement).
		EXPECT_FALSE(transaction.FindUser("auditors").has_value());
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), 1);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM roles"), 3);
	metastore->RunInTransaction([](Transaction &transaction) {
		auto model = transaction.LoadAccessModel();
		ASSERT_EQ(model.roles.size(), 3u);
		// Byte order: upper case first.
		EXPECT_EQ(model.roles[0].name, "Auditors");
		EXPECT_EQ(model.roles[1].name, "akko-admin");
		EXPECT_TRUE(model.roles[1].builtin);
		EXPECT_EQ(model.roles[1].created_at, 1);
		EXPECT_FALSE(model.roles[2].builtin);
		ASSERT_EQ(model.users.size(), 1u);
		EXPECT_EQ(model.users[0].scram_verifier, "");
		EXPECT_TRUE(transaction.DropRole("Auditors"));
		EXPECT_FALSE(transaction.DropRole("Auditors"));
		// A user is no role, and a role no user.
		EXPECT_FALSE(transaction.DropRole("eve"));
		EXPECT_FALSE(transaction.DropUser("auditors"));
	});
	// A dropped name is free for either kind again.
	metastore->RunInTransaction([](Transaction &transaction) {
		EXPECT_TRUE(transaction.DropUser("eve"));
		transaction.CreateRole(RoleRecord {"eve", false, 5});
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM roles WHERE name = 'eve'"), 1);
}

TEST_P(MetastoreTest, MembershipsGrantsAndAttributesMoveTheVersionOn) {
	auto metastore = Open();
	int64_t start = 0;
	metastore->RunInTransaction([&](Transaction &transaction) {
		start = transaction.AccessVersion();
		transaction.CreateUser(User("eve"));
		transaction.CreateRole(RoleRecord {"analysts", false, 1});
		transaction.CreateRole(RoleRecord {"auditors", false, 1});
	});
	// Each change moves the version on, seen by another server on the same metastore.
	auto other = Open();
	auto version_of = [](Metastore &store) {
		int64_t version = 0;
		store.RunInTransaction([&](Transaction &transaction) { version = transaction.AccessVersion(); });
		return version;
	};
	auto last = version_of(*other);
	EXPECT_GT(last, start);
	auto expect_moved = [&](const std::function<void(Transaction &)> &change) {
		metastore->RunInTransaction(change);
		auto now = version_of(*other);
		EXPECT_GT(now, last);
		last = now;
	};
	auto expect_still = [&](const std::function<void(Transaction &)> &change) {
		metastore->RunInTransaction(change);
		EXPECT_EQ(version_of(*other), last);
	};
	expect_moved([](Transaction &t) { t.PutRoleMembership(RoleMembershipRecord {"eve", "auditors"}); });
	expect_still([](Transaction &t) { t.PutRoleMembership(RoleMembershipRecord {"eve", "auditors"}); });
	expect_moved([](Transaction &t) { t.PutRoleMembership(RoleMembershipRecord {"auditors", "analysts"}); });
	expect_moved([](Transaction &t) { t.PutGrant(GrantRecord {"analysts", "SELECT", {"banking"}, "customers"}); });
	expect_still([](Transaction &t) { t.PutGrant(GrantRecord {"analysts", "SELECT", {"banking"}, "customers"}); });
	expect_moved([](Transaction &t) { t.PutGrant(GrantRecord {"eve", "CREATE", {"sales", "eu"}, ""}); });
	expect_moved([](Transaction &t) { t.PutGrant(GrantRecord {"auditors", "USAGE", {}, ""}); });
	expect_moved([](Transaction &t) { t.SetUserAttribute("eve", "team", "risk"); });
	expect_moved([](Transaction &t) { t.SetUserAttribute("eve", "team", "fraud"); });
	expect_moved([](Transaction &t) { t.SetUserAttribute("eve", "project", "p1"); });
	expect_moved([](Transaction &t) { t.SetUserAttribute("eve", "project", std::nullopt); });
	expect_still([](Transaction &t) { t.SetUserAttribute("eve", "project", std::nullopt); });
	// Tokens and settings are no part of the access model.
	expect_still([](Transaction &t) {
		t.CreateToken(TokenRecord {"aa", "eve", 1});
		t.PutSetting("k", "v");
	});

	metastore->RunInTransaction([](Transaction &transaction) {
		auto model = transaction.LoadAccessModel();
		EXPECT_EQ(model.version, transaction.AccessVersion());
		EXPECT_EQ(model.memberships, (std::vector<RoleMembershipRecord> {{"auditors", "analysts"}, {"eve", "auditors"}}));
		EXPECT_EQ(model.grants, (std::vector<GrantRecord> {{"analysts", "SELECT", {"banking"}, "customers"},
		                                                   {"auditors", "USAGE", {}, ""},
		                                                   {"eve", "CREATE", {"sales", "eu"}, ""}}));
		EXPECT_EQ(model.user_attributes, (std::vector<UserAttributeRecord> {{"eve", "team", "fraud"}}));

		EXPECT_EQ(CodeOf([&] { transaction.PutRoleMembership(RoleMembershipRecord {"nobody", "auditors"}); }),
		          ErrorCode::UndefinedObject);
		EXPECT_EQ(CodeOf([&] { transaction.PutRoleMembership(RoleMembershipRecord {"eve", "nobody"}); }),
		          ErrorCode::UndefinedObject);
		// Only a role has members.
		transaction.CreateUser(User("bob"));
		EXPECT_EQ(CodeOf([&] { transaction.PutRoleMembership(RoleMembershipRecord {"eve", "bob"}); }),
		          ErrorCode::UndefinedObject);
		// auditors is in analysts, so analysts in auditors (or in itself) would close a cycle.
		EXPECT_EQ(CodeOf([&] { transaction.PutRoleMembership(RoleMembershipRecord {"analysts", "auditors"}); }),
		          ErrorCode::InvalidInput);
		EXPECT_EQ(CodeOf([&] { transaction.PutRoleMembership(RoleMembershipRecord {"analysts", "analysts"}); }),
		          ErrorCode::InvalidInput);
		EXPECT_EQ(CodeOf([&] { transaction.PutGrant(GrantRecord {"nobody", "SELECT", {"banking"}, ""}); }),
		          ErrorCode::UndefinedObject);
		EXPECT_EQ(CodeOf([&] { transaction.PutGrant(GrantRecord {"eve", "SELECT", {}, "customers"}); }),
		          ErrorCode::InvalidInput);
		EXPECT_EQ(CodeOf([&] { transaction.SetUserAttribute("auditors", "team", "x"); }), ErrorCode::UndefinedObject);

		EXPECT_TRUE(transaction.DropRoleMembership(RoleMembershipRecord {"eve", "auditors"}));
		EXPECT_FALSE(transaction.DropRoleMembership(RoleMembershipRecord {"eve", "auditors"}));
		EXPECT_TRUE(transaction.DropGrant(GrantRecord {"auditors", "USAGE", {}, ""}));
		EXPECT_FALSE(transaction.DropGrant(GrantRecord {"auditors", "USAGE", {}, ""}));
		EXPECT_FALSE(transaction.DropGrant(GrantRecord {"analysts", "INSERT", {"banking"}, "customers"}));
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM role_members"), 1);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM grants"), 2);
	// Namespaces are stored as their keys, levels joined by U+001F.
	auto separator = OnPostgres() ? "chr(31)" : "char(31)";
	EXPECT_EQ(Count(fmt::format("SELECT COUNT(*) FROM grants WHERE namespace = 'sales' || {} || 'eu'", separator)), 1);
}


TEST_P(MetastoreTest, PoliciesAndMasksInCreationOrder) {
	auto metastore = Open();
	metastore->RunInTransaction([](Transaction &transaction) {
		transaction.CreateRole(RoleRecord {"akko-viewer", true, 1});
		// Created in the opposite of name order, so the order seen is creation order.
		transaction.CreateRowPolicy(
		    RowPolicyRecord {"z_active", {"banking"}, "accounts", {"akko-viewer"}, "status = 'active'", 11});
		transaction.CreateRowPolicy(
		    RowPolicyRecord {"a_mine", {"banking"}, "accounts", {"akko-viewer", "eve"}, "owner = current_user", 12});
		// The same name on another table is another policy.
		transaction.CreateRowPolicy(RowPolicyRecord {"z_active", {"banking"}, "loans", {}, "TRUE", 13});
		EXPECT_EQ(CodeOf([&] {
			          transaction.CreateRowPolicy(RowPolicyRecord {"a_mine", {"banking"}, "accounts", {}, "FALSE", 0});
		          }),
		          ErrorCode::DuplicateObject);
		transaction.CreateColumnMask(ColumnMaskRecord {"phone_mask", {"banking"}, "customers", "phone",
		                                               {"akko-user"}, "'***'", 21});
		transaction.CreateColumnMask(ColumnMaskRecord {"email_mask", {"banking"}, "customers", "email",
		                                               {"akko-user", "akko-viewer"},
		                                               "regexp_replace(email, '^[^@]+', '***')", 22});
		EXPECT_EQ(CodeOf([&] {
			          transaction.CreateColumnMask(
			              ColumnMaskRecord {"email_mask", {"banking"}, "customers", "name", {}, "NULL", 0});
		          }),
		          ErrorCode::DuplicateObject);
	});
	metastore->RunInTransaction([](Transaction &transaction) {
		auto model = transaction.LoadAccessModel();
		ASSERT_EQ(model.row_policies.size(), 3u);
		const auto &active = model.row_policies[0];
		EXPECT_EQ(active.name, "z_active");
		EXPECT_EQ(active.namespace_name, NamespaceName({"banking"}));
		EXPECT_EQ(active.table, "accounts");
		EXPECT_EQ(active.roles, std::vector<std::string>({"akko-viewer"}));
		EXPECT_EQ(active.predicate, "status = 'active'");
		EXPECT_EQ(active.created_at, 11);
		EXPECT_EQ(model.row_policies[1].name, "a_mine");
		EXPECT_EQ(model.row_policies[1].roles, std::vector<std::string>({"akko-viewer", "eve"}));
		EXPECT_EQ(model.row_policies[2].table, "loans");
		EXPECT_TRUE(model.row_policies[2].roles.empty());
		ASSERT_EQ(model.column_masks.size(), 2u);
		const auto &email = model.column_masks[1];
		EXPECT_EQ(email.name, "email_mask");
		EXPECT_EQ(email.column, "email");
		EXPECT_EQ(email.roles, std::vector<std::string>({"akko-user", "akko-viewer"}));
		EXPECT_EQ(email.expression, "regexp_replace(email, '^[^@]+', '***')");
		EXPECT_EQ(email.created_at, 22);
		EXPECT_EQ(model.column_masks[0].name, "phone_mask");

		auto before = transaction.AccessVersion();
		EXPECT_TRUE(transaction.DropRowPolicy({"banking"}, "accounts", "z_active"));
		EXPECT_FALSE(transaction.DropRowPolicy({"banking"}, "accounts", "z_active"));
		EXPECT_TRUE(transaction.DropColumnMask({"banking"}, "customers", "phone_mask"));
		EXPECT_FALSE(transaction.DropColumnMask({"banking"}, "customers", "phone_mask"));
		EXPECT_FALSE(transaction.DropColumnMask({"banking"}, "accounts", "email_mask"));
		EXPECT_EQ(transaction.AccessVersion(), before + 2);
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM row_policies"), 2);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM column_masks"), 1);
	// Role lists are JSON arrays.
	EXPECT_EQ(Count("SELECT COUNT(*) FROM column_masks WHERE roles = '[\"akko-user\",\"akko-viewer\"]'"), 1);
}

namespace {

// eve in auditors in analysts; grants, policies and masks naming each of them.
void BuildAccessModel(Transaction &transaction) {
	transaction.CreateNamespace(NamespaceRecord {{"banking"}, {}});
	transaction.CreateNamespace(NamespaceRecord {{"archive"}, {}});
	transaction.CreateObject(CatalogObjectRecord {{"banking"}, "customers", ObjectKind::Table, "s3://w/c.json"});
	transaction.CreateObject(CatalogObjectRecord {{"banking"}, "accounts", ObjectKind::Table, "s3://w/a.json"});
	transaction.CreateUser(User("eve"));
	transaction.CreateUser(User("bob"));
	transaction.CreateRole(RoleRecord {"auditors", false, 1});
	transaction.CreateRole(RoleRecord {"analysts", false, 1});
	transaction.PutRoleMembership(RoleMembershipRecord {"eve", "auditors"});
	transaction.PutRoleMembership(RoleMembershipRecord {"bob", "auditors"});
	transaction.PutRoleMembership(RoleMembershipRecord {"auditors", "analysts"});
	transaction.PutGrant(GrantRecord {"eve", "SELECT", {"banking"}, "customers"});
	transaction.PutGrant(GrantRecord {"auditors", "SELECT", {"banking"}, "customers"});
	transaction.PutGrant(GrantRecord {"auditors", "SELECT", {"banking"}, "accounts"});
	transaction.PutGrant(GrantRecord {"analysts", "USAGE", {"banking"}, ""});
	transaction.SetUserAttribute("eve", "team", "risk");
	transaction.CreateRowPolicy(
	    RowPolicyRecord {"mine", {"banking"}, "customers", {"eve", "auditors", "bob"}, "owner = current_user", 1});
	transaction.CreateRowPolicy(RowPolicyRecord {"open", {"banking"}, "accounts", {"auditors"}, "TRUE", 2});
	transaction.CreateColumnMask(
	    ColumnMaskRecord {"email_mask", {"banking"}, "customers", "email", {"auditors", "eve"}, "'***'", 3});
}

} // namespace

TEST_P(MetastoreTest, DroppingAUserTakesItsAccessWithIt) {
	auto metastore = Open();
	metastore->RunInTransaction(BuildAccessModel);
	int64_t before = 0;
	metastore->RunInTransaction([&](Transaction &transaction) {
		before = transaction.AccessVersion();
		EXPECT_TRUE(transaction.DropUser("eve"));
		EXPECT_GT(transaction.AccessVersion(), before);
		auto model = transaction.LoadAccessModel();
		EXPECT_EQ(model.memberships,
		          (std::vector<RoleMembershipRecord> {{"auditors", "analysts"}, {"bob", "auditors"}}));
		for (const auto &grant : model.grants) {
			EXPECT_NE(grant.grantee, "eve");
		}
		EXPECT_EQ(model.grants.size(), 3u);
		EXPECT_TRUE(model.user_attributes.empty());
		ASSERT_EQ(model.row_policies.size(), 2u);
		EXPECT_EQ(model.row_policies[0].roles, std::vector<std::string>({"auditors", "bob"}));
		EXPECT_EQ(model.row_policies[1].roles, std::vector<std::string>({"auditors"}));
		ASSERT_EQ(model.column_masks.size(), 1u);
		EXPECT_EQ(model.column_masks[0].roles, std::vector<std::string>({"auditors"}));
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM user_attributes"), 0);
	// A user made again under the name inherits nothing.
	metastore->RunInTransaction([](Transaction &transaction) {
		transaction.CreateUser(User("eve"));
		auto model = transaction.LoadAccessModel();
		EXPECT_EQ(model.memberships.size(), 2u);
		EXPECT_EQ(model.grants.size(), 3u);
	});
}

TEST_P(MetastoreTest, DroppingARoleTakesItsMembershipsBothWaysAndItsGrants) {
	auto metastore = Open();
	metastore->RunInTransaction(BuildAccessModel);
	metastore->RunInTransaction([](Transaction &transaction) {
		auto before = transaction.AccessVersion();
		EXPECT_TRUE(transaction.DropRole("auditors"));
		EXPECT_GT(transaction.AccessVersion(), before);
		auto model = transaction.LoadAccessModel();
		EXPECT_TRUE(model.memberships.empty());
		EXPECT_EQ(model.grants, (std::vector<GrantRecord> {{"analysts", "USAGE", {"banking"}, ""},
		                                                   {"eve", "SELECT", {"banking"}, "customers"}}));
		ASSERT_EQ(model.row_policies.size(), 2u);
		EXPECT_EQ(model.row_policies[0].roles, std::vector<std::string>({"eve", "bob"}));
		// A policy whose every role went stays, applying to nobody, as the SQL layer decides.
		EXPECT_TRUE(model.row_policies[1].roles.empty());
		EXPECT_EQ(model.column_masks[0].roles, std::vector<std::string>({"eve"}));
		// Users are untouched.
		EXPECT_EQ(model.users.size(), 2u);
		EXPECT_EQ(model.user_attributes.size(), 1u);
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM role_members"), 0);
}

TEST_P(MetastoreTest, GrantsPoliciesAndMasksFollowTheirTable) {
	auto metastore = Open();
	metastore->RunInTransaction(BuildAccessModel);
	metastore->RunInTransaction([](Transaction &transaction) {
		// A grant on a name no object has yet is left over; the rename replaces it.
		transaction.PutGrant(GrantRecord {"bob", "DELETE", {"archive"}, "clients"});
		auto before = transaction.AccessVersion();
		transaction.RenameObject({"banking"}, "customers", {"archive"}, "clients");
		EXPECT_GT(transaction.AccessVersion(), before);
		auto model = transaction.LoadAccessModel();
		EXPECT_EQ(model.grants, (std::vector<GrantRecord> {{"analysts", "USAGE", {"banking"}, ""},
		                                                   {"auditors", "SELECT", {"archive"}, "clients"},
		                                                   {"auditors", "SELECT", {"banking"}, "accounts"},
		                                                   {"eve", "SELECT", {"archive"}, "clients"}}));
		ASSERT_EQ(model.row_policies.size(), 2u);
		EXPECT_EQ(model.row_policies[0].namespace_name, NamespaceName({"archive"}));
		EXPECT_EQ(model.row_policies[0].table, "clients");
		EXPECT_EQ(model.row_policies[1].table, "accounts");
		EXPECT_EQ(model.column_masks[0].namespace_name, NamespaceName({"archive"}));
		EXPECT_EQ(model.column_masks[0].table, "clients");

		// Renaming to itself changes nothing.
		before = transaction.AccessVersion();
		transaction.RenameObject({"archive"}, "clients", {"archive"}, "clients");
		EXPECT_EQ(transaction.AccessVersion(), before);
		EXPECT_EQ(transaction.LoadAccessModel().grants.size(), 4u);
		// A failed rename moves nothing.
		EXPECT_EQ(CodeOf([&] { transaction.RenameObject({"archive"}, "clients", {"banking"}, "accounts"); }),
		          ErrorCode::DuplicateTable);
		EXPECT_EQ(transaction.LoadAccessModel().grants.size(), 4u);

		EXPECT_TRUE(transaction.DropObject({"archive"}, "clients"));
		model = transaction.LoadAccessModel();
		EXPECT_EQ(model.grants, (std::vector<GrantRecord> {{"analysts", "USAGE", {"banking"}, ""},
		                                                   {"auditors", "SELECT", {"banking"}, "accounts"}}));
		ASSERT_EQ(model.row_policies.size(), 1u);
		EXPECT_EQ(model.row_policies[0].name, "open");
		EXPECT_TRUE(model.column_masks.empty());

		// A table made again under the name starts with no grants.
		transaction.CreateObject(CatalogObjectRecord {{"archive"}, "clients", ObjectKind::Table, "s3://w/n.json"});
		EXPECT_EQ(transaction.LoadAccessModel().grants.size(), 2u);
		// Dropping an object without grants leaves the version alone.
		before = transaction.AccessVersion();
		EXPECT_TRUE(transaction.DropObject({"archive"}, "clients"));
		EXPECT_EQ(transaction.AccessVersion(), before);
		// The namespace's own grants go with it.
		EXPECT_TRUE(transaction.DropObject({"banking"}, "accounts"));
		EXPECT_TRUE(transaction.DropNamespace({"banking"}));
		EXPECT_TRUE(transaction.LoadAccessModel().grants.empty());
	});
	EXPECT_EQ(Count("SELECT COUNT(*) FROM grants"), 0);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM row_policies"), 0);
}

TEST_P(MetastoreTest, AccessChangesRollBackWithTheirTransaction) {
	auto metastore = Open();
	int64_t before = 0;
	metastore->RunInTransaction([&](Transaction &transaction) {
		BuildAccessModel(transaction);
		before = transaction.AccessVersion();
	});
	EXPECT_THROW(metastore->RunInTransaction([](Transaction &transaction) {
		transaction.DropRole("auditors");
		transaction.CreateRole(RoleRecord {"ghosts", false, 1});
		throw std::runtime_error("changed my mind");
	}),
	             std::runtime_error);
	metastore->RunInTransaction([&](Transaction &transaction) {
		EXPECT_EQ(transaction.AccessVersion(), before);
		auto model = transaction.LoadAccessModel();
		EXPECT_EQ(model.roles.size(), 2u);
		EXPECT_EQ(model.memberships.size(), 3u);
		EXPECT_EQ(model.row_policies[1].roles, std::vector<std::string>({"auditors"}));
	});
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
	// schema_migrations, users, api_tokens, namespaces, catalog_objects, access_keys, roles,
	// role_members, grants, row_policies, column_masks, user_attributes, server_settings,
	// access_version, cockpit_items.
	EXPECT_EQ(akko::test::QueryPostgresInteger(
	              config, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'akko'"),
	          15);
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
