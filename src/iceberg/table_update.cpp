#include "iceberg/table_update.hpp"

#include "common/error.hpp"
#include "common/overloaded.hpp"
#include "common/sql_lexer.hpp"
#include "iceberg/metadata_json.hpp"
#include "iceberg/table_metadata_builder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace akko::iceberg {

using namespace metadata_json;

namespace {

// In the order of TableUpdate's alternatives.
constexpr const char *kActionNames[] = {
    "assign-uuid",
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
    "remove-encryption-key",
};
static_assert(std::size(kActionNames) == std::variant_size_v<TableUpdate>, "one name per table update");

std::map<std::string, std::string> PropertyUpdates(const Json &json, std::string_view what) {
	// Early REST clients wrote "updated" and "removed"; Java still reads them.
	if (!FindMember(json, "updates") && FindMember(json, "updated")) {
		return GetStringMap(json, "updated", what);
	}
	RequireMember(json, "updates", what);
	return GetStringMap(json, "updates", what);
}

std::vector<std::string> PropertyRemovals(const Json &json, std::string_view what) {
	if (!FindMember(json, "removals") && FindMember(json, "removed")) {
		return GetStringList(json, "removed", what);
	}
	return GetStringList(json, "removals", what);
}

TableUpdate ParseUpdate(const Json &json, const std::string &action) {
	auto what = fmt::format("table update \"{}\"", action);
	if (action == "assign-uuid") {
		return AssignUuidUpdate {GetString(json, "uuid", what)};
	}
	if (action == "upgrade-format-version") {
		return UpgradeFormatVersionUpdate {GetInt(json, "format-version", what)};
	}
	if (action == "add-schema") {
		return AddSchemaUpdate {ParseSchema(RequireMember(json, "schema", what)),
		                        GetOptionalInt(json, "last-column-id", what)};
	}
	if (action == "set-current-schema") {
		return SetCurrentSchemaUpdate {GetInt(json, "schema-id", what)};
	}
	if (action == "add-spec") {
		return AddPartitionSpecUpdate {ParsePartitionSpec(RequireMember(json, "spec", what))};
	}
	if (action == "set-default-spec") {
		return SetDefaultSpecUpdate {GetInt(json, "spec-id", what)};
	}
	if (action == "add-sort-order") {
		return AddSortOrderUpdate {ParseSortOrder(RequireMember(json, "sort-order", what))};
	}
	if (action == "set-default-sort-order") {
		return SetDefaultSortOrderUpdate {GetInt(json, "sort-order-id", what)};
	}
	if (action == "add-snapshot") {
		return AddSnapshotUpdate {ParseSnapshot(RequireMember(json, "snapshot", what))};
	}
	if (action == "set-snapshot-ref") {
		return SetSnapshotRefUpdate {GetString(json, "ref-name", what), ParseSnapshotRef(json)};
	}
	if (action == "remove-snapshots") {
		return RemoveSnapshotsUpdate {GetLongList(json, "snapshot-ids", what)};
	}
	if (action == "remove-snapshot-ref") {
		return RemoveSnapshotRefUpdate {GetString(json, "ref-name", what)};
	}
	if (action == "set-location") {
		return SetLocationUpdate {GetString(json, "location", what)};
	}
	if (action == "set-properties") {
		return SetPropertiesUpdate {PropertyUpdates(json, what)};
	}
	if (action == "remove-properties") {
		return RemovePropertiesUpdate {PropertyRemovals(json, what)};
	}
	if (action == "set-statistics") {
		return SetStatisticsUpdate {ParseStatisticsFile(RequireMember(json, "statistics", what))};
	}
	if (action == "remove-statistics") {
		return RemoveStatisticsUpdate {GetLong(json, "snapshot-id", what)};
	}
	if (action == "set-partition-statistics") {
		return SetPartitionStatisticsUpdate {
		    ParsePartitionStatisticsFile(RequireMember(json, "partition-statistics", what))};
	}
	if (action == "remove-partition-statistics") {
		return RemovePartitionStatisticsUpdate {GetLong(json, "snapshot-id", what)};
	}
	if (action == "remove-partition-specs") {
		return RemovePartitionSpecsUpdate {GetIntList(json, "spec-ids", what)};
	}
	if (action == "remove-schemas") {
		return RemoveSchemasUpdate {GetIntList(json, "schema-ids", what)};
	}
	if (action == "add-encryption-key") {
		return AddEncryptionKeyUpdate {ParseEncryptedKey(RequireMember(json, "encryption-key", what))};
	}
	if (action == "remove-encryption-key") {
		return RemoveEncryptionKeyUpdate {GetString(json, "key-id", what)};
	}
	if (action == "add-view-version" || action == "set-current-view-version") {
		throw Error(ErrorCode::InvalidInput, fmt::format("update action \"{}\" applies to views, not tables", action));
	}
	throw Error(ErrorCode::InvalidInput, fmt::format("unknown table update action \"{}\"", action));
}

} // namespace

