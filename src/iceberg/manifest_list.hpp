#pragma once
// Manifest lists (the Iceberg table spec's "Manifest Lists"): the Avro file a snapshot points
// at, one manifest_file record per manifest with its counts and partition summaries. Written
// in format versions 2 and 3; read in 1, 2 and 3, by field id, so lists from Java, PyIceberg
// and others read alike.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko::iceberg {

enum class ManifestContent : int32_t { Data = 0, Deletes = 1 };

// The sequence number of a manifest not yet committed (Java's UNASSIGNED_SEQ): the manifest
// list written for the commit replaces it with the snapshot's.
constexpr int64_t kUnassignedSequenceNumber = -1;

struct PartitionFieldSummary {
	bool contains_null = false;
	std::optional<bool> contains_nan;
	// Binary single-value serialization of the partition field's type.
	std::optional<std::string> lower_bound;
	std::optional<std::string> upper_bound;

	bool operator==(const PartitionFieldSummary &) const = default;
};

struct ManifestFile {
	std::string manifest_path;
	int64_t manifest_length = 0;
	int32_t partition_spec_id = 0;
	ManifestContent content = ManifestContent::Data;
	int64_t sequence_number = 0;     // 0 when read from v1
	int64_t min_sequence_number = 0; // 0 when read from v1
	int64_t added_snapshot_id = 0;
	// Required from v2 on; in v1 lists null means "some".
	std::optional<int32_t> added_files_count;
	std::optional<int32_t> existing_files_count;
	std::optional<int32_t> deleted_files_count;
	std::optional<int64_t> added_rows_count;
	std::optional<int64_t> existing_rows_count;
	std::optional<int64_t> deleted_rows_count;
	// One per field of the manifest's partition spec, in spec order.
	std::vector<PartitionFieldSummary> partitions;
	std::optional<std::string> key_metadata;
	std::optional<int64_t> first_row_id; // v3, data manifests

	bool operator==(const ManifestFile &) const = default;
};

struct ManifestListWriteOptions {
	int32_t format_version = 2;
	int64_t snapshot_id = 0;
	std::optional<int64_t> parent_snapshot_id;
	// The snapshot's sequence number, written for manifests still at
	// kUnassignedSequenceNumber.
	int64_t sequence_number = 0;
	// v3: the snapshot's first-row-id. Data manifests without a first_row_id are given one
	// from here on, each advancing it by its added and existing rows (the spec's simple
	// valid assignment); ManifestListAssignedRows says by how much in all.
	int64_t first_row_id = 0;
};

// Throws akko::Error (invalid_input) for what the version cannot hold (v1 is not written).
std::string WriteManifestList(const ManifestListWriteOptions &options, const std::vector<ManifestFile> &manifests);

// The row ids a v3 manifest list assigns to these manifests: the snapshot's "added-rows".
int64_t ManifestListAssignedRows(const std::vector<ManifestFile> &manifests);

// Throws akko::Error (invalid_input) for anything that is not a readable manifest list.
std::vector<ManifestFile> ReadManifestList(std::string_view bytes);

} // namespace akko::iceberg
