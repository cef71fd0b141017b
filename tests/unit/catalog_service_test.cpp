// The catalog service on the local store and each metastore backend (SQLite, and a real
// PostgreSQL 15): namespaces, tables, the commit protocol under concurrent writers, and
// hostile names.
#include "catalog/catalog_service.hpp"
#include "common/error.hpp"
#include "iceberg/scan_planner.hpp"
#include "iceberg/snapshot_producer.hpp"
#include "metastore/metastore.hpp"
#include "postgres_test_server.hpp"
#include "error_of.hpp"

#include <atomic>
#include <filesystem>
#include <gtest/gtest.h>
#include <random>
#include <set>
#include <thread>

using akko::Error;
using akko::ErrorCode;
using akko::test::CodeOf;
using namespace akko::catalog;
using namespace akko::iceberg;

namespace {

class CatalogServiceTest : public testing::TestWithParam<akko::test::MetastoreBackend> {
protected:
	void SetUp() override {
		directory = std::filesystem::temp_directory_path() /
		            ("akko_catalog_test_" + std::to_string(std::random_device()()));
		metastore_config = akko::test::FreshMetastoreConfig(GetParam());
		metastore = akko::metastore::OpenMetastore(metastore_config, directory.string());
		store = akko::objstore::OpenLocalStore((directory / "objects").string());
		service = std::make_unique<CatalogService>(*metastore, *store, "s3://akko-warehouse/");
	}
	void TearDown() override {
		service.reset();
		std::filesystem::remove_all(directory);
	}

	LoadedTable CreateTable(const TableIdentifier &id) {
		Schema schema;
		schema.fields.push_back({1, "id", true, MakePrimitive(TypeId::Long), {}, {}, {}});
		return service->CreateTable(CreateTableRequest {id, schema, PartitionSpec {}, SortOrder {}, "", {}});
	}

	FileReader Reader() {
		return [this](const std::string &uri) { return store->Get(akko::objstore::KeyFromUri(uri)); };
	}
	FileWriter Writer() {
		return [this](const std::string &uri, const std::string &bytes) {
			store->Put(akko::objstore::KeyFromUri(uri), bytes);
		};
	}

	// Appends one data file the way the engine does: manifests once, the snapshot per base.
	void Append(const TableIdentifier &id, const std::string &path, CatalogService *through = nullptr) {
		auto &catalog = through ? *through : *service;
		auto snapshot_id = NewSnapshotId();
		DataFile file;
		file.file_path = path;
		file.record_count = 1;
		file.file_size_in_bytes = 10;
		auto base = catalog.LoadTable(id);
		auto manifests = WriteAddedManifests(*base.metadata, snapshot_id, {{file, 0}}, Writer());
		catalog.CommitTables({id}, [&](const std::vector<LoadedTable> &bases) {
			auto updates = ProduceSnapshot(*bases[0].metadata, snapshot_id, SnapshotChange {"append", manifests},
			                               1700000000000, cache, Reader(), Writer());
			return std::vector<TableChange> {{{}, updates}};
		});
	}

	std::set<std::string> DataFiles(const TableIdentifier &id) {
		auto table = service->LoadTable(id);
		std::set<std::string> paths;
		if (auto snapshot = table.metadata->CurrentSnapshot()) {
			for (auto &task : PlanScan(*table.metadata, *snapshot, {}, cache, Reader()).tasks) {
				paths.insert(task.data_file.file_path);
			}
		}
		return paths;
	}

	std::filesystem::path directory;
	std::string metastore_config;
	std::unique_ptr<akko::metastore::Metastore> metastore;
	std::unique_ptr<akko::objstore::Store> store;
	std::unique_ptr<CatalogService> service;
	ManifestCache cache;
};

INSTANTIATE_TEST_SUITE_P(Backends, CatalogServiceTest,
                         testing::Values(akko::test::MetastoreBackend::Sqlite, akko::test::MetastoreBackend::Postgres),
                         akko::test::BackendName);

} // namespace

