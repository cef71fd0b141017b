// Table and view updates and requirements of the Iceberg REST API: their JSON (as Java's
// TestMetadataUpdateParser and the OpenAPI spec write them) and their effect, checked against
// what Java's TableMetadata and ViewMetadata builders and their tests document.
#include "common/error.hpp"
#include "iceberg/table_metadata_builder.hpp"
#include "iceberg/table_requirement.hpp"
#include "iceberg/table_update.hpp"
#include "iceberg/view_update.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <sstream>

using namespace akko::iceberg;
using akko::ErrorCode;
using nlohmann::json;

namespace {

constexpr int64_t kNow = 1700000000000;

json Fixture(const std::string &name) {
	std::ifstream in(std::string(AKKO_SOURCE_DIR) + "/tests/fixtures/iceberg/metadata/" + name);
	EXPECT_TRUE(in.good()) << name;
	std::stringstream text;
	text << in.rdbuf();
	return json::parse(text.str());
}

void ExpectError(const std::function<void()> &body, ErrorCode code, const std::string &fragment) {
	try {
		body();
		ADD_FAILURE() << "no error; expected one containing \"" << fragment << "\"";
	} catch (const akko::Error &error) {
		EXPECT_EQ(error.code, code) << error.message;
		EXPECT_NE(error.message.find(fragment), std::string::npos) << error.message;
	}
}

TableUpdate Update(const char *text) {
	return ParseTableUpdate(json::parse(text));
}

std::vector<TableUpdate> Updates(std::initializer_list<const char *> texts) {
	std::vector<TableUpdate> updates;
	for (auto text : texts) {
		updates.push_back(Update(text));
	}
	return updates;
}

Schema SchemaOf(const char *fields) {
	return ParseSchema(json::parse(std::string(R"({"type": "struct", "fields": )") + fields + "}"));
}

// Java's TestTableMetadata TEST_SCHEMA-like table: x, y, z longs, unpartitioned, no data.
TableMetadata EmptyTable(const char *format_version = "2") {
	auto schema = SchemaOf(R"([{"id": 1, "name": "x", "required": true, "type": "long"},
	                           {"id": 2, "name": "y", "required": true, "type": "long"},
	                           {"id": 3, "name": "z", "required": true, "type": "long"}])");
	auto metadata = NewTableMetadata(schema, {}, {}, "s3://bucket/t", {{"format-version", format_version}});
	metadata.last_updated_ms = kNow - 1000;
	return metadata;
}

std::string SnapshotJson(int64_t id, std::optional<int64_t> parent, int64_t sequence, int64_t timestamp,
                         std::string extra = "") {
	json snapshot = {{"snapshot-id", id},
	                 {"sequence-number", sequence},
	                 {"timestamp-ms", timestamp},
	                 {"summary", {{"operation", "append"}}},
	                 {"manifest-list", "s3://bucket/t/metadata/snap-" + std::to_string(id) + ".avro"}};
	if (parent) {
		snapshot["parent-snapshot-id"] = *parent;
	}
	if (!extra.empty()) {
		snapshot.update(json::parse(extra));
	}
	return json {{"action", "add-snapshot"}, {"snapshot", snapshot}}.dump();
}

std::string MainAt(int64_t id, const char *ref = "main", const char *type = "branch") {
	return json {{"action", "set-snapshot-ref"}, {"ref-name", ref}, {"snapshot-id", id}, {"type", type}}.dump();
}

// Applies JSON updates given as std::strings.
TableMetadata Apply(const TableMetadata &base, std::initializer_list<std::string> texts, int64_t now = kNow) {
	std::vector<TableUpdate> updates;
	for (auto &text : texts) {
		updates.push_back(ParseTableUpdate(json::parse(text)));
	}
	return ApplyUpdates(base, updates, now);
}

TEST(IcebergTableUpdate, JsonFormsOfJavasParserTests) {
	// Each is written back exactly as Java's TestMetadataUpdateParser expects.
	const char *forms[] = {
	    R"({"action":"assign-uuid","uuid":"9510c070-5e6d-4b40-bf40-a8915bb76e5d"})",
	    R"({"action":"upgrade-format-version","format-version":2})",
	    R"({"action":"set-current-schema","schema-id":6})",
	    R"({"action":"set-default-spec","spec-id":4})",
	    R"({"action":"set-default-sort-order","sort-order-id":2})",
	    R"({"action":"remove-snapshots","snapshot-ids":[2,3]})",
	    R"({"action":"remove-snapshot-ref","ref-name":"snapshot-ref"})",
	    R"({"action":"set-snapshot-ref","ref-name":"hank","snapshot-id":1,"type":"tag"})",
	    R"({"action":"set-snapshot-ref","ref-name":"hank","snapshot-id":1,"type":"branch","min-snapshots-to-keep":2,"max-snapshot-age-ms":3,"max-ref-age-ms":4})",
	    R"({"action":"set-location","location":"s3://bucket/warehouse/tbl_location"})",
	    R"({"action":"set-properties","updates":{"prop1":"val1","prop2":"val2"}})",
	    R"({"action":"remove-properties","removals":["prop1","prop2"]})",
	    R"({"action":"set-statistics","snapshot-id":1940541653261589030,"statistics":{"snapshot-id":1940541653261589030,"statistics-path":"s3://bucket/warehouse/stats.puffin","file-size-in-bytes":124,"file-footer-size-in-bytes":27,"blob-metadata":[{"type":"boring-type","snapshot-id":1940541653261589030,"sequence-number":2,"fields":[1],"properties":{"prop-key":"prop-value"}}]}})",
	    R"({"action":"remove-statistics","snapshot-id":1940541653261589030})",
	    R"({"action":"set-partition-statistics","partition-statistics":{"snapshot-id":1940541653261589030,"statistics-path":"s3://bucket/warehouse/stats1.parquet","file-size-in-bytes":43}})",
	    R"({"action":"remove-partition-statistics","snapshot-id":1940541653261589030})",
	    R"({"action":"remove-partition-specs","spec-ids":[1,2,3]})",
	    R"({"action":"remove-schemas","schema-ids":[1,2,3]})",
	    R"({"action":"add-encryption-key","encryption-key":{"key-id":"a","encrypted-key-metadata":"a2V5","encrypted-by-id":"b"}})",
	    R"({"action":"remove-encryption-key","key-id":"a"})",
	    R"({"action":"add-spec","spec":{"spec-id":0,"fields":[{"name":"id_bucket","transform":"bucket[16]","source-id":1,"field-id":1000}]}})",
	    R"({"action":"add-sort-order","sort-order":{"order-id":1,"fields":[{"transform":"identity","source-id":2,"direction":"asc","null-order":"nulls-first"}]}})",
	    R"({"action":"add-schema","schema":{"type":"struct","schema-id":1,"fields":[{"id":1,"name":"x","required":true,"type":"long"}]},"last-column-id":1})",
	};
	for (auto form : forms) {
		auto expected = json::parse(form);
		EXPECT_EQ(ToJson(ParseTableUpdate(expected)), expected) << form;
	}
	auto snapshot = json::parse(SnapshotJson(7, 6, 3, 1555100955770, R"({"schema-id": 1})"));
	EXPECT_EQ(ToJson(ParseTableUpdate(snapshot)), snapshot);

	// Java reads the branch type case-insensitively, null retention fields as absent, and the
	// early REST clients' "updated" and "removed".
	auto ref = std::get<SetSnapshotRefUpdate>(Update(
	    R"({"action":"set-snapshot-ref","ref-name":"hank","snapshot-id":1,"type":"bRaNch","max-ref-age-ms":null})"));
	EXPECT_EQ(ref.ref.type, SnapshotRefType::Branch);
	EXPECT_FALSE(ref.ref.max_ref_age_ms);
	EXPECT_EQ(
	    std::get<SetPropertiesUpdate>(Update(R"({"action":"set-properties","updated":{"a":"b"}})")).updates.at("a"),
	    "b");
	EXPECT_EQ(std::get<RemovePropertiesUpdate>(Update(R"({"action":"remove-properties","removed":["a"]})")).removals,
	          (std::vector<std::string> {"a"}));
	EXPECT_STREQ(ActionName(Update(
	                 R"({"action":"ADD-SNAPSHOT","snapshot":{"snapshot-id":1,"timestamp-ms":2,"manifest-list":"m"}})")),
	             "add-snapshot");
}

