// S3 access keys through the UserDirectory, on SQLite and on a real PostgreSQL: issue 5 says
// the bootstrap admin's access key id is "admin" and its secret the admin password, and every
// password set in the clear is its user's secret. Each password is checked against the
// stored SCRAM verifier too, so key and login cannot drift apart.
#include "auth/user_directory.hpp"
#include "metastore/metastore.hpp"
#include "postgres_test_server.hpp"

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <random>

using akko::auth::AccessKey;
using akko::auth::UserDirectory;
using akko::metastore::Metastore;
using akko::metastore::OpenMetastore;
using akko::metastore::Transaction;
using akko::test::MetastoreBackend;

namespace {

class UserDirectoryTest : public testing::TestWithParam<MetastoreBackend> {
protected:
	void SetUp() override {
		directory = std::filesystem::temp_directory_path() /
		            ("akko_user_directory_test_" + std::to_string(std::random_device()()));
		config = akko::test::FreshMetastoreConfig(GetParam());
		metastore = Open();
	}
	void TearDown() override {
		metastore.reset();
		std::filesystem::remove_all(directory);
	}

	// Another handle on the same metastore, as another server would open it.
	std::unique_ptr<Metastore> Open() {
		return OpenMetastore(config, directory.string());
	}

	// A directory whose access key cache runs on the test's clock.
	std::unique_ptr<UserDirectory> Directory(Metastore &on) {
		return std::make_unique<UserDirectory>(on, [this] { return now; });
	}

	std::filesystem::path directory;
	std::string config;
	std::unique_ptr<Metastore> metastore;
	std::chrono::steady_clock::time_point now {std::chrono::hours(1)};
};

INSTANTIATE_TEST_SUITE_P(Backends, UserDirectoryTest,
                         testing::Values(MetastoreBackend::Sqlite, MetastoreBackend::Postgres),
                         akko::test::BackendName);

void ExpectKey(const UserDirectory &users, const std::string &id, const std::string &user,
               const std::string &secret) {
	auto key = users.FindAccessKey(id);
	ASSERT_TRUE(key.has_value()) << id;
	EXPECT_EQ(key->user, user);
	EXPECT_EQ(key->secret, secret);
	EXPECT_TRUE(users.CheckPassword(user, secret));
}

} // namespace

TEST_P(UserDirectoryTest, GeneratedAdminPasswordIsTheAdminSecret) {
	auto users = Directory(*metastore);
	EXPECT_FALSE(users->FindAccessKey("admin").has_value());
	auto generated = users->EnsureBootstrapAdmin("");
	ASSERT_TRUE(generated.has_value());
	ExpectKey(*users, "admin", "admin", *generated);
	// Later starts without a configured password know no password and keep the key.
	auto reopened = Open();
	auto restarted = Directory(*reopened);
	EXPECT_FALSE(restarted->EnsureBootstrapAdmin("").has_value());
	ExpectKey(*restarted, "admin", "admin", *generated);
}

TEST_P(UserDirectoryTest, ConfiguredAdminPasswordFollowsTheConfigurationOnEveryStart) {
	{
		auto users = Directory(*metastore);
		users->EnsureBootstrapAdmin("first configured");
		ExpectKey(*users, "admin", "admin", "first configured");
	}
	// The operator changes the configured password and restarts.
	auto reopened = Open();
	auto users = Directory(*reopened);
	EXPECT_FALSE(users->EnsureBootstrapAdmin("second configured").has_value());
	ExpectKey(*users, "admin", "admin", "second configured");
	EXPECT_FALSE(users->CheckPassword("admin", "first configured"));
	// A change made through this directory replaces what it has cached at once.
	users->EnsureBootstrapAdmin("third configured");
	ExpectKey(*users, "admin", "admin", "third configured");
}

TEST_P(UserDirectoryTest, SetPasswordSetsTheUsersKey) {
	auto users = Directory(*metastore);
	EXPECT_FALSE(users->FindAccessKey("alice").has_value());
	users->SetPassword("alice", "first");
	ExpectKey(*users, "alice", "alice", "first");
	users->SetPassword("alice", "second");
	ExpectKey(*users, "alice", "alice", "second");
	EXPECT_FALSE(users->FindAccessKey("Alice").has_value());
	EXPECT_FALSE(users->FindAccessKey("").has_value());
	metastore->RunInTransaction([](Transaction &transaction) {
		auto record = transaction.FindAccessKey("alice");
		ASSERT_TRUE(record.has_value());
		EXPECT_EQ(record->user, "alice");
		EXPECT_GT(record->created_at, 1700000000);
	});
}

TEST_P(UserDirectoryTest, DroppedUserLosesItsKeyOnceTheCacheExpires) {
	auto users = Directory(*metastore);
	users->SetPassword("bob", "pw");
	ExpectKey(*users, "bob", "bob", "pw");
	metastore->RunInTransaction([](Transaction &transaction) { EXPECT_TRUE(transaction.DropUser("bob")); });
	metastore->RunInTransaction(
	    [](Transaction &transaction) { EXPECT_FALSE(transaction.FindAccessKey("bob").has_value()); });
	// Dropped behind the directory's back: its cached answer lasts at most a second.
	EXPECT_TRUE(users->FindAccessKey("bob").has_value());
	now += std::chrono::milliseconds(999);
	EXPECT_TRUE(users->FindAccessKey("bob").has_value());
	now += std::chrono::milliseconds(1);
	EXPECT_FALSE(users->FindAccessKey("bob").has_value());
}

TEST_P(UserDirectoryTest, ChangesByAnotherServerArriveWithinASecond) {
	auto here = Directory(*metastore);
	auto other_metastore = Open();
	auto there = Directory(*other_metastore);
	here->SetPassword("carol", "old");
	ExpectKey(*here, "carol", "carol", "old");
	there->SetPassword("carol", "new");
	EXPECT_EQ(here->FindAccessKey("carol")->secret, "old");
	now += std::chrono::seconds(1);
	EXPECT_EQ(here->FindAccessKey("carol")->secret, "new");
}

TEST_P(UserDirectoryTest, AdminFromAnOlderVersionHasNoKeyUntilItsPasswordIsSet) {
	auto users = Directory(*metastore);
	auto generated = users->EnsureBootstrapAdmin("");
	ASSERT_TRUE(generated.has_value());
	// What a build before access keys left behind: the admin and no key.
	metastore->RunInTransaction([](Transaction &transaction) { EXPECT_TRUE(transaction.DropAccessKey("admin")); });
	auto reopened = Open();
	auto restarted = Directory(*reopened);
	EXPECT_FALSE(restarted->EnsureBootstrapAdmin("").has_value());
	EXPECT_FALSE(restarted->FindAccessKey("admin").has_value());
	EXPECT_TRUE(restarted->CheckPassword("admin", *generated));
	restarted->SetPassword("admin", "chosen");
	ExpectKey(*restarted, "admin", "admin", "chosen");
}
