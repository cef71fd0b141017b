// Iceberg table and view metadata against files other implementations wrote (Java's own test
// fixtures, Spark, Trino, PyIceberg, iceberg-rust; see tests/fixtures/iceberg/metadata/README.md),
// the examples in the table and view specs, and what Java's tests document about them.
#include "common/error.hpp"
#include "iceberg/table_metadata.hpp"
#include "iceberg/view_metadata.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

using namespace akko::iceberg;
using akko::ErrorCode;
using nlohmann::json;

namespace {

json Fixture(const std::string &name) {
	std::ifstream in(std::string(AKKO_SOURCE_DIR) + "/tests/fixtures/iceberg/metadata/" + name);
	EXPECT_TRUE(in.good()) << name;
	std::stringstream text;
	text << in.rdbuf();
	return json::parse(text.str());
}

// Runs `body`, expecting akko::Error with `code` and a message containing `fragment`.
void ExpectError(const std::function<void()> &body, ErrorCode code, const std::string &fragment) {
	try {
		body();
		ADD_FAILURE() << "no error; expected one containing \"" << fragment << "\"";
	} catch (const akko::Error &error) {
		EXPECT_EQ(error.code, code) << error.message;
		EXPECT_NE(error.message.find(fragment), std::string::npos) << error.message;
	}
}

// What Java writes differently from, but equivalently to, what it reads: empty lists and maps
// may be absent, a v1/v2 sequence number of 0 is left out, no current snapshot may be -1, null
// or absent, and empty identifier-field-ids are left out.
json Normalize(const json &value) {
	if (value.is_array()) {
		json result = json::array();
		for (auto &item : value) {
			result.push_back(Normalize(item));
		}
		return result;
	}
	if (!value.is_object()) {
		return value;
	}
	json result = json::object();
	for (auto &[key, item] : value.items()) {
		auto normal = Normalize(item);
		if (normal.is_null() || ((normal.is_array() || normal.is_object()) && normal.empty()) ||
		    (key == "sequence-number" && normal == 0) || (key == "current-snapshot-id" && normal == -1)) {
			continue;
		}
		result[key] = std::move(normal);
	}
	return result;
}

// Every field of `input` comes back with the same value, nested ones included; whatever the
// output adds is among the fields Java always writes (a schema's "schema-id" too).
void ExpectSubset(const json &want, const json &got, const std::string &path) {
	static const std::set<std::string> always_written = {"schemas",
	                                                     "current-schema-id",
	                                                     "partition-specs",
	                                                     "default-spec-id",
	                                                     "last-partition-id",
	                                                     "sort-orders",
	                                                     "default-sort-order-id",
	                                                     "refs",
	                                                     "schema",
	                                                     "partition-spec",
	                                                     "schema-id"};
	if (want.is_object() && got.is_object()) {
		for (auto &[key, value] : want.items()) {
			if (!got.contains(key)) {
				ADD_FAILURE() << "lost " << path << "/" << key;
				continue;
			}
			ExpectSubset(value, got[key], path + "/" + key);
		}
		for (auto &[key, value] : got.items()) {
			EXPECT_TRUE(want.contains(key) || always_written.count(key)) << "added " << path << "/" << key;
		}
	} else if (want.is_array() && got.is_array() && want.size() == got.size()) {
		for (size_t i = 0; i < want.size(); i++) {
			ExpectSubset(want[i], got[i], path + "/" + std::to_string(i));
		}
	} else {
		EXPECT_EQ(got, want) << path;
	}
}

void ExpectKeepsEveryField(const json &input, const json &output) {
	ExpectSubset(Normalize(input), Normalize(output), "");
}

const char *kTableFixtures[] = {
    "java-TableMetadataV2Valid.json",
    "java-TableMetadataV1Valid.json",
    "java-TableMetadataV2ValidMinimal.json",
    "java-TableMetadataV3ValidMinimal.json",
    "java-TableMetadataStatisticsFiles.json",
    "java-TableMetadataPartitionStatisticsFiles.json",
    "spark-lineitem-v2.metadata.json",
    "spark-legacy-v1.metadata.json",
    "pyiceberg-defaults-in-struct.metadata.json",
    "trino-timetravel.metadata.json",
    "rust-table-data-v3.metadata.json",
};

TEST(IcebergTableMetadata, WritesBackEveryFieldOfFilesOthersWrote) {
	for (auto name : kTableFixtures) {
		SCOPED_TRACE(name);
		auto input = Fixture(name);
		auto output = ToJson(ParseTableMetadata(input));
		ExpectKeepsEveryField(input, output);
		// What we write reads back to the same file.
		EXPECT_EQ(ToJson(ParseTableMetadata(output)), output);
	}
}

TEST(IcebergTableMetadata, ReadsJavaV2Fixture) {
	auto metadata = ParseTableMetadata(Fixture("java-TableMetadataV2Valid.json"));
	EXPECT_EQ(metadata.format_version, 2);
	EXPECT_EQ(metadata.table_uuid, "9c12d441-03fe-4693-9a96-a0705ddf69c1");
	EXPECT_EQ(metadata.last_sequence_number, 34);
	EXPECT_EQ(metadata.last_column_id, 3);
	ASSERT_EQ(metadata.schemas.size(), 2u);
	EXPECT_EQ(metadata.CurrentSchema().schema_id, 1);
	// Java's testParseSchemaIdentifierFields.
	EXPECT_TRUE(metadata.SchemaById(0)->identifier_field_ids.empty());
	EXPECT_EQ(metadata.SchemaById(1)->identifier_field_ids, (std::vector<int32_t> {1, 2}));
	EXPECT_EQ(metadata.CurrentSchema().FindField(2)->doc, "comment");
	auto &spec = metadata.DefaultSpec();
	ASSERT_EQ(spec.fields.size(), 1u);
	EXPECT_EQ(spec.fields[0], (PartitionField {1, 1000, "x", "identity"}));
	auto &order = metadata.DefaultSortOrder();
	EXPECT_EQ(order.order_id, 3);
	ASSERT_EQ(order.fields.size(), 2u);
	EXPECT_EQ(order.fields[1].transform, "bucket[4]");
	EXPECT_EQ(order.fields[1].direction, SortDirection::Desc);
	EXPECT_EQ(order.fields[1].null_order, NullOrder::NullsLast);
	ASSERT_NE(metadata.CurrentSnapshot(), nullptr);
	EXPECT_EQ(metadata.CurrentSnapshot()->snapshot_id, 3055729675574597004);
	EXPECT_EQ(metadata.CurrentSnapshot()->parent_snapshot_id, 3051729675574597004);
	EXPECT_EQ(metadata.CurrentSnapshot()->summary.at("operation"), "append");
	// No "refs" in the file: Java initializes main at the current snapshot.
	ASSERT_EQ(metadata.refs.size(), 1u);
	EXPECT_EQ(metadata.Ref("main")->snapshot_id, 3055729675574597004);
	EXPECT_EQ(metadata.Ref("main")->type, SnapshotRefType::Branch);
	EXPECT_EQ(metadata.snapshot_log.size(), 2u);
}

TEST(IcebergTableMetadata, ReadsV1WithJavaDefaults) {
	auto input = Fixture("java-TableMetadataV1Valid.json");
	auto metadata = ParseTableMetadata(input);
	EXPECT_EQ(metadata.format_version, 1);
	EXPECT_EQ(metadata.last_sequence_number, 0);
	ASSERT_EQ(metadata.schemas.size(), 1u);
	EXPECT_EQ(metadata.current_schema_id, 0);
	ASSERT_EQ(metadata.partition_specs.size(), 1u);
	EXPECT_EQ(metadata.default_spec_id, 0);
	EXPECT_EQ(metadata.DefaultSpec().fields[0].field_id, 1000);
	// No last-partition-id in v1: the highest field id of the specs.
	EXPECT_EQ(metadata.last_partition_id, 1000);
	// No sort orders in v1: the unsorted order 0.
	ASSERT_EQ(metadata.sort_orders.size(), 1u);
	EXPECT_TRUE(metadata.DefaultSortOrder().IsUnsorted());
	EXPECT_EQ(metadata.default_sort_order_id, 0);
	EXPECT_FALSE(metadata.current_snapshot_id);
	EXPECT_TRUE(metadata.refs.empty());

	// Java keeps writing the singular fields for v1 readers, and no sequence number.
	auto output = ToJson(metadata);
	auto schema = input["schema"];
	schema["schema-id"] = 0;
	EXPECT_EQ(output["schema"], schema);
	EXPECT_EQ(output["partition-spec"], input["partition-spec"]);
	EXPECT_FALSE(output.contains("last-sequence-number"));
	EXPECT_EQ(output["current-snapshot-id"], -1);

	// A v1 table may have no uuid; Java writes it as null.
	input.erase("table-uuid");
	EXPECT_TRUE(ToJson(ParseTableMetadata(input))["table-uuid"].is_null());
}

TEST(IcebergTableMetadata, ReadsV1FieldIdsMissingAsJavaAssignsThem) {
	auto input = Fixture("java-TableMetadataV1Valid.json");
	input["partition-spec"] = json::parse(R"([{"name": "x", "transform": "identity", "source-id": 1},
	                                          {"name": "y", "transform": "bucket[4]", "source-id": 2}])");
	input.erase("last-partition-id");
	auto metadata = ParseTableMetadata(input);
	EXPECT_EQ(metadata.DefaultSpec().fields[0].field_id, 1000);
	EXPECT_EQ(metadata.DefaultSpec().fields[1].field_id, 1001);
	EXPECT_EQ(metadata.last_partition_id, 1001);
}

