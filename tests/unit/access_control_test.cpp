// The access model over a real metastore (SQLite and PostgreSQL): the role matrix of issue 6,
// role hierarchy, grants on the catalog, a namespace (and what is below it) or a table, how
// policies and masks combine (PostgreSQL's permissive OR; masks first created wins), and that
// a change made through another server's AccessControl is seen once its second has passed.
#include "authz/access_control.hpp"
#include "common/error.hpp"
#include "metastore/metastore.hpp"
#include "postgres_test_server.hpp"

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <random>

using akko::authz::AccessControl;
using akko::authz::Privilege;
using akko::authz::Securable;
using akko::metastore::Metastore;
using akko::metastore::OpenMetastore;
using akko::test::MetastoreBackend;

namespace {

class AccessControlTest : public testing::TestWithParam<MetastoreBackend> {
protected:
	void SetUp() override {
		directory = std::filesystem::temp_directory_path() /
		            ("akko_access_control_test_" + std::to_string(std::random_device()()));
		config = akko::test::FreshMetastoreConfig(GetParam());
		metastore = OpenMetastore(config, directory.string());
		access = std::make_unique<AccessControl>(*metastore, [this] { return now; });
		access->EnsureBuiltinRoles();
		for (auto *user : {"ann", "eng", "ana", "usr", "vic"}) {
			AddUser(*metastore, user);
		}
		access->Invalidate();
		access->GrantRole("akko-admin", "ann");
		access->GrantRole("akko-engineer", "eng");
		access->GrantRole("akko-analyst", "ana");
		access->GrantRole("akko-user", "usr");
		access->GrantRole("akko-viewer", "vic");
	}
	void TearDown() override {
		access.reset();
		metastore.reset();
		std::filesystem::remove_all(directory);
	}

	static void AddUser(Metastore &on, const std::string &name) {
		on.RunInTransaction([&](akko::metastore::Transaction &transaction) {
			transaction.CreateUser({name, "SCRAM-SHA-256$4096:c2FsdA==$a2V5:a2V5", false, 1700000000, ""});
		});
	}

	bool May(const std::string &user, Privilege privilege, const Securable &table) {
		return access->MayOnTable(access->Resolve(user), privilege, table);
	}

