#include "catalog/table_maintenance.hpp"

#include "common/error.hpp"
#include "iceberg/scan_planner.hpp"
#include "iceberg/snapshot_producer.hpp"
#include "iceberg/value.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fmt/format.h>
#include <limits>
#include <map>

namespace akko::catalog {

namespace {

// Iceberg's TableProperties defaults.
constexpr int64_t kMaxSnapshotAgeMsDefault = 5LL * 24 * 60 * 60 * 1000;
constexpr int64_t kOrphanMarginMs = 3LL * 24 * 60 * 60 * 1000;
constexpr int64_t kManifestTargetBytesDefault = 8LL << 20;

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

iceberg::FileReader ReaderOf(objstore::Store &store) {
	return [&store](const std::string &uri) { return store.Get(objstore::KeyFromUri(uri)); };
}

iceberg::FileWriter WriterOf(objstore::Store &store) {
	return [&store](const std::string &uri, const std::string &bytes) { store.Put(objstore::KeyFromUri(uri), bytes); };
}

// Java refuses to delete files of a table whose gc.enabled is false: they may belong to others.
void RequireGarbageCollection(const iceberg::TableMetadata &metadata, const char *what) {
	auto found = metadata.properties.find("gc.enabled");
	if (found != metadata.properties.end() && found->second == "false") {
		throw Error(ErrorCode::InvalidInput,
		            fmt::format("cannot {}: gc.enabled is false (deleting files may corrupt other tables)", what));
	}
}

// A snapshot and its ancestors still in the metadata, newest first.
std::vector<const iceberg::Snapshot *> Ancestry(const iceberg::TableMetadata &metadata, int64_t snapshot_id) {
	std::vector<const iceberg::Snapshot *> result;
	std::set<int64_t> seen;
	auto *snapshot = metadata.SnapshotById(snapshot_id);
	while (snapshot && seen.insert(snapshot->snapshot_id).second) {
		result.push_back(snapshot);
		snapshot = snapshot->parent_snapshot_id ? metadata.SnapshotById(*snapshot->parent_snapshot_id) : nullptr;
	}
	return result;
}

// Deletes `uri` when it is one of the store's; false when it was not there or is not ours.
bool DeleteFile(objstore::Store &store, const std::string &uri) {
	try {
		return store.Delete(objstore::KeyFromUri(uri));
	} catch (const Error &) {
		return false;
	}
}

// Manifests by path and the files their entries list: what a set of snapshots reaches.
struct Reach {
	std::set<std::string> manifest_lists;
	std::map<std::string, iceberg::ManifestFile> manifests;
};

Reach ManifestsOf(const std::vector<const iceberg::Snapshot *> &snapshots, iceberg::ManifestCache &cache,
                  const iceberg::FileReader &read) {
	Reach reach;
	for (auto *snapshot : snapshots) {
		if (snapshot->manifest_list.empty()) {
			continue;
		}
		reach.manifest_lists.insert(snapshot->manifest_list);
		auto manifests = cache.ManifestList(snapshot->manifest_list, read);
		for (auto &manifest : *manifests) {
			reach.manifests.emplace(manifest.manifest_path, manifest);
		}
	}
	return reach;
}

} // namespace

int64_t NumericProperty(const iceberg::TableMetadata &metadata, const std::string &key, int64_t fallback) {
	auto found = metadata.properties.find(key);
	if (found == metadata.properties.end()) {
		return fallback;
	}
	int64_t value = 0;
	auto &text = found->second;
	auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
	if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) {
		throw Error(ErrorCode::InvalidInput, fmt::format("table property {} must be a number, not \"{}\"", key, text));
	}
	return value;
}