TEST_P(CatalogServiceTest, NamespacesAndTables) {
	service->CreateNamespace({"sales"}, {{"owner", "ana"}});
	service->CreateNamespace({"sales", "eu"}, {});
	EXPECT_EQ(service->ListNamespaces({}), std::vector<NamespaceName>({{"sales"}}));
	EXPECT_EQ(service->ListNamespaces({"sales"}), std::vector<NamespaceName>({{"sales", "eu"}}));
	auto missing = service->UpdateNamespaceProperties({"sales"}, {"nope"}, {{"tier", "gold"}});
	EXPECT_EQ(missing, std::vector<std::string>({"nope"}));
	EXPECT_EQ(service->LoadNamespaceProperties({"sales"}).at("tier"), "gold");

	auto created = CreateTable({{"sales"}, "orders"});
	EXPECT_EQ(created.metadata->format_version, 2);
	EXPECT_EQ(created.metadata->location.rfind("s3://akko-warehouse/sales/orders-", 0), 0u) << created.metadata->location;
	EXPECT_NE(created.metadata_location.find("/metadata/00000-"), std::string::npos) << created.metadata_location;
	EXPECT_TRUE(store->Head(akko::objstore::KeyFromUri(created.metadata_location)));
	EXPECT_EQ(CodeOf([&] { CreateTable({{"sales"}, "orders"}); }), ErrorCode::DuplicateTable);
	EXPECT_EQ(CodeOf([&] { CreateTable({{"nowhere"}, "orders"}); }), ErrorCode::InvalidSchemaName);
	EXPECT_EQ(CodeOf([&] { service->DropNamespace({"sales"}); }), ErrorCode::DependentObjects);

	service->RenameTable({{"sales"}, "orders"}, {{"sales", "eu"}, "orders_eu"});
	EXPECT_EQ(service->ListTables({"sales"}).size(), 0u);
	EXPECT_EQ(service->LoadTable({{"sales", "eu"}, "orders_eu"}).metadata->table_uuid, created.metadata->table_uuid);
	EXPECT_EQ(CodeOf([&] { service->LoadTable({{"sales"}, "orders"}); }), ErrorCode::UndefinedTable);
}

TEST_P(CatalogServiceTest, HostileNamesChangeNothing) {
	service->CreateNamespace({"ok"}, {});
	for (const std::string &name : std::vector<std::string> {"..", ".", "a/b", "a\\b", std::string("a\0b", 3), "",
	                                                         std::string(256, 'x'), "tab\there"}) {
		EXPECT_EQ(CodeOf([&] { service->CreateNamespace({name}, {}); }), ErrorCode::InvalidName) << name;
		EXPECT_EQ(CodeOf([&] { CreateTable({{"ok"}, name}); }), ErrorCode::InvalidName) << name;
	}
	EXPECT_EQ(service->ListNamespaces({}).size(), 1u);
	EXPECT_EQ(service->ListTables({"ok"}).size(), 0u);
	EXPECT_TRUE(store->List("").empty());
}

TEST_P(CatalogServiceTest, CommitsCheckRequirementsAndKeepTheMetadataLog) {
	service->CreateNamespace({"n"}, {});
	auto created = CreateTable({{"n"}, "t"});
	auto committed = service->CommitTable(
	    {{"n"}, "t"}, TableChange {{AssertTableUuid {created.metadata->table_uuid}}, {SetPropertiesUpdate {{{"k", "v"}}}}});
	EXPECT_EQ(committed.metadata->properties.at("k"), "v");
	EXPECT_NE(committed.metadata_location.find("/metadata/00001-"), std::string::npos);
	ASSERT_EQ(committed.metadata->metadata_log.size(), 1u);
	EXPECT_EQ(committed.metadata->metadata_log[0].metadata_file, created.metadata_location);

	EXPECT_EQ(CodeOf([&] {
		          service->CommitTable({{"n"}, "t"}, TableChange {{AssertTableUuid {"not-the-uuid"}},
		                                                          {SetPropertiesUpdate {{{"k", "w"}}}}});
	          }),
	          ErrorCode::SerializationFailure);
	EXPECT_EQ(service->LoadTable({{"n"}, "t"}).metadata_location, committed.metadata_location);
}

