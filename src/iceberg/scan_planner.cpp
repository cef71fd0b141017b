#include "iceberg/scan_planner.hpp"

#include "common/error.hpp"
#include "iceberg/partition_transform.hpp"
#include "iceberg/value_type.hpp"

#include <cmath>
#include <fmt/format.h>
#include <map>
#include <optional>

namespace akko::iceberg {

namespace {

// Iceberg's reserved field id of a position delete file's file_path column.
constexpr int32_t kDeleteFilePathFieldId = 2147483546;

bool IsNull(const Literal &value) {
	return std::holds_alternative<std::monostate>(value);
}

bool IsFloating(const PrimitiveType &type) {
	return type.kind == TypeKind::Float || type.kind == TypeKind::Double;
}

bool IsNaN(const Literal &value) {
	if (auto f = std::get_if<float>(&value)) {
		return std::isnan(*f);
	}
	if (auto d = std::get_if<double>(&value)) {
		return std::isnan(*d);
	}
	return false;
}

// Whether some value in [lower, upper] (either bound may be unknown) can satisfy `op value`.
bool RangeMayMatch(PredicateOp op, const Literal &value, const std::optional<Literal> &lower,
                   const std::optional<Literal> &upper) {
	switch (op) {
	case PredicateOp::Equal:
		return !(lower && Compare(value, *lower) < 0) && !(upper && Compare(value, *upper) > 0);
	case PredicateOp::Less:
		return !(lower && Compare(*lower, value) >= 0);
	case PredicateOp::LessOrEqual:
		return !(lower && Compare(*lower, value) > 0);
	case PredicateOp::Greater:
		return !(upper && Compare(*upper, value) <= 0);
	case PredicateOp::GreaterOrEqual:
		return !(upper && Compare(*upper, value) < 0);
	default:
		return true;
	}
}

// Whether the single value `actual` satisfies `op value`.
bool ValueMatches(PredicateOp op, const Literal &actual, const Literal &value) {
	if (op == PredicateOp::IsNull) {
		return IsNull(actual);
	}
	if (op == PredicateOp::NotNull) {
		return !IsNull(actual);
	}
	if (IsNull(actual)) {
		return false;
	}
	return RangeMayMatch(op, value, actual, actual);
}

// A predicate on a partition field: the inclusive projection of a column predicate through the
// field's transform (a partition that fails it holds no matching row).
struct PartitionPredicate {
	size_t position = 0;
	PrimitiveType type;
	PredicateOp op = PredicateOp::Equal;
	Literal value;
};

std::optional<PartitionPredicate> Project(const ColumnPredicate &predicate, const PrimitiveType &source_type,
                                          const PartitionField &field, size_t position) {
	if (predicate.field_id != field.source_id) {
		return std::nullopt;
	}
	auto transform = ParseTransform(field.transform);
	if (transform.kind == TransformKind::Void || transform.kind == TransformKind::Unknown) {
		return std::nullopt;
	}
	PartitionPredicate projected {position, TransformResultType(transform, source_type), predicate.op, {}};
	if (predicate.op == PredicateOp::IsNull || predicate.op == PredicateOp::NotNull) {
		return projected;
	}
	if (IsNull(predicate.value) || IsNaN(predicate.value)) {
		return std::nullopt;
	}
	if (transform.kind == TransformKind::Bucket && predicate.op != PredicateOp::Equal) {
		return std::nullopt;
	}
	projected.value = ApplyTransform(transform, predicate.value, source_type);
	if (transform.kind != TransformKind::Identity) {
		// t(x) < t(v) does not follow from x < v, only t(x) <= t(v).
		if (predicate.op == PredicateOp::Less) {
			projected.op = PredicateOp::LessOrEqual;
		} else if (predicate.op == PredicateOp::Greater) {
			projected.op = PredicateOp::GreaterOrEqual;
		}
		if (!PreservesOrder(transform) && predicate.op != PredicateOp::Equal) {
			return std::nullopt;
		}
	}
	return projected;
}

// Column types of the schema the predicates were written against, by field id.
struct ScanContext {
	const TableMetadata &metadata;
	const Schema &schema;
	const std::vector<ColumnPredicate> &predicates;
	std::map<int32_t, std::vector<PartitionPredicate>> by_spec;

	ScanContext(const TableMetadata &metadata_p, const Schema &schema_p, const std::vector<ColumnPredicate> &predicates_p)
	    : metadata(metadata_p), schema(schema_p), predicates(predicates_p) {
	}