ExpiryPlan PlanExpiry(const iceberg::TableMetadata &metadata, const ExpireOptions &options, int64_t now_ms) {
	auto older_than =
	    options.older_than_ms.value_or(now_ms - NumericProperty(metadata, "history.expire.max-snapshot-age-ms",
	                                                            kMaxSnapshotAgeMsDefault));
	auto retain_last = options.retain_last.value_or(
	    static_cast<int32_t>(NumericProperty(metadata, "history.expire.min-snapshots-to-keep", 1)));
	if (retain_last < 1) {
		throw Error(ErrorCode::InvalidInput,
		            fmt::format("the number of snapshots to retain must be at least 1, not {}", retain_last));
	}
	auto max_ref_age =
	    NumericProperty(metadata, "history.expire.max-ref-age-ms", std::numeric_limits<int64_t>::max());

	ExpiryPlan plan;
	std::map<std::string, const iceberg::SnapshotRef *> refs;
	for (auto &[name, ref] : metadata.refs) {
		auto *snapshot = metadata.SnapshotById(ref.snapshot_id);
		bool keep = name == iceberg::kMainBranch ||
		            (snapshot && now_ms - snapshot->timestamp_ms <= ref.max_ref_age_ms.value_or(max_ref_age));
		if (keep) {
			refs.emplace(name, &ref);
		} else {
			plan.removed_refs.push_back(name);
		}
	}
	for (auto id : options.snapshot_ids) {
		for (auto &[name, ref] : refs) {
			if (ref->snapshot_id == id) {
				throw Error(ErrorCode::InvalidInput,
				            fmt::format("cannot expire snapshot {}: still referenced by ref \"{}\"", id, name));
			}
		}
	}

	std::set<int64_t> retained;
	std::set<int64_t> referenced;
	for (auto &[name, ref] : refs) {
		retained.insert(ref->snapshot_id);
		if (ref->type != iceberg::SnapshotRefType::Branch) {
			referenced.insert(ref->snapshot_id);
			continue;
		}
		auto branch_older_than = ref->max_snapshot_age_ms ? now_ms - *ref->max_snapshot_age_ms : older_than;
		auto branch_keep = ref->min_snapshots_to_keep.value_or(retain_last);
		size_t kept = 0;
		bool cut = false;
		for (auto *ancestor : Ancestry(metadata, ref->snapshot_id)) {
			referenced.insert(ancestor->snapshot_id);
			if (!cut && (kept < static_cast<size_t>(branch_keep) || ancestor->timestamp_ms >= branch_older_than)) {
				retained.insert(ancestor->snapshot_id);
				kept++;
			} else {
				cut = true;
			}
		}
	}
	for (auto &snapshot : metadata.snapshots) {
		if (!referenced.count(snapshot.snapshot_id) && snapshot.timestamp_ms >= older_than) {
			retained.insert(snapshot.snapshot_id);
		}
	}
	std::set<int64_t> named(options.snapshot_ids.begin(), options.snapshot_ids.end());
	for (auto &snapshot : metadata.snapshots) {
		if (!retained.count(snapshot.snapshot_id) || named.count(snapshot.snapshot_id)) {
			plan.expired.insert(snapshot.snapshot_id);
		}
	}
	return plan;
}