TEST(IcebergTableUpdate, RefusesUnknownAndMalformedUpdatesByName) {
	ExpectError([] { Update(R"({"action":"frobnicate"})"); }, ErrorCode::InvalidInput,
	            "unknown table update action \"frobnicate\"");
	ExpectError([] { Update(R"({"format-version":2})"); }, ErrorCode::InvalidInput, "\"action\" is missing");
	ExpectError([] { Update(R"({"action":null,"format-version":2})"); }, ErrorCode::InvalidInput,
	            "\"action\" is missing");
	ExpectError([] { Update(R"({"action":7})"); }, ErrorCode::InvalidInput, "\"action\" must be a string");
	ExpectError([] { Update(R"([1])"); }, ErrorCode::InvalidInput, "table update must be a JSON object");
	ExpectError([] { Update(R"({"action":"add-view-version","view-version":{}})"); }, ErrorCode::InvalidInput,
	            "applies to views, not tables");
	// Every action without its fields names itself and the missing field.
	const char *actions[] = {"assign-uuid",
	                         "upgrade-format-version",
	                         "add-schema",
	                         "set-current-schema",
	                         "add-spec",
	                         "set-default-spec",
	                         "add-sort-order",
	                         "set-default-sort-order",
	                         "add-snapshot",
	                         "set-snapshot-ref",
	                         "remove-snapshots",
	                         "remove-snapshot-ref",
	                         "set-location",
	                         "set-properties",
	                         "remove-properties",
	                         "set-statistics",
	                         "remove-statistics",
	                         "set-partition-statistics",
	                         "remove-partition-statistics",
	                         "remove-partition-specs",
	                         "remove-schemas",
	                         "add-encryption-key",
	                         "remove-encryption-key"};
	for (auto action : actions) {
		ExpectError(
		    [&] {
			    ParseTableUpdate(json {{"action", action}});
		    },
		    ErrorCode::InvalidInput, std::string("table update \"") + action + "\": \"");
	}
	ExpectError([] { Update(R"({"action":"set-current-schema","schema-id":"1"})"); }, ErrorCode::InvalidInput,
	            "\"schema-id\" must be a 32-bit integer");
	ExpectError([] { Update(R"({"action":"remove-snapshots","snapshot-ids":[1e40]})"); }, ErrorCode::InvalidInput,
	            "\"snapshot-ids\" must be a 64-bit integer");
	ExpectError([] { Update(R"({"action":"set-properties","updates":{"a":1}})"); }, ErrorCode::InvalidInput,
	            "\"updates.a\" must be a string");
	ExpectError(
	    [] {
		    Update(
		        R"({"action":"set-snapshot-ref","ref-name":"t","snapshot-id":1,"type":"tag","max-snapshot-age-ms":5})");
	    },
	    ErrorCode::InvalidInput, "tags do not support setting max-snapshot-age-ms");
	ExpectError(
	    [] {
		    Update(
		        R"({"action":"set-snapshot-ref","ref-name":"b","snapshot-id":1,"type":"branch","min-snapshots-to-keep":0})");
	    },
	    ErrorCode::InvalidInput, "min-snapshots-to-keep must be greater than 0");
}

TEST(IcebergTableUpdate, SchemaEvolutionAsJavasTestUpdateSchema) {
	// Java's testUpdateSchema, its updateSchema(s) being add-schema then set-current-schema -1.
	auto y = SchemaOf(R"([{"id": 1, "name": "y", "required": true, "type": "long", "doc": "comment"}])");
	auto fresh = NewTableMetadata(y, {}, {}, "s3://bucket/t", {});
	EXPECT_EQ(fresh.current_schema_id, 0);
	EXPECT_EQ(fresh.last_column_id, 1);
	auto update_schema = [](const TableMetadata &base, const Schema &schema) {
		return ApplyUpdates(base, {AddSchemaUpdate {schema, std::nullopt}, SetCurrentSchemaUpdate {kLastAdded}}, kNow);
	};
	auto schema2 = SchemaOf(R"([{"id": 1, "name": "y", "required": true, "type": "long", "doc": "comment"},
	                            {"id": 2, "name": "x", "required": true, "type": "string"}])");
	auto two = update_schema(fresh, schema2);
	EXPECT_EQ(two.current_schema_id, 1);
	EXPECT_EQ(two.schemas.size(), 2u);
	EXPECT_TRUE(two.CurrentSchema().SameSchema(schema2));
	EXPECT_EQ(two.last_column_id, 2);
	EXPECT_EQ(two.last_updated_ms, kNow);

	// The same schema again changes nothing: the same metadata comes back. As in Java, -1 then
	// has nothing to refer to (clients name the existing schema's id instead).
	TableMetadataBuilder builder(two, kNow + 5);
	builder.Apply(AddSchemaUpdate {schema2, std::nullopt});
	EXPECT_TRUE(builder.Changes().empty());
	EXPECT_EQ(builder.Build().last_updated_ms, kNow);
	ExpectError([&] { update_schema(two, schema2); }, ErrorCode::InvalidInput,
	            "cannot set last added schema: no schema has been added");

	// The old schema is found under its old id; setting it current is the one change.
	TableMetadataBuilder revert(two, kNow);
	revert.Apply(AddSchemaUpdate {y, std::nullopt});
	revert.Apply(SetCurrentSchemaUpdate {0});
	ASSERT_EQ(revert.Changes().size(), 1u);
	EXPECT_EQ(std::get<SetCurrentSchemaUpdate>(revert.Changes()[0]).schema_id, 0);
	auto reverted = revert.Build();
	EXPECT_EQ(reverted.current_schema_id, 0);
	EXPECT_EQ(reverted.schemas.size(), 2u);
	EXPECT_EQ(reverted.last_column_id, 2);

	// A new schema gets the highest id + 1, and the last column id its highest field id.
	auto schema3 = SchemaOf(R"([{"id": 2, "name": "y", "required": true, "type": "long", "doc": "comment"},
	                            {"id": 4, "name": "x", "required": true, "type": "string"},
	                            {"id": 6, "name": "z", "required": true, "type": "int"}])");
	auto three = update_schema(reverted, schema3);
	EXPECT_EQ(three.current_schema_id, 2);
	EXPECT_EQ(three.schemas.size(), 3u);
	EXPECT_EQ(three.last_column_id, 6);

	ExpectError([&] { ApplyUpdates(three, {SetCurrentSchemaUpdate {9}}, kNow); }, ErrorCode::InvalidInput,
	            "cannot set current schema to unknown schema: 9");
	ExpectError([&] { ApplyUpdates(three, {SetCurrentSchemaUpdate {kLastAdded}}, kNow); }, ErrorCode::InvalidInput,
	            "cannot set last added schema: no schema has been added");
	ExpectError([&] { ApplyUpdates(three, {RemoveSchemasUpdate {{2}}}, kNow); }, ErrorCode::InvalidInput,
	            "cannot remove the current schema");
	auto removed = ApplyUpdates(three, {RemoveSchemasUpdate {{0, 1}}}, kNow);
	EXPECT_EQ(removed.schemas.size(), 1u);
	// A v3 type needs a v3 table.
	ExpectError(
	    [&] { update_schema(three, SchemaOf(R"([{"id": 7, "name": "v", "required": false, "type": "variant"}])")); },
	    ErrorCode::InvalidInput, "not supported until v3");
}

