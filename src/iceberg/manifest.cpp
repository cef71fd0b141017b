#include "iceberg/manifest.hpp"

#include "common/error.hpp"
#include "iceberg/avro_reader.hpp"
#include "iceberg/avro_writer.hpp"
#include "iceberg/manifest_avro.hpp"

#include <charconv>
#include <cmath>
#include <fmt/format.h>

namespace akko::iceberg {

using namespace manifest_avro;

namespace {

// Field ids from the spec's manifest_entry and data_file tables.
enum FieldId : int32_t {
	kStatus = 0,
	kSnapshotId = 1,
	kDataFile = 2,
	kSequenceNumber = 3,
	kFileSequenceNumber = 4,
	kFilePath = 100,
	kFileFormat = 101,
	kPartition = 102,
	kRecordCount = 103,
	kFileSize = 104,
	kColumnSizes = 108,
	kValueCounts = 109,
	kNullValueCounts = 110,
	kLowerBounds = 125,
	kUpperBounds = 128,
	kKeyMetadata = 131,
	kSplitOffsets = 132,
	kSplitOffset = 133,
	kContent = 134,
	kEqualityIds = 135,
	kEqualityId = 136,
	kNanValueCounts = 137,
	kSortOrderId = 140,
	kFirstRowId = 142,
	kReferencedDataFile = 143,
	kContentOffset = 144,
	kContentSize = 145,
};

[[noreturn]] void Invalid(const std::string &message) {
	throw Error(ErrorCode::InvalidInput, message);
}

Json ManifestEntrySchema(const ManifestWriteOptions &options) {
	std::set<std::string> defined;
	Json partition_fields = Json::array();
	for (auto &field : options.partition_fields) {
		partition_fields.push_back(
		    FieldJson(AvroName(field.name), PrimitiveJson(field.result_type, defined), field.field_id, true));
	}
	Json partition = {{"type", "record"}, {"name", "r102"}, {"fields", std::move(partition_fields)}};
	bool v3 = options.format_version >= 3;
	Json fields = Json::array({
	    FieldJson("content", "int", kContent, false),
	    FieldJson("file_path", "string", kFilePath, false),
	    FieldJson("file_format", "string", kFileFormat, false),
	    FieldJson("partition", std::move(partition), kPartition, false),
	    FieldJson("record_count", "long", kRecordCount, false),
	    FieldJson("file_size_in_bytes", "long", kFileSize, false),
	    FieldJson("column_sizes", IntMapJson(117, 118, "long"), kColumnSizes, true),
	    FieldJson("value_counts", IntMapJson(119, 120, "long"), kValueCounts, true),
	    FieldJson("null_value_counts", IntMapJson(121, 122, "long"), kNullValueCounts, true),
	    FieldJson("nan_value_counts", IntMapJson(138, 139, "long"), kNanValueCounts, true),
	    FieldJson("lower_bounds", IntMapJson(126, 127, "bytes"), kLowerBounds, true),
	    FieldJson("upper_bounds", IntMapJson(129, 130, "bytes"), kUpperBounds, true),
	    FieldJson("key_metadata", "bytes", kKeyMetadata, true),
	    FieldJson("split_offsets", ArrayJson("long", kSplitOffset), kSplitOffsets, true),
	    FieldJson("equality_ids", ArrayJson("int", kEqualityId), kEqualityIds, true),
	    FieldJson("sort_order_id", "int", kSortOrderId, true),
	});
	if (v3) {
		fields.push_back(FieldJson("first_row_id", "long", kFirstRowId, true));
	}
	fields.push_back(FieldJson("referenced_data_file", "string", kReferencedDataFile, true));
	if (v3) {
		fields.push_back(FieldJson("content_offset", "long", kContentOffset, true));
		fields.push_back(FieldJson("content_size_in_bytes", "long", kContentSize, true));
	}
	Json data_file = {{"type", "record"}, {"name", "r2"}, {"fields", std::move(fields)}};
	return Json {{"type", "record"},
	             {"name", "manifest_entry"},
	             {"fields", Json::array({
	                            FieldJson("status", "int", kStatus, false),
	                            FieldJson("snapshot_id", "long", kSnapshotId, true),
	                            FieldJson("sequence_number", "long", kSequenceNumber, true),
	                            FieldJson("file_sequence_number", "long", kFileSequenceNumber, true),
	                            FieldJson("data_file", std::move(data_file), kDataFile, false),
	                        })}};
}

std::string PartitionSpecJson(const std::vector<PartitionFieldInfo> &fields) {
	Json spec = Json::array();
	for (auto &field : fields) {
		spec.push_back(Json {{"name", field.name},
		                     {"transform", field.transform},
		                     {"source-id", field.source_id},
		                     {"field-id", field.field_id}});
	}
	return spec.dump();
}

void CheckEntry(const ManifestWriteOptions &options, const ManifestEntry &entry) {
	auto &file = entry.data_file;
	bool is_data = file.content == FileContent::Data;
	if (is_data != (options.content == ManifestContent::Data)) {
		Invalid(fmt::format("\"{}\" is a {} file and cannot be in a {} manifest", file.file_path,
		                    is_data ? "data" : "delete", options.content == ManifestContent::Data ? "data" : "delete"));
	}
	if (file.content == FileContent::EqualityDeletes && file.equality_ids.empty()) {
		Invalid(fmt::format("equality delete file \"{}\" has no equality ids", file.file_path));
	}
	if (entry.status != ManifestEntryStatus::Added && (!entry.sequence_number || !entry.file_sequence_number)) {
		Invalid(fmt::format("an existing or deleted entry must keep its sequence numbers: \"{}\"", file.file_path));
	}
	if (options.format_version < 3 && (file.first_row_id || file.content_offset || file.content_size_in_bytes)) {
		Invalid(fmt::format("\"{}\" has v3 fields, which a v{} manifest cannot hold", file.file_path,
		                    options.format_version));
	}
	if (file.partition.size() != options.partition_fields.size()) {
		Invalid(fmt::format("\"{}\" has {} partition values for a spec of {} fields", file.file_path,
		                    file.partition.size(), options.partition_fields.size()));
	}
	for (size_t i = 0; i < file.partition.size(); i++) {
		try {
			CheckLiteralType(file.partition[i], options.partition_fields[i].result_type);
		} catch (Error &error) {
			error.message = fmt::format("partition field \"{}\" of \"{}\": {}", options.partition_fields[i].name,
			                            file.file_path, error.message);
			throw;
		}
	}
}

AvroValue EntryValue(const ManifestWriteOptions &options, const ManifestEntry &entry) {
	auto &file = entry.data_file;
	AvroRecord partition;
	for (size_t i = 0; i < file.partition.size(); i++) {
		partition.fields.push_back(ToAvro(file.partition[i], options.partition_fields[i].result_type));
	}
	AvroArray split_offsets;
	for (auto offset : file.split_offsets) {
		split_offsets.items.emplace_back().value = offset;
	}
	AvroArray equality_ids;
	for (auto id : file.equality_ids) {
		equality_ids.items.emplace_back().value = id;
	}
	AvroRecord data_file {{
	    AvroValue {static_cast<int32_t>(file.content)},
	    AvroValue {file.file_path},
	    AvroValue {file.file_format},
	    AvroValue {std::move(partition)},
	    AvroValue {file.record_count},
	    AvroValue {file.file_size_in_bytes},
	    IntLongMap(file.column_sizes),
	    IntLongMap(file.value_counts),
	    IntLongMap(file.null_value_counts),
	    IntLongMap(file.nan_value_counts),
	    IntBinaryMap(file.lower_bounds),
	    IntBinaryMap(file.upper_bounds),
	    OptionalBinary(file.key_metadata),
	    file.split_offsets.empty() ? AvroValue {} : AvroValue {std::move(split_offsets)},
	    file.equality_ids.empty() ? AvroValue {} : AvroValue {std::move(equality_ids)},
	    Optional(file.sort_order_id),
	}};
	bool v3 = options.format_version >= 3;
	if (v3) {
		data_file.fields.push_back(Optional(file.first_row_id));
	}
	data_file.fields.push_back(Optional(file.referenced_data_file));
	if (v3) {
		data_file.fields.push_back(Optional(file.content_offset));
		data_file.fields.push_back(Optional(file.content_size_in_bytes));
	}
	return AvroValue {AvroRecord {{
	    AvroValue {static_cast<int32_t>(entry.status)},
	    Optional(entry.snapshot_id),
	    Optional(entry.sequence_number),
	    Optional(entry.file_sequence_number),
	    AvroValue {std::move(data_file)},
	}}};
}

bool IsNan(const Literal &value) {
	if (auto number = std::get_if<float>(&value)) {
		return std::isnan(*number);
	}
	if (auto number = std::get_if<double>(&value)) {
		return std::isnan(*number);
	}
	return false;
}

// Where the fields we know sit in the manifest's record schemas, found by field id (or
// name) once per file.
struct ManifestLayout {
	explicit ManifestLayout(const AvroSchema &entry) {
		if (entry.type != AvroType::Record) {
			Invalid("a manifest's Avro schema must be a record");
		}
		status = entry.FindField(kStatus, "status");
		snapshot_id = entry.FindField(kSnapshotId, "snapshot_id");
		sequence_number = entry.FindField(kSequenceNumber, "sequence_number");
		file_sequence_number = entry.FindField(kFileSequenceNumber, "file_sequence_number");
		data_file = entry.FindField(kDataFile, "data_file");
		if (!data_file || entry.fields[*data_file].type.NonNull().type != AvroType::Record) {
			Invalid("a manifest entry has no data_file record");
		}
		auto &file = entry.fields[*data_file].type.NonNull();
		content = file.FindField(kContent, "content");
		file_path = file.FindField(kFilePath, "file_path");
		file_format = file.FindField(kFileFormat, "file_format");
		partition = file.FindField(kPartition, "partition");
		record_count = file.FindField(kRecordCount, "record_count");
		file_size = file.FindField(kFileSize, "file_size_in_bytes");
		column_sizes = file.FindField(kColumnSizes, "column_sizes");
		value_counts = file.FindField(kValueCounts, "value_counts");
		null_value_counts = file.FindField(kNullValueCounts, "null_value_counts");
		nan_value_counts = file.FindField(kNanValueCounts, "nan_value_counts");
		lower_bounds = file.FindField(kLowerBounds, "lower_bounds");
		upper_bounds = file.FindField(kUpperBounds, "upper_bounds");
		key_metadata = file.FindField(kKeyMetadata, "key_metadata");
		split_offsets = file.FindField(kSplitOffsets, "split_offsets");
		equality_ids = file.FindField(kEqualityIds, "equality_ids");
		sort_order_id = file.FindField(kSortOrderId, "sort_order_id");
		first_row_id = file.FindField(kFirstRowId, "first_row_id");
		referenced_data_file = file.FindField(kReferencedDataFile, "referenced_data_file");
		content_offset = file.FindField(kContentOffset, "content_offset");
		content_size = file.FindField(kContentSize, "content_size_in_bytes");
		if (partition) {
			auto &record = file.fields[*partition].type.NonNull();
			if (record.type != AvroType::Record) {
				Invalid("a manifest's partition is not a record");
			}
			for (size_t i = 0; i < record.fields.size(); i++) {
				auto &field = record.fields[i];
				partition_schemas.push_back(&field.type);
				PartitionFieldInfo info;
				// v1 writers assigned partition field ids from 1000 on.
				info.field_id = field.FieldId().value_or(1000 + static_cast<int32_t>(i));
				info.name = field.name;
				info.result_type = PrimitiveTypeOf(field.type);
				partition_fields.push_back(std::move(info));
			}
		}
	}