TEST(IcebergTableMetadata, ReadsMinimalV2AndV3) {
	// Java's testParseMinimal.
	auto minimal = ParseTableMetadata(Fixture("java-TableMetadataV2ValidMinimal.json"));
	EXPECT_TRUE(minimal.snapshots.empty());
	EXPECT_TRUE(minimal.snapshot_log.empty());
	EXPECT_TRUE(minimal.properties.empty());
	EXPECT_TRUE(minimal.metadata_log.empty());

	auto v3 = ParseTableMetadata(Fixture("java-TableMetadataV3ValidMinimal.json"));
	EXPECT_EQ(v3.format_version, 3);
	EXPECT_EQ(v3.next_row_id, 0);
	EXPECT_EQ(v3.CurrentSchema().FindField(1)->initial_default, json(1));
	EXPECT_EQ(v3.CurrentSchema().FindField(1)->write_default, json(1));
	// From v3 on Java writes a missing current snapshot as null, and always next-row-id.
	auto output = ToJson(v3);
	EXPECT_TRUE(output.contains("current-snapshot-id"));
	EXPECT_TRUE(output["current-snapshot-id"].is_null());
	EXPECT_EQ(output["next-row-id"], 0);
}

TEST(IcebergTableMetadata, ReadsV3RowLineageAndEncryptionKeys) {
	// The values iceberg-rust's test_table_data_v3 expects from this file.
	auto metadata = ParseTableMetadata(Fixture("rust-table-data-v3.metadata.json"));
	EXPECT_EQ(metadata.next_row_id, 5);
	EXPECT_FALSE(metadata.current_snapshot_id);
	ASSERT_EQ(metadata.snapshots.size(), 1u);
	auto &snapshot = metadata.snapshots[0];
	EXPECT_EQ(snapshot.first_row_id, 0);
	EXPECT_EQ(snapshot.added_rows, 4);
	EXPECT_EQ(snapshot.key_id, "key1");
	ASSERT_EQ(metadata.encryption_keys.size(), 1u);
	auto &key = metadata.encryption_keys[0];
	EXPECT_EQ(key.key_id, "key1");
	EXPECT_EQ(key.encrypted_by_id, "KMS");
	EXPECT_EQ(key.encrypted_key_metadata, "c29tZS1lbmNyeXB0aW9uLWtleQ==");
	EXPECT_EQ(key.properties, (std::map<std::string, std::string> {{"p1", "v1"}}));
	ASSERT_EQ(metadata.metadata_log.size(), 1u);
	EXPECT_EQ(metadata.metadata_log[0], (MetadataLogEntry {1515100, "s3://bucket/.../v1.json"}));
}

