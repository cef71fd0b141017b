// Scan planning and snapshot production over an in-memory warehouse. Expected values follow from
// the Iceberg table spec's rules (sequence numbers, partition projection, bounds), worked out by
// hand in the comments, and the spec's published transform results.
#include "common/error.hpp"
#include "iceberg/partition_transform.hpp"
#include "iceberg/scan_planner.hpp"
#include "iceberg/snapshot_producer.hpp"
#include "iceberg/table_update.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <map>
#include <string>

using namespace akko::iceberg;

namespace {

struct MemoryWarehouse {
	std::map<std::string, std::string> files;
	FileReader Reader() {
		return [this](const std::string &uri) {
			auto found = files.find(uri);
			if (found == files.end()) {
				throw akko::Error(akko::ErrorCode::NotFound, uri);
			}
			return found->second;
		};
	}
	FileWriter Writer() {
		return [this](const std::string &uri, const std::string &bytes) { files[uri] = bytes; };
	}
};

PrimitiveType Long() {
	return PrimitiveType {TypeKind::Long};
}

// id long, name string, ts timestamp; partitioned by day(ts) when asked.
TableMetadata NewTable(bool partitioned) {
	Schema schema;
	schema.fields.push_back({1, "id", true, MakePrimitive(TypeId::Long), {}, {}, {}});
	schema.fields.push_back({2, "name", false, MakePrimitive(TypeId::String), {}, {}, {}});
	schema.fields.push_back({3, "ts", false, MakePrimitive(TypeId::Timestamp), {}, {}, {}});
	PartitionSpec spec;
	if (partitioned) {
		spec.fields.push_back({3, 1000, "ts_day", "day"});
	}
	return NewTableMetadata(schema, spec, SortOrder {}, "s3://w/t", {});
}

DataFile File(const std::string &path, int64_t low_id, int64_t high_id, std::vector<Literal> partition = {}) {
	DataFile file;
	file.file_path = path;
	file.record_count = high_id - low_id + 1;
	file.file_size_in_bytes = 1000;
	file.partition = std::move(partition);
	file.value_counts = {{1, file.record_count}, {2, file.record_count}};
	file.null_value_counts = {{1, 0}, {2, file.record_count}}; // every name is null
	file.lower_bounds = {{1, SerializeBinary(Literal(low_id), Long())}};
	file.upper_bounds = {{1, SerializeBinary(Literal(high_id), Long())}};
	return file;
}

TableMetadata Commit(const TableMetadata &base, const std::string &operation, const std::vector<AddedFile> &files,
                     MemoryWarehouse &warehouse, ManifestCache &cache, int64_t now_ms = 1700000000000) {
	auto id = NewSnapshotId();
	auto manifests = WriteAddedManifests(base, id, files, warehouse.Writer());
	auto updates = ProduceSnapshot(base, id, SnapshotChange {operation, manifests}, now_ms, cache, warehouse.Reader(),
	                               warehouse.Writer());
	return ApplyUpdates(base, updates, now_ms);
}

std::vector<std::string> Paths(const ScanPlan &plan) {
	std::vector<std::string> paths;
	for (auto &task : plan.tasks) {
		paths.push_back(task.data_file.file_path);
	}
	std::sort(paths.begin(), paths.end());
	return paths;
}

} // namespace

