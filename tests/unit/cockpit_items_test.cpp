// Saved queries and dashboards in the metastore (migration 5, cockpit_items) on SQLite and on a
// real PostgreSQL 15: the Transaction methods, then the cockpit's validation and owner rules.
#include "adapters/cockpit_api/cockpit_items.hpp"
#include "common/error.hpp"
#include "metastore/metastore.hpp"
#include "postgres_test_server.hpp"
#include "error_of.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>

using akko::Error;
using akko::ErrorCode;
using akko::test::CodeOf;
using akko::test::MessageOf;
using akko::cockpit_api::CockpitItems;
using akko::cockpit_api::ItemKind;
using akko::cockpit_api::Viewer;
using akko::metastore::CockpitItemRecord;
using akko::metastore::Metastore;
using akko::metastore::Transaction;
using akko::test::MetastoreBackend;
using nlohmann::json;

namespace {

class CockpitItemsTest : public testing::TestWithParam<MetastoreBackend> {
protected:
	void SetUp() override {
		directory = std::filesystem::temp_directory_path() /
		            ("akko_cockpit_items_test_" + std::to_string(std::random_device()()));
		metastore = akko::metastore::OpenMetastore(akko::test::FreshMetastoreConfig(GetParam()), directory.string());
		items = std::make_unique<CockpitItems>(*metastore);
	}
	void TearDown() override {
		items.reset();
		metastore.reset();
		std::filesystem::remove_all(directory);
	}

	void Run(const std::function<void(Transaction &)> &body) {
		metastore->RunInTransaction(body);
	}

	std::filesystem::path directory;
	std::unique_ptr<Metastore> metastore;
	std::unique_ptr<CockpitItems> items;
};

INSTANTIATE_TEST_SUITE_P(Backends, CockpitItemsTest, testing::Values(MetastoreBackend::Sqlite, MetastoreBackend::Postgres),
                         akko::test::BackendName);

CockpitItemRecord Record(const std::string &id, const std::string &owner, const std::string &name, bool shared) {
	return CockpitItemRecord {"saved_query", id, owner, name, shared, R"({"sql":"SELECT 1"})", 1000, 2000};
}

std::vector<std::string> Ids(const json &list) {
	std::vector<std::string> ids;
	for (auto &item : list) {
		ids.push_back(item["id"]);
	}
	return ids;
}

const Viewer kAlice {"alice", false};
const Viewer kBob {"bob", false};
const Viewer kAdmin {"admin", true};

} // namespace

TEST_P(CockpitItemsTest, StoreKeepsItemsByKindAndId) {
	Run([](Transaction &transaction) {
		transaction.CreateCockpitItem(Record("b2", "alice", "beta", false));
		transaction.CreateCockpitItem(Record("a1", "alice", "beta", true));
		transaction.CreateCockpitItem(Record("c3", "bob", "alpha", false));
		auto dashboard = Record("a1", "bob", "board", false);
		dashboard.kind = "dashboard";
		transaction.CreateCockpitItem(dashboard);
	});
	EXPECT_EQ(CodeOf([&] { Run([](Transaction &t) { t.CreateCockpitItem(Record("a1", "bob", "again", false)); }); }),
	          ErrorCode::DuplicateObject);
	Run([](Transaction &transaction) {
		auto found = transaction.FindCockpitItem("saved_query", "b2");
		ASSERT_TRUE(found);
		EXPECT_EQ(found->owner, "alice");
		EXPECT_EQ(found->name, "beta");
		EXPECT_FALSE(found->shared);
		EXPECT_EQ(found->document, R"({"sql":"SELECT 1"})");
		EXPECT_EQ(found->created_at, 1000);
		EXPECT_EQ(found->updated_at, 2000);
		EXPECT_EQ(transaction.FindCockpitItem("dashboard", "a1")->owner, "bob");
		EXPECT_FALSE(transaction.FindCockpitItem("dashboard", "b2"));

		// By name, then id; bob sees his own and the shared one.
		std::vector<std::string> ids;
		for (auto &item : transaction.ListCockpitItems("saved_query", std::nullopt)) {
			ids.push_back(item.id);
		}
		EXPECT_EQ(ids, (std::vector<std::string> {"c3", "a1", "b2"}));
		ids.clear();
		for (auto &item : transaction.ListCockpitItems("saved_query", std::string("bob"))) {
			ids.push_back(item.id);
		}
		EXPECT_EQ(ids, (std::vector<std::string> {"c3", "a1"}));

		auto changed = Record("b2", "someone-else", "gamma", true);
		changed.document = R"({"sql":"SELECT 2"})";
		changed.created_at = 5;
		changed.updated_at = 3000;
		EXPECT_TRUE(transaction.UpdateCockpitItem(changed));
		auto updated = transaction.FindCockpitItem("saved_query", "b2");
		EXPECT_EQ(updated->owner, "alice");
		EXPECT_EQ(updated->name, "gamma");
		EXPECT_TRUE(updated->shared);
		EXPECT_EQ(updated->document, R"({"sql":"SELECT 2"})");
		EXPECT_EQ(updated->created_at, 1000);
		EXPECT_EQ(updated->updated_at, 3000);
		EXPECT_FALSE(transaction.UpdateCockpitItem(Record("zz", "alice", "none", false)));

		EXPECT_TRUE(transaction.DropCockpitItem("saved_query", "b2"));
		EXPECT_FALSE(transaction.DropCockpitItem("saved_query", "b2"));
		EXPECT_TRUE(transaction.FindCockpitItem("dashboard", "a1"));
	});
}