	std::optional<size_t> status, snapshot_id, sequence_number, file_sequence_number, data_file;
	std::optional<size_t> content, file_path, file_format, partition, record_count, file_size;
	std::optional<size_t> column_sizes, value_counts, null_value_counts, nan_value_counts, lower_bounds, upper_bounds;
	std::optional<size_t> key_metadata, split_offsets, equality_ids, sort_order_id, first_row_id;
	std::optional<size_t> referenced_data_file, content_offset, content_size;
	std::vector<const AvroSchema *> partition_schemas;
	std::vector<PartitionFieldInfo> partition_fields;
};

ManifestEntry ReadEntry(const AvroRecord &record, const ManifestLayout &layout) {
	ManifestEntry entry;
	auto status = RequireInt(Field(record, layout.status), "status");
	if (status < 0 || status > 2) {
		Invalid(fmt::format("manifest entry status {} is not 0, 1 or 2", status));
	}
	entry.status = static_cast<ManifestEntryStatus>(status);
	entry.snapshot_id = AsLong(Field(record, layout.snapshot_id), "snapshot_id");
	entry.sequence_number = AsLong(Field(record, layout.sequence_number), "sequence_number");
	entry.file_sequence_number = AsLong(Field(record, layout.file_sequence_number), "file_sequence_number");

	auto &data_file = RequireRecord(Field(record, layout.data_file), "data_file");
	auto &file = entry.data_file;
	auto content = AsInt(Field(data_file, layout.content), "content").value_or(0);
	if (content < 0 || content > 2) {
		Invalid(fmt::format("data file content {} is not 0, 1 or 2", content));
	}
	file.content = static_cast<FileContent>(content);
	file.file_path = RequireString(Field(data_file, layout.file_path), "file_path");
	file.file_format = RequireString(Field(data_file, layout.file_format), "file_format");
	if (layout.partition) {
		auto &partition = RequireRecord(Field(data_file, layout.partition), "partition");
		for (size_t i = 0; i < layout.partition_fields.size(); i++) {
			auto &type = layout.partition_fields[i].result_type;
			file.partition.push_back(FromAvro(partition.fields[i], *layout.partition_schemas[i], type));
		}
	}
	file.record_count = RequireLong(Field(data_file, layout.record_count), "record_count");
	file.file_size_in_bytes = RequireLong(Field(data_file, layout.file_size), "file_size_in_bytes");
	file.column_sizes = AsIntLongMap(Field(data_file, layout.column_sizes), "column_sizes");
	file.value_counts = AsIntLongMap(Field(data_file, layout.value_counts), "value_counts");
	file.null_value_counts = AsIntLongMap(Field(data_file, layout.null_value_counts), "null_value_counts");
	file.nan_value_counts = AsIntLongMap(Field(data_file, layout.nan_value_counts), "nan_value_counts");
	file.lower_bounds = AsIntBinaryMap(Field(data_file, layout.lower_bounds), "lower_bounds");
	file.upper_bounds = AsIntBinaryMap(Field(data_file, layout.upper_bounds), "upper_bounds");
	file.key_metadata = AsBinary(Field(data_file, layout.key_metadata), "key_metadata");
	for (auto &item : Items(Field(data_file, layout.split_offsets), "split_offsets")) {
		file.split_offsets.push_back(RequireLong(item.IsNull() ? nullptr : &item, "split_offsets"));
	}
	for (auto &item : Items(Field(data_file, layout.equality_ids), "equality_ids")) {
		file.equality_ids.push_back(RequireInt(item.IsNull() ? nullptr : &item, "equality_ids"));
	}
	file.sort_order_id = AsInt(Field(data_file, layout.sort_order_id), "sort_order_id");
	file.first_row_id = AsLong(Field(data_file, layout.first_row_id), "first_row_id");
	file.referenced_data_file = AsString(Field(data_file, layout.referenced_data_file), "referenced_data_file");
	file.content_offset = AsLong(Field(data_file, layout.content_offset), "content_offset");
	file.content_size_in_bytes = AsLong(Field(data_file, layout.content_size), "content_size_in_bytes");
	return entry;
}

// Source ids and transforms from the "partition-spec" metadata (a JSON array of fields),
// matched by field id, or by position where a v1 writer left the ids out.
void ApplyPartitionSpec(std::string_view text, std::vector<PartitionFieldInfo> &fields) {
	auto spec = nlohmann::json::parse(text, nullptr, false);
	if (!spec.is_array()) {
		return;
	}
	for (size_t i = 0; i < spec.size(); i++) {
		auto &field = spec[i];
		if (!field.is_object()) {
			continue;
		}
		auto id = field.find("field-id");
		PartitionFieldInfo *target = nullptr;
		if (id != field.end() && id->is_number_integer()) {
			for (auto &candidate : fields) {
				if (candidate.field_id == id->get<int64_t>()) {
					target = &candidate;
				}
			}
		} else if (i < fields.size()) {
			target = &fields[i];
		}
		if (!target) {
			continue;
		}
		if (auto source = field.find("source-id"); source != field.end() && source->is_number_integer()) {
			target->source_id = static_cast<int32_t>(source->get<int64_t>());
		}
		if (auto transform = field.find("transform"); transform != field.end() && transform->is_string()) {
			target->transform = transform->get<std::string>();
		}
	}
}

std::optional<int32_t> MetadataInt(const AvroReader &reader, std::string_view key) {
	auto text = reader.FindMetadata(key);
	if (!text) {
		return std::nullopt;
	}
	int32_t value = 0;
	auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
	if (error != std::errc() || end != text->data() + text->size()) {
		Invalid(fmt::format("manifest metadata {} is \"{}\", not an integer", key, *text));
	}
	return value;
}

} // namespace

std::string WriteManifest(const ManifestWriteOptions &options, const std::vector<ManifestEntry> &entries) {
	if (options.format_version < 2 || options.format_version > 3) {
		Invalid(fmt::format("manifests are written in format versions 2 and 3, not {}", options.format_version));
	}
	if (options.schema_json.empty()) {
		Invalid("a manifest needs the table schema it was written with");
	}
	AvroWriter writer(ParseAvroSchema(ManifestEntrySchema(options).dump()),
	                  {
	                      {"schema", options.schema_json},
	                      {"schema-id", std::to_string(options.schema_id)},
	                      {"partition-spec", PartitionSpecJson(options.partition_fields)},
	                      {"partition-spec-id", std::to_string(options.partition_spec_id)},
	                      {"format-version", std::to_string(options.format_version)},
	                      {"content", options.content == ManifestContent::Data ? "data" : "deletes"},
	                  },
	                  options.codec);
	for (auto &entry : entries) {
		CheckEntry(options, entry);
		writer.Append(EntryValue(options, entry));
	}
	return writer.Finish();
}

ManifestFile SummarizeManifest(const ManifestWriteOptions &options, const std::vector<ManifestEntry> &entries,
                               std::string manifest_path, int64_t manifest_length, int64_t added_snapshot_id) {
	ManifestFile manifest;
	manifest.manifest_path = std::move(manifest_path);
	manifest.manifest_length = manifest_length;
	manifest.partition_spec_id = options.partition_spec_id;
	manifest.content = options.content;
	manifest.sequence_number = kUnassignedSequenceNumber;
	manifest.added_snapshot_id = added_snapshot_id;
	int32_t files[3] = {0, 0, 0};
	int64_t rows[3] = {0, 0, 0};
	std::optional<int64_t> min_sequence_number;
	std::vector<Literal> lower(options.partition_fields.size());
	std::vector<Literal> upper(options.partition_fields.size());
	manifest.partitions.assign(options.partition_fields.size(), PartitionFieldSummary {false, false, {}, {}});
	for (auto &entry : entries) {
		auto status = static_cast<size_t>(entry.status);
		files[status]++;
		rows[status] += entry.data_file.record_count;
		// New entries (null) inherit the commit's sequence number, above every assigned one.
		if (entry.status != ManifestEntryStatus::Deleted && entry.sequence_number) {
			min_sequence_number = std::min(min_sequence_number.value_or(*entry.sequence_number), *entry.sequence_number);
		}
		for (size_t i = 0; i < options.partition_fields.size() && i < entry.data_file.partition.size(); i++) {
			auto &value = entry.data_file.partition[i];
			auto &summary = manifest.partitions[i];
			if (value.index() == 0) {
				summary.contains_null = true;
			} else if (IsNan(value)) {
				summary.contains_nan = true;
			} else {
				if (lower[i].index() == 0 || Compare(value, lower[i]) < 0) {
					lower[i] = value;
				}
				if (upper[i].index() == 0 || Compare(value, upper[i]) > 0) {
					upper[i] = value;
				}
			}
		}
	}
	for (size_t i = 0; i < options.partition_fields.size(); i++) {
		auto &type = options.partition_fields[i].result_type;
		if (lower[i].index() != 0) {
			manifest.partitions[i].lower_bound = SerializeBinary(lower[i], type);
			manifest.partitions[i].upper_bound = SerializeBinary(upper[i], type);
		}
	}
	manifest.min_sequence_number = min_sequence_number.value_or(kUnassignedSequenceNumber);
	manifest.existing_files_count = files[0];
	manifest.added_files_count = files[1];
	manifest.deleted_files_count = files[2];
	manifest.existing_rows_count = rows[0];
	manifest.added_rows_count = rows[1];
	manifest.deleted_rows_count = rows[2];
	return manifest;
}

Manifest ReadManifest(std::string_view bytes) {
	AvroReader reader(bytes);
	ManifestLayout layout(reader.Schema());
	Manifest manifest;
	manifest.format_version = MetadataInt(reader, "format-version").value_or(1);
	auto content = reader.FindMetadata("content");
	manifest.content = content && *content == "deletes" ? ManifestContent::Deletes : ManifestContent::Data;
	manifest.partition_spec_id = MetadataInt(reader, "partition-spec-id").value_or(0);
	manifest.schema_id = MetadataInt(reader, "schema-id");
	manifest.schema_json = std::string(reader.FindMetadata("schema").value_or(""));
	manifest.partition_fields = layout.partition_fields;
	if (auto spec = reader.FindMetadata("partition-spec")) {
		ApplyPartitionSpec(*spec, manifest.partition_fields);
	}
	AvroValue value;
	while (reader.Next(value)) {
		manifest.entries.push_back(ReadEntry(std::get<AvroRecord>(value.value), layout));
	}
	return manifest;
}

void InheritFromManifestList(std::vector<ManifestEntry> &entries, const ManifestFile &manifest) {
	auto next_row_id = manifest.first_row_id;
	for (auto &entry : entries) {
		if (!entry.snapshot_id) {
			entry.snapshot_id = manifest.added_snapshot_id;
		}
		// v1 manifests (sequence number 0) carry no sequence numbers at all; in v2 only added
		// entries may leave them to inheritance.
		bool inherits = manifest.sequence_number == 0 || entry.status == ManifestEntryStatus::Added;
		if (!entry.sequence_number && inherits) {
			entry.sequence_number = manifest.sequence_number;
		}
		if (!entry.file_sequence_number && inherits) {
			entry.file_sequence_number = manifest.sequence_number;
		}
		auto &file = entry.data_file;
		if (next_row_id && file.content == FileContent::Data && !file.first_row_id) {
			file.first_row_id = *next_row_id;
			*next_row_id += file.record_count;
		}
	}
}

} // namespace akko::iceberg
