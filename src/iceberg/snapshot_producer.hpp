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
#include <set>
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

// One manifest of `spec_id` and `content` listing `entries` as given (their status, snapshot ids
// and sequence numbers kept), under `<table location>/metadata/`; for rewritten manifests.
ManifestFile WriteManifestOf(const TableMetadata &metadata, int64_t snapshot_id, int32_t spec_id,
                             ManifestContent content, const std::vector<ManifestEntry> &entries,
                             const FileWriter &write);

// The manifests of `snapshot` that list one of `removed` (file paths), each rewritten with the
// removed files as DELETED entries of `snapshot_id` and its other live files as EXISTING ones, as
// Java's ManifestFilterManager does.
struct FilteredManifests {
	std::vector<ManifestFile> manifests;
	// The manifests they replace.
	std::vector<std::string> replaced;
	// The removed files found, each once.
	std::vector<ManifestEntry> removed_entries;
};
FilteredManifests RemoveFiles(const TableMetadata &metadata, const Snapshot &snapshot, int64_t snapshot_id,
                              const std::set<std::string> &removed, ManifestCache &cache, const FileReader &read,
                              const FileWriter &write);

struct SnapshotChange {
	// "append" (data files only), "delete" (delete files only), "overwrite" (both), or "replace"
	// (the same rows in other files or manifests: compaction, manifest rewrites).
	std::string operation;
	std::vector<ManifestFile> added_manifests;
	// Manifests of the base's current snapshot the new one no longer lists (added_manifests hold
	// what they held). One the base no longer has means another writer rewrote it first: the
	// commit fails with serialization_failure.
	std::vector<std::string> replaced_manifests = {};
	// Added to the snapshot summary, e.g. Java's "manifests-created" for a manifest rewrite.
	std::map<std::string, std::string> summary = {};
};

// A snapshot id, unique in practice: random and positive, as Java makes them.
int64_t NewSnapshotId();

// The updates that commit `change` on top of `base`: its manifest list (the new manifests, then
// every manifest of base's current snapshot but the replaced ones and those holding only DELETED
// entries) written beside the manifests, add-snapshot with the spec's summary (added, removed and
// total counts, from the new manifests' ADDED and DELETED entries), and set-snapshot-ref moving
// main.
std::vector<TableUpdate> ProduceSnapshot(const TableMetadata &base, int64_t snapshot_id, const SnapshotChange &change,
                                         int64_t now_ms, ManifestCache &cache, const FileReader &read,
                                         const FileWriter &write);

} // namespace akko::iceberg
