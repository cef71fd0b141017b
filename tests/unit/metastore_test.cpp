#include "auth/user_directory.hpp"
#include "common/error.hpp"
#include "metastore/sqlite_metastore.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <sqlite3.h>
#include <stdexcept>
#include <thread>
#include <vector>

using akko::Error;
using akko::ErrorCode;
using akko::metastore::CatalogObjectRecord;
using akko::metastore::Metastore;
using akko::metastore::NamespaceRecord;
using akko::metastore::ObjectKind;
using akko::metastore::OpenSqliteMetastore;
using akko::metastore::TokenRecord;
using akko::metastore::Transaction;
using akko::metastore::UserRecord;

namespace {

class MetastoreTest : public testing::Test {
protected:
	void SetUp() override {
		directory = std::filesystem::temp_directory_path() /
		            ("akko_metastore_test_" + std::to_string(std::random_device()()));
		path = (directory / "nested" / "metastore.db").string();
	}
	void TearDown() override {
		std::filesystem::remove_all(directory);
	}

	// Reads the file with SQLite directly, to see what the metastore wrote.
	int64_t Count(const std::string &sql) {
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
		sqlite3 *db = nullptr;
		ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
		EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
		sqlite3_close(db);
	}

	static ErrorCode CodeOf(const std::function<void()> &body) {
		try {
			body();
		} catch (const Error &error) {
			return error.code;
		}
		ADD_FAILURE() << "expected an akko::Error";
		return ErrorCode::Internal;
	}

	std::filesystem::path directory;
	std::string path;
};

UserRecord User(const std::string &name) {
	return UserRecord {name, "verifier-of-" + name, false, 1700000000};
}

} // namespace

TEST_F(MetastoreTest, MigratesOnceAcrossReopenings) {
	{
		auto metastore = OpenSqliteMetastore(path);
		EXPECT_EQ(metastore->SchemaVersion(), 2);
	}
	EXPECT_TRUE(std::filesystem::exists(path));
	EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"), 2);
	{
		auto metastore = OpenSqliteMetastore(path);
		EXPECT_EQ(metastore->SchemaVersion(), 2);
		metastore->RunInTransaction([](Transaction &transaction) { transaction.CreateUser(User("kept")); });
	}
	auto metastore = OpenSqliteMetastore(path);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM schema_migrations"), 2);
	EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE name = 'kept'"), 1);
	EXPECT_EQ(Count("SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
}

TEST_F(MetastoreTest, RefusesASchemaFromANewerBuild) {
	OpenSqliteMetastore(path);
	Execute("INSERT INTO schema_migrations VALUES (99, 'from_the_future', 0)");
	EXPECT_EQ(CodeOf([&] { OpenSqliteMetastore(path); }), ErrorCode::ConfigurationError);
}

TEST_F(MetastoreTest, RefusesAnUnusablePath) {
	std::filesystem::create_directories(path);
	EXPECT_EQ(CodeOf([&] { OpenSqliteMetastore(path); }), ErrorCode::ConfigurationError);
}

TEST_F(MetastoreTest, RefusesAFileThatIsNotADatabase) {
	std::filesystem::create_directories(std::filesystem::path(path).parent_path());
	{
		std::ofstream file(path);
		file << std::string(4096, 'x');
	}
	try {
		OpenSqliteMetastore(path);
		FAIL() << "opened a file that is not a database";
	} catch (const Error &error) {
		EXPECT_EQ(error.code, ErrorCode::ConfigurationError);
		EXPECT_NE(error.message.find(path), std::string::npos) << error.message;
	}
}

TEST_F(MetastoreTest, UsersCrud) {
	auto metastore = OpenSqliteMetastore(path);
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

TEST_F(MetastoreTest, TokensCrud) {
	auto metastore = OpenSqliteMetastore(path);
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

TEST_F(MetastoreTest, ExceptionRollsBack) {
	auto metastore = OpenSqliteMetastore(path);
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

TEST_F(MetastoreTest, NestedTransactionsAreRefused) {
	auto metastore = OpenSqliteMetastore(path);
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

TEST_F(MetastoreTest, ConcurrentUse) {
	// Two handles on one file stand in for two processes; each is shared by several threads.
	auto first = OpenSqliteMetastore(path);
	auto second = OpenSqliteMetastore(path);
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

TEST_F(MetastoreTest, BootstrapAdminPasswordIsGeneratedOnce) {
	std::string generated;
	{
		auto metastore = OpenSqliteMetastore(path);
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
		auto metastore = OpenSqliteMetastore(path);
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
	EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE instr(scram_verifier, 'configured') > 0"), 0);
}

TEST_F(MetastoreTest, ConfiguredAdminOnAFreshMetastore) {
	auto metastore = OpenSqliteMetastore(path);
	akko::auth::UserDirectory users(*metastore);
	EXPECT_FALSE(users.EnsureBootstrapAdmin("configured").has_value());
	EXPECT_TRUE(users.CheckPassword("admin", "configured"));
	metastore->RunInTransaction(
	    [](Transaction &transaction) { EXPECT_TRUE(transaction.FindUser("admin")->is_superuser); });
}

TEST_F(MetastoreTest, UserDirectoryPasswordsAndTokens) {
	auto metastore = OpenSqliteMetastore(path);
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
	EXPECT_EQ(Count("SELECT COUNT(*) FROM api_tokens WHERE instr(sha256, '" + token.substr(5, 16) + "') > 0"), 0);

	Execute("UPDATE users SET scram_verifier = 'garbage' WHERE name = 'alice'");
	EXPECT_EQ(CodeOf([&] { users.Verifier("alice"); }), ErrorCode::Internal);
}

TEST_F(MetastoreTest, NestedNamespacesWithProperties) {
	auto metastore = OpenSqliteMetastore(path);
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

TEST_F(MetastoreTest, CatalogObjectsSwapTheirPointerOnlyFromTheExpectedOne) {
	auto metastore = OpenSqliteMetastore(path);
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
