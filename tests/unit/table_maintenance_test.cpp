// Table maintenance without the engine: which snapshots expire (Java's RemoveSnapshots rules, as
// its TestRemoveSnapshots cases and the Iceberg "Maintenance" docs state them), which files go
// with them, orphan files, manifest rewrites, and the snapshot summaries of removals (Java's
// SnapshotSummary names). Expected files are those the test itself wrote and replaced.
#include "catalog/catalog_service.hpp"
#include "catalog/table_maintenance.hpp"
#include "common/error.hpp"
#include "iceberg/scan_planner.hpp"
#include "iceberg/snapshot_producer.hpp"
#include "metastore/sqlite_metastore.hpp"

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>
#include <random>
#include <set>

using akko::Error;
using akko::ErrorCode;
using namespace akko::catalog;
using namespace akko::iceberg;

namespace {

constexpr int64_t kDay = 24LL * 60 * 60 * 1000;

Snapshot At(int64_t id, std::optional<int64_t> parent, int64_t timestamp_ms) {
	Snapshot snapshot;
	snapshot.snapshot_id = id;
	snapshot.parent_snapshot_id = parent;
	snapshot.sequence_number = id;
	snapshot.timestamp_ms = timestamp_ms;
	snapshot.summary["operation"] = "append";
	return snapshot;
}

SnapshotRef Branch(int64_t id) {
	return SnapshotRef {id, SnapshotRefType::Branch, std::nullopt, std::nullopt, std::nullopt};
}

SnapshotRef Tag(int64_t id) {
	return SnapshotRef {id, SnapshotRefType::Tag, std::nullopt, std::nullopt, std::nullopt};
}

// main: 1 <- 2 <- 3 <- 4, a day apart, 4 the newest (at `now` - 1 day).
TableMetadata LinearHistory(int64_t now) {
	TableMetadata metadata;
	for (int64_t id = 1; id <= 4; id++) {
		metadata.snapshots.push_back(At(id, id == 1 ? std::nullopt : std::optional<int64_t>(id - 1), now - (5 - id) * kDay));
	}
	metadata.current_snapshot_id = 4;
	metadata.refs[kMainBranch] = Branch(4);
	return metadata;
}

std::set<int64_t> Expired(const TableMetadata &metadata, const ExpireOptions &options, int64_t now) {
	return PlanExpiry(metadata, options, now).expired;
}

const int64_t kNow = 1700000000000;

TEST(PlanExpiryTest, OlderThanKeepsNewerAncestorsAndRetainLastKeepsAtLeastThatMany) {
	auto metadata = LinearHistory(kNow);
	// Snapshots 1..4 are 4, 3, 2 and 1 days old.
	EXPECT_EQ(Expired(metadata, {kNow - 2 * kDay - 1, 1, {}}, kNow), (std::set<int64_t> {1, 2}));
	// retain_last wins over older_than: the 3 newest ancestors stay.
	EXPECT_EQ(Expired(metadata, {kNow, 3, {}}, kNow), (std::set<int64_t> {1}));
	// Everything old, only the current snapshot kept (Java's default retainLast(1)).
	EXPECT_EQ(Expired(metadata, {kNow, std::nullopt, {}}, kNow), (std::set<int64_t> {1, 2, 3}));
	// Nothing old enough: nothing expires.
	EXPECT_TRUE(Expired(metadata, {kNow - 10 * kDay, 1, {}}, kNow).empty());
}

TEST(PlanExpiryTest, DefaultsComeFromTablePropertiesThenFiveDays) {
	auto metadata = LinearHistory(kNow);
	// Iceberg's default max-snapshot-age is 5 days: none of these is that old.
	EXPECT_TRUE(Expired(metadata, {}, kNow).empty());
	metadata.properties["history.expire.max-snapshot-age-ms"] = std::to_string(2 * kDay + 1);
	EXPECT_EQ(Expired(metadata, {}, kNow), (std::set<int64_t> {1, 2}));
	metadata.properties["history.expire.min-snapshots-to-keep"] = "4";
	EXPECT_TRUE(Expired(metadata, {}, kNow).empty());
	// Arguments override the properties.
	EXPECT_EQ(Expired(metadata, {kNow, 2, {}}, kNow), (std::set<int64_t> {1, 2}));
}

TEST(PlanExpiryTest, TagsKeepTheirSnapshotAndBranchesTheirOwnRetention) {
	auto metadata = LinearHistory(kNow);
	metadata.refs["release"] = Tag(2);
	// A tag keeps its snapshot, not its ancestors.
	EXPECT_EQ(Expired(metadata, {kNow, 1, {}}, kNow), (std::set<int64_t> {1, 3}));

	// A branch forked from 1: 1 <- 5. Its head stays; its old ancestors expire like main's.
	metadata.refs.erase("release");
	metadata.snapshots.push_back(At(5, 1, kNow - 2 * kDay));
	metadata.refs["audit"] = Branch(5);
	EXPECT_EQ(Expired(metadata, {kNow, 1, {}}, kNow), (std::set<int64_t> {1, 2, 3}));
	// The branch's own min-snapshots-to-keep wins over the argument for it alone.
	metadata.refs["audit"].min_snapshots_to_keep = 2;
	EXPECT_EQ(Expired(metadata, {kNow, 1, {}}, kNow), (std::set<int64_t> {2, 3}));
	// And its max-snapshot-age-ms over older_than.
	metadata.refs["audit"].min_snapshots_to_keep.reset();
	metadata.refs["audit"].max_snapshot_age_ms = 10 * kDay;
	EXPECT_EQ(Expired(metadata, {kNow, 1, {}}, kNow), (std::set<int64_t> {2, 3}));
}

TEST(PlanExpiryTest, RefsPastTheirMaxAgeGoButMainNever) {
	auto metadata = LinearHistory(kNow);
	metadata.refs["old-tag"] = Tag(1);
	metadata.refs["old-tag"].max_ref_age_ms = kDay;
	metadata.refs[kMainBranch].max_ref_age_ms = 1;
	auto plan = PlanExpiry(metadata, {kNow, 1, {}}, kNow);
	EXPECT_EQ(plan.removed_refs, (std::vector<std::string> {"old-tag"}));
	EXPECT_EQ(plan.expired, (std::set<int64_t> {1, 2, 3}));
	// The table-wide default applies to refs without their own.
	metadata.refs["old-tag"].max_ref_age_ms.reset();
	metadata.properties["history.expire.max-ref-age-ms"] = std::to_string(kDay);
	EXPECT_EQ(PlanExpiry(metadata, {kNow, 1, {}}, kNow).removed_refs, (std::vector<std::string> {"old-tag"}));
}

TEST(PlanExpiryTest, UnreferencedSnapshotsExpireByAgeOnly) {
	auto metadata = LinearHistory(kNow);
	// 6 and 7 are on no branch (left behind by a rollback): 6 old, 7 recent.
	metadata.snapshots.push_back(At(6, 2, kNow - 3 * kDay));
	metadata.snapshots.push_back(At(7, 6, kNow - 1000));
	EXPECT_EQ(Expired(metadata, {kNow - 2 * kDay, 1, {}}, kNow), (std::set<int64_t> {1, 2, 6}));
}

TEST(PlanExpiryTest, NamedSnapshotsAndBadArguments) {
	auto metadata = LinearHistory(kNow);
	// Named ids expire even when retention would keep them; the default age keeps the rest.
	EXPECT_EQ(Expired(metadata, {std::nullopt, std::nullopt, {2}}, kNow), (std::set<int64_t> {2}));
	auto code = [&](const ExpireOptions &options) {
		try {
			PlanExpiry(metadata, options, kNow);
		} catch (const Error &error) {
			return error.code;
		}
		return ErrorCode::Internal;
	};
	EXPECT_EQ(code({std::nullopt, std::nullopt, {4}}), ErrorCode::InvalidInput); // main's head
	EXPECT_EQ(code({kNow, 0, {}}), ErrorCode::InvalidInput);
	metadata.properties["history.expire.min-snapshots-to-keep"] = "many";
	EXPECT_EQ(code({}), ErrorCode::InvalidInput);
}

// A table in a real catalog (SQLite metastore, local store) that the tests write by hand.
class MaintenanceTest : public testing::Test {
protected:
	void SetUp() override {
		directory = std::filesystem::temp_directory_path() /
		            ("akko_maintenance_test_" + std::to_string(std::random_device()()));
		std::filesystem::create_directories(directory);
		metastore = akko::metastore::OpenSqliteMetastore((directory / "metastore.db").string());
		store = akko::objstore::OpenLocalStore((directory / "objects").string());
		service = std::make_unique<CatalogService>(*metastore, *store, "s3://akko-warehouse/");
		service->CreateNamespace({"ns"}, {});
		Schema schema;
		schema.fields.push_back({1, "id", true, MakePrimitive(TypeId::Long), {}, {}, {}});
		location = service->CreateTable(CreateTableRequest {id, schema, PartitionSpec {}, SortOrder {}, "", {}})
		               .metadata->location;
	}
	void TearDown() override {
		service.reset();
		std::filesystem::remove_all(directory);
	}

