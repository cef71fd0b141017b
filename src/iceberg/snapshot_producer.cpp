#include "iceberg/snapshot_producer.hpp"

#include "common/error.hpp"
#include "common/random.hpp"
#include "iceberg/partition_transform.hpp"
#include "iceberg/value_type.hpp"

#include <cstring>
#include <fmt/format.h>
#include <map>
#include <set>
#include <tuple>

namespace akko::iceberg {

namespace {

std::optional<PrimitiveType> SourceType(const TableMetadata &metadata, int32_t source_id) {
	// The source column may since have been dropped from the current schema.
	for (auto it = metadata.schemas.rbegin(); it != metadata.schemas.rend(); ++it) {
		if (auto field = it->FindField(source_id); field && field->type) {
			return ValueTypeOf(*field->type);
		}
	}
	return std::nullopt;
}

std::vector<PartitionFieldInfo> PartitionFields(const TableMetadata &metadata, const PartitionSpec &spec) {
	std::vector<PartitionFieldInfo> fields;
	for (auto &field : spec.fields) {
		auto source = SourceType(metadata, field.source_id);
		if (!source) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("partition field \"{}\" has no primitive source column {}", field.name, field.source_id));
		}
		fields.push_back({field.field_id, field.name, TransformResultType(ParseTransform(field.transform), *source),
		                  field.source_id, field.transform});
	}
	return fields;
}

void Add(std::map<std::string, int64_t> &summary, const char *key, int64_t value) {
	summary[key] += value;
}

// The spec's snapshot summary counts for the files these manifests add (ADDED entries) and
// remove (DELETED entries), under Java's names.
std::map<std::string, int64_t> ChangedCounts(const std::vector<ManifestFile> &manifests, ManifestCache &cache,
                                             const FileReader &read) {
	std::map<std::string, int64_t> counts;
	for (auto &manifest : manifests) {
		auto entries = cache.Entries(manifest, read);
		for (auto &entry : *entries) {
			if (entry.status == ManifestEntryStatus::Existing) {
				continue;
			}
			bool added = entry.status == ManifestEntryStatus::Added;
			auto &file = entry.data_file;
			switch (file.content) {
			case FileContent::Data:
				Add(counts, added ? "added-data-files" : "deleted-data-files", 1);
				Add(counts, added ? "added-records" : "deleted-records", file.record_count);
				break;
			case FileContent::PositionDeletes:
				Add(counts, added ? "added-delete-files" : "removed-delete-files", 1);
				Add(counts, added ? "added-position-delete-files" : "removed-position-delete-files", 1);
				Add(counts, added ? "added-position-deletes" : "removed-position-deletes", file.record_count);
				break;
			case FileContent::EqualityDeletes:
				Add(counts, added ? "added-delete-files" : "removed-delete-files", 1);
				Add(counts, added ? "added-equality-delete-files" : "removed-equality-delete-files", 1);
				Add(counts, added ? "added-equality-deletes" : "removed-equality-deletes", file.record_count);
				break;
			}
			Add(counts, added ? "added-files-size" : "removed-files-size", file.file_size_in_bytes);
		}
	}
	return counts;
}

// Java's totals: the parent's total plus what was added, less what was removed, for each total
// the parent kept (all of them for a table's first snapshot).
void AddTotals(std::map<std::string, std::string> &summary, const std::map<std::string, int64_t> &changed,
               const Snapshot *parent) {
	static const std::tuple<const char *, const char *, const char *> kTotals[] = {
	    {"total-records", "added-records", "deleted-records"},
	    {"total-files-size", "added-files-size", "removed-files-size"},
	    {"total-data-files", "added-data-files", "deleted-data-files"},
	    {"total-delete-files", "added-delete-files", "removed-delete-files"},
	    {"total-position-deletes", "added-position-deletes", "removed-position-deletes"},
	    {"total-equality-deletes", "added-equality-deletes", "removed-equality-deletes"},
	};
	auto count = [&](const char *key) {
		auto found = changed.find(key);
		return found == changed.end() ? int64_t(0) : found->second;
	};
	for (auto &[total_key, added_key, removed_key] : kTotals) {
		int64_t previous = 0;
		if (parent) {
			auto found = parent->summary.find(total_key);
			if (found == parent->summary.end()) {
				continue;
			}
			try {
				previous = std::stoll(found->second);
			} catch (const std::exception &) {
				continue;
			}
		}
		summary[total_key] = std::to_string(previous + count(added_key) - count(removed_key));
	}
}