ExpireResult ExpireSnapshots(CatalogService &service, const TableIdentifier &id, const ExpireOptions &options) {
	std::shared_ptr<const iceberg::TableMetadata> before;
	ExpiryPlan plan;
	service.CommitTables({id}, [&](const std::vector<LoadedTable> &bases) {
		auto &metadata = *bases[0].metadata;
		RequireGarbageCollection(metadata, "expire snapshots");
		before = bases[0].metadata;
		plan = PlanExpiry(metadata, options, NowMs());
		TableChange change;
		change.requirements.push_back(iceberg::AssertTableUuid {metadata.table_uuid});
		for (auto &name : plan.removed_refs) {
			change.updates.push_back(iceberg::RemoveSnapshotRefUpdate {name});
		}
		if (!plan.expired.empty()) {
			change.updates.push_back(iceberg::RemoveSnapshotsUpdate {{plan.expired.begin(), plan.expired.end()}});
		}
		return std::vector<TableChange> {std::move(change)};
	});
	ExpireResult result;
	result.expired_snapshots_count = static_cast<int64_t>(plan.expired.size());
	if (plan.expired.empty()) {
		return result;
	}

	// What is retained is judged from the table as it is now: a commit that landed after ours
	// only adds snapshots, and those may reach files the expired ones did too.
	auto after = service.LoadTable(id).metadata;
	auto &store = service.Store();
	auto read = ReaderOf(store);
	iceberg::ManifestCache cache;
	std::vector<const iceberg::Snapshot *> expired;
	for (auto &snapshot : before->snapshots) {
		if (plan.expired.count(snapshot.snapshot_id) && !after->SnapshotById(snapshot.snapshot_id)) {
			expired.push_back(&snapshot);
		}
	}
	std::vector<const iceberg::Snapshot *> retained;
	for (auto &snapshot : after->snapshots) {
		retained.push_back(&snapshot);
	}
	auto kept = ManifestsOf(retained, cache, read);
	auto gone = ManifestsOf(expired, cache, read);
	std::set<std::string> kept_files;
	for (auto &[path, manifest] : kept.manifests) {
		auto entries = cache.Entries(manifest, read);
		for (auto &entry : *entries) {
			if (entry.status != iceberg::ManifestEntryStatus::Deleted) {
				kept_files.insert(entry.data_file.file_path);
			}
		}
	}
	// Content files first, then manifests, then lists: an interrupted run leaves nothing that
	// points at a file already gone.
	std::map<std::string, iceberg::FileContent> doomed;
	for (auto &[path, manifest] : gone.manifests) {
		if (kept.manifests.count(path)) {
			continue;
		}
		auto entries = cache.Entries(manifest, read);
		for (auto &entry : *entries) {
			if (entry.status != iceberg::ManifestEntryStatus::Deleted && !kept_files.count(entry.data_file.file_path)) {
				doomed.emplace(entry.data_file.file_path, entry.data_file.content);
			}
		}
	}
	for (auto &[path, content] : doomed) {
		if (!DeleteFile(store, path)) {
			continue;
		}
		switch (content) {
		case iceberg::FileContent::Data:
			result.deleted_data_files_count++;
			break;
		case iceberg::FileContent::PositionDeletes:
			result.deleted_position_delete_files_count++;
			break;
		case iceberg::FileContent::EqualityDeletes:
			result.deleted_equality_delete_files_count++;
			break;
		}
	}
	for (auto &[path, manifest] : gone.manifests) {
		if (!kept.manifests.count(path) && DeleteFile(store, path)) {
			result.deleted_manifest_files_count++;
		}
	}
	for (auto &list : gone.manifest_lists) {
		if (!kept.manifest_lists.count(list) && DeleteFile(store, list)) {
			result.deleted_manifest_lists_count++;
		}
	}
	std::set<std::string> kept_statistics;
	for (auto &file : after->statistics) {
		kept_statistics.insert(file.statistics_path);
	}
	for (auto &file : after->partition_statistics) {
		kept_statistics.insert(file.statistics_path);
	}
	auto drop_statistics = [&](int64_t snapshot_id, const std::string &path) {
		if (plan.expired.count(snapshot_id) && !kept_statistics.count(path) && DeleteFile(store, path)) {
			result.deleted_statistics_files_count++;
		}
	};
	for (auto &file : before->statistics) {
		drop_statistics(file.snapshot_id, file.statistics_path);
	}
	for (auto &file : before->partition_statistics) {
		drop_statistics(file.snapshot_id, file.statistics_path);
	}
	return result;
}

std::set<std::string> ReachableFiles(objstore::Store &store, const iceberg::TableMetadata &metadata,
                                     const std::string &metadata_location) {
	std::set<std::string> files {metadata_location};
	for (auto &entry : metadata.metadata_log) {
		files.insert(entry.metadata_file);
	}
	for (auto &file : metadata.statistics) {
		files.insert(file.statistics_path);
	}
	for (auto &file : metadata.partition_statistics) {
		files.insert(file.statistics_path);
	}
	std::vector<const iceberg::Snapshot *> snapshots;
	for (auto &snapshot : metadata.snapshots) {
		snapshots.push_back(&snapshot);
		files.insert(snapshot.manifests.begin(), snapshot.manifests.end());
	}
	iceberg::ManifestCache cache;
	auto read = ReaderOf(store);
	auto reach = ManifestsOf(snapshots, cache, read);
	files.insert(reach.manifest_lists.begin(), reach.manifest_lists.end());
	for (auto &[path, manifest] : reach.manifests) {
		files.insert(path);
		auto entries = cache.Entries(manifest, read);
		for (auto &entry : *entries) {
			files.insert(entry.data_file.file_path);
		}
	}
	return files;
}

