#pragma once
// Table maintenance that needs no query engine: expiring snapshots, removing orphan files and
// rewriting manifests (compaction, which reads rows, is the engine's). Each commits through the
// CatalogService's optimistic protocol, so it is safe while other writers, in this process or
// others, commit to the same table; files are deleted only after the commit that made them
// unreachable, and only when no retained snapshot still reaches them.
#include "catalog/catalog_service.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace akko::catalog {

// What to expire, as Java's ExpireSnapshots is told. Unset: the table's history.expire.*
// properties, then Iceberg's defaults (older than 5 days, keeping the last 1).
struct ExpireOptions {
	std::optional<int64_t> older_than_ms;
	std::optional<int32_t> retain_last;
	// Expired whatever their age (Spark's snapshot_ids); a snapshot a ref still needs is refused.
	std::vector<int64_t> snapshot_ids;
};

struct ExpiryPlan {
	std::set<int64_t> expired;
	// Branches and tags past their max-ref-age-ms (never main).
	std::vector<std::string> removed_refs;
};

// Java's RemoveSnapshots: refs older than their max-ref-age-ms go (main never); every branch
// keeps its head and ancestors while fewer than min-snapshots-to-keep are kept or they are newer
// than max-snapshot-age-ms (the ref's own settings first, then `options`); tags keep their
// snapshot; snapshots no ref reaches are kept when newer than older_than. The rest expire.
// Throws InvalidInput for retain_last < 1 or a named snapshot a ref needs.
ExpiryPlan PlanExpiry(const iceberg::TableMetadata &metadata, const ExpireOptions &options, int64_t now_ms);

// Spark's expire_snapshots output.
struct ExpireResult {
	int64_t expired_snapshots_count = 0;
	int64_t deleted_data_files_count = 0;
	int64_t deleted_position_delete_files_count = 0;
	int64_t deleted_equality_delete_files_count = 0;
	int64_t deleted_manifest_files_count = 0;
	int64_t deleted_manifest_lists_count = 0;
	int64_t deleted_statistics_files_count = 0;
};

// Commits remove-snapshots (re-planned against whatever the table is when the commit lands),
// then deletes the manifest lists, manifests, data, delete and statistics files only the expired
// snapshots reached. Refused (InvalidInput) when the table's gc.enabled is false.
ExpireResult ExpireSnapshots(CatalogService &service, const TableIdentifier &id, const ExpireOptions &options);

// Every file the metadata at `metadata_location` references: itself, the earlier metadata files
// it logs, each snapshot's manifest list, manifests and their data and delete files (deleted
// entries too), and statistics files. By warehouse URI.
std::set<std::string> ReachableFiles(objstore::Store &store, const iceberg::TableMetadata &metadata,
                                     const std::string &metadata_location);

struct OrphanOptions {
	// Only files last modified before this are orphans; unset: 3 days ago, as Spark.
	std::optional<int64_t> older_than_ms;
	// List the orphans without deleting them.
	bool dry_run = false;
};

// Files under the table's location that no metadata reaches (ReachableFiles of the table as it
// is after the listing) and older than the margin, deleted unless dry_run. Returns their URIs.
// Refused (InvalidInput) when the table's gc.enabled is false.
std::vector<std::string> RemoveOrphanFiles(CatalogService &service, const TableIdentifier &id,
                                           const OrphanOptions &options);

struct RewriteManifestsResult {
	int64_t rewritten_manifests_count = 0;
	int64_t added_manifests_count = 0;
};

// Merges the current snapshot's manifests of each (content, partition spec) into as few as
// commit.manifest.target-size-bytes (default 8 MiB) allows, entries clustered by partition, and
// commits them as a "replace" snapshot listing the same files. A manifest rewritten by another
// commit meanwhile makes it fail with serialization_failure; appends meanwhile are kept.
RewriteManifestsResult RewriteManifests(CatalogService &service, const TableIdentifier &id);

// A table property as a number; `fallback` when absent. Throws InvalidInput when not a number.
int64_t NumericProperty(const iceberg::TableMetadata &metadata, const std::string &key, int64_t fallback);

} // namespace akko::catalog
