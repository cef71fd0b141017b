#pragma once
// The changes a commit makes to a table: every TableUpdate of the Iceberg REST catalog API,
// read from and written to its JSON form (discriminated by "action"), and applied the way
// Java's TableMetadata.Builder applies them.
#include "iceberg/table_metadata.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace akko::iceberg {

// Updates views share with tables (see view_update.hpp) come first.
struct AssignUuidUpdate {
	std::string uuid;
};
struct UpgradeFormatVersionUpdate {
	int32_t format_version = 0;
};
struct AddSchemaUpdate {
	Schema schema;
	// Deprecated in the REST API; kept to write back what was read. The table's last column id
	// becomes the larger of its own and the schema's highest field id, as in Java.
	std::optional<int32_t> last_column_id;
};
struct SetLocationUpdate {
	std::string location;
};
struct SetPropertiesUpdate {
	std::map<std::string, std::string> updates;
};
struct RemovePropertiesUpdate {
	std::vector<std::string> removals;
};

// -1 as an id below means "the one added last in this commit".
constexpr int32_t kLastAdded = -1;

struct SetCurrentSchemaUpdate {
	int32_t schema_id = 0;
};
struct AddPartitionSpecUpdate {
	PartitionSpec spec;
};
struct SetDefaultSpecUpdate {
	int32_t spec_id = 0;
};
struct AddSortOrderUpdate {
	SortOrder sort_order;
};
struct SetDefaultSortOrderUpdate {
	int32_t sort_order_id = 0;
};
struct AddSnapshotUpdate {
	Snapshot snapshot;
};
struct SetSnapshotRefUpdate {
	std::string ref_name;
	SnapshotRef ref;
};
struct RemoveSnapshotsUpdate {
	std::vector<int64_t> snapshot_ids;
};
struct RemoveSnapshotRefUpdate {
	std::string ref_name;
};
struct SetStatisticsUpdate {
	StatisticsFile statistics;
};
struct RemoveStatisticsUpdate {
	int64_t snapshot_id = 0;
};
struct SetPartitionStatisticsUpdate {
	PartitionStatisticsFile partition_statistics;
};
struct RemovePartitionStatisticsUpdate {
	int64_t snapshot_id = 0;
};
struct RemovePartitionSpecsUpdate {
	std::vector<int32_t> spec_ids;
};
struct RemoveSchemasUpdate {
	std::vector<int32_t> schema_ids;
};
struct AddEncryptionKeyUpdate {
	EncryptedKey encryption_key;
};
struct RemoveEncryptionKeyUpdate {
	std::string key_id;
};

using TableUpdate =
    std::variant<AssignUuidUpdate, UpgradeFormatVersionUpdate, AddSchemaUpdate, SetCurrentSchemaUpdate,
                 AddPartitionSpecUpdate, SetDefaultSpecUpdate, AddSortOrderUpdate, SetDefaultSortOrderUpdate,
                 AddSnapshotUpdate, SetSnapshotRefUpdate, RemoveSnapshotsUpdate, RemoveSnapshotRefUpdate,
                 SetLocationUpdate, SetPropertiesUpdate, RemovePropertiesUpdate, SetStatisticsUpdate,
                 RemoveStatisticsUpdate, SetPartitionStatisticsUpdate, RemovePartitionStatisticsUpdate,
                 RemovePartitionSpecsUpdate, RemoveSchemasUpdate, AddEncryptionKeyUpdate, RemoveEncryptionKeyUpdate>;

// Throws akko::Error (invalid_input) for an unknown action (the message names it), a view-only
// action, or a malformed update (the message names the action and the field).
TableUpdate ParseTableUpdate(const nlohmann::json &json);
nlohmann::json ToJson(const TableUpdate &update);
// The REST API's name of the update, e.g. "add-snapshot".
const char *ActionName(const TableUpdate &update);

// `base` with `updates` applied in order, validated as Java's TableMetadata.Builder validates
// them. `now_ms` becomes last-updated-ms (and the time of a rollback in the snapshot log) when
// anything changed; otherwise `base` comes back as it was. Given `previous_file` (the file
// `base` was read from and when it was written), a changed table logs it in metadata-log,
// keeping at most write.metadata.previous-versions-max (default 100) entries.
//
// Throws akko::Error: invalid_input when an update is invalid (unknown schema, spec, sort
// order or snapshot, a tag for main, a downgrade...), serialization_failure when an added
// snapshot is stale (its sequence number or first-row-id is behind the table's, as when
// another writer committed first), which Java reports as a retryable commit failure.
TableMetadata ApplyUpdates(const TableMetadata &base, const std::vector<TableUpdate> &updates, int64_t now_ms,
                           const std::optional<MetadataLogEntry> &previous_file = std::nullopt);

// The table a REST create transaction builds (Java's CatalogHandlers.create): an empty table
// of the format version the first upgrade-format-version names (2 otherwise) and a random
// uuid, then `updates` in order. They must add a schema, a spec, a sort order and a location.
TableMetadata NewTableMetadataFromUpdates(const std::vector<TableUpdate> &updates, int64_t now_ms);

} // namespace akko::iceberg