TEST(IcebergTableUpdate, CreateTransactionOfAPyIcebergClient) {
	// What PyIceberg's create_table_transaction commits, with assert-create.
	auto updates = Updates({
	    R"({"action":"assign-uuid","uuid":"3b7a4e3e-9d4e-4a47-8f7a-0ed4d1d2a9a1"})",
	    R"({"action":"upgrade-format-version","format-version":2})",
	    R"({"action":"add-schema","schema":{"type":"struct","schema-id":0,"fields":[
	        {"id":1,"name":"id","required":false,"type":"long"},
	        {"id":2,"name":"ts","required":false,"type":"timestamptz"}]},"last-column-id":2})",
	    R"({"action":"set-current-schema","schema-id":-1})",
	    R"({"action":"add-spec","spec":{"spec-id":0,"fields":[{"source-id":2,"field-id":1000,"transform":"day","name":"ts_day"}]}})",
	    R"({"action":"set-default-spec","spec-id":-1})",
	    R"({"action":"add-sort-order","sort-order":{"order-id":1,"fields":[{"source-id":1,"transform":"identity","direction":"asc","null-order":"nulls-first"}]}})",
	    R"({"action":"set-default-sort-order","sort-order-id":-1})",
	    R"({"action":"set-location","location":"s3://warehouse/db/events/"})",
	    R"({"action":"set-properties","updates":{"owner":"ada"}})",
	});
	CheckRequirement(AssertCreate {}, nullptr);
	auto metadata = NewTableMetadataFromUpdates(updates, kNow);
	EXPECT_EQ(metadata.format_version, 2);
	EXPECT_EQ(metadata.table_uuid, "3b7a4e3e-9d4e-4a47-8f7a-0ed4d1d2a9a1");
	EXPECT_EQ(metadata.current_schema_id, 0);
	EXPECT_EQ(metadata.last_column_id, 2);
	EXPECT_EQ(metadata.default_spec_id, 0);
	EXPECT_EQ(metadata.last_partition_id, 1000);
	EXPECT_EQ(metadata.default_sort_order_id, 1);
	EXPECT_EQ(metadata.sort_orders.size(), 1u);
	EXPECT_EQ(metadata.location, "s3://warehouse/db/events");
	EXPECT_EQ(metadata.properties, (std::map<std::string, std::string> {{"owner", "ada"}}));
	EXPECT_EQ(metadata.last_updated_ms, kNow);
	EXPECT_FALSE(metadata.current_snapshot_id);
	EXPECT_EQ(ParseTableMetadata(ToJson(metadata)).table_uuid, metadata.table_uuid);

	// An unpartitioned table's last partition id is Java's 999; v3 when asked.
	auto v3 = NewTableMetadataFromUpdates(
	    Updates(
	        {R"({"action":"upgrade-format-version","format-version":3})",
	         R"({"action":"add-schema","schema":{"type":"struct","fields":[{"id":1,"name":"a","required":false,"type":"int"}]}})",
	         R"({"action":"set-current-schema","schema-id":-1})", R"({"action":"add-spec","spec":{"fields":[]}})",
	         R"({"action":"add-sort-order","sort-order":{"order-id":0,"fields":[]}})",
	         R"({"action":"set-location","location":"s3://warehouse/db/t"})"}),
	    kNow);
	EXPECT_EQ(v3.format_version, 3);
	EXPECT_EQ(v3.last_partition_id, 999);
	EXPECT_EQ(v3.default_sort_order_id, 0);
	EXPECT_EQ(v3.next_row_id, 0);
	EXPECT_EQ(v3.table_uuid.size(), 36u);

	ExpectError(
	    [] { NewTableMetadataFromUpdates(Updates({R"({"action":"set-location","location":"s3://a/b"})"}), kNow); },
	    ErrorCode::InvalidInput, "cannot find the current schema 0");
	ExpectError(
	    [] {
		    NewTableMetadataFromUpdates(Updates({R"({"action":"upgrade-format-version","format-version":4})"}), kNow);
	    },
	    ErrorCode::InvalidInput, "unsupported table format version 4");
}

TEST(IcebergTableUpdate, SnapshotsMoveMainAndTheLog) {
	auto table = EmptyTable();
	// Adding a snapshot alone leaves main and the history where they were.
	auto added = Apply(table, {SnapshotJson(1, std::nullopt, 1, kNow - 500)});
	EXPECT_EQ(added.snapshots.size(), 1u);
	EXPECT_EQ(added.last_sequence_number, 1);
	EXPECT_FALSE(added.current_snapshot_id);
	EXPECT_TRUE(added.snapshot_log.empty());

	// Moving main logs the snapshot at its own timestamp.
	auto committed = Apply(table, {SnapshotJson(1, std::nullopt, 1, kNow - 500), MainAt(1)});
	EXPECT_EQ(committed.current_snapshot_id, 1);
	EXPECT_EQ(committed.Ref("main")->type, SnapshotRefType::Branch);
	EXPECT_EQ(committed.snapshot_log, (std::vector<SnapshotLogEntry> {{kNow - 500, 1}}));

	// Two snapshots in one commit: only the last one reached readers (Java's intermediate
	// snapshots leave the log).
	auto two =
	    Apply(committed, {SnapshotJson(2, 1, 2, kNow - 400), MainAt(2), SnapshotJson(3, 2, 3, kNow - 300), MainAt(3)});
	EXPECT_EQ(two.current_snapshot_id, 3);
	EXPECT_EQ(two.snapshot_log, (std::vector<SnapshotLogEntry> {{kNow - 500, 1}, {kNow - 300, 3}}));
	EXPECT_EQ(two.last_sequence_number, 3);

	// Rolling back to an older snapshot logs it at the commit time.
	auto rolled_back = Apply(two, {MainAt(1)}, kNow + 7);
	EXPECT_EQ(rolled_back.current_snapshot_id, 1);
	EXPECT_EQ(rolled_back.snapshot_log.back(), (SnapshotLogEntry {kNow + 7, 1}));

	// Tags and branches other than main leave the current snapshot alone.
	auto tagged = Apply(two, {MainAt(2, "v1", "tag"), MainAt(3, "dev")});
	EXPECT_EQ(tagged.current_snapshot_id, 3);
	EXPECT_EQ(tagged.Ref("v1")->type, SnapshotRefType::Tag);
	EXPECT_EQ(tagged.Ref("dev")->snapshot_id, 3);
	EXPECT_EQ(tagged.snapshot_log, two.snapshot_log);

	ExpectError([&] { Apply(two, {MainAt(42)}); }, ErrorCode::InvalidInput, "cannot set main to unknown snapshot: 42");
	// Java's testSetRefRejectsTagForMainBranch.
	ExpectError([&] { Apply(two, {MainAt(2, "main", "tag")}); }, ErrorCode::InvalidInput,
	            "cannot set main to a tag, it must be a branch");
	ExpectError([&] { Apply(two, {SnapshotJson(3, 2, 4, kNow)}); }, ErrorCode::InvalidInput,
	            "snapshot already exists for id: 3");
	// Java's testAddSnapshotWithStaleSequenceNumberIsRetryable: another writer got there first.
	ExpectError([&] { Apply(two, {SnapshotJson(4, 3, 3, kNow)}); }, ErrorCode::SerializationFailure,
	            "cannot add snapshot with sequence number 3 older than last sequence number 3");
}

TEST(IcebergTableUpdate, RemovingSnapshotsDropsTheirRefsStatisticsAndEarlierHistory) {
	auto table = Apply(EmptyTable(), {SnapshotJson(1, std::nullopt, 1, kNow - 300), MainAt(1)});
	table = Apply(table, {SnapshotJson(2, 1, 2, kNow - 200), MainAt(2)});
	table =
	    Apply(table, {SnapshotJson(3, 2, 3, kNow - 100), MainAt(3), MainAt(2, "old", "tag"),
	                  R"({"action":"set-statistics","statistics":{"snapshot-id":2,"statistics-path":"s3://s/2.puffin",
	                          "file-size-in-bytes":1,"file-footer-size-in-bytes":1,"blob-metadata":[]}})",
	                  R"({"action":"set-partition-statistics","partition-statistics":{"snapshot-id":2,
	                          "statistics-path":"s3://s/2.parquet","file-size-in-bytes":1}})"});
	ASSERT_EQ(table.snapshot_log.size(), 3u);

	// Java's comment: with [(t1, s1), (t2, s2), (t3, s3)], removing s2 leaves [(t3, s3)].
	TableMetadataBuilder builder(table, kNow);
	builder.Apply(RemoveSnapshotsUpdate {{2}});
	auto removed = builder.Build();
	EXPECT_EQ(removed.snapshots.size(), 2u);
	EXPECT_EQ(removed.snapshot_log, (std::vector<SnapshotLogEntry> {{kNow - 100, 3}}));
	EXPECT_EQ(removed.Ref("old"), nullptr);
	EXPECT_TRUE(removed.statistics.empty());
	EXPECT_TRUE(removed.partition_statistics.empty());
	std::vector<std::string> actions;
	for (auto &change : builder.Changes()) {
		actions.push_back(ActionName(change));
	}
	EXPECT_EQ(actions, (std::vector<std::string> {"remove-snapshots", "remove-statistics",
	                                              "remove-partition-statistics", "remove-snapshot-ref"}));

	// Removing the current snapshot removes main with it.
	auto headless = ApplyUpdates(table, {RemoveSnapshotsUpdate {{3}}}, kNow);
	EXPECT_FALSE(headless.current_snapshot_id);
	EXPECT_EQ(headless.Ref("main"), nullptr);
	EXPECT_EQ(ParseTableMetadata(ToJson(headless)).snapshots.size(), 2u);

	// Java's removeRefKeepsSnapshotLog.
	auto java = ParseTableMetadata(Fixture("java-TableMetadataV2Valid.json"));
	auto without_main = ApplyUpdates(java, {RemoveSnapshotRefUpdate {"main"}}, kNow);
	EXPECT_FALSE(without_main.current_snapshot_id);
	EXPECT_EQ(without_main.snapshots.size(), 2u);
	EXPECT_EQ(without_main.snapshot_log, java.snapshot_log);
}

TEST(IcebergTableUpdate, RowLineageOfTheSpecsExample) {
	// The spec's row lineage example: next-row-id 1000, a snapshot assigning 375 row ids.
	auto table = EmptyTable("3");
	table.next_row_id = 1000;
	auto next = Apply(
	    table, {SnapshotJson(1, std::nullopt, 1, kNow, R"({"first-row-id": 1000, "added-rows": 375})"), MainAt(1)});
	EXPECT_EQ(next.next_row_id, 1375);
	// Even off main, as the spec requires.
	auto branch = Apply(next, {SnapshotJson(2, 1, 2, kNow, R"({"first-row-id": 1375, "added-rows": 5})")});
	EXPECT_EQ(branch.next_row_id, 1380);
	// Java's testAddSnapshotWithStaleFirstRowIdIsRetryable.
	ExpectError([&] { Apply(next, {SnapshotJson(2, 1, 2, kNow, R"({"first-row-id": 0, "added-rows": 1})")}); },
	            ErrorCode::SerializationFailure, "first-row-id is behind table next-row-id: 0 < 1375");
	ExpectError([&] { Apply(next, {SnapshotJson(2, 1, 2, kNow)}); }, ErrorCode::InvalidInput,
	            "a v3 snapshot needs first-row-id and added-rows");
	auto v3_json = ToJson(next);
	EXPECT_EQ(v3_json["next-row-id"], 1375);
	EXPECT_EQ(v3_json["snapshots"][0]["first-row-id"], 1000);
}

TEST(IcebergTableUpdate, FormatVersionUpgrades) {
	auto table = EmptyTable("1");
	EXPECT_EQ(table.format_version, 1);
	auto v2 = Apply(table, {R"({"action":"upgrade-format-version","format-version":2})"});
	EXPECT_EQ(v2.format_version, 2);
	auto v3 = Apply(v2, {R"({"action":"upgrade-format-version","format-version":3})"});
	EXPECT_EQ(v3.format_version, 3);
	EXPECT_EQ(v3.next_row_id, 0);
	ExpectError([&] { Apply(v3, {R"({"action":"upgrade-format-version","format-version":2})"}); },
	            ErrorCode::InvalidInput, "cannot downgrade v3 table to v2");
	ExpectError([&] { Apply(v3, {R"({"action":"upgrade-format-version","format-version":4})"}); },
	            ErrorCode::InvalidInput, "cannot upgrade table to unsupported format version: v4");
	// Upgrading to the version it has is no change.
	EXPECT_EQ(Apply(v3, {R"({"action":"upgrade-format-version","format-version":3})"}).last_updated_ms,
	          v3.last_updated_ms);
}

TEST(IcebergTableUpdate, PartitionSpecsAndSortOrders) {
	auto table = EmptyTable();
	auto spec =
	    R"({"action":"add-spec","spec":{"spec-id":0,"fields":[{"source-id":1,"field-id":1000,"transform":"bucket[16]","name":"x_bucket"}]}})";
	auto partitioned = Apply(table, {spec, R"({"action":"set-default-spec","spec-id":-1})"});
	EXPECT_EQ(partitioned.default_spec_id, 1);
	EXPECT_EQ(partitioned.partition_specs.size(), 2u);
	EXPECT_EQ(partitioned.last_partition_id, 1000);
	EXPECT_EQ(partitioned.DefaultSpec().fields[0].name, "x_bucket");

	// An equivalent spec keeps its id: nothing new is added.
	TableMetadataBuilder again(partitioned, kNow);
	again.Apply(Update(spec));
	EXPECT_TRUE(again.Changes().empty());
	ExpectError([&] { again.Apply(Update(R"({"action":"set-default-spec","spec-id":-1})")); }, ErrorCode::InvalidInput,
	            "cannot set last added spec: no spec has been added");
	ExpectError([&] { Apply(table, {R"({"action":"set-default-spec","spec-id":-1})"}); }, ErrorCode::InvalidInput,
	            "cannot set last added spec: no spec has been added");
	ExpectError([&] { Apply(table, {R"({"action":"set-default-spec","spec-id":5})"}); }, ErrorCode::InvalidInput,
	            "cannot set default partition spec to unknown spec: 5");
	ExpectError(
	    [&] {
		    Apply(
		        table,
		        {R"({"action":"add-spec","spec":{"fields":[{"source-id":9,"field-id":1000,"transform":"identity","name":"p"}]}})"});
	    },
	    ErrorCode::InvalidInput, "cannot find source column for partition field");
	ExpectError(
	    [&] {
		    Apply(
		        table,
		        {R"({"action":"add-spec","spec":{"fields":[{"source-id":1,"field-id":1000,"transform":"day","name":"p"}]}})"});
	    },
	    ErrorCode::InvalidInput, "invalid source type long for transform: day");
	ExpectError(
	    [&] {
		    Apply(table, {R"({"action":"add-spec","spec":{"fields":[
	                      {"source-id":1,"field-id":1000,"transform":"identity","name":"p"},
	                      {"source-id":2,"field-id":1001,"transform":"identity","name":"p"}]}})"});
	    },
	    ErrorCode::InvalidInput, "cannot use partition name more than once: p");
	ExpectError(
	    [&] {
		    Apply(
		        table,
		        {R"({"action":"add-spec","spec":{"fields":[{"source-id":1,"field-id":1000,"transform":"identity","name":"y"}]}})"});
	    },
	    ErrorCode::InvalidInput, "different field than the column named y");
	ExpectError([&] { Apply(partitioned, {R"({"action":"remove-partition-specs","spec-ids":[1]})"}); },
	            ErrorCode::InvalidInput, "cannot remove the default partition spec");
	EXPECT_EQ(Apply(partitioned, {R"({"action":"remove-partition-specs","spec-ids":[0]})"}).partition_specs.size(), 1u);

	// Java's testInvalidUpdatePartitionSpecForV1Table: v1 field ids must run from 1000.
	ExpectError(
	    [&] {
		    Apply(
		        EmptyTable("1"),
		        {R"({"action":"add-spec","spec":{"spec-id":5,"fields":[{"source-id":1,"field-id":1005,"transform":"bucket[4]","name":"x_partition"}]}})"});
	    },
	    ErrorCode::InvalidInput, "spec does not use sequential field ids, which v1 requires");

	auto order =
	    R"({"action":"add-sort-order","sort-order":{"order-id":5,"fields":[{"transform":"identity","source-id":2,"direction":"desc","null-order":"nulls-last"}]}})";
	auto sorted = Apply(table, {order, R"({"action":"set-default-sort-order","sort-order-id":-1})"});
	// Sorted orders are numbered from 1, whatever id the client sent.
	EXPECT_EQ(sorted.default_sort_order_id, 1);
	EXPECT_EQ(sorted.DefaultSortOrder().fields[0].direction, SortDirection::Desc);
	// The unsorted order is always 0, and the table already has it.
	auto unsorted = Apply(sorted, {R"({"action":"add-sort-order","sort-order":{"order-id":0,"fields":[]}})",
	                               R"({"action":"set-default-sort-order","sort-order-id":0})"});
	EXPECT_EQ(unsorted.default_sort_order_id, 0);
	EXPECT_EQ(unsorted.sort_orders.size(), 2u);
	ExpectError(
	    [&] {
		    Apply(
		        table,
		        {R"({"action":"add-sort-order","sort-order":{"order-id":0,"fields":[{"transform":"identity","source-id":2,"direction":"asc","null-order":"nulls-first"}]}})"});
	    },
	    ErrorCode::InvalidInput, "sort order id 0 is reserved for the unsorted order");
	ExpectError([&] { Apply(table, {R"({"action":"set-default-sort-order","sort-order-id":-1})"}); },
	            ErrorCode::InvalidInput, "cannot set last added sort order: no sort order has been added");
	ExpectError([&] { Apply(table, {R"({"action":"set-default-sort-order","sort-order-id":3})"}); },
	            ErrorCode::InvalidInput, "cannot set default sort order to unknown sort order: 3");
}

