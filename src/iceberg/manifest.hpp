#pragma once
// Manifests (the Iceberg table spec's "Manifests"): Avro files listing data or delete files
// with their partition tuple, metrics and tracking information. Written in format versions
// 2 and 3 with the spec's field ids and Java's record names; read in 1, 2 and 3 by field id,
// taking the partition type from the file's own schema.
#include "iceberg/avro_codec.hpp"
#include "iceberg/manifest_list.hpp"
#include "iceberg/value.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko::iceberg {

enum class FileContent : int32_t { Data = 0, PositionDeletes = 1, EqualityDeletes = 2 };
enum class ManifestEntryStatus : int32_t { Existing = 0, Added = 1, Deleted = 2 };

struct DataFile {
	FileContent content = FileContent::Data;
	std::string file_path;
	std::string file_format = "PARQUET";
	// One value per partition field, in the partition spec's order.
	std::vector<Literal> partition;
	int64_t record_count = 0;
	int64_t file_size_in_bytes = 0;
	// By column field id.
	std::map<int32_t, int64_t> column_sizes;
	std::map<int32_t, int64_t> value_counts;
	std::map<int32_t, int64_t> null_value_counts;
	std::map<int32_t, int64_t> nan_value_counts;
	// Binary single-value serialization (SerializeBinary) of each column's bound.
	std::map<int32_t, std::string> lower_bounds;
	std::map<int32_t, std::string> upper_bounds;
	std::optional<std::string> key_metadata;
	std::vector<int64_t> split_offsets;
	std::vector<int32_t> equality_ids; // equality deletes only
	std::optional<int32_t> sort_order_id;
	std::optional<std::string> referenced_data_file; // position deletes
	std::optional<int64_t> first_row_id;             // v3
	std::optional<int64_t> content_offset;           // v3 deletion vectors
	std::optional<int64_t> content_size_in_bytes;    // v3 deletion vectors

	bool operator==(const DataFile &) const = default;
};

struct ManifestEntry {
	ManifestEntryStatus status = ManifestEntryStatus::Added;
	// Null in a file means "inherited from the manifest list" (InheritFromManifestList).
	std::optional<int64_t> snapshot_id;
	std::optional<int64_t> sequence_number;      // the data sequence number
	std::optional<int64_t> file_sequence_number;
	DataFile data_file;

	bool operator==(const ManifestEntry &) const = default;
};

// A field of the partition spec the manifest was written with; result_type is the type of
// its partition values (the transform's result type).
struct PartitionFieldInfo {
	int32_t field_id = 0;
	std::string name;
	PrimitiveType result_type;
	int32_t source_id = 0;
	std::string transform;

	bool operator==(const PartitionFieldInfo &) const = default;
};

struct ManifestWriteOptions {
	int32_t format_version = 2;
	ManifestContent content = ManifestContent::Data;
	// The table schema as table metadata holds it (the JSON text), and its id.
	std::string schema_json;
	int32_t schema_id = 0;
	int32_t partition_spec_id = 0;
	std::vector<PartitionFieldInfo> partition_fields;
	AvroCodec codec = AvroCodec::Deflate;
};

// The manifest file's bytes. Throws akko::Error (invalid_input) for entries the options do
// not allow: a partition tuple that does not fit the spec, a delete file in a data manifest
// or the reverse, an existing or deleted entry without its sequence numbers.
std::string WriteManifest(const ManifestWriteOptions &options, const std::vector<ManifestEntry> &entries);

// The manifest list entry for a manifest written by WriteManifest: counts, partition field
// summaries, and sequence numbers left at kUnassignedSequenceNumber where the commit's
// manifest list assigns them (WriteManifestList).
ManifestFile SummarizeManifest(const ManifestWriteOptions &options, const std::vector<ManifestEntry> &entries,
                               std::string manifest_path, int64_t manifest_length, int64_t added_snapshot_id);

struct Manifest {
	int32_t format_version = 1; // v1 files need not say
	ManifestContent content = ManifestContent::Data;
	int32_t partition_spec_id = 0;
	std::optional<int32_t> schema_id;
	std::string schema_json;
	// From the file's partition record, with source ids and transforms from its
	// "partition-spec" metadata where that names them.
	std::vector<PartitionFieldInfo> partition_fields;
	// As written: nulls that inheritance fills are still null.
	std::vector<ManifestEntry> entries;
};

// Throws akko::Error (invalid_input) for anything that is not a readable manifest.
Manifest ReadManifest(std::string_view bytes);

// Fills what entries inherit from the manifest list entry of their manifest: a null snapshot
// id becomes the manifest's; null sequence numbers of added entries (of all entries when the
// manifest's is 0, as in v1) become the manifest's sequence number; null first_row_ids of
// data files are assigned from the manifest's first_row_id on, in file order.
void InheritFromManifestList(std::vector<ManifestEntry> &entries, const ManifestFile &manifest);

} // namespace akko::iceberg