TEST_P(CatalogServiceTest, ConcurrentAppendsAreAllKept) {
	service->CreateNamespace({"n"}, {});
	for (int t = 0; t < 4; t++) {
		CreateTable({{"n"}, "t" + std::to_string(t)});
	}
	// Eight writers on one table and eight spread over four, at once. Half of them go through a
	// second service on its own metastore connection, as another process would: commits from one
	// service queue, so only the two services race, and the losers re-base and retry.
	auto other_metastore = akko::metastore::OpenMetastore(metastore_config, directory.string());
	CatalogService other(*other_metastore, *store, "s3://akko-warehouse/");
	constexpr int kWriters = 8;
	constexpr int kAppends = 10;
	std::vector<std::thread> threads;
	std::atomic<int> failures {0};
	for (int w = 0; w < 2 * kWriters; w++) {
		threads.emplace_back([&, w] {
			try {
				auto table = w < kWriters ? std::string("t0") : "t" + std::to_string(w % 3 + 1);
				for (int i = 0; i < kAppends; i++) {
					Append({{"n"}, table}, "s3://akko-warehouse/files/w" + std::to_string(w) + "-" + std::to_string(i),
					       w % 2 ? &other : nullptr);
				}
			} catch (const std::exception &error) {
				ADD_FAILURE() << error.what();
				failures++;
			}
		});
	}
	for (auto &thread : threads) {
		thread.join();
	}
	ASSERT_EQ(failures.load(), 0);
	size_t total = 0;
	for (int t = 0; t < 4; t++) {
		auto files = DataFiles({{"n"}, "t" + std::to_string(t)});
		total += files.size();
		auto table = service->LoadTable({{"n"}, "t" + std::to_string(t)});
		EXPECT_EQ(table.metadata->last_sequence_number, static_cast<int64_t>(files.size()));
	}
	EXPECT_EQ(DataFiles({{"n"}, "t0"}).size(), static_cast<size_t>(kWriters * kAppends));
	EXPECT_EQ(total, static_cast<size_t>(2 * kWriters * kAppends));
}

TEST_P(CatalogServiceTest, MultiTableCommitsAreAllOrNothing) {
	service->CreateNamespace({"n"}, {});
	CreateTable({{"n"}, "a"});
	auto b = CreateTable({{"n"}, "b"});
	EXPECT_EQ(CodeOf([&] {
		          service->CommitTables({{{"n"}, "a"}, {{"n"}, "b"}}, [&](const std::vector<LoadedTable> &) {
			          return std::vector<TableChange> {
			              {{}, {SetPropertiesUpdate {{{"k", "v"}}}}},
			              {{AssertTableUuid {"wrong"}}, {SetPropertiesUpdate {{{"k", "v"}}}}}};
		          });
	          }),
	          ErrorCode::SerializationFailure);
	EXPECT_EQ(service->LoadTable({{"n"}, "a"}).metadata->properties.count("k"), 0u);
	service->CommitTables({{{"n"}, "a"}, {{"n"}, "b"}}, [&](const std::vector<LoadedTable> &) {
		return std::vector<TableChange> {{{}, {SetPropertiesUpdate {{{"k", "a"}}}}},
		                                 {{AssertTableUuid {b.metadata->table_uuid}}, {SetPropertiesUpdate {{{"k", "b"}}}}}};
	});
	EXPECT_EQ(service->LoadTable({{"n"}, "a"}).metadata->properties.at("k"), "a");
	EXPECT_EQ(service->LoadTable({{"n"}, "b"}).metadata->properties.at("k"), "b");
}