TEST(IcebergTableUpdate, PropertiesLocationStatisticsAndKeys) {
	auto table = EmptyTable();
	auto changed = Apply(
	    table, {R"({"action":"set-properties","updates":{"a":"1","b":"2"}})",
	            R"({"action":"remove-properties","removals":["b","missing"]})",
	            R"({"action":"set-location","location":"s3://elsewhere/t/"})",
	            R"({"action":"assign-uuid","uuid":"11111111-2222-4333-8444-555555555555"})",
	            R"({"action":"add-encryption-key","encryption-key":{"key-id":"k","encrypted-key-metadata":"a2V5"}})"});
	EXPECT_EQ(changed.properties.at("a"), "1");
	EXPECT_FALSE(changed.properties.count("b"));
	EXPECT_EQ(changed.location, "s3://elsewhere/t");
	EXPECT_EQ(changed.table_uuid, "11111111-2222-4333-8444-555555555555");
	EXPECT_EQ(changed.encryption_keys.size(), 1u);
	EXPECT_TRUE(Apply(changed, {R"({"action":"remove-encryption-key","key-id":"k"})"}).encryption_keys.empty());

	auto with_snapshot = Apply(table, {SnapshotJson(1, std::nullopt, 1, kNow), MainAt(1)});
	auto stats = [](const char *path) {
		return std::string(R"({"action":"set-statistics","statistics":{"snapshot-id":1,"statistics-path":")") + path +
		       R"(","file-size-in-bytes":10,"file-footer-size-in-bytes":2,"blob-metadata":[]}})";
	};
	// One statistics file per snapshot: the second replaces the first.
	auto replaced = Apply(with_snapshot, {stats("s3://s/a.puffin"), stats("s3://s/b.puffin")});
	ASSERT_EQ(replaced.statistics.size(), 1u);
	EXPECT_EQ(replaced.statistics[0].statistics_path, "s3://s/b.puffin");
	EXPECT_TRUE(Apply(replaced, {R"({"action":"remove-statistics","snapshot-id":1})"}).statistics.empty());

	// Updates that change nothing leave the table as it was, last-updated-ms included.
	auto same =
	    Apply(changed,
	          {R"({"action":"set-location","location":"s3://elsewhere/t"})",
	           R"({"action":"set-properties","updates":{}})", R"({"action":"remove-statistics","snapshot-id":99})",
	           R"({"action":"add-encryption-key","encryption-key":{"key-id":"k","encrypted-key-metadata":"eA=="}})"},
	          kNow + 100);
	EXPECT_EQ(same.last_updated_ms, changed.last_updated_ms);
	EXPECT_EQ(ToJson(same), ToJson(changed));
}