ManifestWriteOptions WriteOptionsFor(const TableMetadata &metadata, int32_t spec_id, ManifestContent content) {
	auto spec = metadata.SpecById(spec_id);
	if (!spec) {
		throw Error(ErrorCode::InvalidInput, fmt::format("table has no partition spec {}", spec_id));
	}
	auto &schema = metadata.CurrentSchema();
	ManifestWriteOptions options;
	options.format_version = std::max(2, metadata.format_version);
	options.content = content;
	options.schema_json = ToJson(schema).dump();
	options.schema_id = schema.schema_id;
	options.partition_spec_id = spec->spec_id;
	options.partition_fields = PartitionFields(metadata, *spec);
	return options;
}

ManifestFile WriteManifestAt(const ManifestWriteOptions &options, const std::string &path,
                             const std::vector<ManifestEntry> &entries, int64_t snapshot_id, const FileWriter &write) {
	auto bytes = WriteManifest(options, entries);
	write(path, bytes);
	return SummarizeManifest(options, entries, path, static_cast<int64_t>(bytes.size()), snapshot_id);
}

} // namespace

int64_t NewSnapshotId() {
	// As Java does: both halves of a random UUID folded together, kept positive.
	auto bytes = RandomBytes(16);
	uint64_t high, low;
	std::memcpy(&high, bytes.data(), 8);
	std::memcpy(&low, bytes.data() + 8, 8);
	auto id = static_cast<int64_t>((high ^ low) & 0x7FFFFFFFFFFFFFFFULL);
	return id == 0 ? 1 : id;
}

std::vector<ManifestFile> WriteAddedManifests(const TableMetadata &metadata, int64_t snapshot_id,
                                              const std::vector<AddedFile> &files, const FileWriter &write) {
	std::map<std::pair<bool, int32_t>, std::vector<ManifestEntry>> groups;
	for (auto &added : files) {
		ManifestEntry entry;
		entry.status = ManifestEntryStatus::Added;
		entry.snapshot_id = snapshot_id;
		entry.data_file = added.file;
		groups[{added.file.content != FileContent::Data, added.spec_id}].push_back(std::move(entry));
	}
	auto commit_id = NewUuid();
	std::vector<ManifestFile> manifests;
	int index = 0;
	for (auto &[key, entries] : groups) {
		auto options = WriteOptionsFor(metadata, key.second, key.first ? ManifestContent::Deletes : ManifestContent::Data);
		auto path = fmt::format("{}/metadata/{}-m{}.avro", StripTrailingSlash(metadata.location), commit_id, index++);
		manifests.push_back(WriteManifestAt(options, path, entries, snapshot_id, write));
	}
	return manifests;
}

ManifestFile WriteManifestOf(const TableMetadata &metadata, int64_t snapshot_id, int32_t spec_id,
                             ManifestContent content, const std::vector<ManifestEntry> &entries,
                             const FileWriter &write) {
	auto options = WriteOptionsFor(metadata, spec_id, content);
	auto path = fmt::format("{}/metadata/{}-m0.avro", StripTrailingSlash(metadata.location), NewUuid());
	return WriteManifestAt(options, path, entries, snapshot_id, write);
}

FilteredManifests RemoveFiles(const TableMetadata &metadata, const Snapshot &snapshot, int64_t snapshot_id,
                              const std::set<std::string> &removed, ManifestCache &cache, const FileReader &read,
                              const FileWriter &write) {
	FilteredManifests result;
	if (snapshot.manifest_list.empty()) {
		return result;
	}
	std::set<std::string> found;
	auto manifests = cache.ManifestList(snapshot.manifest_list, read);
	for (auto &manifest : *manifests) {
		auto entries = cache.Entries(manifest, read);
		bool touched = false;
		for (auto &entry : *entries) {
			touched = touched || (entry.status != ManifestEntryStatus::Deleted && removed.count(entry.data_file.file_path));
		}
		if (!touched) {
			continue;
		}
		std::vector<ManifestEntry> rewritten;
		for (auto &entry : *entries) {
			if (entry.status == ManifestEntryStatus::Deleted) {
				continue;
			}
			auto copy = entry;
			if (removed.count(entry.data_file.file_path)) {
				copy.status = ManifestEntryStatus::Deleted;
				copy.snapshot_id = snapshot_id;
				if (found.insert(entry.data_file.file_path).second) {
					result.removed_entries.push_back(entry);
				}
			} else {
				copy.status = ManifestEntryStatus::Existing;
			}
			rewritten.push_back(std::move(copy));
		}
		result.manifests.push_back(
		    WriteManifestOf(metadata, snapshot_id, manifest.partition_spec_id, manifest.content, rewritten, write));
		result.replaced.push_back(manifest.manifest_path);
	}
	return result;
}