TEST(IcebergTableMetadata, ReadsStatisticsAsJavaDoes) {
	// Java's testParseStatisticsFiles and testParsePartitionStatisticsFiles.
	auto metadata = ParseTableMetadata(Fixture("java-TableMetadataStatisticsFiles.json"));
	ASSERT_EQ(metadata.statistics.size(), 1u);
	StatisticsFile expected {3055729675574597004,
	                         "s3://a/b/stats.puffin",
	                         413,
	                         42,
	                         std::nullopt,
	                         {BlobMetadata {"ndv", 3055729675574597004, 1, {1}, {}}}};
	EXPECT_EQ(metadata.statistics[0], expected);

	auto partition = ParseTableMetadata(Fixture("java-TableMetadataPartitionStatisticsFiles.json"));
	ASSERT_EQ(partition.partition_statistics.size(), 1u);
	EXPECT_EQ(partition.partition_statistics[0],
	          (PartitionStatisticsFile {3055729675574597004, "s3://a/b/partition-stats.parquet", 43}));
}

TEST(IcebergTableMetadata, ReadsSparkV1WithInlineManifests) {
	auto metadata = ParseTableMetadata(Fixture("spark-legacy-v1.metadata.json"));
	ASSERT_EQ(metadata.snapshots.size(), 1u);
	EXPECT_TRUE(metadata.snapshots[0].manifest_list.empty());
	EXPECT_EQ(metadata.snapshots[0].manifests,
	          (std::vector<std::string> {"data/persistent/iceberg_v1_deprecated/default/legacy_v1/metadata/"
	                                     "d65f86b0-b799-467f-b1f4-9c697e4c4fc7-m0.avro"}));
	EXPECT_EQ(metadata.snapshots[0].sequence_number, 0);
	EXPECT_EQ(metadata.DefaultSpec().fields[0], (PartitionField {2, 1000, "category", "identity"}));
}

TEST(IcebergTableMetadata, ReadsPyIcebergDefaultsAndNestedFields) {
	auto metadata = ParseTableMetadata(Fixture("pyiceberg-defaults-in-struct.metadata.json"));
	auto &schema = metadata.CurrentSchema();
	EXPECT_EQ(schema.HighestFieldId(), 16);
	auto field = schema.FindFieldByName("a.col_long");
	ASSERT_NE(field, nullptr);
	EXPECT_EQ(field->id, 5);
	EXPECT_EQ(field->initial_default, json(std::numeric_limits<int64_t>::min()));
	EXPECT_EQ(schema.FindFieldByName("a.col_decimal")->type->ToString(), "decimal(16, 2)");
	EXPECT_EQ(schema.FindFieldByName("a.col_decimal")->write_default, json("12345.00"));
	EXPECT_EQ(schema.FindFieldByName("a.col_fixed")->type->length, 5);
	EXPECT_EQ(schema.FindColumnName(14), "a.col_uuid");
	EXPECT_EQ(schema.FindFieldByName("A.COL_UUID"), nullptr);
	EXPECT_EQ(schema.FindFieldByName("A.COL_UUID", false)->id, 14);
	auto path = schema.FieldPath(9);
	ASSERT_EQ(path.size(), 2u);
	EXPECT_EQ(path[0]->name, "a");
	EXPECT_EQ(path[1]->name, "col_date");
}

TEST(IcebergTableMetadata, TimeTravelReadsTheSnapshotLog) {
	// Trino's time-travel table: snapshots 1..4 became current at these times (the log).
	auto metadata = ParseTableMetadata(Fixture("trino-timetravel.metadata.json"));
	EXPECT_EQ(metadata.SnapshotAsOf(1688101306264), nullptr);
	EXPECT_EQ(metadata.SnapshotAsOf(1688101306265)->snapshot_id, 3669526782178248824);
	EXPECT_EQ(metadata.SnapshotAsOf(1688200000000)->snapshot_id, 583816926071139654);
	EXPECT_EQ(metadata.SnapshotAsOf(1688274219586)->snapshot_id, 6153714018221937993);
	EXPECT_EQ(metadata.SnapshotAsOf(1700000000000)->snapshot_id, 8471224892810331394);
	EXPECT_EQ(metadata.metadata_log.size(), 3u);
}

TEST(IcebergTableMetadata, RefusesWhatJavaRefuses) {
	// The fixtures and messages of Java's TestTableMetadata parser tests.
	ExpectError([] { ParseTableMetadata(Fixture("java-TableMetadataV2MissingPartitionSpecs.json")); },
	            ErrorCode::InvalidInput, "\"partition-specs\" must exist in format v2");
	ExpectError([] { ParseTableMetadata(Fixture("java-TableMetadataV2MissingLastPartitionId.json")); },
	            ErrorCode::InvalidInput, "\"last-partition-id\" must exist in format v2");
	ExpectError([] { ParseTableMetadata(Fixture("java-TableMetadataV2MissingSortOrder.json")); },
	            ErrorCode::InvalidInput, "\"sort-orders\" must exist in format v2");
	ExpectError([] { ParseTableMetadata(Fixture("java-TableMetadataV2CurrentSchemaNotFound.json")); },
	            ErrorCode::InvalidInput, "cannot find the current schema 2");
	ExpectError([] { ParseTableMetadata(Fixture("java-TableMetadataV2MissingSchemas.json")); }, ErrorCode::InvalidInput,
	            "\"schemas\" must exist in format v2");
	ExpectError([] { ParseTableMetadata(Fixture("java-TableMetadataUnsupportedVersion.json")); },
	            ErrorCode::InvalidInput, "unsupported table format version 42");
	ExpectError([] { ParseTableMetadata(Fixture("java-TableMetadataV1MissingSchemaType.json")); },
	            ErrorCode::InvalidInput, "\"type\" is missing");
}