namespace {

// Orphan removal deletes what one table does not reach under its location: a location that
// holds another table or view (a client may place a table anywhere in the warehouse, even at
// its root) would lose that object's files. Checked against every object in the catalog.
void RequireLocationOfItsOwn(CatalogService &service, const TableIdentifier &id, const std::string &prefix) {
	auto inside = [&](const std::string &location) {
		return (iceberg::StripTrailingSlash(location) + "/").rfind(prefix, 0) == 0;
	};
	std::vector<NamespaceName> pending = service.ListNamespaces({});
	while (!pending.empty()) {
		auto namespace_name = std::move(pending.back());
		pending.pop_back();
		for (auto &child : service.ListNamespaces(namespace_name)) {
			pending.push_back(child);
		}
		for (auto &other : service.ListTables(namespace_name)) {
			if (!(other.namespace_name == id.namespace_name && other.name == id.name)) {
				auto table = service.FindTable(other);
				if (table && inside(table->metadata->location)) {
					throw Error(ErrorCode::InvalidInput,
					            fmt::format("not removing orphan files of \"{}\": its location holds table \"{}\" too",
					                        ToString(id), ToString(other)));
				}
			}
		}
		for (auto &view_id : service.ListViews(namespace_name)) {
			auto view = service.FindView(view_id);
			if (view && inside(view->metadata->location)) {
				throw Error(ErrorCode::InvalidInput,
				            fmt::format("not removing orphan files of \"{}\": its location holds view \"{}\" too",
				                        ToString(id), ToString(view_id)));
			}
		}
	}
}

} // namespace

std::vector<std::string> RemoveOrphanFiles(CatalogService &service, const TableIdentifier &id,
                                           const OrphanOptions &options) {
	auto &store = service.Store();
	auto older_than = options.older_than_ms.value_or(NowMs() - kOrphanMarginMs);
	auto prefix = iceberg::StripTrailingSlash(service.LoadTable(id).metadata->location) + "/";
	RequireLocationOfItsOwn(service, id, prefix);
	auto listed = store.List(objstore::KeyFromUri(prefix.substr(0, prefix.size() - 1)) + "/");
	// Loaded after the listing, so a commit that landed meanwhile keeps what it references.
	auto table = service.LoadTable(id);
	RequireGarbageCollection(*table.metadata, "remove orphan files");
	std::set<std::string> reachable;
	for (auto &uri : ReachableFiles(store, *table.metadata, table.metadata_location)) {
		try {
			reachable.insert(objstore::KeyFromUri(uri));
		} catch (const Error &error) {
			// Were it skipped, a file named in a form we cannot map would look unreferenced.
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("not removing orphan files of \"{}\": it references {}", ToString(id), error.message));
		}
	}
	std::vector<std::string> orphans;
	for (auto &object : listed) {
		if (reachable.count(object.key) || object.modified_unix_ms >= older_than) {
			continue;
		}
		if (options.dry_run || store.Delete(object.key)) {
			orphans.push_back(objstore::UriFromKey(object.key));
		}
	}
	return orphans;
}

namespace {

// Orders entries by partition tuple (nulls first), so each merged manifest covers a narrow range
// of partitions and its summary prunes well.
bool PartitionLess(const iceberg::ManifestEntry &left, const iceberg::ManifestEntry &right) {
	auto &a = left.data_file.partition;
	auto &b = right.data_file.partition;
	for (size_t i = 0; i < a.size() && i < b.size(); i++) {
		bool a_null = a[i].index() == 0;
		bool b_null = b[i].index() == 0;
		if (a_null || b_null) {
			if (a_null != b_null) {
				return a_null;
			}
			continue;
		}
		auto order = iceberg::Compare(a[i], b[i]);
		if (order != 0) {
			return order < 0;
		}
	}
	return a.size() < b.size();
}

} // namespace