TEST_P(CatalogServiceTest, DropWithPurgeDeletesTheTablesFiles) {
	service->CreateNamespace({"n"}, {});
	auto kept = CreateTable({{"n"}, "kept"});
	auto gone = CreateTable({{"n"}, "gone"});
	auto data_key = akko::objstore::KeyFromUri(gone.metadata->location + "/data/f.parquet");
	store->Put(data_key, "parquet bytes");
	Append({{"n"}, "gone"}, gone.metadata->location + "/data/f.parquet");
	service->DropTable({{"n"}, "gone"}, true);
	EXPECT_FALSE(store->Head(data_key));
	EXPECT_TRUE(store->List(akko::objstore::KeyFromUri(gone.metadata->location)).empty());
	EXPECT_FALSE(store->List(akko::objstore::KeyFromUri(kept.metadata->location)).empty());
	EXPECT_EQ(CodeOf([&] { service->DropTable({{"n"}, "gone"}, false); }), ErrorCode::UndefinedTable);
	// Without purge the files stay, and the metadata can be registered again.
	service->DropTable({{"n"}, "kept"}, false);
	auto registered = service->RegisterTable({{"n"}, "back"}, kept.metadata_location);
	EXPECT_EQ(registered.metadata->table_uuid, kept.metadata->table_uuid);
}

TEST_P(CatalogServiceTest, ViewsShareTheNameSpaceOfTables) {
	service->CreateNamespace({"n"}, {});
	CreateTable({{"n"}, "t"});
	Schema schema;
	schema.fields.push_back({1, "id", false, MakePrimitive(TypeId::Long), {}, {}, {}});
	ViewVersion version;
	version.version_id = 1;
	version.timestamp_ms = 1700000000000;
	version.representations = {{"SELECT id FROM n.t", "duckdb"}};
	version.default_namespace = {"n"};
	version.summary = {{"engine-name", "akko"}};
	auto view = service->CreateView({{"n"}, "v"}, schema, version, {{"comment", "ids"}}, false);
	EXPECT_EQ(view.metadata->CurrentVersion().representations[0].sql, "SELECT id FROM n.t");
	EXPECT_EQ(CodeOf([&] { service->CreateView({{"n"}, "t"}, schema, version, {}, false); }), ErrorCode::DuplicateTable);
	EXPECT_EQ(CodeOf([&] { service->CreateView({{"n"}, "v"}, schema, version, {}, false); }), ErrorCode::DuplicateTable);
	EXPECT_EQ(service->ListViews({"n"}).size(), 1u);
	EXPECT_EQ(service->ListTables({"n"}).size(), 1u);
	EXPECT_EQ(CodeOf([&] { service->LoadTable({{"n"}, "v"}); }), ErrorCode::UndefinedTable);

	version.representations = {{"SELECT id + 1 AS id FROM n.t", "duckdb"}};
	auto replaced = service->CreateView({{"n"}, "v"}, schema, version, {}, true);
	EXPECT_EQ(replaced.metadata->versions.size(), 2u);
	EXPECT_EQ(replaced.metadata->CurrentVersion().representations[0].sql, "SELECT id + 1 AS id FROM n.t");
	EXPECT_EQ(replaced.metadata->view_uuid, view.metadata->view_uuid);
	EXPECT_EQ(CodeOf([&] { service->CommitView({{"n"}, "v"}, {ViewRequirement {"other"}}, {}); }),
	          ErrorCode::SerializationFailure);
	service->RenameView({{"n"}, "v"}, {{"n"}, "w"});
	EXPECT_EQ(service->LoadView({{"n"}, "w"}).metadata_location, replaced.metadata_location);
	service->DropView({{"n"}, "w"});
	EXPECT_FALSE(service->FindView({{"n"}, "w"}));
	EXPECT_EQ(CodeOf([&] { service->DropView({{"n"}, "t"}); }), ErrorCode::UndefinedTable);
}