TEST(IcebergTableMetadata, RefusesInconsistentSnapshotsAndRefs) {
	auto base = Fixture("java-TableMetadataV2Valid.json");
	auto expect = [&](const std::function<void(json &)> &edit, const std::string &fragment) {
		auto copy = base;
		edit(copy);
		ExpectError([&] { ParseTableMetadata(copy); }, ErrorCode::InvalidInput, fragment);
	};
	expect([](json &j) { j["last-sequence-number"] = 0; }, "greater than last sequence number 0");
	expect([](json &j) { j["current-snapshot-id"] = 42; }, "snapshot 42 of reference \"main\" does not exist");
	expect(
	    [](json &j) {
		    j["current-snapshot-id"] = 42;
		    j["refs"] = json::object();
	    },
	    "cannot find the current snapshot 42");
	expect(
	    [](json &j) {
		    j["current-snapshot-id"] = -1;
		    j["refs"] = {{"main", {{"snapshot-id", 3051729675574597004}, {"type", "branch"}}}};
	    },
	    "current snapshot is not set, but main branch exists");
	expect(
	    [](json &j) {
		    j["refs"] = {{"main", {{"snapshot-id", 3051729675574597004}, {"type", "branch"}}}};
	    },
	    "does not match main branch");
	expect([](json &j) { j["refs"] = {{"t", {{"snapshot-id", 7}, {"type", "tag"}}}}; }, "snapshot 7 of reference");
	expect(
	    [](json &j) {
		    j["refs"] = {{"t", {{"snapshot-id", 3051729675574597004}, {"type", "tag"}, {"min-snapshots-to-keep", 2}}}};
	    },
	    "tags do not support");
	expect(
	    [](json &j) {
		    j["refs"] = {{"t", {{"snapshot-id", 3051729675574597004}, {"type", "twig"}}}};
	    },
	    "invalid snapshot reference type \"twig\"");
	expect([](json &j) { j["default-spec-id"] = 9; }, "cannot find the default partition spec 9");
	expect([](json &j) { j["default-sort-order-id"] = 9; }, "cannot find the default sort order 9");
	expect([](json &j) { j["partition-specs"][0]["fields"][0]["source-id"] = 99; },
	       "cannot find source column for partition field");
	expect([](json &j) { j["sort-orders"][0]["fields"][0]["direction"] = "sideways"; }, "invalid sort direction");
	expect([](json &j) { j.erase("table-uuid"); }, "a table uuid is required in format v2");
	expect([](json &j) { j.erase("location"); }, "\"location\" is missing");
	expect([](json &j) { j["schemas"][1]["fields"][1]["id"] = 1; }, "field id 1 is used more than once");
	expect([](json &j) { j["schemas"][1]["identifier-field-ids"] = {1, 7}; }, "field id 7 as an identifier field");
}

TEST(IcebergTableMetadata, HostileJsonRaisesErrorsNeverCrashes) {
	auto base = Fixture("java-TableMetadataV2Valid.json");
	auto expect_invalid = [](const json &input, const std::string &fragment) {
		ExpectError([&] { ParseTableMetadata(input); }, ErrorCode::InvalidInput, fragment);
	};
	expect_invalid(json::array(), "table metadata must be a JSON object");
	expect_invalid(json("metadata"), "table metadata must be a JSON object");
	expect_invalid(json(), "table metadata must be a JSON object");
	auto with = [&](const std::string &pointer, json value) {
		auto copy = base;
		copy[json::json_pointer(pointer)] = std::move(value);
		return copy;
	};
	expect_invalid(with("/format-version", "2"), "\"format-version\" must be a 32-bit integer");
	expect_invalid(with("/last-column-id", 1.5), "\"last-column-id\" must be a 32-bit integer");
	expect_invalid(with("/last-column-id", 2147483648LL), "\"last-column-id\" must be a 32-bit integer");
	expect_invalid(with("/location", 5), "\"location\" must be a string");
	expect_invalid(with("/snapshots/0/snapshot-id", 1e30), "\"snapshot-id\" must be a 64-bit integer");
	expect_invalid(with("/snapshots/0/snapshot-id", 18446744073709551615ULL),
	               "\"snapshot-id\" must be a 64-bit integer");
	expect_invalid(with("/schemas/0/fields/0/id", -2147483649LL), "\"id\" must be a 32-bit integer");
	expect_invalid(with("/properties", json {{"k", 1}}), "\"properties.k\" must be a string");
	expect_invalid(with("/schemas", json::object()), "\"schemas\" must be an array");
	expect_invalid(with("/schemas/0/fields/0/type", "varchar"), "cannot parse type string \"varchar\"");
	expect_invalid(with("/schemas/0/fields/0/type", json {{"type", "tuple"}}), "unknown nested type \"tuple\"");
	expect_invalid(with("/snapshots/0/summary", json::array()), "\"summary\" must be an object");

	// Nesting deep enough to exhaust a small stack is refused before it is walked.
	json deep = "long";
	for (int i = 0; i < 5000; i++) {
		deep = {{"type", "list"}, {"element-id", i + 10}, {"element-required", true}, {"element", std::move(deep)}};
	}
	expect_invalid(with("/schemas/0/fields/0/type", deep), "types nest more than");

	// Every value replaced by every other kind of value, and every field removed: an error
	// or a valid table, never another exception.
	std::vector<json> replacements = {json(),     json("x"),     json(1.5),      json(-1),          json(1LL << 40),
	                                  json(true), json::array(), json::object(), json(4294967296LL)};
	auto flat = base.flatten();
	size_t refused = 0;
	for (auto &[pointer, original] : flat.items()) {
		std::vector<json> variants;
		for (auto &replacement : replacements) {
			variants.push_back(with(pointer, replacement));
		}
		auto removed = base;
		json::json_pointer path(pointer);
		auto &parent = removed[path.parent_pointer()];
		if (parent.is_array()) {
			parent.erase(std::stoul(path.back()));
		} else {
			parent.erase(path.back());
		}
		variants.push_back(removed);
		for (auto &variant : variants) {
			try {
				auto metadata = ParseTableMetadata(variant);
				ToJson(metadata);
			} catch (const akko::Error &error) {
				EXPECT_EQ(error.code, ErrorCode::InvalidInput) << pointer << ": " << error.message;
				refused++;
			} catch (const std::exception &error) {
				ADD_FAILURE() << pointer << ": " << error.what();
			}
		}
	}
	EXPECT_GT(refused, flat.size());
}