TEST(PartitionTransform, SpecValues) {
	// The spec's transform table: 2017-11-16T22:31:08 is 1510871468 s after the epoch.
	Literal ts = int64_t(1510871468) * 1000000;
	PrimitiveType timestamp {TypeKind::Timestamp};
	EXPECT_EQ(ApplyTransform(ParseTransform("year"), ts, timestamp), Literal(int32_t(47)));
	EXPECT_EQ(ApplyTransform(ParseTransform("month"), ts, timestamp), Literal(int32_t(47 * 12 + 10)));
	EXPECT_EQ(ApplyTransform(ParseTransform("day"), ts, timestamp), Literal(int32_t(17486)));
	EXPECT_EQ(ApplyTransform(ParseTransform("hour"), ts, timestamp), Literal(int32_t(419686)));
	// Appendix B: hash(34) = 2017239379, so bucket[16] is 2017239379 % 16 = 3.
	EXPECT_EQ(ApplyTransform(ParseTransform("bucket[16]"), Literal(int32_t(34)), PrimitiveType {TypeKind::Int}),
	          Literal(int32_t(2017239379 % 16)));
	// hash("iceberg") = 1210000089.
	EXPECT_EQ(ApplyTransform(ParseTransform("bucket[100]"), Literal(std::string("iceberg")),
	                         PrimitiveType {TypeKind::String}),
	          Literal(int32_t(1210000089 % 100)));
	EXPECT_EQ(ApplyTransform(ParseTransform("truncate[10]"), Literal(int64_t(-1)), Long()), Literal(int64_t(-10)));
	EXPECT_EQ(ApplyTransform(ParseTransform("void"), Literal(int64_t(5)), Long()), Literal(std::monostate {}));
	EXPECT_EQ(TransformResultType(ParseTransform("day"), timestamp), PrimitiveType {TypeKind::Date});
	EXPECT_EQ(ParseTransform("zorder").kind, TransformKind::Unknown);
	EXPECT_THROW(ParseTransform("bucket[0]"), akko::Error);
	EXPECT_THROW(ApplyTransform(ParseTransform("hour"), Literal(int64_t(1)), Long()), akko::Error);
}

TEST(ScanPlanner, PrunesByColumnBounds) {
	MemoryWarehouse warehouse;
	ManifestCache cache;
	auto table = NewTable(false);
	table = Commit(table, "append", {{File("s3://w/t/data/a.parquet", 1, 10), 0}}, warehouse, cache);
	table = Commit(table, "append", {{File("s3://w/t/data/b.parquet", 11, 20), 0}}, warehouse, cache);
	auto &snapshot = *table.CurrentSnapshot();

	auto all = PlanScan(table, snapshot, {}, cache, warehouse.Reader());
	EXPECT_EQ(all.tasks.size(), 2u);
	EXPECT_EQ(all.manifests_total, 2u);

	auto plan = [&](PredicateOp op, int64_t value) {
		return Paths(PlanScan(table, snapshot, {{1, op, Literal(value)}}, cache, warehouse.Reader()));
	};
	EXPECT_EQ(plan(PredicateOp::Equal, 15), std::vector<std::string>({"s3://w/t/data/b.parquet"}));
	EXPECT_EQ(plan(PredicateOp::Less, 11), std::vector<std::string>({"s3://w/t/data/a.parquet"}));
	EXPECT_EQ(plan(PredicateOp::LessOrEqual, 11).size(), 2u);
	EXPECT_EQ(plan(PredicateOp::Greater, 10), std::vector<std::string>({"s3://w/t/data/b.parquet"}));
	EXPECT_EQ(plan(PredicateOp::GreaterOrEqual, 21).size(), 0u);
	EXPECT_EQ(plan(PredicateOp::Equal, 0).size(), 0u);
	// Every name is null: name IS NOT NULL and name = 'x' match nothing; name IS NULL matches all.
	EXPECT_TRUE(PlanScan(table, snapshot, {{2, PredicateOp::NotNull, {}}}, cache, warehouse.Reader()).tasks.empty());
	EXPECT_TRUE(
	    PlanScan(table, snapshot, {{2, PredicateOp::Equal, Literal(std::string("x"))}}, cache, warehouse.Reader())
	        .tasks.empty());
	EXPECT_EQ(PlanScan(table, snapshot, {{2, PredicateOp::IsNull, {}}}, cache, warehouse.Reader()).tasks.size(), 2u);
	// The older snapshot holds only the first file.
	auto first = table.SnapshotById(*snapshot.parent_snapshot_id);
	ASSERT_NE(first, nullptr);
	EXPECT_EQ(Paths(PlanScan(table, *first, {}, cache, warehouse.Reader())),
	          std::vector<std::string>({"s3://w/t/data/a.parquet"}));
}

