#include "engine/duckdb_internal.hpp"
#include "engine/lake_compaction.hpp"

#include "catalog/table_maintenance.hpp"
#include "engine/lake_catalog.hpp"
#include "engine/lake_stats.hpp"
#include "engine/lake_transaction.hpp"
#include "engine/lake_types.hpp"
#include "iceberg/snapshot_producer.hpp"

#include <chrono>
#include <fmt/format.h>
#include <set>

namespace akko::engine {

using namespace duckdb;

namespace {

// Iceberg's write.target-file-size-bytes default.
constexpr int64_t kTargetFileBytesDefault = int64_t(512) << 20;

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

// The small files of one partition of one spec.
struct FileGroup {
	int32_t spec_id = 0;
	std::vector<iceberg::Literal> partition;
	std::vector<const iceberg::ScanTask *> tasks;
	int64_t bytes = 0;
};

std::string Quoted(const std::string &text) {
	return KeywordHelper::WriteQuoted(text, '\'');
}

std::string QuotedName(const std::string &name) {
	return KeywordHelper::WriteQuoted(name, '"');
}

// Rows of the group's files as the table reads them at `snapshot_id` (deletes applied), written
// as new Parquet files under the table's data directory. Returns the new files' DataFiles.
std::vector<iceberg::AddedFile> WriteGroup(Connection &connection, LakeCatalog &catalog, const catalog::TableIdentifier &id,
                                           const iceberg::TableMetadata &metadata, int64_t snapshot_id,
                                           const FileGroup &group, int64_t target_bytes) {
	auto &schema = metadata.CurrentSchema();
	WriteLocation location;
	location.uri_dir = iceberg::StripTrailingSlash(metadata.location) + "/data";
	location.local_dir = Lake([&] { return catalog.EnginePath(location.uri_dir); });
	std::string columns;
	for (auto &field : schema.fields) {
		columns += (columns.empty() ? "" : ", ") + QuotedName(field.name);
	}
	std::string files;
	for (auto *task : group.tasks) {
		files += (files.empty() ? "" : ", ") + Quoted(Lake([&] { return catalog.EnginePath(task->data_file.file_path); }));
	}
	auto sql = fmt::format("COPY (SELECT {} FROM {}.{}.{} AT (VERSION => {}) WHERE filename IN ({})) TO {} "
	                       "(FORMAT parquet, FIELD_IDS {}, COMPRESSION zstd, FILE_SIZE_BYTES {}, "
	                       "FILENAME_PATTERN 'data-{{uuidv7}}', OVERWRITE_OR_IGNORE true, RETURN_STATS true)",
	                       columns, QuotedName(catalog.GetName()), QuotedName(SchemaNameOf(id.namespace_name)),
	                       QuotedName(id.name), snapshot_id, files, Quoted(location.local_dir),
	                       FieldIdsOption(schema.fields).ToSQLString(), target_bytes);
	FileSystem::GetFileSystem(*connection.context).CreateDirectoriesRecursive(location.local_dir);
	auto result = connection.Query(sql);
	if (result->HasError()) {
		result->ThrowError();
	}
	std::vector<iceberg::AddedFile> written;
	iceberg::PartitionSpec unpartitioned;
	auto &store = catalog.Service().Store();
	while (auto chunk = result->Fetch()) {
		for (idx_t row = 0; row < chunk->size(); row++) {
			auto file = Lake([&] { return DataFileFromWrittenRow(*chunk, row, schema, unpartitioned, location); });
			if (file.record_count == 0) {
				Lake([&] { store.Delete(objstore::KeyFromUri(file.file_path)); });
				continue;
			}
			// Every row came from files of this partition: the new file has their tuple.
			file.partition = group.partition;
			written.push_back(iceberg::AddedFile {std::move(file), group.spec_id});
		}
	}
	return written;
}

} // namespace

CompactionResult RewriteDataFiles(DatabaseInstance &database, LakeCatalog &catalog, const catalog::TableIdentifier &id,
                                  const CompactionOptions &options) {
	auto &service = catalog.Service();
	auto table = Lake([&] { return service.LoadTable(id); });
	auto &metadata = *table.metadata;
	CompactionResult result;
	auto *snapshot = metadata.CurrentSnapshot();
	if (!snapshot) {
		return result;
	}
	auto target = options.target_file_size_bytes.value_or(
	    Lake([&] { return catalog::NumericProperty(metadata, "write.target-file-size-bytes", kTargetFileBytesDefault); }));
	if (target <= 0 || options.min_input_files < 1) {
		ThrowAsDuck(akko::Error(ErrorCode::InvalidInput,
		                        "rewrite_data_files: target_file_size_bytes and min_input_files must be positive"));
	}
	auto plan = Lake(
	    [&] { return iceberg::PlanScan(metadata, *snapshot, {}, catalog.Manifests(), catalog.Reader()); });
	std::vector<FileGroup> groups;
	for (auto &task : plan.tasks) {
		if (task.data_file.file_size_in_bytes >= target) {
			continue;
		}
		auto found = std::find_if(groups.begin(), groups.end(), [&](const FileGroup &group) {
			return group.spec_id == task.spec_id && group.partition == task.data_file.partition;
		});
		if (found == groups.end()) {
			groups.push_back(FileGroup {task.spec_id, task.data_file.partition, {}, 0});
			found = groups.end() - 1;
		}
		found->tasks.push_back(&task);
		found->bytes += task.data_file.file_size_in_bytes;
	}
	std::erase_if(groups, [&](const FileGroup &group) {
		auto count = static_cast<int64_t>(group.tasks.size());
		return count < options.min_input_files && (count < 2 || group.bytes < target);
	});
	if (groups.empty()) {
		return result;
	}

	std::set<std::string> rewritten;
	std::vector<iceberg::AddedFile> added;
	auto &store = service.Store();
	std::set<std::string> written_manifests;
	auto write = [&](const std::string &uri, const std::string &bytes) {
		written_manifests.insert(uri);
		store.Put(objstore::KeyFromUri(uri), bytes);
	};
	auto discard = [&] {
		for (auto &file : added) {
			try {
				store.Delete(objstore::KeyFromUri(file.file.file_path));
			} catch (const std::exception &) {
			}
		}
		for (auto &uri : written_manifests) {
			try {
				store.Delete(objstore::KeyFromUri(uri));
			} catch (const std::exception &) {
			}
		}
	};
	std::vector<catalog::LoadedTable> committed;
	try {
		Connection connection(database);
		for (auto &group : groups) {
			auto files = WriteGroup(connection, catalog, id, metadata, snapshot->snapshot_id, group, target);
			added.insert(added.end(), files.begin(), files.end());
			for (auto *task : group.tasks) {
				rewritten.insert(task->data_file.file_path);
				result.rewritten_bytes_count += task->data_file.file_size_in_bytes;
			}
		}
		result.rewritten_data_files_count = static_cast<int64_t>(rewritten.size());
		result.added_data_files_count = static_cast<int64_t>(added.size());
		auto snapshot_id = iceberg::NewSnapshotId();
		committed = Lake([&] {
			for (auto &file : added) {
				store.Sync(objstore::KeyFromUri(file.file.file_path));
			}
			auto new_manifests = iceberg::WriteAddedManifests(metadata, snapshot_id, added, write);
			return service.CommitTables({id}, [&](const std::vector<catalog::LoadedTable> &bases) {
				auto &base = *bases[0].metadata;
				if (base.table_uuid != metadata.table_uuid || !base.OnlyAppendsSince(snapshot->snapshot_id)) {
					throw akko::Error(ErrorCode::SerializationFailure,
					                  fmt::format("could not compact table \"{}\": it was changed by a concurrent "
					                              "delete, update or rewrite",
					                              catalog::ToString(id)));
				}
				// Delete files that applied only to rewritten files go with them; any that applies to
				// a file staying stays.
				auto current = iceberg::PlanScan(base, *base.CurrentSnapshot(), {}, catalog.Manifests(), catalog.Reader());
				std::set<std::string> candidates;
				std::set<std::string> needed;
				for (auto &task : current.tasks) {
					auto &into = rewritten.count(task.data_file.file_path) ? candidates : needed;
					for (auto &file : task.position_deletes) {
						into.insert(file.file_path);
					}
					for (auto &file : task.equality_deletes) {
						into.insert(file.file_path);
					}
				}
				auto removed = rewritten;
				result.removed_delete_files_count = 0;
				for (auto &path : candidates) {
					if (!needed.count(path)) {
						removed.insert(path);
						result.removed_delete_files_count++;
					}
				}
				auto filtered = iceberg::RemoveFiles(base, *base.CurrentSnapshot(), snapshot_id, removed,
				                                     catalog.Manifests(), catalog.Reader(), write);
				if (filtered.removed_entries.size() != removed.size()) {
					throw akko::Error(ErrorCode::SerializationFailure,
					                  fmt::format("could not compact table \"{}\": files it rewrote are gone",
					                              catalog::ToString(id)));
				}
				iceberg::SnapshotChange change;
				change.operation = "replace";
				change.added_manifests = new_manifests;
				change.added_manifests.insert(change.added_manifests.end(), filtered.manifests.begin(),
				                              filtered.manifests.end());
				change.replaced_manifests = filtered.replaced;
				catalog::TableChange table_change;
				table_change.requirements.push_back(iceberg::AssertTableUuid {base.table_uuid});
				table_change.updates = iceberg::ProduceSnapshot(base, snapshot_id, change, NowMs(), catalog.Manifests(),
				                                                catalog.Reader(), write);
				return std::vector<catalog::TableChange> {std::move(table_change)};
			});
		});
	} catch (const std::exception &error) {
		if (!CommitOutcomeUnknownInEngine(error)) {
			discard();
		}
		throw;
	}
	// Manifests written for a base the commit did not land on are nobody's.
	std::set<std::string> listed;
	auto *current = committed[0].metadata->CurrentSnapshot();
	if (current && !current->manifest_list.empty()) {
		listed.insert(current->manifest_list);
		auto manifests = Lake([&] { return catalog.Manifests().ManifestList(current->manifest_list, catalog.Reader()); });
		for (auto &manifest : *manifests) {
			listed.insert(manifest.manifest_path);
		}
	}
	for (auto &uri : written_manifests) {
		if (!listed.count(uri)) {
			try {
				store.Delete(objstore::KeyFromUri(uri));
			} catch (const std::exception &) {
			}
		}
	}
	return result;
}

} // namespace akko::engine