TEST(IcebergTypes, PrimitiveTypeStringsOfTheSpec) {
	struct Case {
		const char *text;
		TypeId id;
		const char *canonical;
	};
	// Appendix C's type strings; Java writes decimals with a space after the comma.
	Case cases[] = {
	    {"boolean", TypeId::Boolean, "boolean"},
	    {"int", TypeId::Int, "int"},
	    {"long", TypeId::Long, "long"},
	    {"float", TypeId::Float, "float"},
	    {"double", TypeId::Double, "double"},
	    {"date", TypeId::Date, "date"},
	    {"time", TypeId::Time, "time"},
	    {"timestamp", TypeId::Timestamp, "timestamp"},
	    {"timestamptz", TypeId::TimestampTz, "timestamptz"},
	    {"timestamp_ns", TypeId::TimestampNs, "timestamp_ns"},
	    {"timestamptz_ns", TypeId::TimestampTzNs, "timestamptz_ns"},
	    {"string", TypeId::String, "string"},
	    {"uuid", TypeId::Uuid, "uuid"},
	    {"fixed[16]", TypeId::Fixed, "fixed[16]"},
	    {"binary", TypeId::Binary, "binary"},
	    {"decimal(9,2)", TypeId::Decimal, "decimal(9, 2)"},
	    {"decimal(9, 2)", TypeId::Decimal, "decimal(9, 2)"},
	    {"unknown", TypeId::Unknown, "unknown"},
	    {"variant", TypeId::Variant, "variant"},
	    {"geometry(srid:4326)", TypeId::Geometry, "geometry(srid:4326)"},
	    {"geography(srid:4326, spherical)", TypeId::Geography, "geography(srid:4326, spherical)"},
	    {"geometry", TypeId::Geometry, "geometry(OGC:CRS84)"},
	    {"geography", TypeId::Geography, "geography(OGC:CRS84, spherical)"},
	    {"LONG", TypeId::Long, "long"},
	    {"Decimal( 38 , 0 )", TypeId::Decimal, "decimal(38, 0)"},
	};
	for (auto &c : cases) {
		auto type = ParsePrimitiveType(c.text);
		EXPECT_EQ(type->id, c.id) << c.text;
		EXPECT_EQ(type->ToString(), c.canonical) << c.text;
		EXPECT_EQ(ToJson(*type), json(c.canonical)) << c.text;
	}
	EXPECT_EQ(ParsePrimitiveType("decimal(9,2)")->precision, 9);
	EXPECT_EQ(ParsePrimitiveType("decimal(9,2)")->scale, 2);
	EXPECT_EQ(*ParsePrimitiveType("decimal(9,2)"), *ParsePrimitiveType("decimal(9, 2)"));
	EXPECT_EQ(*ParsePrimitiveType("geometry(OGC:CRS84)"), *ParsePrimitiveType("geometry(ogc:crs84)"));
	EXPECT_FALSE(ParsePrimitiveType("variant")->IsPrimitive());
	for (auto bad : {"decimal(39,2)", "decimal(9)", "decimal(-1,2)", "fixed[0]", "fixed[]", "fixed[99999999999]",
	                 "int2", "", "struct", "geography(srid:4326, flat)", "geometry()"}) {
		ExpectError([&] { ParsePrimitiveType(bad); }, ErrorCode::InvalidInput, "");
	}
}

TEST(IcebergTypes, NestedTypeExamplesOfAppendixC) {
	auto list = json::parse(R"({"type": "list", "element-id": 3, "element-required": true, "element": "string"})");
	auto map = json::parse(
	    R"({"type": "map", "key-id": 4, "key": "string", "value-id": 5, "value-required": false, "value": "double"})");
	auto structure = json::parse(R"({"type": "struct", "fields": [
	    {"id": 1, "name": "id", "required": true, "type": "uuid",
	     "initial-default": "0db3e2a8-9d1d-42b9-aa7b-74ebe558dceb",
	     "write-default": "ec5911be-b0a7-458c-8438-c9a3e53cffae"},
	    {"id": 2, "name": "data", "required": false, "type": {"type": "list", "element-id": 3, "element-required": true, "element": "string"}}]})");
	for (auto &example : {list, map, structure}) {
		EXPECT_EQ(ToJson(*ParseType(example)), example);
	}
	auto parsed_map = ParseType(map);
	EXPECT_EQ(parsed_map->fields[0].name, "key");
	EXPECT_TRUE(parsed_map->fields[0].required);
	EXPECT_EQ(parsed_map->fields[1].id, 5);
	EXPECT_FALSE(parsed_map->fields[1].required);
	EXPECT_EQ(ParseType(list)->fields[0].type->id, TypeId::String);
	EXPECT_EQ(ParseType(structure)->fields[0].initial_default, json("0db3e2a8-9d1d-42b9-aa7b-74ebe558dceb"));
}

Schema NestedSchema() {
	return ParseSchema(json::parse(R"({"type": "struct", "schema-id": 4, "identifier-field-ids": [10], "fields": [
	    {"id": 10, "name": "id", "required": true, "type": "long"},
	    {"id": 20, "name": "location", "required": true, "type": {"type": "struct", "fields": [
	        {"id": 21, "name": "lat", "required": true, "type": "double"},
	        {"id": 22, "name": "long", "required": false, "type": "double"}]}},
	    {"id": 30, "name": "points", "required": false, "type": {"type": "list", "element-id": 31,
	        "element-required": true, "element": {"type": "struct", "fields": [
	            {"id": 32, "name": "x", "required": true, "type": "int"}]}}},
	    {"id": 40, "name": "tags", "required": false, "type": {"type": "map", "key-id": 41, "key": "string",
	        "value-id": 42, "value-required": false, "value": "string"}}]})"));
}

TEST(IcebergSchema, FindsFieldsByIdAndFullName) {
	auto schema = NestedSchema();
	EXPECT_EQ(schema.schema_id, 4);
	EXPECT_EQ(schema.HighestFieldId(), 42);
	EXPECT_EQ(schema.FindField(32)->name, "x");
	EXPECT_EQ(schema.FindField(99), nullptr);
	EXPECT_EQ(schema.FindFieldByName("location.lat")->id, 21);
	EXPECT_EQ(schema.FindFieldByName("points.element.x")->id, 32);
	EXPECT_EQ(schema.FindFieldByName("tags.key")->id, 41);
	EXPECT_EQ(schema.FindFieldByName("tags.value")->id, 42);
	EXPECT_EQ(schema.FindFieldByName("Location.Lat"), nullptr);
	EXPECT_EQ(schema.FindFieldByName("Location.Lat", false)->id, 21);
	EXPECT_EQ(schema.FindColumnName(31), "points.element");
	EXPECT_EQ(schema.FieldPath(32).size(), 3u);
	EXPECT_TRUE(schema.FieldPath(99).empty());
	EXPECT_EQ(ToJson(ParseSchema(ToJson(schema))), ToJson(schema));
}