RewriteManifestsResult RewriteManifests(CatalogService &service, const TableIdentifier &id) {
	auto &store = service.Store();
	auto read = ReaderOf(store);
	auto write = WriterOf(store);
	iceberg::ManifestCache cache;
	auto snapshot_id = iceberg::NewSnapshotId();
	// Merged manifests by the manifests they merge: a retry over a table that only gained new
	// manifests reuses them.
	std::map<std::vector<std::string>, std::vector<iceberg::ManifestFile>> merged;
	std::set<std::string> written;
	RewriteManifestsResult result;
	std::vector<LoadedTable> committed;
	try {
		committed = service.CommitTables({id}, [&](const std::vector<LoadedTable> &bases) {
			auto &base = *bases[0].metadata;
			result = {};
			TableChange change;
			change.requirements.push_back(iceberg::AssertTableUuid {base.table_uuid});
			auto *current = base.CurrentSnapshot();
			if (!current || current->manifest_list.empty()) {
				return std::vector<TableChange> {std::move(change)};
			}
			std::map<std::pair<iceberg::ManifestContent, int32_t>, std::vector<iceberg::ManifestFile>> groups;
			auto listed = cache.ManifestList(current->manifest_list, read);
			for (auto &manifest : *listed) {
				groups[{manifest.content, manifest.partition_spec_id}].push_back(manifest);
			}
			auto target = NumericProperty(base, "commit.manifest.target-size-bytes", kManifestTargetBytesDefault);
			iceberg::SnapshotChange snapshot_change;
			snapshot_change.operation = "replace";
			int64_t entries_processed = 0;
			for (auto &[key, manifests] : groups) {
				if (manifests.size() < 2) {
					continue;
				}
				std::vector<std::string> paths;
				for (auto &manifest : manifests) {
					paths.push_back(manifest.manifest_path);
				}
				std::vector<iceberg::ManifestEntry> entries;
				int64_t bytes = 0;
				for (auto &manifest : manifests) {
					bytes += manifest.manifest_length;
					auto manifest_entries = cache.Entries(manifest, read);
					for (auto &entry : *manifest_entries) {
						if (entry.status != iceberg::ManifestEntryStatus::Deleted) {
							entries.push_back(entry);
							entries.back().status = iceberg::ManifestEntryStatus::Existing;
						}
					}
				}
				entries_processed += static_cast<int64_t>(entries.size());
				auto &outputs = merged[paths];
				if (outputs.empty() && !entries.empty()) {
					std::stable_sort(entries.begin(), entries.end(), PartitionLess);
					auto pieces = std::max<int64_t>(1, (bytes + target - 1) / std::max<int64_t>(1, target));
					auto per_piece = (static_cast<int64_t>(entries.size()) + pieces - 1) / pieces;
					for (size_t start = 0; start < entries.size(); start += per_piece) {
						std::vector<iceberg::ManifestEntry> piece(
						    entries.begin() + start,
						    entries.begin() + std::min(entries.size(), start + static_cast<size_t>(per_piece)));
						auto manifest = iceberg::WriteManifestOf(base, snapshot_id, key.second, key.first, piece, write);
						written.insert(manifest.manifest_path);
						outputs.push_back(std::move(manifest));
					}
				}
				if (outputs.size() >= manifests.size()) {
					continue;
				}
				snapshot_change.added_manifests.insert(snapshot_change.added_manifests.end(), outputs.begin(),
				                                       outputs.end());
				snapshot_change.replaced_manifests.insert(snapshot_change.replaced_manifests.end(), paths.begin(),
				                                          paths.end());
				result.rewritten_manifests_count += static_cast<int64_t>(manifests.size());
				result.added_manifests_count += static_cast<int64_t>(outputs.size());
			}
			if (snapshot_change.replaced_manifests.empty()) {
				return std::vector<TableChange> {std::move(change)};
			}
			snapshot_change.summary["manifests-created"] = std::to_string(result.added_manifests_count);
			snapshot_change.summary["manifests-replaced"] = std::to_string(result.rewritten_manifests_count);
			snapshot_change.summary["manifests-kept"] =
			    std::to_string(static_cast<int64_t>(listed->size()) - result.rewritten_manifests_count);
			snapshot_change.summary["entries-processed"] = std::to_string(entries_processed);
			change.updates = iceberg::ProduceSnapshot(base, snapshot_id, snapshot_change, NowMs(), cache, read, write);
			return std::vector<TableChange> {std::move(change)};
		});
	} catch (const std::exception &error) {
		if (!CommitOutcomeUnknown(error)) {
			for (auto &path : written) {
				DeleteFile(store, path);
			}
		}
		throw;
	}
	// Manifests merged for a base the commit did not land on are nobody's.
	std::set<std::string> listed;
	if (auto *current = committed[0].metadata->CurrentSnapshot(); current && !current->manifest_list.empty()) {
		auto manifests = cache.ManifestList(current->manifest_list, read);
		for (auto &manifest : *manifests) {
			listed.insert(manifest.manifest_path);
		}
	}
	for (auto &path : written) {
		if (!listed.count(path)) {
			DeleteFile(store, path);
		}
	}
	return result;
}

} // namespace akko::catalog