TEST(ScanPlanner, PrunesPartitionsThroughTheirTransform) {
	MemoryWarehouse warehouse;
	ManifestCache cache;
	auto table = NewTable(true);
	// Days 17486 (2017-11-16) and 17487 (2017-11-17), one commit each so manifests prune too.
	table = Commit(table, "append", {{File("s3://w/t/data/d1.parquet", 1, 5, {Literal(int32_t(17486))}), 0}},
	               warehouse, cache);
	table = Commit(table, "append", {{File("s3://w/t/data/d2.parquet", 6, 9, {Literal(int32_t(17487))}), 0}},
	               warehouse, cache);
	auto &snapshot = *table.CurrentSnapshot();
	int64_t day_micros = int64_t(86400) * 1000000;
	Literal noon_16th = int64_t(17486) * day_micros + day_micros / 2;
	auto at = PlanScan(table, snapshot, {{3, PredicateOp::Equal, noon_16th}}, cache, warehouse.Reader());
	EXPECT_EQ(Paths(at), std::vector<std::string>({"s3://w/t/data/d1.parquet"}));
	EXPECT_EQ(at.manifests_read, 1u);
	// ts > noon of the 16th projects to day >= 17486: both days may match.
	EXPECT_EQ(PlanScan(table, snapshot, {{3, PredicateOp::Greater, noon_16th}}, cache, warehouse.Reader()).tasks.size(),
	          2u);
	Literal start_17th = int64_t(17487) * day_micros;
	EXPECT_EQ(Paths(PlanScan(table, snapshot, {{3, PredicateOp::Less, start_17th}}, cache, warehouse.Reader())),
	          std::vector<std::string>({"s3://w/t/data/d1.parquet", "s3://w/t/data/d2.parquet"}))
	    << "day(ts) <= 17487 keeps the 17th: the projection is inclusive, not exact";
}

TEST(ScanPlanner, DeleteFilesFollowSequenceNumbersAndPartitions) {
	MemoryWarehouse warehouse;
	ManifestCache cache;
	auto table = NewTable(false);
	table = Commit(table, "append", {{File("s3://w/t/data/a.parquet", 1, 10), 0}}, warehouse, cache); // seq 1

	DataFile positions;
	positions.content = FileContent::PositionDeletes;
	positions.file_path = "s3://w/t/data/a-deletes.parquet";
	positions.record_count = 2;
	positions.file_size_in_bytes = 100;
	positions.referenced_data_file = "s3://w/t/data/a.parquet";
	DataFile equality;
	equality.content = FileContent::EqualityDeletes;
	equality.file_path = "s3://w/t/data/eq.parquet";
	equality.record_count = 1;
	equality.file_size_in_bytes = 100;
	equality.equality_ids = {1};
	table = Commit(table, "overwrite", {{positions, 0}, {equality, 0}}, warehouse, cache); // seq 2
	table = Commit(table, "append", {{File("s3://w/t/data/b.parquet", 11, 20), 0}}, warehouse, cache); // seq 3

	auto plan = PlanScan(table, *table.CurrentSnapshot(), {}, cache, warehouse.Reader());
	ASSERT_EQ(plan.tasks.size(), 2u);
	for (auto &task : plan.tasks) {
		if (task.data_file.file_path == "s3://w/t/data/a.parquet") {
			EXPECT_EQ(task.data_sequence_number, 1);
			ASSERT_EQ(task.position_deletes.size(), 1u);
			ASSERT_EQ(task.equality_deletes.size(), 1u);
		} else {
			// Written after the deletes (sequence number 3 > 2): neither applies.
			EXPECT_EQ(task.data_sequence_number, 3);
			EXPECT_TRUE(task.position_deletes.empty());
			EXPECT_TRUE(task.equality_deletes.empty());
		}
	}
	auto &summary = table.CurrentSnapshot()->summary;
	EXPECT_EQ(summary.at("operation"), "append");
	EXPECT_EQ(summary.at("total-records"), "20");
	EXPECT_EQ(summary.at("total-data-files"), "2");
	EXPECT_EQ(summary.at("total-delete-files"), "2");
	EXPECT_EQ(summary.at("total-position-deletes"), "2");
	EXPECT_EQ(summary.at("total-equality-deletes"), "1");
	EXPECT_EQ(summary.at("added-records"), "10");
	EXPECT_EQ(table.last_sequence_number, 3);
	EXPECT_EQ(LiveEntries(*table.CurrentSnapshot(), cache, warehouse.Reader()).size(), 4u);
}