	FileReader Reader() {
		return [this](const std::string &uri) { return store->Get(akko::objstore::KeyFromUri(uri)); };
	}
	FileWriter Writer() {
		return [this](const std::string &uri, const std::string &bytes) {
			store->Put(akko::objstore::KeyFromUri(uri), bytes);
		};
	}
	bool Exists(const std::string &uri) {
		return store->Head(akko::objstore::KeyFromUri(uri)).has_value();
	}

	// A data file of `rows` rows, its object written.
	std::string NewFile(const std::string &name, int64_t rows = 1) {
		auto uri = location + "/data/" + name;
		store->Put(akko::objstore::KeyFromUri(uri), std::string(static_cast<size_t>(10 * rows), 'x'));
		files[uri] = rows;
		return uri;
	}

	DataFile FileOf(const std::string &uri) {
		DataFile file;
		file.file_path = uri;
		file.record_count = files[uri];
		file.file_size_in_bytes = 10 * files[uri];
		return file;
	}

	LoadedTable Commit(const std::string &operation, const std::vector<std::string> &added,
	                   const std::set<std::string> &removed, int64_t timestamp_ms) {
		auto snapshot_id = NewSnapshotId();
		auto base = service->LoadTable(id);
		std::vector<AddedFile> new_files;
		for (auto &uri : added) {
			new_files.push_back({FileOf(uri), 0});
		}
		SnapshotChange change {operation, WriteAddedManifests(*base.metadata, snapshot_id, new_files, Writer())};
		if (!removed.empty()) {
			auto filtered = RemoveFiles(*base.metadata, *base.metadata->CurrentSnapshot(), snapshot_id, removed, cache,
			                            Reader(), Writer());
			EXPECT_EQ(filtered.removed_entries.size(), removed.size());
			change.added_manifests.insert(change.added_manifests.end(), filtered.manifests.begin(),
			                              filtered.manifests.end());
			change.replaced_manifests = filtered.replaced;
		}
		return service->CommitTables({id}, [&](const std::vector<LoadedTable> &bases) {
			auto updates = ProduceSnapshot(*bases[0].metadata, snapshot_id, change, timestamp_ms, cache, Reader(), Writer());
			return std::vector<TableChange> {{{}, updates}};
		})[0];
	}

