#pragma once
// Producing a snapshot (the table spec's "Snapshots" and "Commit Conflict Resolution"): the
// manifests of a commit's new files are written once; the manifest list, which places them on
// top of the table's current manifests, is written for whichever base the commit finally lands
// on, so a writer that lost a race re-bases its appends without rewriting them.
#include "iceberg/manifest.hpp"
#include "iceberg/scan_planner.hpp"
#include "iceberg/table_metadata.hpp"
#include "iceberg/table_update.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace akko::iceberg {

// Stores `bytes` as the file at `uri` (atomically, durably).
using FileWriter = std::function<void(const std::string &uri, const std::string &bytes)>;

struct AddedFile {
	DataFile file;
	// The spec the file's partition tuple follows: the default one for new data; for a position
	// delete file, the spec of the data file it deletes from.
	int32_t spec_id = 0;
};

// Writes one manifest per (content, spec) of `files` under `<table location>/metadata/`, its
// entries ADDED with sequence numbers left to inherit. Returns the manifest list entries.
std::vector<ManifestFile> WriteAddedManifests(const TableMetadata &metadata, int64_t snapshot_id,
                                              const std::vector<AddedFile> &files, const FileWriter &write);

struct SnapshotChange {
	// "append" (data files only), "delete" (delete files only) or "overwrite" (both).
	std::string operation;
	std::vector<ManifestFile> added_manifests;
};

// A snapshot id, unique in practice: random and positive, as Java makes them.
int64_t NewSnapshotId();

// The updates that commit `change` on top of `base`: its manifest list (the new manifests, then
// every manifest of base's current snapshot) written beside the manifests, add-snapshot with the
// spec's summary (added and total counts), and set-snapshot-ref moving main.
std::vector<TableUpdate> ProduceSnapshot(const TableMetadata &base, int64_t snapshot_id, const SnapshotChange &change,
                                         int64_t now_ms, ManifestCache &cache, const FileReader &read,
                                         const FileWriter &write);

} // namespace akko::iceberg