TEST(IcebergSchema, IdentifierFieldsFollowJavasRules) {
	auto with_identifier = [](int32_t id) {
		auto schema = NestedSchema();
		schema.identifier_field_ids = {id};
		return schema;
	};
	EXPECT_NO_THROW(with_identifier(10).Validate());
	ExpectError([&] { with_identifier(20).Validate(); }, ErrorCode::InvalidInput, "not a primitive type field");
	ExpectError([&] { with_identifier(22).Validate(); }, ErrorCode::InvalidInput, "not a required field");
	ExpectError([&] { with_identifier(21).Validate(); }, ErrorCode::InvalidInput, "must not be float or double");
	ExpectError([&] { with_identifier(32).Validate(); }, ErrorCode::InvalidInput, "must not be nested in \"points\"");
	ExpectError([&] { with_identifier(41).Validate(); }, ErrorCode::InvalidInput, "must not be nested in \"tags\"");
	ExpectError([&] { with_identifier(77).Validate(); }, ErrorCode::InvalidInput, "field does not exist");

	auto duplicate_name = NestedSchema();
	duplicate_name.fields[1].name = "id";
	ExpectError([&] { duplicate_name.Validate(); }, ErrorCode::InvalidInput, "multiple fields for name \"id\"");
}

TEST(IcebergSchema, V3TypesAndDefaultsNeedV3) {
	auto schema = ParseSchema(json::parse(R"({"type": "struct", "fields": [
	    {"id": 1, "name": "t", "required": false, "type": "timestamp_ns"},
	    {"id": 2, "name": "d", "required": false, "type": "int", "initial-default": 3}]})"));
	EXPECT_NO_THROW(schema.CheckFormatVersion(3));
	ExpectError([&] { schema.CheckFormatVersion(2); }, ErrorCode::InvalidInput,
	            "invalid type for t: timestamp_ns is not supported until v3");
	ExpectError([&] { schema.CheckFormatVersion(2); }, ErrorCode::InvalidInput,
	            "invalid initial default for d: non-null default (3) is not supported until v3");
}

TEST(IcebergSchema, FreshIdsNumberAStructsFieldsBeforeWhatNestsInThem) {
	// Java's AssignFreshIds visits a struct's fields before their types (and a map's key and
	// value ids before the key and value types), counting from 1.
	int32_t last = 0;
	auto fresh = AssignFreshIds(NestedSchema(), 0, last);
	EXPECT_EQ(last, 10);
	EXPECT_EQ(fresh.FindFieldByName("id")->id, 1);
	EXPECT_EQ(fresh.FindFieldByName("location")->id, 2);
	EXPECT_EQ(fresh.FindFieldByName("points")->id, 3);
	EXPECT_EQ(fresh.FindFieldByName("tags")->id, 4);
	EXPECT_EQ(fresh.FindFieldByName("location.lat")->id, 5);
	EXPECT_EQ(fresh.FindFieldByName("location.long")->id, 6);
	EXPECT_EQ(fresh.FindFieldByName("points.element")->id, 7);
	EXPECT_EQ(fresh.FindFieldByName("points.element.x")->id, 8);
	EXPECT_EQ(fresh.FindFieldByName("tags.key")->id, 9);
	EXPECT_EQ(fresh.FindFieldByName("tags.value")->id, 10);
	EXPECT_EQ(fresh.identifier_field_ids, (std::vector<int32_t> {1}));
}

TEST(IcebergPartitionSpec, TransformsApplyToTheSpecsSourceTypes) {
	auto t = [](const char *text) {
		return ParsePrimitiveType(text);
	};
	EXPECT_TRUE(CanTransform("identity", *t("string")));
	EXPECT_FALSE(CanTransform("identity", *t("geometry")));
	EXPECT_TRUE(CanTransform("bucket[16]", *t("uuid")));
	EXPECT_FALSE(CanTransform("bucket[16]", *t("float")));
	EXPECT_TRUE(CanTransform("truncate[4]", *t("decimal(9,2)")));
	EXPECT_FALSE(CanTransform("truncate[4]", *t("date")));
	EXPECT_TRUE(CanTransform("day", *t("date")));
	EXPECT_TRUE(CanTransform("month", *t("timestamptz_ns")));
	EXPECT_FALSE(CanTransform("hour", *t("date")));
	EXPECT_FALSE(CanTransform("year", *t("long")));
	EXPECT_TRUE(CanTransform("void", *t("boolean")));
	// v3 readers must accept transforms they do not know.
	EXPECT_TRUE(CanTransform("zorder", *t("boolean")));
	ExpectError([&] { CanTransform("bucket[0]", *t("int")); }, ErrorCode::InvalidInput, "bucket[0]");
	ExpectError([&] { CanTransform("truncate[-1]", *t("int")); }, ErrorCode::InvalidInput, "truncate[-1]");
}

TEST(IcebergPartitionSpec, SpecExampleAndEquivalence) {
	// Appendix C's example spec.
	auto example = json::parse(R"({"spec-id": 0, "fields": [
	    {"source-id": 4, "field-id": 1000, "name": "ts_day", "transform": "day"},
	    {"source-id": 1, "field-id": 1001, "name": "id_bucket", "transform": "bucket[16]"}]})");
	auto spec = ParsePartitionSpec(example);
	EXPECT_EQ(ToJson(spec), example);
	EXPECT_EQ(spec.LastAssignedFieldId(), 1001);
	EXPECT_EQ(PartitionSpec {}.LastAssignedFieldId(), 999);
	// Equivalent: same sources, transforms and names, whatever the ids.
	auto other = spec;
	other.spec_id = 3;
	other.fields[0].field_id = 1010;
	EXPECT_TRUE(spec.CompatibleWith(other));
	other.fields[0].name = "day";
	EXPECT_FALSE(spec.CompatibleWith(other));
	auto partial = example;
	partial["fields"][1].erase("field-id");
	ExpectError([&] { ParsePartitionSpec(partial); }, ErrorCode::InvalidInput, "missing field IDs: 1 missing of 2");
}