std::vector<TableUpdate> ProduceSnapshot(const TableMetadata &base, int64_t snapshot_id, const SnapshotChange &change,
                                         int64_t now_ms, ManifestCache &cache, const FileReader &read,
                                         const FileWriter &write) {
	if (base.format_version < 2) {
		throw Error(ErrorCode::FeatureNotSupported, "writing to format version 1 tables is not supported");
	}
	auto parent = base.CurrentSnapshot();
	std::vector<ManifestFile> manifests = change.added_manifests;
	std::set<std::string> replaced(change.replaced_manifests.begin(), change.replaced_manifests.end());
	if (parent && !parent->manifest_list.empty()) {
		auto parent_manifests = cache.ManifestList(parent->manifest_list, read);
		for (auto &manifest : *parent_manifests) {
			// A manifest left with DELETED entries only told the parent what it removed; like
			// Java, the next snapshot drops it.
			bool only_deleted = manifest.added_files_count.value_or(1) == 0 && manifest.existing_files_count.value_or(1) == 0;
			if (!replaced.erase(manifest.manifest_path) && !only_deleted) {
				manifests.push_back(manifest);
			}
		}
	}
	if (!replaced.empty()) {
		throw Error(ErrorCode::SerializationFailure,
		            fmt::format("manifest \"{}\" was rewritten by a concurrent commit", *replaced.begin()));
	}

	Snapshot snapshot;
	snapshot.snapshot_id = snapshot_id;
	if (parent) {
		snapshot.parent_snapshot_id = parent->snapshot_id;
	}
	snapshot.sequence_number = base.last_sequence_number + 1;
	snapshot.timestamp_ms = now_ms;
	snapshot.schema_id = base.current_schema_id;

	ManifestListWriteOptions options;
	options.format_version = base.format_version;
	options.snapshot_id = snapshot_id;
	options.parent_snapshot_id = snapshot.parent_snapshot_id;
	options.sequence_number = snapshot.sequence_number;
	if (base.format_version >= 3) {
		options.first_row_id = base.next_row_id;
		snapshot.first_row_id = base.next_row_id;
		snapshot.added_rows = ManifestListAssignedRows(manifests);
	}
	snapshot.manifest_list = fmt::format("{}/metadata/snap-{}-1-{}.avro", StripTrailingSlash(base.location),
	                                     snapshot_id, NewUuid());
	write(snapshot.manifest_list, WriteManifestList(options, manifests));

	// The new manifests still carry kUnassignedSequenceNumber; the list gave them the snapshot's.
	std::vector<ManifestFile> committed = change.added_manifests;
	for (auto &manifest : committed) {
		if (manifest.sequence_number == kUnassignedSequenceNumber) {
			manifest.sequence_number = snapshot.sequence_number;
		}
		if (manifest.min_sequence_number == kUnassignedSequenceNumber) {
			manifest.min_sequence_number = snapshot.sequence_number;
		}
	}
	auto changed = ChangedCounts(committed, cache, read);
	snapshot.summary = change.summary;
	snapshot.summary["operation"] = change.operation;
	for (auto &[key, value] : changed) {
		snapshot.summary[key] = std::to_string(value);
	}
	AddTotals(snapshot.summary, changed, parent);

	SnapshotRef main;
	main.snapshot_id = snapshot_id;
	main.type = SnapshotRefType::Branch;
	if (auto current = base.Ref(kMainBranch)) {
		main.min_snapshots_to_keep = current->min_snapshots_to_keep;
		main.max_snapshot_age_ms = current->max_snapshot_age_ms;
		main.max_ref_age_ms = current->max_ref_age_ms;
	}
	return {AddSnapshotUpdate {std::move(snapshot)}, SetSnapshotRefUpdate {kMainBranch, main}};
}

} // namespace akko::iceberg
