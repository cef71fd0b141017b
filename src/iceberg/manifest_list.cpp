#include "iceberg/manifest_list.hpp"

#include "common/error.hpp"
#include "iceberg/avro_reader.hpp"
#include "iceberg/avro_writer.hpp"
#include "iceberg/manifest_avro.hpp"

#include <fmt/format.h>

namespace akko::iceberg {

using namespace manifest_avro;

namespace {

// Field ids from the spec's manifest_file and field_summary tables.
enum FieldId : int32_t {
	kManifestPath = 500,
	kManifestLength = 501,
	kPartitionSpecId = 502,
	kAddedSnapshotId = 503,
	kAddedFilesCount = 504,
	kExistingFilesCount = 505,
	kDeletedFilesCount = 506,
	kPartitions = 507,
	kPartitionSummary = 508,
	kContainsNull = 509,
	kLowerBound = 510,
	kUpperBound = 511,
	kAddedRowsCount = 512,
	kExistingRowsCount = 513,
	kDeletedRowsCount = 514,
	kSequenceNumber = 515,
	kMinSequenceNumber = 516,
	kContent = 517,
	kContainsNan = 518,
	kKeyMetadata = 519,
	kFirstRowId = 520,
};

Json ManifestListSchema(int32_t format_version) {
	Json summary = Json::object();
	summary["type"] = "record";
	summary["name"] = "r508";
	summary["fields"] = Json::array({
	    FieldJson("contains_null", "boolean", kContainsNull, false),
	    FieldJson("contains_nan", "boolean", kContainsNan, true),
	    FieldJson("lower_bound", "bytes", kLowerBound, true),
	    FieldJson("upper_bound", "bytes", kUpperBound, true),
	});
	Json fields = Json::array({
	    FieldJson("manifest_path", "string", kManifestPath, false),
	    FieldJson("manifest_length", "long", kManifestLength, false),
	    FieldJson("partition_spec_id", "int", kPartitionSpecId, false),
	    FieldJson("content", "int", kContent, false),
	    FieldJson("sequence_number", "long", kSequenceNumber, false),
	    FieldJson("min_sequence_number", "long", kMinSequenceNumber, false),
	    FieldJson("added_snapshot_id", "long", kAddedSnapshotId, false),
	    FieldJson("added_files_count", "int", kAddedFilesCount, false),
	    FieldJson("existing_files_count", "int", kExistingFilesCount, false),
	    FieldJson("deleted_files_count", "int", kDeletedFilesCount, false),
	    FieldJson("added_rows_count", "long", kAddedRowsCount, false),
	    FieldJson("existing_rows_count", "long", kExistingRowsCount, false),
	    FieldJson("deleted_rows_count", "long", kDeletedRowsCount, false),
	    FieldJson("partitions", ArrayJson(std::move(summary), kPartitionSummary), kPartitions, true),
	    FieldJson("key_metadata", "bytes", kKeyMetadata, true),
	});
	if (format_version >= 3) {
		fields.push_back(FieldJson("first_row_id", "long", kFirstRowId, true));
	}
	return Json {{"type", "record"}, {"name", "manifest_file"}, {"fields", std::move(fields)}};
}

bool AssignsRowIds(const ManifestFile &manifest) {
	return manifest.content == ManifestContent::Data && !manifest.first_row_id;
}

// The positions of the fields we know in the list's record schema.
struct ListLayout {
	explicit ListLayout(const AvroSchema &record) {
		path = record.FindField(kManifestPath, "manifest_path");
		length = record.FindField(kManifestLength, "manifest_length");
		spec_id = record.FindField(kPartitionSpecId, "partition_spec_id");
		content = record.FindField(kContent, "content");
		sequence_number = record.FindField(kSequenceNumber, "sequence_number");
		min_sequence_number = record.FindField(kMinSequenceNumber, "min_sequence_number");
		snapshot_id = record.FindField(kAddedSnapshotId, "added_snapshot_id");
		added_files = record.FindField(kAddedFilesCount, "added_files_count");
		existing_files = record.FindField(kExistingFilesCount, "existing_files_count");
		deleted_files = record.FindField(kDeletedFilesCount, "deleted_files_count");
		added_rows = record.FindField(kAddedRowsCount, "added_rows_count");
		existing_rows = record.FindField(kExistingRowsCount, "existing_rows_count");
		deleted_rows = record.FindField(kDeletedRowsCount, "deleted_rows_count");
		partitions = record.FindField(kPartitions, "partitions");
		key_metadata = record.FindField(kKeyMetadata, "key_metadata");
		first_row_id = record.FindField(kFirstRowId, "first_row_id");
		if (partitions) {
			auto &array = record.fields[*partitions].type.NonNull();
			if (array.type == AvroType::Array && array.Element().NonNull().type == AvroType::Record) {
				auto &summary = array.Element().NonNull();
				contains_null = summary.FindField(kContainsNull, "contains_null");
				contains_nan = summary.FindField(kContainsNan, "contains_nan");
				lower_bound = summary.FindField(kLowerBound, "lower_bound");
				upper_bound = summary.FindField(kUpperBound, "upper_bound");
			}
		}
	}