TEST(IcebergSortOrder, SpecExample) {
	auto example = json::parse(R"({"order-id": 1, "fields": [
	    {"transform": "identity", "source-id": 2, "direction": "asc", "null-order": "nulls-first"},
	    {"transform": "bucket[4]", "source-id": 3, "direction": "desc", "null-order": "nulls-last"}]})");
	auto order = ParseSortOrder(example);
	EXPECT_EQ(ToJson(order), example);
	auto upper = example;
	upper["fields"][0]["direction"] = "ASC";
	EXPECT_TRUE(ParseSortOrder(upper).SameOrder(order));
	auto schema = ParseSchema(json::parse(R"({"type": "struct", "fields": [
	    {"id": 2, "name": "a", "required": false, "type": "string"},
	    {"id": 3, "name": "b", "required": false, "type": "long"}]})"));
	EXPECT_NO_THROW(order.Validate(schema));
	order.order_id = 0;
	ExpectError([&] { order.Validate(schema); }, ErrorCode::InvalidInput, "reserved for the unsorted order");
	ExpectError([&] { (SortOrder {2, {}}).Validate(schema); }, ErrorCode::InvalidInput, "must have id 0");
}

TEST(IcebergTableMetadata, NewTableReassignsIdsAsJavaDoes) {
	// Java's testNewTableMetadataReassignmentAllIds.
	auto schema = ParseSchema(json::parse(R"({"type": "struct", "fields": [
	    {"id": 3, "name": "x", "required": true, "type": "long"},
	    {"id": 4, "name": "y", "required": true, "type": "long"},
	    {"id": 5, "name": "z", "required": true, "type": "long"}]})"));
	PartitionSpec spec {5, {{3, 1005, "x_partition", "bucket[4]"}, {5, 1003, "z_partition", "bucket[8]"}}};
	auto metadata = NewTableMetadata(schema, spec, SortOrder {}, "file://tmp/db/table", {});
	EXPECT_EQ(metadata.DefaultSpec().spec_id, 0);
	EXPECT_EQ(metadata.DefaultSpec().fields, (std::vector<PartitionField> {{1, 1000, "x_partition", "bucket[4]"},
	                                                                       {3, 1001, "z_partition", "bucket[8]"}}));
	EXPECT_EQ(metadata.last_partition_id, 1001);
	EXPECT_EQ(metadata.last_column_id, 3);
	EXPECT_EQ(metadata.CurrentSchema().schema_id, 0);
	EXPECT_EQ(metadata.format_version, 2);
	EXPECT_EQ(metadata.default_sort_order_id, 0);
	EXPECT_EQ(metadata.sort_orders.size(), 1u);
	EXPECT_TRUE(std::regex_match(metadata.table_uuid,
	                             std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
	// Java's persistedProperties: zstd for new tables.
	EXPECT_EQ(metadata.properties.at("write.parquet.compression-codec"), "zstd");
	EXPECT_EQ(metadata.current_snapshot_id, std::nullopt);
	EXPECT_TRUE(metadata.snapshot_log.empty());
}

TEST(IcebergTableMetadata, NewTableHonoursFormatVersionAndDropsReservedProperties) {
	auto schema = ParseSchema(json::parse(R"({"type": "struct", "fields": [
	    {"id": 10, "name": "x", "required": true, "type": "string"}]})"));
	// Java's testCreateV2MetadataThroughTableProperty.
	auto v2 = NewTableMetadata(schema, {}, {}, "/tmp/t", {{"format-version", "2"}, {"key", "val"}});
	EXPECT_EQ(v2.format_version, 2);
	EXPECT_EQ(v2.properties.at("key"), "val");
	EXPECT_FALSE(v2.properties.count("format-version"));
	// Unpartitioned: Java's last assigned partition id is 999.
	EXPECT_EQ(v2.last_partition_id, 999);
	auto v3 = NewTableMetadata(schema, {}, {}, "/tmp/t",
	                           {{"format-version", "3"}, {"uuid", "u"}, {"write.parquet.compression-codec", "snappy"}});
	EXPECT_EQ(v3.format_version, 3);
	EXPECT_EQ(v3.next_row_id, 0);
	EXPECT_FALSE(v3.properties.count("uuid"));
	EXPECT_EQ(v3.properties.at("write.parquet.compression-codec"), "snappy");
	// Java's testNoTrailingLocationSlash.
	EXPECT_EQ(NewTableMetadata(schema, {}, {}, "/with_trailing_slash/", {}).location, "/with_trailing_slash");
	EXPECT_EQ(NewTableMetadata(schema, {}, {}, "s3://bucket/", {}).location, "s3://bucket");
	ExpectError(
	    [&] {
		    NewTableMetadata(schema, {}, {}, "/tmp/t", {{"format-version", "4"}});
	    },
	    ErrorCode::InvalidInput, "unsupported format-version \"4\"");
	ExpectError(
	    [&] {
		    NewTableMetadata(schema, {}, {}, "/tmp/t", {{"format-version", "two"}});
	    },
	    ErrorCode::InvalidInput, "unsupported format-version \"two\"");

	// A sorted table gets sort order 1, its source found by name.
	SortOrder order {7, {{"identity", 10, SortDirection::Desc, NullOrder::NullsLast}}};
	auto sorted = NewTableMetadata(schema, {}, order, "/tmp/t", {});
	EXPECT_EQ(sorted.default_sort_order_id, 1);
	EXPECT_EQ(sorted.DefaultSortOrder().fields[0].source_id, 1);

	ExpectError(
	    [&] {
		    NewTableMetadata(schema, {0, {{99, 0, "p", "identity"}}}, {}, "/tmp/t", {});
	    },
	    ErrorCode::InvalidInput, "cannot find source column 99");
	ExpectError(
	    [&] {
		    NewTableMetadata(schema, {0, {{10, 0, "p", "hour"}}}, {}, "/tmp/t", {});
	    },
	    ErrorCode::InvalidInput, "invalid source type string for transform: hour");
	auto nanos = ParseSchema(json::parse(R"({"type": "struct", "fields": [
	    {"id": 1, "name": "t", "required": false, "type": "timestamp_ns"}]})"));
	ExpectError([&] { NewTableMetadata(nanos, {}, {}, "/tmp/t", {}); }, ErrorCode::InvalidInput,
	            "not supported until v3");
	EXPECT_NO_THROW(NewTableMetadata(nanos, {}, {}, "/tmp/t", {{"format-version", "3"}}));
}