	std::set<std::string> LiveFiles(const LoadedTable &table) {
		std::set<std::string> live;
		for (auto &entry : LiveEntries(*table.metadata->CurrentSnapshot(), cache, Reader())) {
			live.insert(entry.data_file.file_path);
		}
		return live;
	}

	std::vector<std::string> ManifestsOf(const Snapshot &snapshot) {
		std::vector<std::string> paths;
		for (auto &manifest : *cache.ManifestList(snapshot.manifest_list, Reader())) {
			paths.push_back(manifest.manifest_path);
		}
		return paths;
	}

	std::filesystem::path directory;
	std::unique_ptr<akko::metastore::Metastore> metastore;
	std::unique_ptr<akko::objstore::Store> store;
	std::unique_ptr<CatalogService> service;
	TableIdentifier id {{"ns"}, "t"};
	std::string location;
	std::map<std::string, int64_t> files;
	ManifestCache cache;
};

TEST_F(MaintenanceTest, RemovalsAreCountedInTheSummaryAsJavaNamesThem) {
	auto a = NewFile("a.parquet", 3);
	auto b = NewFile("b.parquet", 4);
	Commit("append", {a, b}, {}, kNow);
	auto c = NewFile("c.parquet", 5);
	auto table = Commit("overwrite", {c}, {a}, kNow + 1);
	auto &summary = table.metadata->CurrentSnapshot()->summary;
	EXPECT_EQ(summary.at("added-data-files"), "1");
	EXPECT_EQ(summary.at("deleted-data-files"), "1");
	EXPECT_EQ(summary.at("deleted-records"), "3");
	EXPECT_EQ(summary.at("removed-files-size"), "30");
	EXPECT_EQ(summary.at("total-data-files"), "2");
	EXPECT_EQ(summary.at("total-records"), "9");
	EXPECT_EQ(summary.at("total-files-size"), "90");
	EXPECT_EQ(LiveFiles(table), (std::set<std::string> {b, c}));
	// The rewritten manifest holds b as EXISTING and a as DELETED in this snapshot.
	for (auto &manifest : *cache.ManifestList(table.metadata->CurrentSnapshot()->manifest_list, Reader())) {
		if (manifest.added_snapshot_id == *table.metadata->current_snapshot_id && manifest.deleted_files_count == 1) {
			EXPECT_EQ(manifest.existing_files_count, 1);
			EXPECT_EQ(manifest.added_files_count, 0);
		}
	}
}

TEST_F(MaintenanceTest, ReplacingAManifestTheBaseNoLongerHasIsAConflict) {
	Commit("append", {NewFile("a.parquet")}, {}, kNow);
	auto table = service->LoadTable(id);
	SnapshotChange change {"replace", {}};
	change.replaced_manifests = {location + "/metadata/not-there.avro"};
	try {
		ProduceSnapshot(*table.metadata, NewSnapshotId(), change, kNow, cache, Reader(), Writer());
		FAIL() << "expected a conflict";
	} catch (const Error &error) {
		EXPECT_EQ(error.code, ErrorCode::SerializationFailure);
	}
}

TEST_F(MaintenanceTest, ExpiringDeletesWhatOnlyExpiredSnapshotsReached) {
	auto old = kNow - 10 * kDay;
	auto a = NewFile("a.parquet");
	auto b = NewFile("b.parquet");
	auto first = Commit("append", {a, b}, {}, old);
	auto second = Commit("delete", {}, {a}, old + 1);
	auto c = NewFile("c.parquet");
	auto third = Commit("append", {c}, {}, old + 2);
	auto first_list = first.metadata->CurrentSnapshot()->manifest_list;
	auto second_list = second.metadata->CurrentSnapshot()->manifest_list;
	auto first_manifests = ManifestsOf(*first.metadata->CurrentSnapshot());
	ASSERT_EQ(first_manifests.size(), 1u);

	// Only the current snapshot is kept; a and the first manifest were reachable only from the
	// expired ones, b from the current one through the second snapshot's rewritten manifest.
	auto result = ExpireSnapshots(*service, id, {old + 3, 1, {}});
	EXPECT_EQ(result.expired_snapshots_count, 2);
	EXPECT_EQ(result.deleted_data_files_count, 1);
	EXPECT_EQ(result.deleted_position_delete_files_count, 0);
	EXPECT_EQ(result.deleted_manifest_files_count, 1);
	EXPECT_EQ(result.deleted_manifest_lists_count, 2);
	EXPECT_FALSE(Exists(a));
	EXPECT_FALSE(Exists(first_manifests[0]));
	EXPECT_FALSE(Exists(first_list));
	EXPECT_FALSE(Exists(second_list));
	EXPECT_TRUE(Exists(b));
	EXPECT_TRUE(Exists(c));
	auto table = service->LoadTable(id);
	ASSERT_EQ(table.metadata->snapshots.size(), 1u);
	EXPECT_EQ(LiveFiles(table), (std::set<std::string> {b, c}));
	for (auto &manifest : ManifestsOf(*table.metadata->CurrentSnapshot())) {
		EXPECT_TRUE(Exists(manifest)) << manifest;
	}
	// Nothing more to expire.
	EXPECT_EQ(ExpireSnapshots(*service, id, {old + 3, 1, {}}).expired_snapshots_count, 0);
}

TEST_F(MaintenanceTest, ATagKeepsItsFilesAndGcDisabledRefuses) {
	auto old = kNow - 10 * kDay;
	auto a = NewFile("a.parquet");
	auto first = Commit("append", {a}, {}, old);
	Commit("delete", {}, {a}, old + 1);
	service->CommitTable(id, TableChange {{}, {SetSnapshotRefUpdate {"v1", Tag(*first.metadata->current_snapshot_id)}}});
	auto result = ExpireSnapshots(*service, id, {old + 3, 1, {}});
	EXPECT_EQ(result.expired_snapshots_count, 0);
	EXPECT_TRUE(Exists(a));

	service->CommitTable(id, TableChange {{}, {SetPropertiesUpdate {{{"gc.enabled", "false"}}}}});
	try {
		ExpireSnapshots(*service, id, {old + 3, 1, {}});
		FAIL() << "gc.enabled=false must refuse";
	} catch (const Error &error) {
		EXPECT_EQ(error.code, ErrorCode::InvalidInput);
	}
}

TEST_F(MaintenanceTest, OrphanFilesAreThoseNoMetadataReachesOlderThanTheMargin) {
	auto a = NewFile("a.parquet");
	Commit("append", {a}, {}, kNow);
	auto b = NewFile("b.parquet");
	Commit("append", {b}, {}, kNow + 1);
	// Planted: an unreferenced data file and metadata file under the table, and a file of a
	// table whose location merely starts with this one's.
	auto orphan_data = NewFile("orphan.parquet");
	auto orphan_metadata = location + "/metadata/99999-orphan.metadata.json";
	store->Put(akko::objstore::KeyFromUri(orphan_metadata), "{}");
	auto neighbour = location + "x/data/n.parquet";
	store->Put(akko::objstore::KeyFromUri(neighbour), "n");

	auto future = std::chrono::duration_cast<std::chrono::milliseconds>(
	                  std::chrono::system_clock::now().time_since_epoch())
	                  .count() +
	              60000;
	std::set<std::string> expected {orphan_data, orphan_metadata};
	auto listed = RemoveOrphanFiles(*service, id, {future, true});
	EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), expected);
	EXPECT_TRUE(Exists(orphan_data));
	// With the default margin (3 days) the fresh files are no orphans yet.
	EXPECT_TRUE(RemoveOrphanFiles(*service, id, {}).empty());
	auto removed = RemoveOrphanFiles(*service, id, {future, false});
	EXPECT_EQ(std::set<std::string>(removed.begin(), removed.end()), expected);
	EXPECT_FALSE(Exists(orphan_data));
	EXPECT_FALSE(Exists(orphan_metadata));
	EXPECT_TRUE(Exists(neighbour));
	EXPECT_TRUE(Exists(a));
	EXPECT_TRUE(Exists(b));
	auto table = service->LoadTable(id);
	EXPECT_TRUE(Exists(table.metadata_location));
	for (auto &entry : table.metadata->metadata_log) {
		EXPECT_TRUE(Exists(entry.metadata_file));
	}
}

