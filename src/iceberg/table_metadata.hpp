#pragma once
// Table metadata: the content of a table's metadata JSON file (table spec "Table Metadata",
// Appendix C), read from format v1, v2 and v3 files and written the way Java writes them, so
// Spark, Trino, PyIceberg and DuckDB read what we write and we read what they write.
#include "iceberg/partition_spec.hpp"
#include "iceberg/schema.hpp"
#include "iceberg/snapshot.hpp"
#include "iceberg/sort_order.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko::iceberg {

// A metadata file this one replaced, and when that one was written.
struct MetadataLogEntry {
	int64_t timestamp_ms = 0;
	std::string metadata_file;

	bool operator==(const MetadataLogEntry &other) const = default;
};

struct BlobMetadata {
	std::string type;
	int64_t snapshot_id = 0;
	int64_t sequence_number = 0;
	std::vector<int32_t> fields;
	std::map<std::string, std::string> properties;

	bool operator==(const BlobMetadata &other) const = default;
};

// A Puffin statistics file for one snapshot.
struct StatisticsFile {
	int64_t snapshot_id = 0;
	std::string statistics_path;
	int64_t file_size_in_bytes = 0;
	int64_t file_footer_size_in_bytes = 0;
	std::optional<std::string> key_metadata;
	std::vector<BlobMetadata> blob_metadata;

	bool operator==(const StatisticsFile &other) const = default;
};

struct PartitionStatisticsFile {
	int64_t snapshot_id = 0;
	std::string statistics_path;
	int64_t file_size_in_bytes = 0;

	bool operator==(const PartitionStatisticsFile &other) const = default;
};

// v3 table encryption: a wrapped key, opaque here.
struct EncryptedKey {
	std::string key_id;
	std::string encrypted_key_metadata;
	std::optional<std::string> encrypted_by_id;
	std::map<std::string, std::string> properties;

	bool operator==(const EncryptedKey &other) const = default;
};

// The highest table format version this code reads and writes.
constexpr int32_t kMaxTableFormatVersion = 3;

struct TableMetadata {
	int32_t format_version = 2;
	std::string table_uuid;
	std::string location;
	int64_t last_sequence_number = 0;
	int64_t last_updated_ms = 0;
	int32_t last_column_id = 0;
	std::vector<Schema> schemas;
	int32_t current_schema_id = 0;
	std::vector<PartitionSpec> partition_specs;
	int32_t default_spec_id = 0;
	int32_t last_partition_id = 0;
	std::vector<SortOrder> sort_orders;
	int32_t default_sort_order_id = 0;
	std::map<std::string, std::string> properties;
	// Always the main branch's snapshot; none for a table without data.
	std::optional<int64_t> current_snapshot_id;
	std::vector<Snapshot> snapshots;
	std::map<std::string, SnapshotRef> refs;
	std::vector<SnapshotLogEntry> snapshot_log;
	std::vector<MetadataLogEntry> metadata_log;
	std::vector<StatisticsFile> statistics;
	std::vector<PartitionStatisticsFile> partition_statistics;
	// v3: higher than every row id assigned so far; the next snapshot's first-row-id.
	int64_t next_row_id = 0;
	std::vector<EncryptedKey> encryption_keys;

	// These throw akko::Error (invalid_input) when the id names nothing, which Validate rules out.
	const Schema &CurrentSchema() const;
	const PartitionSpec &DefaultSpec() const;
	const SortOrder &DefaultSortOrder() const;
	const Schema *SchemaById(int32_t id) const;
	const PartitionSpec *SpecById(int32_t id) const;
	const SortOrder *SortOrderById(int32_t id) const;
	const Snapshot *SnapshotById(int64_t id) const;
	const Snapshot *CurrentSnapshot() const;
	const SnapshotRef *Ref(std::string_view name) const;
	// The snapshot that was current at `timestamp_ms`: the last snapshot-log entry at or
	// before it, as the spec's time travel reads the history (Appendix F). Null when the log
	// starts later, or names a snapshot since expired.
	const Snapshot *SnapshotAsOf(int64_t timestamp_ms) const;
	// Whether every snapshot after `since` (exclusive; nullopt: the table's start) up to the
	// current one is an append: then what a writer read at `since` is still live, with the
	// deletes it saw, and only new files were added. False when `since` is not an ancestor.
	bool OnlyAppendsSince(std::optional<int64_t> since) const;

	// What Java's TableMetadata constructor checks: a supported format version, uuid and
	// location present, current schema, default spec and default sort order existing, no
	// snapshot newer than last-sequence-number, every ref naming a snapshot, main agreeing with
	// current-snapshot-id, and the current snapshot existing. Throws akko::Error (invalid_input).
	void Validate() const;
};

// v1 files may give "schema" and "partition-spec" instead of the lists; "refs" defaults to the
// main branch at the current snapshot; -1 or null is no current snapshot. The default spec and
// sort order are checked against the current schema, as Java binds them. Throws akko::Error
// (invalid_input) naming what is wrong.
TableMetadata ParseTableMetadata(const nlohmann::json &json);
// The file Java would write: v1 also gets "schema" and "partition-spec"; v3 writes a missing
// current snapshot as null and includes next-row-id.
nlohmann::json ToJson(const TableMetadata &metadata);

// A new table the way Java's TableMetadata.newTableMetadata builds one: column ids reassigned
// 1..n (a struct's fields before what nests in them), partition field ids from 1000, spec id 0,
// sort order id 1 (0 when unsorted), all resolved through column names; a random uuid; format
// version 2 unless the "format-version" property says otherwise (1 to 3); properties without
// the reserved ones, plus write.parquet.compression-codec=zstd unless given.
TableMetadata NewTableMetadata(const Schema &schema, const PartitionSpec &spec, const SortOrder &order,
                               std::string location, std::map<std::string, std::string> properties);

MetadataLogEntry ParseMetadataLogEntry(const nlohmann::json &json);
StatisticsFile ParseStatisticsFile(const nlohmann::json &json);
nlohmann::json ToJson(const StatisticsFile &file);
PartitionStatisticsFile ParsePartitionStatisticsFile(const nlohmann::json &json);
nlohmann::json ToJson(const PartitionStatisticsFile &file);
EncryptedKey ParseEncryptedKey(const nlohmann::json &json);
nlohmann::json ToJson(const EncryptedKey &key);

// Java's LocationUtil.stripTrailingSlash: table locations never end in '/'.
std::string StripTrailingSlash(std::string location);

} // namespace akko::iceberg
