#pragma once
// Applies table updates one by one with the checks and bookkeeping of Java's
// TableMetadata.Builder, which every Iceberg writer expects a catalog to reproduce: ids reused
// for equal schemas, specs and sort orders, -1 for the one added last, the snapshot log kept
// as main moves, refs dropped with their snapshots, and the changes that really changed
// something recorded (a commit whose updates change nothing writes no new file).
#include "iceberg/table_metadata.hpp"
#include "iceberg/table_update.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace akko::iceberg {

class TableMetadataBuilder {
public:
	// Changes `base`; `now_ms` becomes last-updated-ms if anything changes.
	TableMetadataBuilder(const TableMetadata &base_p, int64_t now_ms_p);
	// An empty table of `format_version` with a random uuid, for create transactions.
	static TableMetadataBuilder ForNewTable(int32_t format_version, int64_t now_ms);

	// Throws akko::Error as ApplyUpdates documents; the builder is then unusable.
	void Apply(const TableUpdate &update);
	// The metadata file `base` came from: logged in metadata-log when the build changes anything.
	void SetPreviousFile(MetadataLogEntry previous_file_p);
	// The updates that changed something, as Java records them (-1 for "the last added").
	const std::vector<TableUpdate> &Changes() const {
		return changes;
	}
	TableMetadata Build() const;

private:
	TableMetadataBuilder(TableMetadata base_p, int64_t now_ms_p, bool is_new_p);

	void AssignUuid(const std::string &uuid);
	void UpgradeFormatVersion(int32_t format_version);
	void AddSchema(const Schema &schema);
	void SetCurrentSchema(int32_t schema_id);
	void AddPartitionSpec(const PartitionSpec &spec);
	void SetDefaultSpec(int32_t spec_id);
	void AddSortOrder(const SortOrder &order);
	void SetDefaultSortOrder(int32_t order_id);
	void AddSnapshot(const Snapshot &snapshot);
	void SetRef(const std::string &name, const SnapshotRef &ref);
	void RemoveSnapshots(const std::vector<int64_t> &snapshot_ids);
	void RemoveRef(const std::string &name);
	void SetLocation(const std::string &location);
	void SetProperties(const std::map<std::string, std::string> &updates);
	void RemoveProperties(const std::vector<std::string> &removals);
	void SetStatistics(const StatisticsFile &file);
	void RemoveStatistics(int64_t snapshot_id);
	void SetPartitionStatistics(const PartitionStatisticsFile &file);
	void RemovePartitionStatistics(int64_t snapshot_id);
	void RemovePartitionSpecs(const std::vector<int32_t> &spec_ids);
	void RemoveSchemas(const std::vector<int32_t> &schema_ids);
	void AddEncryptionKey(const EncryptedKey &key);
	void RemoveEncryptionKey(const std::string &key_id);

	bool IsAddedSnapshot(int64_t snapshot_id) const;
	std::vector<SnapshotLogEntry> UpdatedSnapshotLog() const;

	TableMetadata base;
	TableMetadata metadata;
	int64_t now_ms;
	bool is_new;
	std::optional<MetadataLogEntry> previous_file;
	std::vector<TableUpdate> changes;
	std::optional<int32_t> last_added_schema_id;
	std::optional<int32_t> last_added_spec_id;
	std::optional<int32_t> last_added_order_id;
};

} // namespace akko::iceberg
