// Manifests and manifest lists: manifests written by Java Iceberg (v1 and v2) and PyIceberg,
// checked against the table metadata JSON their writers produced beside them and the data
// file paths they chose; our own files decoded by avsc, an independent Avro implementation
// (tests/integration/node/avsc_check.mjs); and the spec's inheritance and summary rules.
#include "common/error.hpp"
#include "iceberg/avro_reader.hpp"
#include "iceberg/manifest.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace akko::iceberg;
using akko::Error;
using Json = nlohmann::json;

namespace {

const std::string kFixtures = std::string(AKKO_SOURCE_DIR) + "/tests/fixtures/iceberg/";

std::string ReadFile(const std::string &path) {
	std::ifstream in(path, std::ios::binary);
	std::stringstream buffer;
	buffer << in.rdbuf();
	return buffer.str();
}

PrimitiveType T(std::string_view text) {
	return PrimitiveType::Parse(text);
}

Uuid SpecUuid() {
	// f79c3e09-677c-4bbd-a479-3f349cb785e7
	Uuid uuid;
	const uint8_t bytes[] = {0xf7, 0x9c, 0x3e, 0x09, 0x67, 0x7c, 0x4b, 0xbd, 0xa4, 0x79, 0x3f, 0x34, 0x9c, 0xb7, 0x85, 0xe7};
	std::copy(std::begin(bytes), std::end(bytes), uuid.bytes.begin());
	return uuid;
}

constexpr int64_t kSnapshotId = 3138177759849079112; // above 2^53: exercises 64-bit longs end to end

ManifestWriteOptions Options() {
	ManifestWriteOptions options;
	options.schema_json = R"({"type":"struct","schema-id":4,"fields":[{"id":1,"name":"id","required":true,"type":"long"}]})";
	options.schema_id = 4;
	options.partition_spec_id = 3;
	options.partition_fields = {
	    {1000, "name", T("string"), 2, "identity"},
	    {1001, "ts_day", T("date"), 4, "day"},
	    {1002, "price", T("decimal(9,2)"), 5, "identity"},
	    {1003, "u", T("uuid"), 6, "identity"},
	    {1004, "score", T("float"), 7, "identity"},
	    {1005, "my-col", T("long"), 8, "identity"},
	};
	return options;
}

DataFile File(std::string path, std::vector<Literal> partition, int64_t records) {
	DataFile file;
	file.file_path = std::move(path);
	file.partition = std::move(partition);
	file.record_count = records;
	file.file_size_in_bytes = records * 100;
	return file;
}

std::vector<ManifestEntry> Entries() {
	ManifestEntry added;
	added.status = ManifestEntryStatus::Added;
	added.snapshot_id = kSnapshotId;
	added.data_file = File("s3://b/t/data/a.parquet", {std::string("b"), int32_t(17486), Decimal {1420, 2}, SpecUuid(), -0.0F, int64_t(1)}, 10);
	added.data_file.column_sizes = {{1, 111}, {2, 222}};
	added.data_file.value_counts = {{1, 10}};
	added.data_file.null_value_counts = {{1, 0}};
	added.data_file.nan_value_counts = {{7, 1}};
	added.data_file.lower_bounds = {{1, SerializeBinary(int64_t(-3), T("long"))}};
	added.data_file.upper_bounds = {{1, SerializeBinary(int64_t(99), T("long"))}};
	added.data_file.split_offsets = {4, 4096};
	added.data_file.sort_order_id = 0;
	added.data_file.key_metadata = std::string("\x00\x01", 2);

	ManifestEntry existing;
	existing.status = ManifestEntryStatus::Existing;
	existing.snapshot_id = 41;
	existing.sequence_number = 5;
	existing.file_sequence_number = 6;
	existing.data_file = File("s3://b/t/data/b.parquet", {std::monostate {}, int32_t(-1), Decimal {-5, 2}, std::monostate {}, 0.0F, int64_t(2)}, 20);

	ManifestEntry deleted;
	deleted.status = ManifestEntryStatus::Deleted;
	deleted.snapshot_id = kSnapshotId;
	deleted.sequence_number = 3;
	deleted.file_sequence_number = 3;
	deleted.data_file = File("s3://b/t/data/c.parquet", {std::string("a"), int32_t(0), Decimal {0, 2}, SpecUuid(), 2.5F, int64_t(3)}, 30);
	return {added, existing, deleted};
}

TEST(IcebergManifest, RoundTripsAsWritten) {
	auto options = Options();
	auto entries = Entries();
	auto bytes = WriteManifest(options, entries);
	auto manifest = ReadManifest(bytes);
	EXPECT_EQ(manifest.format_version, 2);
	EXPECT_EQ(manifest.content, ManifestContent::Data);
	EXPECT_EQ(manifest.partition_spec_id, 3);
	EXPECT_EQ(manifest.schema_id, 4);
	EXPECT_EQ(manifest.schema_json, options.schema_json);
	EXPECT_EQ(manifest.partition_fields.size(), options.partition_fields.size());
	for (size_t i = 0; i < options.partition_fields.size(); i++) {
		auto expected = options.partition_fields[i];
		if (expected.name == "my-col") {
			expected.name = "my_x2Dcol"; // Avro's name rules, as Java's AvroSchemaUtil.makeCompatibleName
		}
		EXPECT_EQ(manifest.partition_fields[i], expected) << i;
	}
	ASSERT_EQ(manifest.entries.size(), entries.size());
	for (size_t i = 0; i < entries.size(); i++) {
		EXPECT_EQ(manifest.entries[i], entries[i]) << i;
	}
	// -0.0 keeps its sign through Avro.
	EXPECT_TRUE(std::signbit(std::get<float>(manifest.entries[0].data_file.partition[4])));
}

TEST(IcebergManifest, HeaderAndSchemaAreWhatTheSpecNames) {
	auto bytes = WriteManifest(Options(), Entries());
	AvroReader reader(bytes);
	EXPECT_EQ(reader.Codec(), AvroCodec::Deflate); // Java's default
	EXPECT_EQ(reader.FindMetadata("schema-id"), "4");
	EXPECT_EQ(reader.FindMetadata("partition-spec-id"), "3");
	EXPECT_EQ(reader.FindMetadata("format-version"), "2");
	EXPECT_EQ(reader.FindMetadata("content"), "data");
	auto spec = Json::parse(*reader.FindMetadata("partition-spec"));
	EXPECT_EQ(spec[1], Json::parse(R"({"name":"ts_day","transform":"day","source-id":4,"field-id":1001})"));
	auto schema = Json::parse(reader.Schema().ToJson());
	EXPECT_EQ(schema["name"], "manifest_entry");
	std::vector<std::pair<std::string, int>> entry_fields = {
	    {"status", 0}, {"snapshot_id", 1}, {"sequence_number", 3}, {"file_sequence_number", 4}, {"data_file", 2}};
	for (size_t i = 0; i < entry_fields.size(); i++) {
		EXPECT_EQ(schema["fields"][i]["name"], entry_fields[i].first);
		EXPECT_EQ(schema["fields"][i]["field-id"], entry_fields[i].second);
	}
	auto &data_file = schema["fields"][4]["type"];
	EXPECT_EQ(data_file["name"], "r2");
	std::map<std::string, int> ids;
	for (auto &field : data_file["fields"]) {
		ids[field["name"].get<std::string>()] = field["field-id"].get<int>();
	}
	std::map<std::string, int> spec_ids = {
	    {"content", 134},         {"file_path", 100},         {"file_format", 101},   {"partition", 102},
	    {"record_count", 103},    {"file_size_in_bytes", 104}, {"column_sizes", 108},  {"value_counts", 109},
	    {"null_value_counts", 110}, {"nan_value_counts", 137}, {"lower_bounds", 125},  {"upper_bounds", 128},
	    {"key_metadata", 131},    {"split_offsets", 132},     {"equality_ids", 135},  {"sort_order_id", 140},
	    {"referenced_data_file", 143}};
	EXPECT_EQ(ids, spec_ids);
	auto &partition = data_file["fields"][3]["type"];
	EXPECT_EQ(partition["name"], "r102");
	EXPECT_EQ(partition["fields"][2]["type"][1],
	          Json::parse(R"({"type":"fixed","name":"decimal_9_2","size":4,"logicalType":"decimal","precision":9,"scale":2})"));
	auto &lower_bounds = data_file["fields"][10]["type"][1];
	EXPECT_EQ(lower_bounds["logicalType"], "map");
	EXPECT_EQ(lower_bounds["items"]["name"], "k126_v127");
	EXPECT_EQ(lower_bounds["items"]["fields"][0]["field-id"], 126);
	EXPECT_EQ(lower_bounds["items"]["fields"][1]["field-id"], 127);
	EXPECT_EQ(data_file["fields"][13]["type"][1]["element-id"], 133);
}

TEST(IcebergManifest, RefusesWhatTheOptionsDoNotAllow) {
	auto options = Options();
	auto entries = Entries();
	entries[0].data_file.content = FileContent::PositionDeletes;
	EXPECT_THROW(WriteManifest(options, entries), Error);
	entries = Entries();
	entries[1].sequence_number.reset(); // an existing entry must keep its sequence numbers
	EXPECT_THROW(WriteManifest(options, entries), Error);
	entries = Entries();
	entries[0].data_file.partition[1] = int64_t(17486); // a date is an int
	EXPECT_THROW(WriteManifest(options, entries), Error);
	entries = Entries();
	entries[0].data_file.partition.pop_back();
	EXPECT_THROW(WriteManifest(options, entries), Error);
	entries = Entries();
	entries[0].data_file.first_row_id = 5; // v3 only
	EXPECT_THROW(WriteManifest(options, entries), Error);
	options.format_version = 1;
	EXPECT_THROW(WriteManifest(options, Entries()), Error);
	options = Options();
	options.content = ManifestContent::Deletes;
	auto equality = Entries();
	equality.resize(1);
	equality[0].data_file.content = FileContent::EqualityDeletes;
	EXPECT_THROW(WriteManifest(options, equality), Error); // no equality ids
	equality[0].data_file.equality_ids = {1};
	EXPECT_NO_THROW(WriteManifest(options, equality));
}

TEST(IcebergManifest, SummaryCountsAndPartitionBounds) {
	auto options = Options();
	auto entries = Entries();
	entries[2].data_file.partition[4] = std::numeric_limits<float>::quiet_NaN();
	auto manifest = SummarizeManifest(options, entries, "s3://b/t/metadata/m0.avro", 1234, kSnapshotId);
	EXPECT_EQ(manifest.manifest_path, "s3://b/t/metadata/m0.avro");
	EXPECT_EQ(manifest.manifest_length, 1234);
	EXPECT_EQ(manifest.partition_spec_id, 3);
	EXPECT_EQ(manifest.added_snapshot_id, kSnapshotId);
	EXPECT_EQ(manifest.added_files_count, 1);
	EXPECT_EQ(manifest.existing_files_count, 1);
	EXPECT_EQ(manifest.deleted_files_count, 1);
	EXPECT_EQ(manifest.added_rows_count, 10);
	EXPECT_EQ(manifest.existing_rows_count, 20);
	EXPECT_EQ(manifest.deleted_rows_count, 30);
	// Assigned by the commit's manifest list; the minimum over live entries with a known
	// sequence number (the added one will inherit a larger one).
	EXPECT_EQ(manifest.sequence_number, kUnassignedSequenceNumber);
	EXPECT_EQ(manifest.min_sequence_number, 5);
	ASSERT_EQ(manifest.partitions.size(), 6u);
	// Java's PartitionSummary counts every entry, deleted ones too.
	EXPECT_EQ(manifest.partitions[0], (PartitionFieldSummary {true, false, "a", "b"}));
	EXPECT_EQ(manifest.partitions[1].lower_bound, std::string("\xff\xff\xff\xff", 4)); // -1
	EXPECT_EQ(manifest.partitions[2].lower_bound, std::string("\xfb", 1));              // -0.05
	EXPECT_EQ(manifest.partitions[2].upper_bound, std::string("\x05\x8c", 2));          // 14.20
	EXPECT_TRUE(manifest.partitions[3].contains_null);
	// The spec's note 2: with -0.0 and +0.0 present the lower bound is -0.0, the upper +0.0;
	// NaN is flagged, not a bound.
	EXPECT_EQ(manifest.partitions[4], (PartitionFieldSummary {false, true, std::string("\x00\x00\x00\x80", 4),
	                                                          std::string("\x00\x00\x00\x00", 4)}));

	// All entries new: nothing known, so the list assigns min_sequence_number too.
	auto fresh = Entries();
	fresh.resize(1);
	EXPECT_EQ(SummarizeManifest(options, fresh, "m", 1, kSnapshotId).min_sequence_number, kUnassignedSequenceNumber);
}

TEST(IcebergManifestList, AssignsTheSnapshotSequenceNumber) {
	auto options = Options();
	auto current = SummarizeManifest(options, Entries(), "s3://b/t/metadata/new.avro", 999, kSnapshotId);
	ManifestFile older = current;
	older.manifest_path = "s3://b/t/metadata/old.avro";
	older.sequence_number = 2;
	older.min_sequence_number = 1;
	older.added_snapshot_id = 40;
	older.key_metadata = "k";
	ManifestListWriteOptions list_options;
	list_options.snapshot_id = kSnapshotId;
	list_options.parent_snapshot_id = 41;
	list_options.sequence_number = 7;
	auto bytes = WriteManifestList(list_options, {current, older});

	AvroReader reader(bytes);
	EXPECT_EQ(reader.FindMetadata("snapshot-id"), std::to_string(kSnapshotId));
	EXPECT_EQ(reader.FindMetadata("parent-snapshot-id"), "41");
	EXPECT_EQ(reader.FindMetadata("sequence-number"), "7");
	EXPECT_EQ(reader.FindMetadata("format-version"), "2");
	EXPECT_EQ(Json::parse(reader.Schema().ToJson())["name"], "manifest_file");

	auto manifests = ReadManifestList(bytes);
	ASSERT_EQ(manifests.size(), 2u);
	auto expected = current;
	expected.sequence_number = 7;
	expected.min_sequence_number = 5;
	EXPECT_EQ(manifests[0], expected);
	EXPECT_EQ(manifests[1], older);

	// A first snapshot has no parent: Java and PyIceberg write the text "null".
	list_options.parent_snapshot_id.reset();
	EXPECT_EQ(AvroReader(WriteManifestList(list_options, {current})).FindMetadata("parent-snapshot-id"), "null");
	// An unassigned sequence number from another snapshot is a bug upstream.
	auto foreign = current;
	foreign.added_snapshot_id = 40;
	EXPECT_THROW(WriteManifestList(list_options, {foreign}), Error);
	auto uncounted = current;
	uncounted.added_rows_count.reset();
	EXPECT_THROW(WriteManifestList(list_options, {uncounted}), Error);
}

TEST(IcebergManifest, InheritsFromTheManifestList) {
	auto entries = ReadManifest(WriteManifest(Options(), Entries())).entries;
	entries[0].snapshot_id.reset();
	ManifestFile manifest;
	manifest.sequence_number = 7;
	manifest.added_snapshot_id = kSnapshotId;
	InheritFromManifestList(entries, manifest);
	EXPECT_EQ(entries[0].snapshot_id, kSnapshotId);
	EXPECT_EQ(entries[0].sequence_number, 7);
	EXPECT_EQ(entries[0].file_sequence_number, 7);
	EXPECT_EQ(entries[1].sequence_number, 5); // explicit values stay
	EXPECT_EQ(entries[1].file_sequence_number, 6);
	EXPECT_FALSE(entries[0].data_file.first_row_id); // no first_row_id before v3

	// Only added entries inherit in v2: an existing entry with nulls stays null...
	std::vector<ManifestEntry> odd(1);
	odd[0].status = ManifestEntryStatus::Existing;
	InheritFromManifestList(odd, manifest);
	EXPECT_FALSE(odd[0].sequence_number);
	// ...but a v1 manifest (sequence number 0) gives everything 0.
	manifest.sequence_number = 0;
	InheritFromManifestList(odd, manifest);
	EXPECT_EQ(odd[0].sequence_number, 0);
	EXPECT_EQ(odd[0].file_sequence_number, 0);
}

TEST(IcebergManifest, Version3RowLineageAndDeletionVectors) {
	auto options = Options();
	options.format_version = 3;
	options.partition_fields.clear();
	ManifestEntry first;
	first.snapshot_id = 9;
	first.data_file = File("s3://b/t/data/1.parquet", {}, 10);
	ManifestEntry second = first;
	second.data_file = File("s3://b/t/data/2.parquet", {}, 5);
	ManifestEntry assigned = first;
	assigned.data_file = File("s3://b/t/data/3.parquet", {}, 7);
	assigned.data_file.first_row_id = 500;
	auto manifest = ReadManifest(WriteManifest(options, {first, second, assigned}));
	EXPECT_EQ(manifest.format_version, 3);
	EXPECT_EQ(manifest.entries[2].data_file.first_row_id, 500);
	ManifestFile source;
	source.sequence_number = 3;
	source.first_row_id = 1000;
	InheritFromManifestList(manifest.entries, source);
	// The spec's First Row ID Inheritance: the manifest's first_row_id plus the records of
	// the earlier files that had none.
	EXPECT_EQ(manifest.entries[0].data_file.first_row_id, 1000);
	EXPECT_EQ(manifest.entries[1].data_file.first_row_id, 1010);
	EXPECT_EQ(manifest.entries[2].data_file.first_row_id, 500);

	// A deletion vector in a v3 delete manifest.
	options.content = ManifestContent::Deletes;
	ManifestEntry vector;
	vector.snapshot_id = 9;
	vector.data_file = File("s3://b/t/data/dv.puffin", {}, 3);
	vector.data_file.content = FileContent::PositionDeletes;
	vector.data_file.file_format = "PUFFIN";
	vector.data_file.referenced_data_file = "s3://b/t/data/1.parquet";
	vector.data_file.content_offset = 4;
	vector.data_file.content_size_in_bytes = 40;
	auto deletes = ReadManifest(WriteManifest(options, {vector}));
	EXPECT_EQ(deletes.content, ManifestContent::Deletes);
	ASSERT_EQ(deletes.entries.size(), 1u);
	EXPECT_EQ(deletes.entries[0], vector);

	// The manifest list gives data manifests without one a first_row_id, each after the
	// previous one's added and existing rows (the spec's simple valid assignment).
	ManifestFile a;
	a.manifest_path = "a";
	a.added_snapshot_id = 9;
	a.sequence_number = 3;
	a.min_sequence_number = 3;
	a.added_files_count = 2;
	a.existing_files_count = 1;
	a.deleted_files_count = 0;
	a.added_rows_count = 10;
	a.existing_rows_count = 5;
	a.deleted_rows_count = 0;
	ManifestFile b = a;
	b.manifest_path = "b";
	b.added_rows_count = 3;
	b.existing_rows_count = 0;
	ManifestFile d = a;
	d.manifest_path = "d";
	d.content = ManifestContent::Deletes;
	ManifestListWriteOptions list_options;
	list_options.format_version = 3;
	list_options.snapshot_id = 9;
	list_options.sequence_number = 3;
	list_options.first_row_id = 1000;
	auto bytes = WriteManifestList(list_options, {a, d, b});
	EXPECT_EQ(AvroReader(bytes).FindMetadata("first-row-id"), "1000");
	auto manifests = ReadManifestList(bytes);
	EXPECT_EQ(manifests[0].first_row_id, 1000);
	EXPECT_FALSE(manifests[1].first_row_id); // delete manifests have none
	EXPECT_EQ(manifests[2].first_row_id, 1015);
	EXPECT_EQ(ManifestListAssignedRows({a, d, b}), 18);
}

std::map<int64_t, Json> SnapshotsById(const Json &metadata) {
	std::map<int64_t, Json> snapshots;
	for (auto &snapshot : metadata["snapshots"]) {
		snapshots[snapshot["snapshot-id"].get<int64_t>()] = snapshot;
	}
	return snapshots;
}

int64_t SummaryNumber(const Json &snapshot, const char *key) {
	return std::stoll(snapshot["summary"][key].get<std::string>());
}

// The partition directory Java and PyIceberg put in each data file path ("name=e/...").
std::string PathPartition(const std::string &path, const std::string &field) {
	auto start = path.find("/" + field + "=") + field.size() + 2;
	return path.substr(start, path.find('/', start) - start);
}

TEST(IcebergManifestFixtures, JavaVersion2WithEqualityDeletes) {
	auto dir = kFixtures + "java_v2_equality_deletes/";
	auto metadata = Json::parse(ReadFile(dir + "v6.metadata.json"));
	auto snapshots = SnapshotsById(metadata);
	auto current = snapshots.at(metadata["current-snapshot-id"].get<int64_t>());
	auto list = ReadManifestList(ReadFile(dir + "snap-3138177759849079112-1-ff275eec-b23b-435f-a6a5-1ab7ce1c8749.avro"));
	ASSERT_EQ(list.size(), 5u);
	int64_t data_files = 0, delete_files = 0, records = 0, deletes = 0;
	for (auto &manifest : list) {
		// Each manifest was added by a snapshot of the table, with that snapshot's number.
		auto &snapshot = snapshots.at(manifest.added_snapshot_id);
		EXPECT_EQ(manifest.sequence_number, snapshot["sequence-number"].get<int64_t>());
		EXPECT_EQ(manifest.min_sequence_number, manifest.sequence_number);
		EXPECT_EQ(manifest.partition_spec_id, 0);
		ASSERT_EQ(manifest.partitions.size(), 1u);
		EXPECT_FALSE(manifest.partitions[0].contains_null);
		EXPECT_EQ(manifest.partitions[0].contains_nan, false);
		bool data = manifest.content == ManifestContent::Data;
		(data ? data_files : delete_files) += *manifest.added_files_count;
		(data ? records : deletes) += *manifest.added_rows_count;
	}
	EXPECT_EQ(data_files, SummaryNumber(current, "total-data-files"));
	EXPECT_EQ(delete_files, SummaryNumber(current, "total-delete-files"));
	EXPECT_EQ(records, SummaryNumber(current, "total-records"));
	EXPECT_EQ(deletes, SummaryNumber(current, "total-equality-deletes"));

	// The data manifest of the fourth snapshot.
	auto &data_manifest = list[0];
	auto data_bytes = ReadFile(dir + "ec04e9ce-e03b-4fbe-a707-3645c1938319-m0.avro");
	EXPECT_EQ(data_manifest.manifest_length, static_cast<int64_t>(data_bytes.size()));
	EXPECT_EQ(DeserializeBinary(*data_manifest.partitions[0].lower_bound, T("string")), Literal(std::string("e")));
	EXPECT_EQ(DeserializeBinary(*data_manifest.partitions[0].upper_bound, T("string")), Literal(std::string("f")));
	auto manifest = ReadManifest(data_bytes);
	EXPECT_EQ(manifest.format_version, 2);
	EXPECT_EQ(manifest.content, ManifestContent::Data);
	EXPECT_EQ(Json::parse(manifest.schema_json), metadata["schemas"][0]);
	auto &spec_field = metadata["partition-specs"][0]["fields"][0];
	ASSERT_EQ(manifest.partition_fields.size(), 1u);
	EXPECT_EQ(manifest.partition_fields[0],
	          (PartitionFieldInfo {spec_field["field-id"].get<int32_t>(), spec_field["name"].get<std::string>(),
	                               T("string"), spec_field["source-id"].get<int32_t>(),
	                               spec_field["transform"].get<std::string>()}));
	InheritFromManifestList(manifest.entries, data_manifest);
	auto &added = snapshots.at(data_manifest.added_snapshot_id);
	int64_t bytes = 0, rows = 0;
	for (auto &entry : manifest.entries) {
		EXPECT_EQ(entry.status, ManifestEntryStatus::Added);
		EXPECT_EQ(entry.snapshot_id, data_manifest.added_snapshot_id);
		EXPECT_EQ(entry.sequence_number, added["sequence-number"].get<int64_t>());
		auto &file = entry.data_file;
		EXPECT_EQ(file.content, FileContent::Data);
		EXPECT_EQ(file.file_format, "PARQUET");
		EXPECT_EQ(file.partition, std::vector<Literal> {PathPartition(file.file_path, "name")});
		// Column 2 is the partition source: its bounds are the partition value.
		EXPECT_EQ(DeserializeBinary(file.lower_bounds.at(2), T("string")), file.partition[0]);
		EXPECT_EQ(file.value_counts.at(1), file.record_count);
		EXPECT_EQ(file.split_offsets, std::vector<int64_t> {4});
		bytes += file.file_size_in_bytes;
		rows += file.record_count;
	}
	EXPECT_EQ(bytes, SummaryNumber(added, "added-files-size"));
	EXPECT_EQ(rows, SummaryNumber(added, "added-records"));

	// The equality-delete manifest of the current snapshot.
	auto delete_bytes = ReadFile(dir + "ff275eec-b23b-435f-a6a5-1ab7ce1c8749-m0.avro");
	auto &delete_manifest = list[2];
	EXPECT_EQ(delete_manifest.content, ManifestContent::Deletes);
	EXPECT_EQ(delete_manifest.manifest_length, static_cast<int64_t>(delete_bytes.size()));
	auto deletes_read = ReadManifest(delete_bytes);
	EXPECT_EQ(deletes_read.content, ManifestContent::Deletes);
	ASSERT_EQ(deletes_read.entries.size(), 1u);
	auto &delete_file = deletes_read.entries[0].data_file;
	EXPECT_EQ(delete_file.content, FileContent::EqualityDeletes);
	EXPECT_EQ(delete_file.equality_ids, std::vector<int32_t> {2});
	EXPECT_EQ(delete_file.file_size_in_bytes, SummaryNumber(current, "added-files-size"));
	EXPECT_EQ(delete_file.record_count, SummaryNumber(current, "added-equality-deletes"));
	EXPECT_EQ(delete_file.partition, std::vector<Literal> {PathPartition(delete_file.file_path, "name")});
}

TEST(IcebergManifestFixtures, JavaVersion1) {
	auto dir = kFixtures + "java_v1/";
	auto metadata = Json::parse(ReadFile(dir + "v2.metadata.json"));
	auto &snapshot = metadata["snapshots"][0];
	auto list = ReadManifestList(ReadFile(dir + "snap-2456114553637229296-1-d65f86b0-b799-467f-b1f4-9c697e4c4fc7.avro"));
	ASSERT_EQ(list.size(), 1u);
	auto &entry = list[0];
	// v1 lists carry no content or sequence numbers: they read as data and 0.
	EXPECT_EQ(entry.content, ManifestContent::Data);
	EXPECT_EQ(entry.sequence_number, 0);
	EXPECT_EQ(entry.min_sequence_number, 0);
	EXPECT_EQ(entry.added_snapshot_id, snapshot["snapshot-id"].get<int64_t>());
	EXPECT_EQ(entry.added_files_count, SummaryNumber(snapshot, "added-data-files"));
	EXPECT_EQ(entry.added_rows_count, SummaryNumber(snapshot, "added-records"));
	EXPECT_EQ(metadata["snapshots"][0]["manifests"][0].get<std::string>().ends_with(
	              std::filesystem::path(entry.manifest_path).filename().string()),
	          true);
	auto bytes = ReadFile(dir + "d65f86b0-b799-467f-b1f4-9c697e4c4fc7-m0.avro");
	EXPECT_EQ(entry.manifest_length, static_cast<int64_t>(bytes.size()));
	auto manifest = ReadManifest(bytes);
	EXPECT_EQ(manifest.format_version, 1);
	EXPECT_EQ(Json::parse(manifest.schema_json), metadata["schema"]);
	EXPECT_EQ(manifest.partition_fields[0].transform, "identity");
	EXPECT_EQ(manifest.partition_fields[0].source_id, 2);
	InheritFromManifestList(manifest.entries, entry);
	int64_t size = 0;
	for (auto &manifest_entry : manifest.entries) {
		EXPECT_EQ(manifest_entry.sequence_number, 0);
		EXPECT_EQ(manifest_entry.file_sequence_number, 0);
		EXPECT_EQ(manifest_entry.data_file.content, FileContent::Data); // v1 has no content field
		EXPECT_EQ(manifest_entry.data_file.partition,
		          std::vector<Literal> {PathPartition(manifest_entry.data_file.file_path, "category")});
		size += manifest_entry.data_file.file_size_in_bytes;
	}
	EXPECT_EQ(size, SummaryNumber(snapshot, "added-files-size"));
	EXPECT_EQ(DeserializeBinary(*entry.partitions[0].lower_bound, T("string")), Literal(std::string("alpha")));
	EXPECT_EQ(DeserializeBinary(*entry.partitions[0].upper_bound, T("string")), Literal(std::string("beta")));
}

TEST(IcebergManifestFixtures, PyIcebergTimestamptzPartitions) {
	auto dir = kFixtures + "pyiceberg_v2_timestamptz/";
	auto metadata = Json::parse(ReadFile(dir + "00001-ffeadb58-2a9e-46ba-8b4f-f363f05de68c.metadata.json"));
	auto &snapshot = metadata["snapshots"][0];
	auto list = ReadManifestList(ReadFile(dir + "snap-1930660809162697972-0-cf619707-d8b6-44d1-b057-0af5e41c05bb.avro"));
	ASSERT_EQ(list.size(), 1u);
	EXPECT_EQ(list[0].sequence_number, snapshot["sequence-number"].get<int64_t>());
	auto bytes = ReadFile(dir + "cf619707-d8b6-44d1-b057-0af5e41c05bb-m0.avro");
	EXPECT_EQ(list[0].manifest_length, static_cast<int64_t>(bytes.size()));
	auto manifest = ReadManifest(bytes);
	ASSERT_EQ(manifest.partition_fields.size(), 1u);
	EXPECT_EQ(manifest.partition_fields[0].result_type, T("timestamptz"));
	int64_t size = 0;
	for (auto &entry : manifest.entries) {
		auto &file = entry.data_file;
		// PyIceberg wrote "partition_col=2023-05-15T14%3A30%3A45%2B00%3A00".
		auto directory = PathPartition(file.file_path, "partition_col");
		for (auto [escaped, plain] : {std::pair {"%3A", ":"}, std::pair {"%2B", "+"}}) {
			for (size_t at; (at = directory.find(escaped)) != std::string::npos;) {
				directory.replace(at, 3, plain);
			}
		}
		EXPECT_EQ(ToJson(file.partition[0], T("timestamptz")), directory);
		EXPECT_EQ(DeserializeBinary(file.lower_bounds.at(1), T("timestamptz")), file.partition[0]);
		size += file.file_size_in_bytes;
	}
	EXPECT_EQ(size, SummaryNumber(snapshot, "added-files-size"));
	EXPECT_EQ(DeserializeBinary(*list[0].partitions[0].lower_bound, T("timestamptz")), manifest.entries[0].data_file.partition[0]);
}

// Decodes a file with avsc, which scripts/setup installs; nullopt (a failure) without it.
std::optional<Json> DecodeWithAvsc(const std::string &path) {
	auto node_dir = std::string(AKKO_SOURCE_DIR) + "/tests/integration/node";
	if (!std::filesystem::exists(node_dir + "/node_modules/avsc/package.json")) {
		ADD_FAILURE() << "avsc is not installed: run scripts/setup";
		return std::nullopt;
	}
	auto output = path + ".json";
	auto command = fmt::format("node '{}/avsc_check.mjs' '{}' > '{}'", node_dir, path, output);
	EXPECT_EQ(std::system(command.c_str()), 0) << command;
	return Json::parse(ReadFile(output));
}

TEST(IcebergManifestInterop, AvscDecodesOurFiles) {
	char pattern[] = "/tmp/akko-avro-XXXXXX";
	ASSERT_NE(mkdtemp(pattern), nullptr);
	std::filesystem::path dir(pattern);
	auto options = Options();
	auto entries = Entries();
	auto manifest_bytes = WriteManifest(options, entries);
	std::ofstream(dir / "m0.avro", std::ios::binary) << manifest_bytes;
	ManifestListWriteOptions list_options;
	list_options.snapshot_id = kSnapshotId;
	list_options.sequence_number = 7;
	auto summary = SummarizeManifest(options, entries, "s3://b/t/metadata/m0.avro",
	                                 static_cast<int64_t>(manifest_bytes.size()), kSnapshotId);
	std::ofstream(dir / "snap.avro", std::ios::binary) << WriteManifestList(list_options, {summary});

	auto manifest = DecodeWithAvsc(dir / "m0.avro");
	auto list = DecodeWithAvsc(dir / "snap.avro");
	std::filesystem::remove_all(dir);
	ASSERT_TRUE(manifest && list);
	EXPECT_EQ((*manifest)["codec"], "deflate");
	EXPECT_EQ((*manifest)["metadata"]["format-version"], "2");
	EXPECT_EQ((*manifest)["metadata"]["content"], "data");
	// The writer schema as avsc read it carries the spec's ids.
	auto &data_file = (*manifest)["schema"]["fields"][4];
	EXPECT_EQ(data_file["field-id"], 2);
	EXPECT_EQ(data_file["type"]["fields"][1]["name"], "file_path");
	EXPECT_EQ(data_file["type"]["fields"][1]["field-id"], 100);
	EXPECT_EQ(data_file["type"]["fields"][3]["type"]["fields"][5]["field-id"], 1005);

	auto &records = (*manifest)["records"];
	ASSERT_EQ(records.size(), 3u);
	auto &first = records[0];
	EXPECT_EQ(first["status"], 1);
	EXPECT_EQ(first["snapshot_id"].get<int64_t>(), kSnapshotId);
	EXPECT_TRUE(first["sequence_number"].is_null());
	auto &file = first["data_file"];
	EXPECT_EQ(file["content"], 0);
	EXPECT_EQ(file["file_path"], "s3://b/t/data/a.parquet");
	EXPECT_EQ(file["file_format"], "PARQUET");
	EXPECT_EQ(file["record_count"], 10);
	EXPECT_EQ(file["file_size_in_bytes"], 1000);
	// Partition values in Avro's form: date as int, decimal(9,2) 14.20 as 4-byte fixed
	// 0x0000058c, uuid as its 16 bytes.
	EXPECT_EQ(file["partition"], Json::parse(R"({"name":"b","ts_day":17486,"price":"0000058c",
		"u":"f79c3e09677c4bbda4793f349cb785e7","score":-0.0,"my_x2Dcol":1})"));
	EXPECT_EQ(file["column_sizes"], Json::parse(R"([{"key":1,"value":111},{"key":2,"value":222}])"));
	EXPECT_EQ(file["lower_bounds"], Json::parse(R"([{"key":1,"value":"fdffffffffffffff"}])")); // -3
	EXPECT_EQ(file["upper_bounds"], Json::parse(R"([{"key":1,"value":"6300000000000000"}])")); // 99
	EXPECT_EQ(file["split_offsets"], Json::parse("[4,4096]"));
	EXPECT_EQ(file["key_metadata"], "0001");
	EXPECT_EQ(file["sort_order_id"], 0);
	EXPECT_TRUE(file["equality_ids"].is_null());
	EXPECT_EQ(records[1]["sequence_number"], 5);
	EXPECT_EQ(records[1]["file_sequence_number"], 6);
	EXPECT_TRUE(records[1]["data_file"]["partition"]["name"].is_null());
	EXPECT_EQ(records[1]["data_file"]["partition"]["price"], "fffffffb"); // -0.05, sign-extended
	EXPECT_EQ(records[2]["status"], 2);

	EXPECT_EQ((*list)["metadata"]["snapshot-id"], std::to_string(kSnapshotId));
	EXPECT_EQ((*list)["metadata"]["sequence-number"], "7");
	auto &listed = (*list)["records"][0];
	EXPECT_EQ(listed["manifest_path"], "s3://b/t/metadata/m0.avro");
	EXPECT_EQ(listed["manifest_length"], manifest_bytes.size());
	EXPECT_EQ(listed["sequence_number"], 7);
	EXPECT_EQ(listed["min_sequence_number"], 5);
	EXPECT_EQ(listed["added_snapshot_id"].get<int64_t>(), kSnapshotId);
	EXPECT_EQ(listed["added_files_count"], 1);
	EXPECT_EQ(listed["existing_rows_count"], 20);
	EXPECT_EQ(listed["partitions"][0], Json::parse(R"({"contains_null":true,"contains_nan":false,"lower_bound":"61","upper_bound":"62"})"));
	auto &list_fields = (*list)["schema"]["fields"];
	std::vector<int> ids;
	for (auto &field : list_fields) {
		ids.push_back(field["field-id"].get<int>());
	}
	EXPECT_EQ(ids, (std::vector<int> {500, 501, 502, 517, 515, 516, 503, 504, 505, 506, 512, 513, 514, 507, 519}));
	EXPECT_EQ(list_fields[13]["type"][1]["element-id"], 508);
}

} // namespace
