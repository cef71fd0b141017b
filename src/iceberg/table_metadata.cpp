#include "iceberg/table_metadata.hpp"

#include "common/error.hpp"
#include "common/random.hpp"
#include "iceberg/metadata_json.hpp"

#include <fmt/format.h>
#include <set>

#include <algorithm>
#include <charconv>
#include <chrono>

namespace akko::iceberg {

using namespace metadata_json;

namespace {

// Properties that steer table creation but are never stored (Java's
// TableProperties.RESERVED_PROPERTIES).
constexpr std::string_view kReservedProperties[] = {
    "format-version",           "uuid",
    "snapshot-count",           "current-snapshot-id",
    "current-snapshot-summary", "current-snapshot-timestamp-ms",
    "current-schema",           "default-partition-spec",
    "default-sort-order",
};

[[noreturn]] void Invalid(std::string message) {
	throw Error(ErrorCode::InvalidInput, std::move(message));
}

std::vector<Schema> ParseSchemas(const Json &json, int32_t format_version, int32_t &current_schema_id) {
	std::vector<Schema> schemas;
	if (FindMember(json, "schemas")) {
		current_schema_id = GetInt(json, "current-schema-id", "table metadata");
		bool found = false;
		for (auto &item : RequireArray(json, "schemas", "table metadata")) {
			schemas.push_back(ParseSchema(item));
			found = found || schemas.back().schema_id == current_schema_id;
		}
		if (!found) {
			Invalid(fmt::format("cannot find the current schema {}", current_schema_id));
		}
		return schemas;
	}
	if (format_version != 1) {
		Invalid(fmt::format("table metadata: \"schemas\" must exist in format v{}", format_version));
	}
	schemas.push_back(ParseSchema(RequireMember(json, "schema", "table metadata")));
	current_schema_id = schemas[0].schema_id;
	return schemas;
}

std::vector<PartitionSpec> ParseSpecs(const Json &json, int32_t format_version, int32_t &default_spec_id) {
	std::vector<PartitionSpec> specs;
	if (FindMember(json, "partition-specs")) {
		default_spec_id = GetInt(json, "default-spec-id", "table metadata");
		for (auto &item : RequireArray(json, "partition-specs", "table metadata")) {
			specs.push_back(ParsePartitionSpec(item));
		}
		return specs;
	}
	if (format_version != 1) {
		Invalid(fmt::format("table metadata: \"partition-specs\" must exist in format v{}", format_version));
	}
	default_spec_id = 0;
	specs.push_back({0, ParsePartitionFields(RequireMember(json, "partition-spec", "table metadata"))});
	return specs;
}

std::vector<SortOrder> ParseSortOrders(const Json &json, int32_t format_version, int32_t &default_sort_order_id) {
	std::vector<SortOrder> orders;
	if (FindMember(json, "sort-orders")) {
		default_sort_order_id = GetInt(json, "default-sort-order-id", "table metadata");
		for (auto &item : RequireArray(json, "sort-orders", "table metadata")) {
			orders.push_back(ParseSortOrder(item));
		}
		return orders;
	}
	if (format_version != 1) {
		Invalid(fmt::format("table metadata: \"sort-orders\" must exist in format v{}", format_version));
	}
	default_sort_order_id = 0;
	orders.push_back({});
	return orders;
}

template <class T, class Parse>
std::vector<T> ParseList(const Json &json, std::string_view key, Parse parse) {
	std::vector<T> items;
	if (FindMember(json, key)) {
		for (auto &item : RequireArray(json, key, "table metadata")) {
			items.push_back(parse(item));
		}
	}
	return items;
}

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

int32_t FormatVersionProperty(const std::map<std::string, std::string> &properties) {
	auto found = properties.find("format-version");
	if (found == properties.end()) {
		return 2;
	}
	auto &text = found->second;
	int32_t version = 0;
	auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
	if (error != std::errc() || end != text.data() + text.size() || version < 1 || version > kMaxTableFormatVersion) {
		Invalid(fmt::format("unsupported format-version \"{}\" (supported: 1 to {})", text, kMaxTableFormatVersion));
	}
	return version;
}

// `field`'s source column, found by name in `fresh` after its ids were reassigned.
int32_t FreshSourceId(const Schema &original, const Schema &fresh, int32_t source_id) {
	auto name = original.FindColumnName(source_id);
	auto field = name ? fresh.FindFieldByName(*name) : nullptr;
	if (!field) {
		Invalid(fmt::format("cannot find source column {}", source_id));
	}
	return field->id;
}

} // namespace

const Schema &TableMetadata::CurrentSchema() const {
	auto schema = SchemaById(current_schema_id);
	if (!schema) {
		Invalid(fmt::format("cannot find the current schema {}", current_schema_id));
	}
	return *schema;
}

const PartitionSpec &TableMetadata::DefaultSpec() const {
	auto spec = SpecById(default_spec_id);
	if (!spec) {
		Invalid(fmt::format("cannot find the default partition spec {}", default_spec_id));
	}
	return *spec;
}

const SortOrder &TableMetadata::DefaultSortOrder() const {
	auto order = SortOrderById(default_sort_order_id);
	if (!order) {
		Invalid(fmt::format("cannot find the default sort order {}", default_sort_order_id));
	}
	return *order;
}

const Schema *TableMetadata::SchemaById(int32_t id) const {
	for (auto &schema : schemas) {
		if (schema.schema_id == id) {
			return &schema;
		}
	}
	return nullptr;
}

const PartitionSpec *TableMetadata::SpecById(int32_t id) const {
	for (auto &spec : partition_specs) {
		if (spec.spec_id == id) {
			return &spec;
		}
	}
	return nullptr;
}

const SortOrder *TableMetadata::SortOrderById(int32_t id) const {
	for (auto &order : sort_orders) {
		if (order.order_id == id) {
			return &order;
		}
	}
	return nullptr;
}

const Snapshot *TableMetadata::SnapshotById(int64_t id) const {
	for (auto &snapshot : snapshots) {
		if (snapshot.snapshot_id == id) {
			return &snapshot;
		}
	}
	return nullptr;
}

bool TableMetadata::OnlyAppendsSince(std::optional<int64_t> since) const {
	auto id = current_snapshot_id;
	std::set<int64_t> seen;
	while (id && id != since && seen.insert(*id).second) {
		auto *snapshot = SnapshotById(*id);
		if (!snapshot) {
			return false;
		}
		auto operation = snapshot->summary.find("operation");
		if (operation == snapshot->summary.end() || operation->second != "append") {
			return false;
		}
		id = snapshot->parent_snapshot_id;
	}
	return id == since;
}

const Snapshot *TableMetadata::CurrentSnapshot() const {
	return current_snapshot_id ? SnapshotById(*current_snapshot_id) : nullptr;
}

const SnapshotRef *TableMetadata::Ref(std::string_view name) const {
	auto found = refs.find(std::string(name));
	return found == refs.end() ? nullptr : &found->second;
}

const Snapshot *TableMetadata::SnapshotAsOf(int64_t timestamp_ms) const {
	const SnapshotLogEntry *found = nullptr;
	for (auto &entry : snapshot_log) {
		if (entry.timestamp_ms <= timestamp_ms) {
			found = &entry;
		}
	}
	return found ? SnapshotById(found->snapshot_id) : nullptr;
}

void TableMetadata::Validate() const {
	if (format_version < 1 || format_version > kMaxTableFormatVersion) {
		Invalid(fmt::format("unsupported table format version {} (supported: 1 to {})", format_version,
		                    kMaxTableFormatVersion));
	}
	if (format_version > 1 && table_uuid.empty()) {
		Invalid(fmt::format("a table uuid is required in format v{}", format_version));
	}
	if (location.empty()) {
		Invalid("a table location is required");
	}
	if (format_version == 1 && last_sequence_number != 0) {
		Invalid(fmt::format("the last sequence number must be 0 in v1, not {}", last_sequence_number));
	}
	CurrentSchema();
	DefaultSpec();
	DefaultSortOrder();
	for (auto &snapshot : snapshots) {
		if (snapshot.sequence_number > last_sequence_number) {
			Invalid(fmt::format("invalid snapshot {} with sequence number {} greater than last sequence number {}",
			                    snapshot.snapshot_id, snapshot.sequence_number, last_sequence_number));
		}
	}
	for (auto &[name, ref] : refs) {
		if (!SnapshotById(ref.snapshot_id)) {
			Invalid(fmt::format("snapshot {} of reference \"{}\" does not exist", ref.snapshot_id, name));
		}
	}
	auto main = Ref(kMainBranch);
	if (current_snapshot_id) {
		if (main && main->snapshot_id != *current_snapshot_id) {
			Invalid(fmt::format("current snapshot id does not match main branch ({} != {})", *current_snapshot_id,
			                    main->snapshot_id));
		}
		if (!CurrentSnapshot()) {
			Invalid(fmt::format("cannot find the current snapshot {}", *current_snapshot_id));
		}
	} else if (main) {
		Invalid(fmt::format("current snapshot is not set, but main branch exists at {}", main->snapshot_id));
	}
}

TableMetadata ParseTableMetadata(const nlohmann::json &json) {
	try {
		RequireObject(json, "table metadata");
		TableMetadata metadata;
		metadata.format_version = GetInt(json, "format-version", "table metadata");
		if (metadata.format_version < 1 || metadata.format_version > kMaxTableFormatVersion) {
			Invalid(fmt::format("cannot read unsupported table format version {}", metadata.format_version));
		}
		auto v1 = metadata.format_version == 1;
		metadata.table_uuid = GetOptionalString(json, "table-uuid", "table metadata").value_or("");
		metadata.location = StripTrailingSlash(GetString(json, "location", "table metadata"));
		metadata.last_sequence_number = v1 ? 0 : GetLong(json, "last-sequence-number", "table metadata");
		metadata.last_updated_ms = GetLong(json, "last-updated-ms", "table metadata");
		metadata.last_column_id = GetInt(json, "last-column-id", "table metadata");
		metadata.schemas = ParseSchemas(json, metadata.format_version, metadata.current_schema_id);
		metadata.partition_specs = ParseSpecs(json, metadata.format_version, metadata.default_spec_id);
		if (auto last = GetOptionalInt(json, "last-partition-id", "table metadata")) {
			metadata.last_partition_id = *last;
		} else if (v1) {
			metadata.last_partition_id = kPartitionDataIdStart - 1;
			for (auto &spec : metadata.partition_specs) {
				metadata.last_partition_id = std::max(metadata.last_partition_id, spec.LastAssignedFieldId());
			}
		} else {
			Invalid(
			    fmt::format("table metadata: \"last-partition-id\" must exist in format v{}", metadata.format_version));
		}
		metadata.sort_orders = ParseSortOrders(json, metadata.format_version, metadata.default_sort_order_id);
		metadata.properties = GetStringMap(json, "properties", "table metadata");
		auto current = GetOptionalLong(json, "current-snapshot-id", "table metadata");
		if (current && *current != -1) {
			metadata.current_snapshot_id = current;
		}
		if (metadata.format_version >= 3) {
			metadata.next_row_id = GetLong(json, "next-row-id", "table metadata");
		}
		metadata.encryption_keys = ParseList<EncryptedKey>(json, "encryption-keys", ParseEncryptedKey);
		if (auto refs = FindMember(json, "refs")) {
			RequireObject(*refs, "table metadata \"refs\"");
			for (auto &[name, ref] : refs->items()) {
				metadata.refs.emplace(name, ParseSnapshotRef(ref));
			}
		} else if (metadata.current_snapshot_id) {
			SnapshotRef main;
			main.snapshot_id = *metadata.current_snapshot_id;
			metadata.refs.emplace(kMainBranch, main);
		}
		metadata.snapshots = ParseList<Snapshot>(json, "snapshots", ParseSnapshot);
		metadata.statistics = ParseList<StatisticsFile>(json, "statistics", ParseStatisticsFile);
		metadata.partition_statistics =
		    ParseList<PartitionStatisticsFile>(json, "partition-statistics", ParsePartitionStatisticsFile);
		metadata.snapshot_log = ParseList<SnapshotLogEntry>(json, "snapshot-log", [](const Json &item) {
			RequireObject(item, "snapshot log entry");
			return SnapshotLogEntry {GetLong(item, "timestamp-ms", "snapshot log entry"),
			                         GetLong(item, "snapshot-id", "snapshot log entry")};
		});
		metadata.metadata_log = ParseList<MetadataLogEntry>(json, "metadata-log", ParseMetadataLogEntry);
		metadata.Validate();
		// Java binds the default spec and sort order to the current schema, checking them; the
		// others may refer to columns dropped since.
		metadata.DefaultSpec().Validate(metadata.CurrentSchema());
		metadata.DefaultSortOrder().Validate(metadata.CurrentSchema());
		return metadata;
	} catch (const nlohmann::json::exception &error) {
		Invalid(fmt::format("invalid table metadata: {}", error.what()));
	}
}

nlohmann::json ToJson(const TableMetadata &metadata) {
	// v1 tables may have no uuid, which Java writes as null.
	nlohmann::json json = {
	    {"format-version", metadata.format_version},
	    {"table-uuid", metadata.table_uuid.empty() ? nlohmann::json() : nlohmann::json(metadata.table_uuid)},
	    {"location", metadata.location}};
	if (metadata.format_version > 1) {
		json["last-sequence-number"] = metadata.last_sequence_number;
	}
	json["last-updated-ms"] = metadata.last_updated_ms;
	json["last-column-id"] = metadata.last_column_id;
	// v1 readers only know the singular "schema" and "partition-spec".
	if (metadata.format_version == 1) {
		json["schema"] = ToJson(metadata.CurrentSchema());
		json["partition-spec"] = ToJson(metadata.DefaultSpec())["fields"];
	}
	json["current-schema-id"] = metadata.current_schema_id;
	json["schemas"] = nlohmann::json::array();
	for (auto &schema : metadata.schemas) {
		json["schemas"].push_back(ToJson(schema));
	}
	json["default-spec-id"] = metadata.default_spec_id;
	json["partition-specs"] = nlohmann::json::array();
	for (auto &spec : metadata.partition_specs) {
		json["partition-specs"].push_back(ToJson(spec));
	}
	json["last-partition-id"] = metadata.last_partition_id;
	json["default-sort-order-id"] = metadata.default_sort_order_id;
	json["sort-orders"] = nlohmann::json::array();
	for (auto &order : metadata.sort_orders) {
		json["sort-orders"].push_back(ToJson(order));
	}
	json["properties"] = metadata.properties;
	if (metadata.current_snapshot_id) {
		json["current-snapshot-id"] = *metadata.current_snapshot_id;
	} else if (metadata.format_version >= 3) {
		json["current-snapshot-id"] = nullptr;
	} else {
		json["current-snapshot-id"] = -1;
	}
	if (metadata.format_version >= 3) {
		json["next-row-id"] = metadata.next_row_id;
	}
	if (!metadata.encryption_keys.empty()) {
		json["encryption-keys"] = nlohmann::json::array();
		for (auto &key : metadata.encryption_keys) {
			json["encryption-keys"].push_back(ToJson(key));
		}
	}
	json["refs"] = nlohmann::json::object();
	for (auto &[name, ref] : metadata.refs) {
		json["refs"][name] = ToJson(ref);
	}
	json["snapshots"] = nlohmann::json::array();
	for (auto &snapshot : metadata.snapshots) {
		json["snapshots"].push_back(ToJson(snapshot));
	}
	json["statistics"] = nlohmann::json::array();
	for (auto &file : metadata.statistics) {
		json["statistics"].push_back(ToJson(file));
	}
	json["partition-statistics"] = nlohmann::json::array();
	for (auto &file : metadata.partition_statistics) {
		json["partition-statistics"].push_back(ToJson(file));
	}
	json["snapshot-log"] = nlohmann::json::array();
	for (auto &entry : metadata.snapshot_log) {
		json["snapshot-log"].push_back({{"timestamp-ms", entry.timestamp_ms}, {"snapshot-id", entry.snapshot_id}});
	}
	json["metadata-log"] = nlohmann::json::array();
	for (auto &entry : metadata.metadata_log) {
		json["metadata-log"].push_back({{"timestamp-ms", entry.timestamp_ms}, {"metadata-file", entry.metadata_file}});
	}
	return json;
}

TableMetadata NewTableMetadata(const Schema &schema, const PartitionSpec &spec, const SortOrder &order,
                               std::string location, std::map<std::string, std::string> properties) {
	TableMetadata metadata;
	metadata.format_version = FormatVersionProperty(properties);
	metadata.table_uuid = NewUuid();
	metadata.location = StripTrailingSlash(std::move(location));
	metadata.last_updated_ms = NowMs();

	schema.Validate();
	metadata.schemas.push_back(AssignFreshIds(schema, 0, metadata.last_column_id));
	auto &fresh = metadata.schemas[0];
	fresh.CheckFormatVersion(metadata.format_version);

	PartitionSpec fresh_spec;
	for (auto &field : spec.fields) {
		auto field_id = kPartitionDataIdStart + static_cast<int32_t>(fresh_spec.fields.size());
		fresh_spec.fields.push_back(
		    {FreshSourceId(schema, fresh, field.source_id), field_id, field.name, field.transform});
	}
	fresh_spec.Validate(fresh);
	metadata.last_partition_id = fresh_spec.LastAssignedFieldId();
	metadata.partition_specs.push_back(std::move(fresh_spec));

	SortOrder fresh_order;
	fresh_order.order_id = order.IsUnsorted() ? 0 : 1;
	for (auto &field : order.fields) {
		auto fresh_field = field;
		fresh_field.source_id = FreshSourceId(schema, fresh, field.source_id);
		fresh_order.fields.push_back(std::move(fresh_field));
	}
	fresh_order.Validate(fresh);
	metadata.default_sort_order_id = fresh_order.order_id;
	metadata.sort_orders.push_back(std::move(fresh_order));

	metadata.properties["write.parquet.compression-codec"] = "zstd";
	for (auto &[key, value] : properties) {
		if (std::find(std::begin(kReservedProperties), std::end(kReservedProperties), key) ==
		    std::end(kReservedProperties)) {
			metadata.properties[key] = value;
		}
	}
	metadata.Validate();
	return metadata;
}

MetadataLogEntry ParseMetadataLogEntry(const nlohmann::json &json) {
	RequireObject(json, "metadata log entry");
	return {GetLong(json, "timestamp-ms", "metadata log entry"),
	        GetString(json, "metadata-file", "metadata log entry")};
}

StatisticsFile ParseStatisticsFile(const nlohmann::json &json) {
	RequireObject(json, "statistics file");
	StatisticsFile file;
	file.snapshot_id = GetLong(json, "snapshot-id", "statistics file");
	file.statistics_path = GetString(json, "statistics-path", "statistics file");
	file.file_size_in_bytes = GetLong(json, "file-size-in-bytes", "statistics file");
	file.file_footer_size_in_bytes = GetLong(json, "file-footer-size-in-bytes", "statistics file");
	file.key_metadata = GetOptionalString(json, "key-metadata", "statistics file");
	for (auto &item : RequireArray(json, "blob-metadata", "statistics file")) {
		RequireObject(item, "blob metadata");
		BlobMetadata blob;
		blob.type = GetString(item, "type", "blob metadata");
		blob.snapshot_id = GetLong(item, "snapshot-id", "blob metadata");
		blob.sequence_number = GetLong(item, "sequence-number", "blob metadata");
		blob.fields = GetIntList(item, "fields", "blob metadata");
		blob.properties = GetStringMap(item, "properties", "blob metadata");
		file.blob_metadata.push_back(std::move(blob));
	}
	return file;
}

nlohmann::json ToJson(const StatisticsFile &file) {
	nlohmann::json json = {{"snapshot-id", file.snapshot_id},
	                       {"statistics-path", file.statistics_path},
	                       {"file-size-in-bytes", file.file_size_in_bytes},
	                       {"file-footer-size-in-bytes", file.file_footer_size_in_bytes}};
	if (file.key_metadata) {
		json["key-metadata"] = *file.key_metadata;
	}
	json["blob-metadata"] = nlohmann::json::array();
	for (auto &blob : file.blob_metadata) {
		nlohmann::json item = {{"type", blob.type},
		                       {"snapshot-id", blob.snapshot_id},
		                       {"sequence-number", blob.sequence_number},
		                       {"fields", blob.fields}};
		if (!blob.properties.empty()) {
			item["properties"] = blob.properties;
		}
		json["blob-metadata"].push_back(std::move(item));
	}
	return json;
}

PartitionStatisticsFile ParsePartitionStatisticsFile(const nlohmann::json &json) {
	RequireObject(json, "partition statistics file");
	return {GetLong(json, "snapshot-id", "partition statistics file"),
	        GetString(json, "statistics-path", "partition statistics file"),
	        GetLong(json, "file-size-in-bytes", "partition statistics file")};
}

nlohmann::json ToJson(const PartitionStatisticsFile &file) {
	return {{"snapshot-id", file.snapshot_id},
	        {"statistics-path", file.statistics_path},
	        {"file-size-in-bytes", file.file_size_in_bytes}};
}

EncryptedKey ParseEncryptedKey(const nlohmann::json &json) {
	RequireObject(json, "encryption key");
	EncryptedKey key;
	key.key_id = GetString(json, "key-id", "encryption key");
	key.encrypted_key_metadata = GetString(json, "encrypted-key-metadata", "encryption key");
	key.encrypted_by_id = GetOptionalString(json, "encrypted-by-id", "encryption key");
	key.properties = GetStringMap(json, "properties", "encryption key");
	return key;
}

nlohmann::json ToJson(const EncryptedKey &key) {
	nlohmann::json json = {{"key-id", key.key_id}, {"encrypted-key-metadata", key.encrypted_key_metadata}};
	if (key.encrypted_by_id) {
		json["encrypted-by-id"] = *key.encrypted_by_id;
	}
	if (!key.properties.empty()) {
		json["properties"] = key.properties;
	}
	return json;
}

std::string StripTrailingSlash(std::string location) {
	auto ends_with_scheme = [&] {
		return location.size() >= 3 && location.compare(location.size() - 3, 3, "://") == 0;
	};
	while (!location.empty() && location.back() == '/' && !ends_with_scheme()) {
		location.pop_back();
	}
	return location;
}

} // namespace akko::iceberg