TableUpdate ParseTableUpdate(const nlohmann::json &json) {
	try {
		auto action = ToLower(GetTag(json, "action", "table update"));
		return ParseUpdate(json, action);
	} catch (const nlohmann::json::exception &error) {
		throw Error(ErrorCode::InvalidInput, fmt::format("invalid table update: {}", error.what()));
	}
}

const char *ActionName(const TableUpdate &update) {
	return kActionNames[update.index()];
}

nlohmann::json ToJson(const TableUpdate &update) {
	nlohmann::json json = {{"action", ActionName(update)}};
	std::visit(Overloaded {
	               [&](const AssignUuidUpdate &u) { json["uuid"] = u.uuid; },
	               [&](const UpgradeFormatVersionUpdate &u) { json["format-version"] = u.format_version; },
	               [&](const AddSchemaUpdate &u) {
		               json["schema"] = ToJson(u.schema);
		               if (u.last_column_id) {
			               json["last-column-id"] = *u.last_column_id;
		               }
	               },
	               [&](const SetCurrentSchemaUpdate &u) { json["schema-id"] = u.schema_id; },
	               [&](const AddPartitionSpecUpdate &u) { json["spec"] = ToJson(u.spec); },
	               [&](const SetDefaultSpecUpdate &u) { json["spec-id"] = u.spec_id; },
	               [&](const AddSortOrderUpdate &u) { json["sort-order"] = ToJson(u.sort_order); },
	               [&](const SetDefaultSortOrderUpdate &u) { json["sort-order-id"] = u.sort_order_id; },
	               [&](const AddSnapshotUpdate &u) { json["snapshot"] = ToJson(u.snapshot); },
	               [&](const SetSnapshotRefUpdate &u) {
		               json.update(ToJson(u.ref));
		               json["ref-name"] = u.ref_name;
	               },
	               [&](const RemoveSnapshotsUpdate &u) { json["snapshot-ids"] = u.snapshot_ids; },
	               [&](const RemoveSnapshotRefUpdate &u) { json["ref-name"] = u.ref_name; },
	               [&](const SetLocationUpdate &u) { json["location"] = u.location; },
	               [&](const SetPropertiesUpdate &u) { json["updates"] = u.updates; },
	               [&](const RemovePropertiesUpdate &u) { json["removals"] = u.removals; },
	               [&](const SetStatisticsUpdate &u) {
		               // Deprecated, but Java writes it and older servers require it.
		               json["snapshot-id"] = u.statistics.snapshot_id;
		               json["statistics"] = ToJson(u.statistics);
	               },
	               [&](const RemoveStatisticsUpdate &u) { json["snapshot-id"] = u.snapshot_id; },
	               [&](const SetPartitionStatisticsUpdate &u) {
		               json["partition-statistics"] = ToJson(u.partition_statistics);
	               },
	               [&](const RemovePartitionStatisticsUpdate &u) { json["snapshot-id"] = u.snapshot_id; },
	               [&](const RemovePartitionSpecsUpdate &u) { json["spec-ids"] = u.spec_ids; },
	               [&](const RemoveSchemasUpdate &u) { json["schema-ids"] = u.schema_ids; },
	               [&](const AddEncryptionKeyUpdate &u) { json["encryption-key"] = ToJson(u.encryption_key); },
	               [&](const RemoveEncryptionKeyUpdate &u) { json["key-id"] = u.key_id; },
	           },
	           update);
	return json;
}

TableMetadata ApplyUpdates(const TableMetadata &base, const std::vector<TableUpdate> &updates, int64_t now_ms,
                           const std::optional<MetadataLogEntry> &previous_file) {
	TableMetadataBuilder builder(base, now_ms);
	if (previous_file) {
		builder.SetPreviousFile(*previous_file);
	}
	for (auto &update : updates) {
		builder.Apply(update);
	}
	return builder.Build();
}

TableMetadata NewTableMetadataFromUpdates(const std::vector<TableUpdate> &updates, int64_t now_ms) {
	int32_t format_version = 2;
	for (auto &update : updates) {
		if (auto upgrade = std::get_if<UpgradeFormatVersionUpdate>(&update)) {
			format_version = upgrade->format_version;
			break;
		}
	}
	if (format_version < 1 || format_version > kMaxTableFormatVersion) {
		throw Error(ErrorCode::InvalidInput, fmt::format("unsupported table format version {} (supported: 1 to {})",
		                                                 format_version, kMaxTableFormatVersion));
	}
	auto builder = TableMetadataBuilder::ForNewTable(format_version, now_ms);
	for (auto &update : updates) {
		builder.Apply(update);
	}
	return builder.Build();
}

} // namespace akko::iceberg