	std::optional<size_t> path, length, spec_id, content, sequence_number, min_sequence_number, snapshot_id;
	std::optional<size_t> added_files, existing_files, deleted_files, added_rows, existing_rows, deleted_rows;
	std::optional<size_t> partitions, key_metadata, first_row_id;
	std::optional<size_t> contains_null, contains_nan, lower_bound, upper_bound;
};

ManifestFile ReadManifestFile(const AvroRecord &record, const ListLayout &layout) {
	ManifestFile manifest;
	manifest.manifest_path = RequireString(Field(record, layout.path), "manifest_path");
	manifest.manifest_length = RequireLong(Field(record, layout.length), "manifest_length");
	manifest.partition_spec_id = RequireInt(Field(record, layout.spec_id), "partition_spec_id");
	auto content = AsInt(Field(record, layout.content), "content").value_or(0);
	if (content != 0 && content != 1) {
		throw Error(ErrorCode::InvalidInput, fmt::format("manifest content {} is neither data (0) nor deletes (1)", content));
	}
	manifest.content = static_cast<ManifestContent>(content);
	manifest.sequence_number = AsLong(Field(record, layout.sequence_number), "sequence_number").value_or(0);
	manifest.min_sequence_number = AsLong(Field(record, layout.min_sequence_number), "min_sequence_number").value_or(0);
	manifest.added_snapshot_id = RequireLong(Field(record, layout.snapshot_id), "added_snapshot_id");
	manifest.added_files_count = AsInt(Field(record, layout.added_files), "added_files_count");
	manifest.existing_files_count = AsInt(Field(record, layout.existing_files), "existing_files_count");
	manifest.deleted_files_count = AsInt(Field(record, layout.deleted_files), "deleted_files_count");
	manifest.added_rows_count = AsLong(Field(record, layout.added_rows), "added_rows_count");
	manifest.existing_rows_count = AsLong(Field(record, layout.existing_rows), "existing_rows_count");
	manifest.deleted_rows_count = AsLong(Field(record, layout.deleted_rows), "deleted_rows_count");
	for (auto &item : Items(Field(record, layout.partitions), "partitions")) {
		auto &summary_record = RequireRecord(item.IsNull() ? nullptr : &item, "partitions");
		PartitionFieldSummary summary;
		summary.contains_null = AsBool(Field(summary_record, layout.contains_null), "contains_null").value_or(true);
		summary.contains_nan = AsBool(Field(summary_record, layout.contains_nan), "contains_nan");
		summary.lower_bound = AsBinary(Field(summary_record, layout.lower_bound), "lower_bound");
		summary.upper_bound = AsBinary(Field(summary_record, layout.upper_bound), "upper_bound");
		manifest.partitions.push_back(std::move(summary));
	}
	manifest.key_metadata = AsBinary(Field(record, layout.key_metadata), "key_metadata");
	manifest.first_row_id = AsLong(Field(record, layout.first_row_id), "first_row_id");
	return manifest;
}

} // namespace

std::string WriteManifestList(const ManifestListWriteOptions &options, const std::vector<ManifestFile> &manifests) {
	if (options.format_version < 2 || options.format_version > 3) {
		throw Error(ErrorCode::InvalidInput,
		            fmt::format("manifest lists are written in format versions 2 and 3, not {}", options.format_version));
	}
	auto parent = options.parent_snapshot_id ? std::to_string(*options.parent_snapshot_id) : "null";
	std::vector<std::pair<std::string, std::string>> metadata = {
	    {"snapshot-id", std::to_string(options.snapshot_id)},
	    {"parent-snapshot-id", parent}, // Java and PyIceberg write "null" for a first snapshot
	    {"sequence-number", std::to_string(options.sequence_number)},
	};
	if (options.format_version >= 3) {
		metadata.emplace_back("first-row-id", std::to_string(options.first_row_id));
	}
	metadata.emplace_back("format-version", std::to_string(options.format_version));
	AvroWriter writer(ParseAvroSchema(ManifestListSchema(options.format_version).dump()), metadata);

	int64_t next_row_id = options.first_row_id;
	for (auto &manifest : manifests) {
		auto missing = [&](const char *what) {
			return Error(ErrorCode::InvalidInput,
			             fmt::format("manifest \"{}\" has no {}, which format version {} requires", manifest.manifest_path,
			                         what, options.format_version));
		};
		if (!manifest.added_files_count || !manifest.existing_files_count || !manifest.deleted_files_count) {
			throw missing("file counts");
		}
		if (!manifest.added_rows_count || !manifest.existing_rows_count || !manifest.deleted_rows_count) {
			throw missing("row counts");
		}
		auto assigned = [&](int64_t sequence_number) {
			if (sequence_number != kUnassignedSequenceNumber) {
				return sequence_number;
			}
			if (manifest.added_snapshot_id != options.snapshot_id) {
				throw Error(ErrorCode::InvalidInput,
				            fmt::format("manifest \"{}\" of snapshot {} has no sequence number", manifest.manifest_path,
				                        manifest.added_snapshot_id));
			}
			return options.sequence_number;
		};
		AvroArray partitions;
		for (auto &summary : manifest.partitions) {
			auto &fields = partitions.items.emplace_back().value.emplace<AvroRecord>().fields;
			fields.resize(4);
			fields[0].value = summary.contains_null;
			if (summary.contains_nan) {
				fields[1].value = *summary.contains_nan;
			}
			fields[2] = OptionalBinary(summary.lower_bound);
			fields[3] = OptionalBinary(summary.upper_bound);
		}
		AvroRecord record {{
		    AvroValue {manifest.manifest_path},
		    AvroValue {manifest.manifest_length},
		    AvroValue {manifest.partition_spec_id},
		    AvroValue {static_cast<int32_t>(manifest.content)},
		    AvroValue {assigned(manifest.sequence_number)},
		    AvroValue {assigned(manifest.min_sequence_number)},
		    AvroValue {manifest.added_snapshot_id},
		    AvroValue {*manifest.added_files_count},
		    AvroValue {*manifest.existing_files_count},
		    AvroValue {*manifest.deleted_files_count},
		    AvroValue {*manifest.added_rows_count},
		    AvroValue {*manifest.existing_rows_count},
		    AvroValue {*manifest.deleted_rows_count},
		    AvroValue {std::move(partitions)},
		    OptionalBinary(manifest.key_metadata),
		}};
		if (options.format_version >= 3) {
			auto first_row_id = manifest.first_row_id;
			if (AssignsRowIds(manifest)) {
				first_row_id = next_row_id;
				next_row_id += *manifest.added_rows_count + *manifest.existing_rows_count;
			}
			record.fields.push_back(Optional(first_row_id));
		}
		writer.Append(AvroValue {std::move(record)});
	}
	return writer.Finish();
}

int64_t ManifestListAssignedRows(const std::vector<ManifestFile> &manifests) {
	int64_t rows = 0;
	for (auto &manifest : manifests) {
		if (AssignsRowIds(manifest)) {
			rows += manifest.added_rows_count.value_or(0) + manifest.existing_rows_count.value_or(0);
		}
	}
	return rows;
}

std::vector<ManifestFile> ReadManifestList(std::string_view bytes) {
	AvroReader reader(bytes);
	if (reader.Schema().type != AvroType::Record) {
		throw Error(ErrorCode::InvalidInput, "a manifest list's Avro schema must be a record");
	}
	ListLayout layout(reader.Schema());
	std::vector<ManifestFile> manifests;
	AvroValue value;
	while (reader.Next(value)) {
		manifests.push_back(ReadManifestFile(std::get<AvroRecord>(value.value), layout));
	}
	return manifests;
}

} // namespace akko::iceberg