TEST(IcebergTableUpdate, MetadataLogKeepsPreviousVersionsMax) {
	// Java's testAddPreviousMetadataRemoveOne: five logged files, the sixth replaced, at most 5.
	auto table = EmptyTable();
	for (int i = 1; i <= 5; i++) {
		table.metadata_log.push_back({kNow - 100 + 10 * (i - 1), "/tmp/00000" + std::to_string(i) + ".metadata.json"});
	}
	MetadataLogEntry previous {kNow - 50, "/tmp/000006.metadata.json"};
	auto updated =
	    ApplyUpdates(table, {SetPropertiesUpdate {{{"write.metadata.previous-versions-max", "5"}}}}, kNow, previous);
	ASSERT_EQ(updated.metadata_log.size(), 5u);
	EXPECT_EQ(updated.metadata_log.front(), table.metadata_log[1]);
	EXPECT_EQ(updated.metadata_log.back(), previous);
	// Without a change nothing is logged.
	EXPECT_EQ(ApplyUpdates(table, {}, kNow, previous).metadata_log.size(), 5u);
	// The default keeps 100.
	EXPECT_EQ(ApplyUpdates(table, {SetPropertiesUpdate {{{"a", "b"}}}}, kNow, previous).metadata_log.size(), 6u);
}

TEST(IcebergTableRequirement, EachRequirementPassesAndFails) {
	auto table = ParseTableMetadata(Fixture("java-TableMetadataV2Valid.json"));
	auto check = [&](const char *text, const TableMetadata *current) {
		CheckRequirement(ParseTableRequirement(json::parse(text)), current);
	};
	auto fails = [&](const char *text, const TableMetadata *current, const std::string &fragment) {
		ExpectError([&] { check(text, current); }, ErrorCode::SerializationFailure, fragment);
	};
	check(R"({"type":"assert-create"})", nullptr);
	fails(R"({"type":"assert-create"})", &table, "requirement failed: table already exists");

	check(R"({"type":"assert-table-uuid","uuid":"9C12D441-03FE-4693-9A96-A0705DDF69C1"})", &table);
	fails(R"({"type":"assert-table-uuid","uuid":"00000000-0000-0000-0000-000000000000"})", &table,
	      "uuid does not match: expected 9c12d441-03fe-4693-9a96-a0705ddf69c1 != 00000000");
	fails(R"({"type":"assert-table-uuid","uuid":"x"})", nullptr, "the table does not exist");

	check(R"({"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":3055729675574597004})", &table);
	fails(R"({"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":1})", &table,
	      "branch main has changed: expected id 1 != 3055729675574597004");
	// A null snapshot id: the ref must not exist yet.
	check(R"({"type":"assert-ref-snapshot-id","ref":"dev","snapshot-id":null})", &table);
	fails(R"({"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null})", &table,
	      "branch main was created concurrently");
	fails(R"({"type":"assert-ref-snapshot-id","ref":"dev","snapshot-id":5})", &table,
	      "branch or tag dev is missing, expected 5");

	check(R"({"type":"assert-last-assigned-field-id","last-assigned-field-id":3})", &table);
	fails(R"({"type":"assert-last-assigned-field-id","last-assigned-field-id":4})", &table,
	      "last assigned field id changed: expected id 4 != 3");
	check(R"({"type":"assert-last-assigned-field-id","last-assigned-field-id":4})", nullptr);

	check(R"({"type":"assert-current-schema-id","current-schema-id":1})", &table);
	fails(R"({"type":"assert-current-schema-id","current-schema-id":0})", &table,
	      "current schema changed: expected id 0 != 1");

	check(R"({"type":"assert-last-assigned-partition-id","last-assigned-partition-id":1000})", &table);
	fails(R"({"type":"assert-last-assigned-partition-id","last-assigned-partition-id":999})", &table,
	      "last assigned partition id changed: expected id 999 != 1000");
	check(R"({"type":"assert-last-assigned-partition-id","last-assigned-partition-id":999})", nullptr);

	check(R"({"type":"assert-default-spec-id","default-spec-id":0})", &table);
	fails(R"({"type":"assert-default-spec-id","default-spec-id":1})", &table,
	      "default partition spec changed: expected id 1 != 0");

	check(R"({"type":"assert-default-sort-order-id","default-sort-order-id":3})", &table);
	fails(R"({"type":"assert-default-sort-order-id","default-sort-order-id":0})", &table,
	      "default sort order changed: expected id 0 != 3");
}