TEST(SnapshotProducer, ARebasedAppendKeepsTheWinnersFiles) {
	MemoryWarehouse warehouse;
	ManifestCache cache;
	auto base = NewTable(false);
	// Two writers start from the same empty table; the first commits, the second re-bases.
	auto id = NewSnapshotId();
	auto manifests = WriteAddedManifests(base, id, {{File("s3://w/t/data/late.parquet", 1, 3), 0}}, warehouse.Writer());
	auto winner = Commit(base, "append", {{File("s3://w/t/data/early.parquet", 4, 9), 0}}, warehouse, cache);
	auto updates = ProduceSnapshot(winner, id, SnapshotChange {"append", manifests}, 1700000000001, cache,
	                               warehouse.Reader(), warehouse.Writer());
	auto after = ApplyUpdates(winner, updates, 1700000000001);
	auto plan = PlanScan(after, *after.CurrentSnapshot(), {}, cache, warehouse.Reader());
	EXPECT_EQ(plan.tasks.size(), 2u);
	EXPECT_EQ(after.CurrentSnapshot()->sequence_number, 2);
	EXPECT_EQ(after.CurrentSnapshot()->summary.at("total-records"), "9");
	// A snapshot built on `winner` (so sequence number 2 again) is stale once `after` landed: Java
	// refuses a parented snapshot that is not newer than the table's last sequence number.
	auto other_id = NewSnapshotId();
	auto other = WriteAddedManifests(winner, other_id, {{File("s3://w/t/data/other.parquet", 1, 1), 0}},
	                                 warehouse.Writer());
	auto stale = ProduceSnapshot(winner, other_id, SnapshotChange {"append", other}, 1700000000002, cache,
	                             warehouse.Reader(), warehouse.Writer());
	try {
		ApplyUpdates(after, stale, 1700000000002);
		FAIL() << "a stale snapshot was accepted";
	} catch (const akko::Error &error) {
		EXPECT_EQ(error.code, akko::ErrorCode::SerializationFailure) << error.message;
	}
}

TEST(ScanPlanner, NaNsAboveTheUpperBoundKeepTheirFile) {
	// Iceberg writers leave NaN out of a float column's bounds and count it apart; NaN sorts above
	// every number, so `x > 1.5` may match a file whose upper bound is 1.0 when it holds NaNs.
	MemoryWarehouse warehouse;
	ManifestCache cache;
	Schema schema;
	schema.fields.push_back({1, "x", false, MakePrimitive(TypeId::Double), {}, {}, {}});
	auto table = NewTableMetadata(schema, PartitionSpec {}, SortOrder {}, "s3://w/f", {});
	PrimitiveType double_type {TypeKind::Double};
	auto file = [&](const std::string &path, int64_t nans) {
		DataFile data;
		data.file_path = path;
		data.record_count = 4;
		data.file_size_in_bytes = 10;
		data.value_counts = {{1, 4}};
		data.null_value_counts = {{1, 0}};
		data.nan_value_counts = {{1, nans}};
		data.lower_bounds = {{1, SerializeBinary(Literal(0.5), double_type)}};
		data.upper_bounds = {{1, SerializeBinary(Literal(1.0), double_type)}};
		return AddedFile {data, 0};
	};
	table = Commit(table, "append", {file("s3://w/f/with-nan.parquet", 2), file("s3://w/f/no-nan.parquet", 0)},
	               warehouse, cache);
	auto &snapshot = *table.CurrentSnapshot();
	EXPECT_EQ(Paths(PlanScan(table, snapshot, {{1, PredicateOp::Greater, Literal(1.5)}}, cache, warehouse.Reader())),
	          std::vector<std::string>({"s3://w/f/with-nan.parquet"}));
	EXPECT_TRUE(
	    PlanScan(table, snapshot, {{1, PredicateOp::Less, Literal(0.25)}}, cache, warehouse.Reader()).tasks.empty());
}