TEST_P(CockpitItemsTest, SavedQueriesRoundTrip) {
	auto created = items->Create(ItemKind::SavedQuery,
	                             R"({"name": "Top merchants", "sql": "SELECT * FROM analytics.dim_merchant",
	                                 "description": "by volume", "chart": {"type": "bar", "x": "name"}})",
	                             kAlice);
	EXPECT_EQ(created["name"], "Top merchants");
	EXPECT_EQ(created["sql"], "SELECT * FROM analytics.dim_merchant");
	EXPECT_EQ(created["description"], "by volume");
	EXPECT_EQ(created["chart"], json({{"type", "bar"}, {"x", "name"}}));
	EXPECT_EQ(created["owner"], "alice");
	EXPECT_EQ(created["shared"], false);
	EXPECT_EQ(created["id"].get<std::string>().size(), 16u);
	EXPECT_EQ(created["created_at"], created["updated_at"]);
	EXPECT_EQ(items->Get(ItemKind::SavedQuery, created["id"], kAlice), created);
	// Defaults for what was left out; the server's fields sent back are ignored.
	auto minimal = items->Create(ItemKind::SavedQuery,
	                             R"({"name": "n", "sql": "SELECT 1", "id": "mine", "owner": "mallory"})", kAlice);
	EXPECT_NE(minimal["id"], "mine");
	EXPECT_EQ(minimal["owner"], "alice");
	EXPECT_EQ(minimal["description"], "");
	EXPECT_EQ(minimal["chart"], json::object());
	EXPECT_EQ(items->List(ItemKind::SavedQuery, kAlice).size(), 2u);
	EXPECT_EQ(items->List(ItemKind::Dashboard, kAlice).size(), 0u);
}

