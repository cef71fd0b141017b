#include "iceberg/snapshot_producer.hpp"

#include "common/error.hpp"
#include "common/random.hpp"
#include "iceberg/partition_transform.hpp"
#include "iceberg/value_type.hpp"

#include <cstring>
#include <fmt/format.h>
#include <map>

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

// The spec's snapshot summary counts for the files of these manifests.
std::map<std::string, int64_t> AddedCounts(const std::vector<ManifestFile> &manifests, ManifestCache &cache,
                                           const FileReader &read) {
	std::map<std::string, int64_t> added;
	for (auto &manifest : manifests) {
		for (auto &entry : *cache.Entries(manifest, read)) {
			auto &file = entry.data_file;
			switch (file.content) {
			case FileContent::Data:
				Add(added, "added-data-files", 1);
				Add(added, "added-records", file.record_count);
				break;
			case FileContent::PositionDeletes:
				Add(added, "added-delete-files", 1);
				Add(added, "added-position-delete-files", 1);
				Add(added, "added-position-deletes", file.record_count);
				break;
			case FileContent::EqualityDeletes:
				Add(added, "added-delete-files", 1);
				Add(added, "added-equality-delete-files", 1);
				Add(added, "added-equality-deletes", file.record_count);
				break;
			}
			Add(added, "added-files-size", file.file_size_in_bytes);
		}
	}
	return added;
}

// Java's totals: the parent's total plus what was added, for each total the parent kept (all of
// them for a table's first snapshot).
void AddTotals(std::map<std::string, std::string> &summary, const std::map<std::string, int64_t> &added,
               const Snapshot *parent) {
	static const std::pair<const char *, const char *> kTotals[] = {
	    {"total-records", "added-records"},
	    {"total-files-size", "added-files-size"},
	    {"total-data-files", "added-data-files"},
	    {"total-delete-files", "added-delete-files"},
	    {"total-position-deletes", "added-position-deletes"},
	    {"total-equality-deletes", "added-equality-deletes"},
	};
	for (auto &[total_key, added_key] : kTotals) {
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
		auto delta = added.find(added_key);
		summary[total_key] = std::to_string(previous + (delta == added.end() ? 0 : delta->second));
	}
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
	auto &schema = metadata.CurrentSchema();
	auto schema_json = ToJson(schema).dump();
	auto commit_id = NewUuid();
	std::vector<ManifestFile> manifests;
	int index = 0;
	for (auto &[key, entries] : groups) {
		auto spec = metadata.SpecById(key.second);
		if (!spec) {
			throw Error(ErrorCode::InvalidInput, fmt::format("table has no partition spec {}", key.second));
		}
		ManifestWriteOptions options;
		options.format_version = std::max(2, metadata.format_version);
		options.content = key.first ? ManifestContent::Deletes : ManifestContent::Data;
		options.schema_json = schema_json;
		options.schema_id = schema.schema_id;
		options.partition_spec_id = spec->spec_id;
		options.partition_fields = PartitionFields(metadata, *spec);
		auto bytes = WriteManifest(options, entries);
		auto path = fmt::format("{}/metadata/{}-m{}.avro", StripTrailingSlash(metadata.location), commit_id, index++);
		write(path, bytes);
		manifests.push_back(
		    SummarizeManifest(options, entries, path, static_cast<int64_t>(bytes.size()), snapshot_id));
	}
	return manifests;
}

std::vector<TableUpdate> ProduceSnapshot(const TableMetadata &base, int64_t snapshot_id, const SnapshotChange &change,
                                         int64_t now_ms, ManifestCache &cache, const FileReader &read,
                                         const FileWriter &write) {
	if (base.format_version < 2) {
		throw Error(ErrorCode::FeatureNotSupported, "writing to format version 1 tables is not supported");
	}
	auto parent = base.CurrentSnapshot();
	std::vector<ManifestFile> manifests = change.added_manifests;
	if (parent && !parent->manifest_list.empty()) {
		auto existing = cache.ManifestList(parent->manifest_list, read);
		manifests.insert(manifests.end(), existing->begin(), existing->end());
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
	auto added = AddedCounts(committed, cache, read);
	snapshot.summary["operation"] = change.operation;
	for (auto &[key, value] : added) {
		snapshot.summary[key] = std::to_string(value);
	}
	AddTotals(snapshot.summary, added, parent);

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