	std::optional<PrimitiveType> TypeOf(int32_t field_id) const {
		auto field = schema.FindField(field_id);
		if (!field || !field->type) {
			return std::nullopt;
		}
		return ValueTypeOf(*field->type);
	}

	const std::vector<PartitionPredicate> &ForSpec(int32_t spec_id) {
		auto found = by_spec.find(spec_id);
		if (found != by_spec.end()) {
			return found->second;
		}
		std::vector<PartitionPredicate> projected;
		if (auto spec = metadata.SpecById(spec_id)) {
			for (auto &predicate : predicates) {
				auto type = TypeOf(predicate.field_id);
				if (!type) {
					continue;
				}
				for (size_t i = 0; i < spec->fields.size(); i++) {
					try {
						if (auto one = Project(predicate, *type, spec->fields[i], i)) {
							projected.push_back(std::move(*one));
						}
					} catch (const Error &) {
						// A predicate this transform cannot take prunes nothing.
					}
				}
			}
		}
		return by_spec.emplace(spec_id, std::move(projected)).first->second;
	}
};

bool ManifestMayMatch(const ManifestFile &manifest, const std::vector<PartitionPredicate> &predicates) {
	for (auto &predicate : predicates) {
		if (predicate.position >= manifest.partitions.size()) {
			continue;
		}
		auto &summary = manifest.partitions[predicate.position];
		bool all_null = !summary.lower_bound && !summary.upper_bound && summary.contains_null;
		if (predicate.op == PredicateOp::IsNull) {
			if (!summary.contains_null) {
				return false;
			}
			continue;
		}
		if (all_null) {
			return false;
		}
		if (predicate.op == PredicateOp::NotNull) {
			continue;
		}
		if (IsFloating(predicate.type) && summary.contains_nan.value_or(true) &&
		    (predicate.op == PredicateOp::Greater || predicate.op == PredicateOp::GreaterOrEqual)) {
			continue;
		}
		std::optional<Literal> lower, upper;
		if (summary.lower_bound) {
			lower = DeserializeBinary(*summary.lower_bound, predicate.type);
		}
		if (summary.upper_bound) {
			upper = DeserializeBinary(*summary.upper_bound, predicate.type);
		}
		if (!RangeMayMatch(predicate.op, predicate.value, lower, upper)) {
			return false;
		}
	}
	return true;
}

bool PartitionMayMatch(const DataFile &file, const std::vector<PartitionPredicate> &predicates) {
	for (auto &predicate : predicates) {
		if (predicate.position < file.partition.size() &&
		    !ValueMatches(predicate.op, file.partition[predicate.position], predicate.value)) {
			return false;
		}
	}
	return true;
}

std::optional<int64_t> CountOf(const std::map<int32_t, int64_t> &counts, int32_t field_id) {
	auto found = counts.find(field_id);
	return found == counts.end() ? std::nullopt : std::optional<int64_t>(found->second);
}

bool MetricsMayMatch(const DataFile &file, const ScanContext &context) {
	for (auto &predicate : context.predicates) {
		auto nulls = CountOf(file.null_value_counts, predicate.field_id);
		auto values = CountOf(file.value_counts, predicate.field_id);
		bool all_null = nulls && values && *nulls == *values;
		if (predicate.op == PredicateOp::IsNull) {
			if (nulls && *nulls == 0) {
				return false;
			}
			continue;
		}
		if (all_null) {
			return false;
		}
		if (predicate.op == PredicateOp::NotNull || IsNull(predicate.value) || IsNaN(predicate.value)) {
			continue;
		}
		auto type = context.TypeOf(predicate.field_id);
		if (!type) {
			continue;
		}
		std::optional<Literal> lower, upper;
		try {
			auto found = file.lower_bounds.find(predicate.field_id);
			if (found != file.lower_bounds.end()) {
				lower = DeserializeBinary(found->second, *type);
			}
			found = file.upper_bounds.find(predicate.field_id);
			if (found != file.upper_bounds.end()) {
				upper = DeserializeBinary(found->second, *type);
			}
		} catch (const Error &) {
			// Bounds of a type we cannot read as the column's (a writer's quirk) prune nothing.
			continue;
		}
		// NaN is outside the bounds Iceberg writes for floats, so bounds say nothing about it; and
		// NaN sorts above every number, so `>` and `>=` may match a file's NaNs beyond its upper bound.
		if ((lower && IsNaN(*lower)) || (upper && IsNaN(*upper))) {
			continue;
		}
		if (IsFloating(*type) && (predicate.op == PredicateOp::Greater || predicate.op == PredicateOp::GreaterOrEqual)) {
			auto nans = CountOf(file.nan_value_counts, predicate.field_id);
			if (!nans || *nans > 0) {
				continue;
			}
		}
		if (!RangeMayMatch(predicate.op, predicate.value, lower, upper)) {
			return false;
		}
	}
	return true;
}

// Partition tuples as map keys.
std::string PartitionKey(int32_t spec_id, const std::vector<Literal> &partition) {
	std::string key = std::to_string(spec_id);
	for (auto &value : partition) {
		key += '|';
		key += std::to_string(value.index());
		key += ':';
		std::visit(
		    [&](const auto &v) {
			    using T = std::decay_t<decltype(v)>;
			    if constexpr (std::is_same_v<T, std::monostate>) {
			    } else if constexpr (std::is_same_v<T, std::string>) {
				    key += fmt::format("{}:{}", v.size(), v);
			    } else if constexpr (std::is_same_v<T, Bytes>) {
				    key += fmt::format("{}:{}", v.data.size(), v.data);
			    } else if constexpr (std::is_same_v<T, Decimal>) {
				    key += fmt::format("{}e{}", static_cast<long long>(v.unscaled >> 64),
				                       static_cast<unsigned long long>(v.unscaled)) +
				           fmt::format("s{}", v.scale);
			    } else if constexpr (std::is_same_v<T, Uuid>) {
				    key.append(reinterpret_cast<const char *>(v.bytes.data()), v.bytes.size());
			    } else {
				    key += fmt::format("{}", v);
			    }
		    },
		    value);
	}
	return key;
}

struct DeleteEntry {
	DataFile file;
	int32_t spec_id = 0;
	int64_t sequence_number = 0;
};

bool IsUnpartitioned(const TableMetadata &metadata, int32_t spec_id) {
	auto spec = metadata.SpecById(spec_id);
	if (!spec) {
		return false;
	}
	for (auto &field : spec->fields) {
		if (ParseTransform(field.transform).kind != TransformKind::Void) {
			return false;
		}
	}
	return true;
}

bool PositionDeleteMayApply(const DeleteEntry &deletes, const std::string &data_path) {
	if (deletes.file.referenced_data_file) {
		return *deletes.file.referenced_data_file == data_path;
	}
	auto lower = deletes.file.lower_bounds.find(kDeleteFilePathFieldId);
	auto upper = deletes.file.upper_bounds.find(kDeleteFilePathFieldId);
	if (lower != deletes.file.lower_bounds.end() && data_path < lower->second) {
		return false;
	}
	// A truncated upper bound is incremented, so it stays above every path it stands for.
	if (upper != deletes.file.upper_bounds.end() && data_path > upper->second) {
		return false;
	}
	return true;
}

} // namespace

std::shared_ptr<const void> ManifestCache::Find(const std::string &uri) {
	std::lock_guard<std::mutex> guard(lock);
	auto found = entries.find(uri);
	if (found == entries.end()) {
		return nullptr;
	}
	recency.splice(recency.begin(), recency, found->second.second);
	return found->second.first;
}

void ManifestCache::Insert(const std::string &uri, std::shared_ptr<const void> value) {
	std::lock_guard<std::mutex> guard(lock);
	if (entries.count(uri)) {
		return;
	}
	recency.push_front(uri);
	entries.emplace(uri, std::make_pair(std::move(value), recency.begin()));
	while (entries.size() > capacity) {
		entries.erase(recency.back());
		recency.pop_back();
	}
}

std::shared_ptr<const std::vector<ManifestFile>> ManifestCache::ManifestList(const std::string &uri,
                                                                            const FileReader &read) {
	auto key = "list:" + uri;
	if (auto found = Find(key)) {
		return std::static_pointer_cast<const std::vector<ManifestFile>>(found);
	}
	auto list = std::make_shared<const std::vector<ManifestFile>>(ReadManifestList(read(uri)));
	Insert(key, list);
	return list;
}

std::shared_ptr<const std::vector<ManifestEntry>> ManifestCache::Entries(const ManifestFile &manifest,
                                                                        const FileReader &read) {
	// What an entry inherits depends on the manifest list entry, which is fixed once committed.
	auto key = fmt::format("manifest:{}:{}:{}", manifest.sequence_number, manifest.added_snapshot_id,
	                       manifest.manifest_path);
	if (auto found = Find(key)) {
		return std::static_pointer_cast<const std::vector<ManifestEntry>>(found);
	}
	auto entries_read = ReadManifest(read(manifest.manifest_path)).entries;
	InheritFromManifestList(entries_read, manifest);
	auto result = std::make_shared<const std::vector<ManifestEntry>>(std::move(entries_read));
	Insert(key, result);
	return result;
}

ScanPlan PlanScan(const TableMetadata &metadata, const Snapshot &snapshot, const std::vector<ColumnPredicate> &predicates,
                  ManifestCache &cache, const FileReader &read) {
	const Schema *schema = snapshot.schema_id ? metadata.SchemaById(*snapshot.schema_id) : nullptr;
	ScanContext context(metadata, schema ? *schema : metadata.CurrentSchema(), predicates);
	ScanPlan plan;
	if (snapshot.manifest_list.empty()) {
		if (!snapshot.manifests.empty()) {
			throw Error(ErrorCode::FeatureNotSupported, "v1 snapshots without a manifest list are not supported");
		}
		return plan;
	}
	auto manifests = cache.ManifestList(snapshot.manifest_list, read);
	plan.manifests_total = manifests->size();

	std::map<std::string, std::vector<DeleteEntry>> partition_deletes;
	std::vector<DeleteEntry> global_deletes;
	for (auto &manifest : *manifests) {
		if (manifest.content != ManifestContent::Deletes) {
			continue;
		}
		plan.manifests_read++;
		bool unpartitioned = IsUnpartitioned(metadata, manifest.partition_spec_id);
		auto entries = cache.Entries(manifest, read);
		for (auto &entry : *entries) {
			if (entry.status == ManifestEntryStatus::Deleted) {
				continue;
			}
			DeleteEntry deletes {entry.data_file, manifest.partition_spec_id, entry.sequence_number.value_or(0)};
			if (unpartitioned) {
				global_deletes.push_back(std::move(deletes));
			} else {
				partition_deletes[PartitionKey(manifest.partition_spec_id, entry.data_file.partition)].push_back(
				    std::move(deletes));
			}
		}
	}

	for (auto &manifest : *manifests) {
		if (manifest.content != ManifestContent::Data) {
			continue;
		}
		auto &partition_predicates = context.ForSpec(manifest.partition_spec_id);
		if (!ManifestMayMatch(manifest, partition_predicates)) {
			plan.data_files_total +=
			    static_cast<size_t>(manifest.added_files_count.value_or(0) + manifest.existing_files_count.value_or(0));
			plan.data_files_skipped +=
			    static_cast<size_t>(manifest.added_files_count.value_or(0) + manifest.existing_files_count.value_or(0));
			continue;
		}
		plan.manifests_read++;
		auto entries = cache.Entries(manifest, read);
		for (auto &entry : *entries) {
			if (entry.status == ManifestEntryStatus::Deleted) {
				continue;
			}
			plan.data_files_total++;
			if (!PartitionMayMatch(entry.data_file, partition_predicates) || !MetricsMayMatch(entry.data_file, context)) {
				plan.data_files_skipped++;
				continue;
			}
			ScanTask task {entry.data_file, manifest.partition_spec_id, entry.sequence_number.value_or(0), {}, {}};
			auto add_deletes = [&](const std::vector<DeleteEntry> &candidates) {
				for (auto &deletes : candidates) {
					if (deletes.file.content == FileContent::PositionDeletes) {
						if (deletes.sequence_number >= task.data_sequence_number &&
						    PositionDeleteMayApply(deletes, task.data_file.file_path)) {
							task.position_deletes.push_back(deletes.file);
						}
					} else if (deletes.file.content == FileContent::EqualityDeletes &&
					           deletes.sequence_number > task.data_sequence_number) {
						task.equality_deletes.push_back(deletes.file);
					}
				}
			};
			auto same_partition = partition_deletes.find(PartitionKey(manifest.partition_spec_id, entry.data_file.partition));
			if (same_partition != partition_deletes.end()) {
				add_deletes(same_partition->second);
			}
			add_deletes(global_deletes);
			plan.tasks.push_back(std::move(task));
		}
	}
	return plan;
}

std::vector<ManifestEntry> LiveEntries(const Snapshot &snapshot, ManifestCache &cache, const FileReader &read) {
	std::vector<ManifestEntry> live;
	if (snapshot.manifest_list.empty()) {
		return live;
	}
	auto manifests = cache.ManifestList(snapshot.manifest_list, read);
	for (auto &manifest : *manifests) {
		auto entries = cache.Entries(manifest, read);
		for (auto &entry : *entries) {
			if (entry.status != ManifestEntryStatus::Deleted) {
				live.push_back(entry);
			}
		}
	}
	return live;
}

} // namespace akko::iceberg