TEST_P(CockpitItemsTest, OwnersAndAdminsChangeOthersOnlySee) {
	auto id = items->Create(ItemKind::SavedQuery, R"({"name": "private", "sql": "SELECT 1"})", kAlice)["id"];
	// Another user's private item does not exist for bob.
	EXPECT_EQ(CodeOf([&] { items->Get(ItemKind::SavedQuery, id, kBob); }), ErrorCode::NotFound);
	EXPECT_EQ(CodeOf([&] { items->Delete(ItemKind::SavedQuery, id, kBob); }), ErrorCode::NotFound);
	EXPECT_TRUE(items->List(ItemKind::SavedQuery, kBob).empty());
	EXPECT_EQ(Ids(items->List(ItemKind::SavedQuery, kAdmin)), (std::vector<std::string> {id}));

	auto shared = items->Update(ItemKind::SavedQuery, id, R"({"name": "shared", "sql": "SELECT 2", "shared": true})",
	                            kAlice);
	EXPECT_EQ(shared["shared"], true);
	EXPECT_EQ(items->Get(ItemKind::SavedQuery, id, kBob)["sql"], "SELECT 2");
	EXPECT_EQ(CodeOf([&] {
		          items->Update(ItemKind::SavedQuery, id, R"({"name": "bob's", "sql": "SELECT 3"})", kBob);
	          }),
	          ErrorCode::PermissionDenied);
	EXPECT_EQ(CodeOf([&] { items->Delete(ItemKind::SavedQuery, id, kBob); }), ErrorCode::PermissionDenied);
	EXPECT_EQ(items->Get(ItemKind::SavedQuery, id, kBob)["name"], "shared");

	auto by_admin = items->Update(ItemKind::SavedQuery, id, R"({"name": "fixed", "sql": "SELECT 4"})", kAdmin);
	EXPECT_EQ(by_admin["owner"], "alice");
	EXPECT_EQ(by_admin["shared"], false);
	items->Delete(ItemKind::SavedQuery, id, kAdmin);
	EXPECT_EQ(CodeOf([&] { items->Get(ItemKind::SavedQuery, id, kAlice); }), ErrorCode::NotFound);
	EXPECT_EQ(CodeOf([&] { items->Delete(ItemKind::SavedQuery, id, kAlice); }), ErrorCode::NotFound);
}

TEST_P(CockpitItemsTest, BadSavedQueriesAreRefusedByName) {
	auto refuse = [&](const std::string &body) {
		EXPECT_EQ(CodeOf([&] { items->Create(ItemKind::SavedQuery, body, kAlice); }), ErrorCode::InvalidInput) << body;
		return MessageOf([&] { items->Create(ItemKind::SavedQuery, body, kAlice); });
	};
	EXPECT_EQ(refuse("{nope"), "the request body must be a JSON object");
	EXPECT_EQ(refuse("[1]"), "the request body must be a JSON object");
	EXPECT_EQ(refuse(R"({"sql": "SELECT 1"})"), "\"name\" is required (a string)");
	EXPECT_EQ(refuse(R"({"name": "  ", "sql": "SELECT 1"})"), "\"name\" must not be empty");
	EXPECT_EQ(refuse(R"({"name": 7, "sql": "SELECT 1"})"), "\"name\" must be a string");
	EXPECT_EQ(refuse(R"({"name": "n", "sql": ["SELECT 1"]})"), "\"sql\" must be a string");
	EXPECT_EQ(refuse(R"({"name": "n", "sql": "SELECT 1", "chart": [1]})"), "\"chart\" must be a JSON object");
	EXPECT_EQ(refuse(R"({"name": "n", "sql": "SELECT 1", "shared": "yes"})"), "\"shared\" must be true or false");
	EXPECT_EQ(refuse(R"({"name": "n", "sql": "SELECT 1", "colour": "red"})"), "unknown field \"colour\"");
	EXPECT_EQ(refuse(json({{"name", std::string(201, 'n')}, {"sql", "SELECT 1"}}).dump()),
	          "\"name\" is longer than 200 bytes");
	EXPECT_TRUE(items->List(ItemKind::SavedQuery, kAdmin).empty());
}

TEST_P(CockpitItemsTest, DashboardsHoldTilesOfVisibleSavedQueries) {
	auto mine = items->Create(ItemKind::SavedQuery, R"({"name": "q", "sql": "SELECT 1"})", kAlice)["id"];
	auto bobs = items->Create(ItemKind::SavedQuery, R"({"name": "b", "sql": "SELECT 2"})", kBob)["id"];
	json body = {{"name", "Banking"},
	             {"refresh_seconds", 60},
	             {"filters", json::array({{{"column", "region"}, {"value", "north"}}})},
	             {"tiles", json::array({{{"saved_query_id", mine},
	                                     {"title", "Q"},
	                                     {"chart", {{"type", "line"}}},
	                                     {"x", 0},
	                                     {"y", 0},
	                                     {"w", 6},
	                                     {"h", 4}}})}};
	auto created = items->Create(ItemKind::Dashboard, body.dump(), kAlice);
	EXPECT_EQ(created["refresh_seconds"], 60);
	EXPECT_EQ(created["filters"], body["filters"]);
	EXPECT_EQ(created["tiles"], body["tiles"]);
	EXPECT_EQ(created["description"], "");
	EXPECT_EQ(created["owner"], "alice");

	auto refuse = [&](const json &changed) {
		return MessageOf([&] { items->Update(ItemKind::Dashboard, created["id"], changed.dump(), kAlice); });
	};
	auto with = [&](const char *field, json value) {
		auto copy = body;
		copy[field] = value;
		return copy;
	};
	EXPECT_EQ(refuse(with("refresh_seconds", 2)), "\"refresh_seconds\" must be 0 (no refresh) or from 5 to 86400");
	EXPECT_EQ(refuse(with("refresh_seconds", 1.5)), "\"refresh_seconds\" must be an integer from 0 to 86400");
	EXPECT_EQ(refuse(with("filters", "region")), "\"filters\" must be an array");
	EXPECT_EQ(refuse(with("filters", json::array({1}))), "each of \"filters\" must be a JSON object of at most 4096 bytes");
	auto tile = body["tiles"][0];
	auto tiles_with = [&](const char *field, json value) {
		auto changed = tile;
		changed[field] = value;
		return with("tiles", json::array({changed}));
	};
	EXPECT_EQ(refuse(tiles_with("w", 0)), "\"tiles[0].w\" must be an integer from 1 to 1000");
	EXPECT_EQ(refuse(tiles_with("x", "0")), "\"tiles[0].x\" must be an integer from 0 to 1000");
	EXPECT_EQ(refuse(tiles_with("extra", 1)), "unknown field \"tiles[0].extra\"");
	EXPECT_EQ(refuse(tiles_with("saved_query_id", "nope")),
	          "a tile names saved query \"nope\", which does not exist");
	// Bob's private query is invisible to alice, so it cannot be on her dashboard.
	EXPECT_EQ(refuse(tiles_with("saved_query_id", bobs)),
	          fmt::format("a tile names saved query \"{}\", which does not exist", bobs.get<std::string>()));
	auto untiled = tile;
	untiled.erase("h");
	EXPECT_EQ(refuse(with("tiles", json::array({untiled}))), "\"tiles[0].h\" is required (an integer)");
	EXPECT_EQ(items->Get(ItemKind::Dashboard, created["id"], kAlice), created);
}