TEST(IcebergTableRequirement, JsonFormsAndRefusals) {
	const char *forms[] = {
	    R"({"type":"assert-create"})",
	    R"({"type":"assert-table-uuid","uuid":"2cc52516-5e73-41f2-b139-545d41a4e151"})",
	    R"({"type":"assert-ref-snapshot-id","ref":"snapshot-name","snapshot-id":1})",
	    R"({"type":"assert-ref-snapshot-id","ref":"snapshot-name","snapshot-id":null})",
	    R"({"type":"assert-last-assigned-field-id","last-assigned-field-id":12})",
	    R"({"type":"assert-current-schema-id","current-schema-id":4})",
	    R"({"type":"assert-last-assigned-partition-id","last-assigned-partition-id":1004})",
	    R"({"type":"assert-default-spec-id","default-spec-id":5})",
	    R"({"type":"assert-default-sort-order-id","default-sort-order-id":10})",
	};
	for (auto form : forms) {
		auto expected = json::parse(form);
		auto requirement = ParseTableRequirement(expected);
		EXPECT_EQ(ToJson(requirement), expected) << form;
		EXPECT_EQ(TypeName(requirement), expected["type"].get<std::string>());
	}
	ExpectError([] { ParseTableRequirement(json::parse(R"({"type":"assert-nothing"})")); }, ErrorCode::InvalidInput,
	            "unknown table requirement type \"assert-nothing\"");
	ExpectError([] { ParseTableRequirement(json::parse(R"({"uuid":"x"})")); }, ErrorCode::InvalidInput,
	            "\"type\" is missing");
	ExpectError([] { ParseTableRequirement(json::parse(R"({"type":"assert-table-uuid"})")); }, ErrorCode::InvalidInput,
	            "table requirement \"assert-table-uuid\": \"uuid\" is missing");
	ExpectError(
	    [] {
		    ParseTableRequirement(json::parse(R"({"type":"assert-current-schema-id","current-schema-id":2147483648})"));
	    },
	    ErrorCode::InvalidInput, "must be a 32-bit integer");
	ExpectError([] { ParseTableRequirement(json::parse(R"({"type":"assert-view-uuid","uuid":"x"})")); },
	            ErrorCode::InvalidInput, "applies to views, not tables");
	ExpectError([] { ParseTableRequirement(json::parse(R"("assert-create")")); }, ErrorCode::InvalidInput,
	            "must be a JSON object");
}