	std::filesystem::path directory;
	std::string config;
	std::unique_ptr<Metastore> metastore;
	std::unique_ptr<AccessControl> access;
	std::chrono::steady_clock::time_point now {std::chrono::hours(1)};
	const Securable customers {{"banking"}, "customers"};
	const Securable staged {{"staging"}, "loads"};
};

INSTANTIATE_TEST_SUITE_P(Backends, AccessControlTest,
                         testing::Values(MetastoreBackend::Sqlite, MetastoreBackend::Postgres),
                         akko::test::BackendName);

TEST_P(AccessControlTest, BuiltinRoleMatrix) {
	access->Grant("akko-viewer", Privilege::Select, {{"banking"}, ""});
	access->Grant("akko-engineer", Privilege::Create, {{"staging"}, ""});
	access->Grant("akko-engineer", Privilege::Insert, {{"staging"}, ""});

	EXPECT_TRUE(access->Resolve("ann").superuser);
	for (auto *user : {"ann", "eng", "ana", "usr", "vic"}) {
		EXPECT_TRUE(May(user, Privilege::Select, customers)) << user;
	}
	for (auto *user : {"eng", "ana", "usr"}) {
		EXPECT_TRUE(May(user, Privilege::Select, staged)) << user;
	}
	EXPECT_FALSE(May("vic", Privilege::Select, staged));
	EXPECT_TRUE(May("eng", Privilege::Insert, staged));
	EXPECT_FALSE(May("eng", Privilege::Insert, customers));
	EXPECT_FALSE(May("ana", Privilege::Insert, staged));
	EXPECT_TRUE(access->MayCreateIn(access->Resolve("eng"), {"staging"}));
	EXPECT_TRUE(access->MayCreateIn(access->Resolve("eng"), {"staging", "eu"}));
	EXPECT_FALSE(access->MayCreateIn(access->Resolve("eng"), {"banking"}));
	EXPECT_FALSE(access->MayCreateIn(access->Resolve("eng"), {}));
	EXPECT_TRUE(access->MayCreateIn(access->Resolve("ann"), {}));
	for (auto *user : {"ann", "eng", "ana"}) {
		EXPECT_TRUE(access->Resolve(user).bypass_policies) << user;
	}
	for (auto *user : {"usr", "vic"}) {
		EXPECT_FALSE(access->Resolve(user).bypass_policies) << user;
	}
}

TEST_P(AccessControlTest, GrantsOnTablesNamespacesAndRoleChains) {
	AddUser(*metastore, "eve");
	access->Invalidate();
	EXPECT_FALSE(May("eve", Privilege::Select, customers));
	access->CreateRole("auditors");
	access->CreateRole("seniors");
	access->GrantRole("auditors", "seniors");
	access->GrantRole("seniors", "eve");
	access->Grant("auditors", Privilege::Select, {{"BANKING"}, "Customers"});
	EXPECT_TRUE(May("eve", Privilege::Select, customers)) << "grants reach through role chains, names fold";
	EXPECT_FALSE(May("eve", Privilege::Select, {{"banking"}, "accounts"}));
	EXPECT_FALSE(May("eve", Privilege::Insert, customers));
	EXPECT_TRUE(access->MayReference(access->Resolve("eve"), customers));

	access->Grant("eve", Privilege::Delete, {{"sales"}, ""});
	EXPECT_TRUE(May("eve", Privilege::Delete, {{"sales", "eu"}, "orders"})) << "a namespace grant covers nested ones";
	EXPECT_FALSE(May("eve", Privilege::Delete, {{"salesforce"}, "orders"}));

	EXPECT_THROW(access->GrantRole("eve", "auditors"), akko::Error) << "eve is not a role";
	EXPECT_THROW(access->GrantRole("seniors", "auditors"), akko::Error) << "a cycle";
	EXPECT_TRUE(access->RevokeRole("seniors", "eve"));
	EXPECT_FALSE(May("eve", Privilege::Select, customers));
	EXPECT_THROW(access->DropRole("akko-user"), akko::Error);
	EXPECT_TRUE(access->DropRole("auditors"));
	EXPECT_FALSE(access->RoleExists("auditors"));
}

TEST_P(AccessControlTest, PoliciesOrAndMasksFirstWins) {
	access->CreatePolicy({"active_only", {"banking"}, "customers", {"akko-viewer"}, "status = 'active'", 1});
	access->CreatePolicy({"own_branch", {"banking"}, "customers", {"vic"}, "branch = current_user_attribute('branch')", 2});
	access->CreateMask({"email_mask", {"banking"}, "customers", "email", {"akko-user", "akko-viewer"}, "mask_email(email)", 1});
	access->CreateMask({"email_hash", {"banking"}, "customers", "EMAIL", {"akko-viewer"}, "mask_hash(email)", 2});

	auto viewer = access->RestrictionOn(access->Resolve("vic"), customers);
	EXPECT_EQ(viewer.row_filter, "(status = 'active') OR (branch = current_user_attribute('branch'))");
	ASSERT_EQ(viewer.column_masks.size(), 1u);
	EXPECT_EQ(viewer.column_masks[0].second, "mask_email(email)");
	EXPECT_EQ(viewer.applied, (std::vector<std::string> {"active_only", "own_branch", "email_mask"}));

	auto user = access->RestrictionOn(access->Resolve("usr"), customers);
	EXPECT_EQ(user.row_filter, "") << "no policy names akko-user: every row, as issue 6's matrix says";
	EXPECT_EQ(user.column_masks.size(), 1u);
	for (auto *bypass : {"ann", "eng", "ana"}) {
		auto none = access->RestrictionOn(access->Resolve(bypass), customers);
		EXPECT_TRUE(none.row_filter.empty() && none.column_masks.empty()) << bypass;
	}
	EXPECT_TRUE(access->RestrictionOn(access->Resolve("vic"), {{"banking"}, "accounts"}).applied.empty());

	EXPECT_TRUE(access->DropPolicy(customers, "active_only"));
	EXPECT_FALSE(access->DropPolicy(customers, "active_only"));
	EXPECT_EQ(access->RestrictionOn(access->Resolve("vic"), customers).row_filter,
	          "(branch = current_user_attribute('branch'))");
}

TEST_P(AccessControlTest, AttributesAndChangesFromAnotherServer) {
	access->SetAttribute("vic", "branch", "geneva");
	EXPECT_EQ(access->Resolve("vic").attributes.at("branch"), "geneva");

	auto other_metastore = OpenMetastore(config, directory.string());
	AccessControl other(*other_metastore, [this] { return now; });
	EXPECT_FALSE(May("vic", Privilege::Insert, customers));
	other.Grant("vic", Privilege::Insert, customers);
	EXPECT_TRUE(other.MayOnTable(other.Resolve("vic"), Privilege::Insert, customers)) << "at once where it was made";
	EXPECT_FALSE(May("vic", Privilege::Insert, customers)) << "within the second, the cached model answers";
	now += std::chrono::seconds(2);
	EXPECT_TRUE(May("vic", Privilege::Insert, customers)) << "after it, the new version is read";
	auto grants = access->ShowGrants(std::string("vic"));
	EXPECT_NE(std::find_if(grants.begin(), grants.end(),
	                       [](auto &row) { return row.privilege == "INSERT" && row.object_name == "banking.customers"; }),
	          grants.end());
}

} // namespace