TEST_F(MaintenanceTest, RewriteManifestsMergesThemKeepingEveryFile) {
	std::set<std::string> written;
	for (int i = 0; i < 4; i++) {
		auto uri = NewFile("f" + std::to_string(i) + ".parquet", i + 1);
		written.insert(uri);
		Commit("append", {uri}, {}, kNow + i);
	}
	auto before = service->LoadTable(id);
	ASSERT_EQ(ManifestsOf(*before.metadata->CurrentSnapshot()).size(), 4u);
	auto result = RewriteManifests(*service, id);
	EXPECT_EQ(result.rewritten_manifests_count, 4);
	EXPECT_EQ(result.added_manifests_count, 1);
	auto after = service->LoadTable(id);
	auto &snapshot = *after.metadata->CurrentSnapshot();
	EXPECT_EQ(snapshot.summary.at("operation"), "replace");
	EXPECT_EQ(snapshot.summary.at("total-records"), "10");
	EXPECT_EQ(snapshot.summary.at("total-data-files"), "4");
	EXPECT_EQ(snapshot.summary.at("manifests-replaced"), "4");
	EXPECT_EQ(ManifestsOf(snapshot).size(), 1u);
	EXPECT_EQ(LiveFiles(after), written);
	// The files keep their data sequence numbers (each file's own append).
	for (auto &entry : LiveEntries(snapshot, cache, Reader())) {
		EXPECT_EQ(entry.status, ManifestEntryStatus::Existing);
		auto index = entry.data_file.record_count - 1;
		EXPECT_EQ(entry.sequence_number, before.metadata->snapshots[index].sequence_number);
	}
	EXPECT_EQ(RewriteManifests(*service, id).rewritten_manifests_count, 0);
}

} // namespace