ViewMetadata SpecView() {
	// The view spec's Appendix A example after its first CREATE.
	return ParseViewMetadata(json::parse(R"({
	  "view-uuid": "fa6506c3-7681-40c8-86dc-e36561f83385", "format-version" : 1,
	  "location" : "s3://bucket/warehouse/default.db/event_agg", "current-version-id" : 1,
	  "properties" : {"comment" : "Daily event counts"},
	  "versions" : [ {"version-id" : 1, "timestamp-ms" : 1573518431292, "schema-id" : 1, "default-catalog" : "prod",
	    "default-namespace" : [ "default" ], "summary" : {"engine-name" : "Spark", "engine-version" : "3.3.2"},
	    "representations" : [ {"type" : "sql",
	      "sql" : "SELECT\n    COUNT(1), CAST(event_ts AS DATE)\nFROM events\nGROUP BY 2", "dialect" : "spark"} ] } ],
	  "schemas": [ {"schema-id": 1, "type" : "struct", "fields" : [
	    {"id" : 1, "name" : "event_count", "required" : false, "type" : "int", "doc" : "Count of events"},
	    {"id" : 2, "name" : "event_date", "required" : false, "type" : "date"} ] } ],
	  "version-log" : [ {"timestamp-ms" : 1573518431292, "version-id" : 1} ]})"));
}

std::string VersionJson(int32_t id, int64_t timestamp, int32_t schema_id, const char *sql,
                        std::vector<std::string> dialects = {"spark"}) {
	json representations = json::array();
	for (auto &dialect : dialects) {
		representations.push_back({{"type", "sql"}, {"sql", sql}, {"dialect", dialect}});
	}
	return json {{"action", "add-view-version"},
	             {"view-version",
	              {{"version-id", id},
	               {"timestamp-ms", timestamp},
	               {"schema-id", schema_id},
	               {"summary", {{"engine-name", "Spark"}, {"engine-version", "3.3.2"}}},
	               {"default-catalog", "prod"},
	               {"default-namespace", {"default"}},
	               {"representations", representations}}}}
	    .dump();
}

ViewMetadata ApplyView(const ViewMetadata &base, std::initializer_list<std::string> texts, int64_t now = kNow) {
	std::vector<ViewUpdate> updates;
	for (auto &text : texts) {
		updates.push_back(ParseViewUpdate(json::parse(text)));
	}
	return ApplyViewUpdates(base, updates, now);
}

TEST(IcebergViewUpdate, ReplacingTheSpecExampleView) {
	// The spec's second CREATE OR REPLACE: a new version, current, logged at its timestamp.
	auto replaced = ApplyView(
	    SpecView(), {VersionJson(2, 1573518981593, 1,
	                             "SELECT\n    COUNT(1), CAST(event_ts AS DATE)\nFROM prod.default.events\nGROUP BY 2"),
	                 R"({"action":"set-current-view-version","view-version-id":-1})"});
	EXPECT_EQ(replaced.current_version_id, 2);
	EXPECT_EQ(replaced.versions.size(), 2u);
	EXPECT_EQ(replaced.version_log.back(), (ViewHistoryEntry {1573518981593, 2}));

	// An equal version is the existing one, whatever id the client gave it.
	auto same =
	    ApplyView(replaced,
	              {VersionJson(7, 1, 1, "SELECT\n    COUNT(1), CAST(event_ts AS DATE)\nFROM events\nGROUP BY 2"),
	               R"({"action":"set-current-view-version","view-version-id":1})"},
	              kNow);
	EXPECT_EQ(same.versions.size(), 2u);
	EXPECT_EQ(same.current_version_id, 1);
	// Going back to an older version logs it now.
	EXPECT_EQ(same.version_log.back(), (ViewHistoryEntry {kNow, 1}));

	// A new schema and a version on it, by -1.
	auto evolved = ApplyView(replaced, {R"({"action":"add-schema","schema":{"type":"struct","fields":[
	                                        {"id":1,"name":"event_count","required":false,"type":"long"}]}})",
	                                    VersionJson(3, kNow, -1, "SELECT count(*) FROM events"),
	                                    R"({"action":"set-current-view-version","view-version-id":-1})"});
	EXPECT_EQ(evolved.schemas.size(), 2u);
	EXPECT_EQ(evolved.CurrentVersion().schema_id, 2);
	EXPECT_EQ(evolved.CurrentSchema().FindField(1)->type->id, TypeId::Long);
	EXPECT_EQ(ParseViewMetadata(ToJson(evolved)).current_version_id, 3);
}

