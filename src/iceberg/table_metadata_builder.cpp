#include "iceberg/table_metadata_builder.hpp"

#include "common/error.hpp"
#include "common/overloaded.hpp"
#include "common/random.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

namespace akko::iceberg {

namespace {

constexpr size_t kDefaultPreviousVersions = 100;

[[noreturn]] void Invalid(std::string message) {
	throw Error(ErrorCode::InvalidInput, std::move(message));
}

// Java reports a stale snapshot as retryable: the writer refreshes and tries again.
[[noreturn]] void Stale(std::string message) {
	throw Error(ErrorCode::SerializationFailure, std::move(message));
}

template <class Update, class Match>
bool AnyChange(const std::vector<TableUpdate> &changes, Match match) {
	return std::any_of(changes.begin(), changes.end(), [&](const TableUpdate &change) {
		auto update = std::get_if<Update>(&change);
		return update && match(*update);
	});
}

size_t PreviousVersionsMax(const std::map<std::string, std::string> &properties) {
	auto found = properties.find("write.metadata.previous-versions-max");
	if (found == properties.end()) {
		return kDefaultPreviousVersions;
	}
	auto &text = found->second;
	int64_t value = 0;
	auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (error != std::errc() || end != text.data() + text.size()) {
		return kDefaultPreviousVersions;
	}
	return static_cast<size_t>(std::max<int64_t>(1, value));
}

} // namespace

TableMetadataBuilder::TableMetadataBuilder(const TableMetadata &base_p, int64_t now_ms_p)
    : TableMetadataBuilder(base_p, now_ms_p, false) {
}

TableMetadataBuilder::TableMetadataBuilder(TableMetadata base_p, int64_t now_ms_p, bool is_new_p)
    : base(std::move(base_p)), metadata(base), now_ms(now_ms_p), is_new(is_new_p) {
}

TableMetadataBuilder TableMetadataBuilder::ForNewTable(int32_t format_version, int64_t now_ms) {
	TableMetadata empty;
	empty.format_version = format_version;
	empty.table_uuid = NewUuid();
	return TableMetadataBuilder(std::move(empty), now_ms, true);
}

void TableMetadataBuilder::SetPreviousFile(MetadataLogEntry previous_file_p) {
	previous_file = std::move(previous_file_p);
}

void TableMetadataBuilder::Apply(const TableUpdate &update) {
	std::visit(Overloaded {
	               [&](const AssignUuidUpdate &u) { AssignUuid(u.uuid); },
	               [&](const UpgradeFormatVersionUpdate &u) { UpgradeFormatVersion(u.format_version); },
	               [&](const AddSchemaUpdate &u) { AddSchema(u.schema); },
	               [&](const SetCurrentSchemaUpdate &u) { SetCurrentSchema(u.schema_id); },
	               [&](const AddPartitionSpecUpdate &u) { AddPartitionSpec(u.spec); },
	               [&](const SetDefaultSpecUpdate &u) { SetDefaultSpec(u.spec_id); },
	               [&](const AddSortOrderUpdate &u) { AddSortOrder(u.sort_order); },
	               [&](const SetDefaultSortOrderUpdate &u) { SetDefaultSortOrder(u.sort_order_id); },
	               [&](const AddSnapshotUpdate &u) { AddSnapshot(u.snapshot); },
	               [&](const SetSnapshotRefUpdate &u) { SetRef(u.ref_name, u.ref); },
	               [&](const RemoveSnapshotsUpdate &u) { RemoveSnapshots(u.snapshot_ids); },
	               [&](const RemoveSnapshotRefUpdate &u) { RemoveRef(u.ref_name); },
	               [&](const SetLocationUpdate &u) { SetLocation(u.location); },
	               [&](const SetPropertiesUpdate &u) { SetProperties(u.updates); },
	               [&](const RemovePropertiesUpdate &u) { RemoveProperties(u.removals); },
	               [&](const SetStatisticsUpdate &u) { SetStatistics(u.statistics); },
	               [&](const RemoveStatisticsUpdate &u) { RemoveStatistics(u.snapshot_id); },
	               [&](const SetPartitionStatisticsUpdate &u) { SetPartitionStatistics(u.partition_statistics); },
	               [&](const RemovePartitionStatisticsUpdate &u) { RemovePartitionStatistics(u.snapshot_id); },
	               [&](const RemovePartitionSpecsUpdate &u) { RemovePartitionSpecs(u.spec_ids); },
	               [&](const RemoveSchemasUpdate &u) { RemoveSchemas(u.schema_ids); },
	               [&](const AddEncryptionKeyUpdate &u) { AddEncryptionKey(u.encryption_key); },
	               [&](const RemoveEncryptionKeyUpdate &u) { RemoveEncryptionKey(u.key_id); },
	           },
	           update);
}

void TableMetadataBuilder::AssignUuid(const std::string &uuid) {
	if (uuid.empty()) {
		Invalid("cannot set the table uuid to an empty string");
	}
	if (uuid != metadata.table_uuid) {
		metadata.table_uuid = uuid;
		changes.push_back(AssignUuidUpdate {uuid});
	}
}

void TableMetadataBuilder::UpgradeFormatVersion(int32_t format_version) {
	if (format_version > kMaxTableFormatVersion) {
		Invalid(fmt::format("cannot upgrade table to unsupported format version: v{} (supported: v{})", format_version,
		                    kMaxTableFormatVersion));
	}
	if (format_version < metadata.format_version) {
		Invalid(fmt::format("cannot downgrade v{} table to v{}", metadata.format_version, format_version));
	}
	if (format_version != metadata.format_version) {
		metadata.format_version = format_version;
		changes.push_back(UpgradeFormatVersionUpdate {format_version});
	}
}

void TableMetadataBuilder::AddSchema(const Schema &schema) {
	schema.Validate();
	schema.CheckFormatVersion(metadata.format_version);
	auto last_column_id = std::max(metadata.last_column_id, schema.HighestFieldId());
	// An equal schema keeps its id; a new one gets one more than the highest so far.
	auto schema_id = metadata.current_schema_id;
	for (auto &existing : metadata.schemas) {
		if (existing.SameSchema(schema)) {
			schema_id = existing.schema_id;
			break;
		}
		if (existing.schema_id >= schema_id) {
			schema_id = existing.schema_id + 1;
		}
	}
	bool found = metadata.SchemaById(schema_id) != nullptr;
	if (found && last_column_id == metadata.last_column_id) {
		bool added_here = last_added_schema_id && AnyChange<AddSchemaUpdate>(changes, [&](const AddSchemaUpdate &u) {
			                  return u.schema.schema_id == schema_id;
		                  });
		last_added_schema_id = added_here ? std::optional<int32_t>(schema_id) : std::nullopt;
		return;
	}
	metadata.last_column_id = last_column_id;
	auto added = schema;
	added.schema_id = schema_id;
	if (!found) {
		metadata.schemas.push_back(added);
	}
	changes.push_back(AddSchemaUpdate {std::move(added), last_column_id});
	last_added_schema_id = schema_id;
}

void TableMetadataBuilder::SetCurrentSchema(int32_t schema_id) {
	if (schema_id == kLastAdded) {
		if (!last_added_schema_id) {
			Invalid("cannot set last added schema: no schema has been added");
		}
		schema_id = *last_added_schema_id;
	}
	if (schema_id == metadata.current_schema_id) {
		return;
	}
	if (!metadata.SchemaById(schema_id)) {
		Invalid(fmt::format("cannot set current schema to unknown schema: {}", schema_id));
	}
	metadata.current_schema_id = schema_id;
	changes.push_back(SetCurrentSchemaUpdate {last_added_schema_id == schema_id ? kLastAdded : schema_id});
}

void TableMetadataBuilder::AddPartitionSpec(const PartitionSpec &spec) {
	int32_t spec_id = 0;
	for (auto &existing : metadata.partition_specs) {
		if (existing.CompatibleWith(spec)) {
			spec_id = existing.spec_id;
			break;
		}
		if (existing.spec_id >= spec_id) {
			spec_id = existing.spec_id + 1;
		}
	}
	if (metadata.SpecById(spec_id)) {
		bool added_here =
		    last_added_spec_id && AnyChange<AddPartitionSpecUpdate>(changes, [&](const AddPartitionSpecUpdate &u) {
			    return u.spec.spec_id == *last_added_spec_id;
		    });
		last_added_spec_id = added_here ? std::optional<int32_t>(spec_id) : std::nullopt;
		return;
	}
	auto schema = metadata.SchemaById(metadata.current_schema_id);
	if (!schema) {
		Invalid("cannot add a partition spec before a schema");
	}
	spec.Validate(*schema);
	if (metadata.format_version == 1) {
		for (size_t i = 0; i < spec.fields.size(); i++) {
			if (spec.fields[i].field_id != kPartitionDataIdStart + static_cast<int32_t>(i)) {
				Invalid("spec does not use sequential field ids, which v1 requires");
			}
		}
	}
	auto added = spec;
	added.spec_id = spec_id;
	metadata.last_partition_id = std::max(metadata.last_partition_id, added.LastAssignedFieldId());
	metadata.partition_specs.push_back(added);
	changes.push_back(AddPartitionSpecUpdate {std::move(added)});
	last_added_spec_id = spec_id;
}

void TableMetadataBuilder::SetDefaultSpec(int32_t spec_id) {
	if (spec_id == kLastAdded) {
		if (!last_added_spec_id) {
			Invalid("cannot set last added spec: no spec has been added");
		}
		spec_id = *last_added_spec_id;
	}
	if (spec_id == metadata.default_spec_id) {
		return;
	}
	if (!metadata.SpecById(spec_id)) {
		Invalid(fmt::format("cannot set default partition spec to unknown spec: {}", spec_id));
	}
	metadata.default_spec_id = spec_id;
	changes.push_back(SetDefaultSpecUpdate {last_added_spec_id == spec_id ? kLastAdded : spec_id});
}

void TableMetadataBuilder::AddSortOrder(const SortOrder &order) {
	int32_t order_id = 0;
	if (!order.IsUnsorted()) {
		order_id = 1;
		for (auto &existing : metadata.sort_orders) {
			if (existing.SameOrder(order)) {
				order_id = existing.order_id;
				break;
			}
			if (existing.order_id >= order_id) {
				order_id = existing.order_id + 1;
			}
		}
	}
	if (metadata.SortOrderById(order_id)) {
		bool added_here =
		    last_added_order_id && AnyChange<AddSortOrderUpdate>(changes, [&](const AddSortOrderUpdate &u) {
			    return u.sort_order.order_id == *last_added_order_id;
		    });
		last_added_order_id = added_here ? std::optional<int32_t>(order_id) : std::nullopt;
		return;
	}
	auto schema = metadata.SchemaById(metadata.current_schema_id);
	if (!schema) {
		Invalid("cannot add a sort order before a schema");
	}
	order.Validate(*schema);
	auto added = order;
	added.order_id = order_id;
	metadata.sort_orders.push_back(added);
	changes.push_back(AddSortOrderUpdate {std::move(added)});
	last_added_order_id = order_id;
}

void TableMetadataBuilder::SetDefaultSortOrder(int32_t order_id) {
	if (order_id == kLastAdded) {
		if (!last_added_order_id) {
			Invalid("cannot set last added sort order: no sort order has been added");
		}
		order_id = *last_added_order_id;
	}
	if (order_id == metadata.default_sort_order_id) {
		return;
	}
	if (!metadata.SortOrderById(order_id)) {
		Invalid(fmt::format("cannot set default sort order to unknown sort order: {}", order_id));
	}
	metadata.default_sort_order_id = order_id;
	changes.push_back(SetDefaultSortOrderUpdate {last_added_order_id == order_id ? kLastAdded : order_id});
}

void TableMetadataBuilder::AddSnapshot(const Snapshot &snapshot) {
	if (metadata.schemas.empty()) {
		Invalid("attempting to add a snapshot before a schema is added");
	}
	if (metadata.partition_specs.empty()) {
		Invalid("attempting to add a snapshot before a partition spec is added");
	}
	if (metadata.sort_orders.empty()) {
		Invalid("attempting to add a snapshot before a sort order is added");
	}
	if (metadata.SnapshotById(snapshot.snapshot_id)) {
		Invalid(fmt::format("snapshot already exists for id: {}", snapshot.snapshot_id));
	}
	if (metadata.format_version > 1 && snapshot.sequence_number <= metadata.last_sequence_number &&
	    snapshot.parent_snapshot_id) {
		Stale(fmt::format("cannot add snapshot with sequence number {} older than last sequence number {}",
		                  snapshot.sequence_number, metadata.last_sequence_number));
	}
	if (metadata.format_version >= 3) {
		if (!snapshot.first_row_id || !snapshot.added_rows) {
			Invalid(fmt::format("cannot add snapshot {}: a v3 snapshot needs first-row-id and added-rows",
			                    snapshot.snapshot_id));
		}
		if (*snapshot.first_row_id < metadata.next_row_id) {
			Stale(fmt::format("cannot add a snapshot, first-row-id is behind table next-row-id: {} < {}",
			                  *snapshot.first_row_id, metadata.next_row_id));
		}
		if (*snapshot.added_rows < 0) {
			Invalid(fmt::format("cannot add snapshot {}: added-rows {} is negative", snapshot.snapshot_id,
			                    *snapshot.added_rows));
		}
		if (*snapshot.added_rows > std::numeric_limits<int64_t>::max() - metadata.next_row_id) {
			Invalid(fmt::format("cannot add snapshot {}: added-rows {} overflows next-row-id", snapshot.snapshot_id,
			                    *snapshot.added_rows));
		}
		metadata.next_row_id += *snapshot.added_rows;
	}
	metadata.last_sequence_number = snapshot.sequence_number;
	metadata.snapshots.push_back(snapshot);
	changes.push_back(AddSnapshotUpdate {snapshot});
}

void TableMetadataBuilder::SetRef(const std::string &name, const SnapshotRef &ref) {
	ValidateSnapshotRef(ref);
	auto existing = metadata.refs.find(name);
	if (existing != metadata.refs.end() && existing->second == ref) {
		return;
	}
	auto snapshot = metadata.SnapshotById(ref.snapshot_id);
	if (!snapshot) {
		Invalid(fmt::format("cannot set {} to unknown snapshot: {}", name, ref.snapshot_id));
	}
	if (name == kMainBranch) {
		if (ref.type != SnapshotRefType::Branch) {
			Invalid("cannot set main to a tag, it must be a branch");
		}
		metadata.current_snapshot_id = ref.snapshot_id;
		// A snapshot added in this commit became current when it was written; an older one
		// (a rollback) becomes current now.
		auto time = IsAddedSnapshot(ref.snapshot_id) ? snapshot->timestamp_ms : now_ms;
		metadata.snapshot_log.push_back({time, ref.snapshot_id});
	}
	metadata.refs[name] = ref;
	changes.push_back(SetSnapshotRefUpdate {name, ref});
}

void TableMetadataBuilder::RemoveSnapshots(const std::vector<int64_t> &snapshot_ids) {
	std::set<int64_t> removed(snapshot_ids.begin(), snapshot_ids.end());
	std::vector<Snapshot> kept;
	for (auto &snapshot : metadata.snapshots) {
		if (!removed.count(snapshot.snapshot_id)) {
			kept.push_back(snapshot);
			continue;
		}
		changes.push_back(RemoveSnapshotsUpdate {{snapshot.snapshot_id}});
		RemoveStatistics(snapshot.snapshot_id);
		RemovePartitionStatistics(snapshot.snapshot_id);
	}
	metadata.snapshots = std::move(kept);
	std::vector<std::string> dangling;
	for (auto &[name, ref] : metadata.refs) {
		if (!metadata.SnapshotById(ref.snapshot_id)) {
			dangling.push_back(name);
		}
	}
	for (auto &name : dangling) {
		RemoveRef(name);
	}
}

void TableMetadataBuilder::RemoveRef(const std::string &name) {
	if (name == kMainBranch) {
		metadata.current_snapshot_id.reset();
	}
	if (metadata.refs.erase(name)) {
		changes.push_back(RemoveSnapshotRefUpdate {name});
	}
}

void TableMetadataBuilder::SetLocation(const std::string &location) {
	auto stripped = StripTrailingSlash(location);
	if (stripped.empty()) {
		Invalid(fmt::format("invalid table location \"{}\"", location));
	}
	if (stripped != metadata.location) {
		metadata.location = stripped;
		changes.push_back(SetLocationUpdate {stripped});
	}
}

void TableMetadataBuilder::SetProperties(const std::map<std::string, std::string> &updates) {
	if (updates.empty()) {
		return;
	}
	for (auto &[key, value] : updates) {
		metadata.properties[key] = value;
	}
	changes.push_back(SetPropertiesUpdate {updates});
}

void TableMetadataBuilder::RemoveProperties(const std::vector<std::string> &removals) {
	if (removals.empty()) {
		return;
	}
	for (auto &key : removals) {
		metadata.properties.erase(key);
	}
	changes.push_back(RemovePropertiesUpdate {removals});
}

void TableMetadataBuilder::SetStatistics(const StatisticsFile &file) {
	// One statistics file per snapshot: a new one replaces the old.
	auto &files = metadata.statistics;
	auto existing = std::find_if(files.begin(), files.end(),
	                             [&](const StatisticsFile &other) { return other.snapshot_id == file.snapshot_id; });
	if (existing == files.end()) {
		files.push_back(file);
	} else {
		*existing = file;
		files.erase(std::remove_if(std::next(existing), files.end(),
		                           [&](const StatisticsFile &other) { return other.snapshot_id == file.snapshot_id; }),
		            files.end());
	}
	changes.push_back(SetStatisticsUpdate {file});
}

void TableMetadataBuilder::RemoveStatistics(int64_t snapshot_id) {
	auto &files = metadata.statistics;
	auto end = std::remove_if(files.begin(), files.end(),
	                          [&](const StatisticsFile &file) { return file.snapshot_id == snapshot_id; });
	if (end == files.end()) {
		return;
	}
	files.erase(end, files.end());
	changes.push_back(RemoveStatisticsUpdate {snapshot_id});
}

void TableMetadataBuilder::SetPartitionStatistics(const PartitionStatisticsFile &file) {
	auto &files = metadata.partition_statistics;
	files.erase(
	    std::remove_if(files.begin(), files.end(),
	                   [&](const PartitionStatisticsFile &other) { return other.snapshot_id == file.snapshot_id; }),
	    files.end());
	files.push_back(file);
	changes.push_back(SetPartitionStatisticsUpdate {file});
}

void TableMetadataBuilder::RemovePartitionStatistics(int64_t snapshot_id) {
	auto &files = metadata.partition_statistics;
	auto end = std::remove_if(files.begin(), files.end(),
	                          [&](const PartitionStatisticsFile &file) { return file.snapshot_id == snapshot_id; });
	if (end == files.end()) {
		return;
	}
	files.erase(end, files.end());
	changes.push_back(RemovePartitionStatisticsUpdate {snapshot_id});
}

void TableMetadataBuilder::RemovePartitionSpecs(const std::vector<int32_t> &spec_ids) {
	std::set<int32_t> removed(spec_ids.begin(), spec_ids.end());
	if (removed.count(metadata.default_spec_id)) {
		Invalid("cannot remove the default partition spec");
	}
	if (removed.empty()) {
		return;
	}
	auto &specs = metadata.partition_specs;
	specs.erase(std::remove_if(specs.begin(), specs.end(),
	                           [&](const PartitionSpec &spec) { return removed.count(spec.spec_id) > 0; }),
	            specs.end());
	changes.push_back(RemovePartitionSpecsUpdate {spec_ids});
}

void TableMetadataBuilder::RemoveSchemas(const std::vector<int32_t> &schema_ids) {
	std::set<int32_t> removed(schema_ids.begin(), schema_ids.end());
	if (removed.count(metadata.current_schema_id)) {
		Invalid("cannot remove the current schema");
	}
	if (removed.empty()) {
		return;
	}
	auto &schemas = metadata.schemas;
	schemas.erase(std::remove_if(schemas.begin(), schemas.end(),
	                             [&](const Schema &schema) { return removed.count(schema.schema_id) > 0; }),
	              schemas.end());
	changes.push_back(RemoveSchemasUpdate {schema_ids});
}

void TableMetadataBuilder::AddEncryptionKey(const EncryptedKey &key) {
	auto &keys = metadata.encryption_keys;
	if (std::any_of(keys.begin(), keys.end(), [&](const EncryptedKey &other) { return other.key_id == key.key_id; })) {
		return;
	}
	keys.push_back(key);
	changes.push_back(AddEncryptionKeyUpdate {key});
}

void TableMetadataBuilder::RemoveEncryptionKey(const std::string &key_id) {
	auto &keys = metadata.encryption_keys;
	auto end = std::remove_if(keys.begin(), keys.end(), [&](const EncryptedKey &key) { return key.key_id == key_id; });
	if (end == keys.end()) {
		return;
	}
	keys.erase(end, keys.end());
	changes.push_back(RemoveEncryptionKeyUpdate {key_id});
}

bool TableMetadataBuilder::IsAddedSnapshot(int64_t snapshot_id) const {
	return AnyChange<AddSnapshotUpdate>(
	    changes, [&](const AddSnapshotUpdate &u) { return u.snapshot.snapshot_id == snapshot_id; });
}

std::vector<SnapshotLogEntry> TableMetadataBuilder::UpdatedSnapshotLog() const {
	// A commit that adds several snapshots and moves main through them logs each move; only
	// the last stays, as those in between were never visible to readers.
	std::set<int64_t> added;
	std::set<int64_t> intermediate;
	bool removed_snapshots = false;
	for (auto &change : changes) {
		if (auto add = std::get_if<AddSnapshotUpdate>(&change)) {
			added.insert(add->snapshot.snapshot_id);
		} else if (auto set_ref = std::get_if<SetSnapshotRefUpdate>(&change)) {
			auto id = set_ref->ref.snapshot_id;
			if (added.count(id) && set_ref->ref_name == kMainBranch && id != metadata.current_snapshot_id) {
				intermediate.insert(id);
			}
		} else if (std::holds_alternative<RemoveSnapshotsUpdate>(change)) {
			removed_snapshots = true;
		}
	}
	if (intermediate.empty() && !removed_snapshots) {
		return metadata.snapshot_log;
	}
	std::vector<SnapshotLogEntry> log;
	for (auto &entry : metadata.snapshot_log) {
		if (metadata.SnapshotById(entry.snapshot_id)) {
			if (!intermediate.count(entry.snapshot_id)) {
				log.push_back(entry);
			}
		} else if (removed_snapshots) {
			// History before an expired snapshot goes too: keeping [s1, s3] after removing s2
			// would claim s1 was current while s2 was.
			log.clear();
		}
	}
	if (metadata.CurrentSnapshot() && !log.empty() && log.back().snapshot_id != *metadata.current_snapshot_id) {
		Invalid("cannot set invalid snapshot log: latest entry is not the current snapshot");
	}
	return log;
}

TableMetadata TableMetadataBuilder::Build() const {
	if (changes.empty() && !is_new) {
		return base;
	}
	auto built = metadata;
	built.last_updated_ms = now_ms;
	auto &schema = built.CurrentSchema();
	built.DefaultSpec().CheckCompatibility(schema);
	built.DefaultSortOrder().Validate(schema);
	built.snapshot_log = UpdatedSnapshotLog();
	if (previous_file) {
		built.metadata_log.push_back(*previous_file);
		auto keep = PreviousVersionsMax(built.properties);
		if (built.metadata_log.size() > keep) {
			built.metadata_log.erase(built.metadata_log.begin(),
			                         built.metadata_log.end() - static_cast<ptrdiff_t>(keep));
		}
	}
	built.Validate();
	return built;
}

} // namespace akko::iceberg