// The view spec's Appendix A example, after the second CREATE OR REPLACE.
constexpr const char *kSpecViewExample = R"({
  "view-uuid": "fa6506c3-7681-40c8-86dc-e36561f83385",
  "format-version" : 1,
  "location" : "s3://bucket/warehouse/default.db/event_agg",
  "current-version-id" : 2,
  "properties" : {"comment" : "Daily event counts"},
  "versions" : [ {
    "version-id" : 1, "timestamp-ms" : 1573518431292, "schema-id" : 1, "default-catalog" : "prod",
    "default-namespace" : [ "default" ], "summary" : {"engine-name" : "Spark", "engine-version" : "3.3.2"},
    "representations" : [ {"type" : "sql",
      "sql" : "SELECT\n    COUNT(1), CAST(event_ts AS DATE)\nFROM events\nGROUP BY 2", "dialect" : "spark"} ]
  }, {
    "version-id" : 2, "timestamp-ms" : 1573518981593, "schema-id" : 1, "default-catalog" : "prod",
    "default-namespace" : [ "default" ], "summary" : {"engine-name" : "Spark", "engine-version" : "3.3.2"},
    "representations" : [ {"type" : "sql",
      "sql" : "SELECT\n    COUNT(1), CAST(event_ts AS DATE)\nFROM prod.default.events\nGROUP BY 2", "dialect" : "spark"} ]
  } ],
  "schemas": [ {"schema-id": 1, "type" : "struct", "fields" : [
    {"id" : 1, "name" : "event_count", "required" : false, "type" : "int", "doc" : "Count of events"},
    {"id" : 2, "name" : "event_date", "required" : false, "type" : "date"} ] } ],
  "version-log" : [ {"timestamp-ms" : 1573518431292, "version-id" : 1},
                    {"timestamp-ms" : 1573518981593, "version-id" : 2} ]
})";

TEST(IcebergViewMetadata, ReadsAndWritesTheSpecExample) {
	auto input = json::parse(kSpecViewExample);
	auto metadata = ParseViewMetadata(input);
	EXPECT_EQ(metadata.current_version_id, 2);
	EXPECT_EQ(metadata.CurrentVersion().default_namespace, (std::vector<std::string> {"default"}));
	EXPECT_EQ(metadata.CurrentVersion().default_catalog, "prod");
	EXPECT_EQ(metadata.CurrentVersion().representations[0].dialect, "spark");
	EXPECT_EQ(metadata.CurrentSchema().FindField(1)->doc, "Count of events");
	EXPECT_EQ(metadata.version_log.size(), 2u);
	EXPECT_EQ(ToJson(metadata), input);
}

TEST(IcebergViewMetadata, ReadsJavasFixtures) {
	auto input = Fixture("java-ValidViewMetadata.json");
	auto metadata = ParseViewMetadata(input);
	EXPECT_EQ(metadata.view_uuid, "fa6506c3-7681-40c8-86dc-e36561f83385");
	EXPECT_EQ(metadata.properties.at("comment"), "some-comment");
	EXPECT_EQ(metadata.CurrentVersion().timestamp_ms, 5555);
	EXPECT_EQ(metadata.CurrentVersion().summary.at("user"), "some-user");
	EXPECT_TRUE(metadata.CurrentVersion().default_namespace.empty());
	// "current-schema-id" is not a view metadata field; Java ignores it and so do we.
	input.erase("current-schema-id");
	EXPECT_EQ(ToJson(metadata), input);

	// Java reads these two, and fails when the current version or schema is looked up.
	ExpectError([] { ParseViewMetadata(Fixture("java-ViewMetadataInvalidCurrentSchema.json")); },
	            ErrorCode::InvalidInput, "cannot find current schema with id 1234");
	ExpectError([] { ParseViewMetadata(Fixture("java-ViewMetadataInvalidCurrentVersion.json")); },
	            ErrorCode::InvalidInput, "cannot find current version 1234");
	ExpectError([] { ParseViewMetadata(Fixture("java-ViewMetadataMissingCurrentVersion.json")); },
	            ErrorCode::InvalidInput, "\"current-version-id\" is missing");
	ExpectError([] { ParseViewMetadata(Fixture("java-ViewMetadataMissingLocation.json")); }, ErrorCode::InvalidInput,
	            "\"location\" is missing");
	// Java's parser accepts two queries for one dialect; only its builder refuses them.
	EXPECT_EQ(
	    ParseViewMetadata(Fixture("java-ViewMetadataMultipleSQLsForDialect.json")).versions[0].representations.size(),
	    2u);
}

TEST(IcebergViewMetadata, HostileJsonRaisesErrors) {
	auto base = json::parse(kSpecViewExample);
	auto flat = base.flatten();
	for (auto &[pointer, original] : flat.items()) {
		for (auto &replacement : {json(), json("x"), json(2.5), json(1LL << 40), json::array(), json::object()}) {
			auto copy = base;
			copy[json::json_pointer(pointer)] = replacement;
			try {
				ToJson(ParseViewMetadata(copy));
			} catch (const akko::Error &error) {
				EXPECT_EQ(error.code, ErrorCode::InvalidInput) << pointer;
			} catch (const std::exception &error) {
				ADD_FAILURE() << pointer << ": " << error.what();
			}
		}
	}
	auto copy = base;
	copy["versions"][0]["representations"][0]["type"] = "substrait";
	ExpectError([&] { ParseViewMetadata(copy); }, ErrorCode::InvalidInput, "view representation type \"substrait\"");
}

} // namespace