TEST(IcebergViewUpdate, JavasViewBuilderChecks) {
	auto view = SpecView();
	ExpectError([&] { ApplyView(view, {VersionJson(2, kNow, 9, "SELECT 1")}); }, ErrorCode::InvalidInput,
	            "cannot add version with unknown schema: 9");
	ExpectError([&] { ApplyView(view, {VersionJson(2, kNow, -1, "SELECT 1")}); }, ErrorCode::InvalidInput,
	            "cannot set last added schema: no schema has been added");
	ExpectError(
	    [&] {
		    ApplyView(view, {VersionJson(2, kNow, 1, "SELECT 1", {"spark", "SPARK"})});
	    },
	    ErrorCode::InvalidInput, "cannot add multiple queries for dialect spark");
	ExpectError([&] { ApplyView(view, {R"({"action":"set-current-view-version","view-version-id":-1})"}); },
	            ErrorCode::InvalidInput, "cannot set last version id: no current version id has been set");
	ExpectError([&] { ApplyView(view, {R"({"action":"set-current-view-version","view-version-id":5})"}); },
	            ErrorCode::InvalidInput, "cannot set current version to unknown version: 5");
	ExpectError([&] { ApplyView(view, {R"({"action":"assign-uuid","uuid":"00000000-0000-4000-8000-000000000000"})"}); },
	            ErrorCode::InvalidInput, "cannot reassign the uuid of a view");
	ExpectError([&] { ApplyView(view, {R"({"action":"upgrade-format-version","format-version":2})"}); },
	            ErrorCode::InvalidInput, "unsupported view format version: 2");
	// A replacement that drops a dialect is refused unless the view allows it.
	auto trino_only = {VersionJson(2, kNow, 1, "SELECT 1", {"trino"}),
	                   std::string(R"({"action":"set-current-view-version","view-version-id":-1})")};
	ExpectError([&] { ApplyView(view, trino_only); }, ErrorCode::InvalidInput,
	            "loss of view dialects (replace.drop-dialect.allowed=false)");
	auto allowed =
	    ApplyView(view, {R"({"action":"set-properties","updates":{"replace.drop-dialect.allowed":"true"}})"});
	EXPECT_EQ(ApplyViewUpdates(allowed,
	                           {ParseViewUpdate(json::parse(*trino_only.begin())),
	                            ParseViewUpdate(json::parse(*(trino_only.begin() + 1)))},
	                           kNow)
	              .CurrentVersion()
	              .representations[0]
	              .dialect,
	          "trino");
}

TEST(IcebergViewUpdate, OldVersionsExpire) {
	auto view = ApplyView(SpecView(), {R"({"action":"set-properties","updates":{"version.history.num-entries":"2"}})"});
	for (int i = 2; i <= 4; i++) {
		view = ApplyView(view, {VersionJson(i, kNow + i, 1, ("SELECT " + std::to_string(i)).c_str()),
		                        R"({"action":"set-current-view-version","view-version-id":-1})"});
	}
	// Java keeps the current version, then the newest by id, and drops history before a gone one.
	std::vector<int32_t> ids;
	for (auto &version : view.versions) {
		ids.push_back(version.version_id);
	}
	EXPECT_EQ(ids, (std::vector<int32_t> {4, 3}));
	EXPECT_EQ(view.version_log, (std::vector<ViewHistoryEntry> {{kNow + 3, 3}, {kNow + 4, 4}}));
	ExpectError(
	    [&] { ApplyView(view, {R"({"action":"set-properties","updates":{"version.history.num-entries":"0"}})"}); },
	    ErrorCode::InvalidInput, "version.history.num-entries must be positive");
}

TEST(IcebergViewUpdate, JsonFormsRequirementsAndNewViews) {
	// Java's TestMetadataUpdateParser view forms.
	const char *forms[] = {
	    R"({"action":"add-view-version","view-version":{"version-id":23,"timestamp-ms":123456789,"schema-id":4,"summary":{"user":"some-user"},"default-namespace":["ns"],"representations":[]}})",
	    R"({"action":"set-current-view-version","view-version-id":23})",
	    R"({"action":"set-location","location":"s3://v"})",
	    R"({"action":"assign-uuid","uuid":"9510c070-5e6d-4b40-bf40-a8915bb76e5d"})",
	};
	for (auto form : forms) {
		auto expected = json::parse(form);
		EXPECT_EQ(ToJson(ParseViewUpdate(expected)), expected) << form;
	}
	ExpectError([] { ParseViewUpdate(json::parse(R"({"action":"add-snapshot","snapshot":{}})")); },
	            ErrorCode::InvalidInput, "applies to tables, not views: \"add-snapshot\"");
	ExpectError([] { ParseViewUpdate(json::parse(R"({"action":"frobnicate"})")); }, ErrorCode::InvalidInput,
	            "unknown view update action \"frobnicate\"");
	ExpectError([] { ParseViewUpdate(json::parse(R"({"action":"set-current-view-version"})")); },
	            ErrorCode::InvalidInput, "view update \"set-current-view-version\": \"view-version-id\" is missing");

	auto view = SpecView();
	auto requirement = ParseViewRequirement(
	    json::parse(R"({"type":"assert-view-uuid","uuid":"FA6506C3-7681-40C8-86DC-E36561F83385"})"));
	EXPECT_NO_THROW(CheckViewRequirement(requirement, &view));
	EXPECT_EQ(ToJson(requirement),
	          json::parse(R"({"type":"assert-view-uuid","uuid":"FA6506C3-7681-40C8-86DC-E36561F83385"})"));
	ExpectError([&] { CheckViewRequirement({"00000000-0000-0000-0000-000000000000"}, &view); },
	            ErrorCode::SerializationFailure, "view uuid does not match");
	ExpectError([&] { CheckViewRequirement(requirement, nullptr); }, ErrorCode::SerializationFailure,
	            "the view does not exist");
	ExpectError([] { ParseViewRequirement(json::parse(R"({"type":"assert-create"})")); }, ErrorCode::InvalidInput,
	            "unknown view requirement type \"assert-create\"");

	// A REST create-view: the schema becomes schema 0 and the version points at it.
	auto created = NewViewMetadata(view.CurrentSchema(), view.CurrentVersion(), "s3://bucket/v", {{"comment", "c"}});
	EXPECT_EQ(created.schemas.size(), 1u);
	EXPECT_EQ(created.schemas[0].schema_id, 0);
	EXPECT_EQ(created.CurrentVersion().schema_id, 0);
	EXPECT_EQ(created.current_version_id, 1);
	EXPECT_EQ(created.version_log, (std::vector<ViewHistoryEntry> {{1573518431292, 1}}));
	EXPECT_EQ(created.view_uuid.size(), 36u);
	EXPECT_EQ(created.properties.at("comment"), "c");
}

} // namespace
