#include "engine/duckdb_internal.hpp"
#include "engine/lake_metadata_tables.hpp"

#include "common/civil_time.hpp"
#include "duckdb/catalog/catalog_search_path.hpp"
#include "duckdb/common/types/blob.hpp"
#include "duckdb/main/client_data.hpp"
#include "duckdb/parser/keyword_helper.hpp"
#include "duckdb/parser/parsed_data/create_table_function_info.hpp"
#include "engine/lake_access.hpp"
#include "engine/lake_catalog.hpp"
#include "engine/lake_transaction.hpp"
#include "engine/lake_types.hpp"
#include "iceberg/partition_transform.hpp"
#include "iceberg/value_type.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <set>
#include <tuple>
#include <utility>

namespace akko::engine {

using namespace duckdb;

namespace {

enum class MetadataKind : uint8_t { Snapshots, History, Files, Manifests, Partitions, Refs, Properties, MetadataLogEntries };

constexpr std::pair<MetadataKind, const char *> kKinds[] = {
    {MetadataKind::Snapshots, "snapshots"},
    {MetadataKind::History, "history"},
    {MetadataKind::Files, "files"},
    {MetadataKind::Manifests, "manifests"},
    {MetadataKind::Partitions, "partitions"},
    {MetadataKind::Refs, "refs"},
    {MetadataKind::Properties, "properties"},
    {MetadataKind::MetadataLogEntries, "metadata_log_entries"},
};

const char *KindName(MetadataKind kind) {
	for (auto &[candidate, name] : kKinds) {
		if (candidate == kind) {
			return name;
		}
	}
	return "";
}

// ---- Human-readable values, as Java's Transform.toHumanString writes them (Trino shows those).

// Java's Double.toString and Float.toString: the shortest digits that read back, plain from 1e-3
// to 1e7 and "d.dddE<n>" outside, always with a digit after the point.
std::string JavaFloating(double value, bool single) {
	if (std::isnan(value)) {
		return "NaN";
	}
	if (std::isinf(value)) {
		return value > 0 ? "Infinity" : "-Infinity";
	}
	if (value == 0) {
		return std::signbit(value) ? "-0.0" : "0.0";
	}
	char buffer[64];
	auto end = single ? std::to_chars(buffer, buffer + sizeof(buffer), static_cast<float>(value), std::chars_format::scientific).ptr
	                  : std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific).ptr;
	std::string text(buffer, end);
	auto e = text.find('e');
	int exponent = std::stoi(text.substr(e + 1));
	std::string digits;
	for (char c : text.substr(0, e)) {
		if (std::isdigit(static_cast<unsigned char>(c))) {
			digits += c;
		}
	}
	std::string out;
	auto magnitude = std::fabs(value);
	if (magnitude >= 1e-3 && magnitude < 1e7) {
		if (exponent >= 0) {
			auto integer_digits = static_cast<size_t>(exponent) + 1;
			if (digits.size() < integer_digits) {
				digits.append(integer_digits - digits.size(), '0');
			}
			auto fraction = digits.substr(integer_digits);
			out = digits.substr(0, integer_digits) + "." + (fraction.empty() ? "0" : fraction);
		} else {
			out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
		}
	} else {
		out = digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" + std::to_string(exponent);
	}
	return value < 0 ? "-" + out : out;
}

// Java's BigDecimal.toString: plain unless the exponent is below -6.
std::string JavaDecimal(__int128 unscaled, int32_t scale) {
	bool negative = unscaled < 0;
	auto magnitude = negative ? -static_cast<unsigned __int128>(unscaled) : static_cast<unsigned __int128>(unscaled);
	std::string digits;
	do {
		digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
		magnitude /= 10;
	} while (magnitude != 0);
	auto size = static_cast<int64_t>(digits.size());
	auto adjusted = size - 1 - scale;
	std::string out;
	if (scale >= 0 && adjusted >= -6) {
		if (scale == 0) {
			out = digits;
		} else if (size > scale) {
			out = digits.substr(0, static_cast<size_t>(size - scale)) + "." + digits.substr(static_cast<size_t>(size - scale));
		} else {
			out = "0." + std::string(static_cast<size_t>(scale - size), '0') + digits;
		}
	} else {
		out = digits.substr(0, 1) + (size > 1 ? "." + digits.substr(1) : "") + "E" + (adjusted >= 0 ? "+" : "") +
		      std::to_string(adjusted);
	}
	return negative ? "-" + out : out;
}

// java.time.LocalDate.toString.
std::string HumanDate(int64_t days) {
	int64_t year = 0;
	unsigned month = 0;
	unsigned day = 0;
	CivilFromDays(days, year, month, day);
	auto year_text = year > 9999 ? fmt::format("+{}", year) : year < 0 ? fmt::format("-{:04}", -year) : fmt::format("{:04}", year);
	return fmt::format("{}-{:02}-{:02}", year_text, month, day);
}

// java.time.LocalTime.toString: seconds only when not zero, fractions in groups of three digits.
std::string HumanTime(int64_t nanos_of_day) {
	auto seconds_of_day = nanos_of_day / 1000000000;
	auto nanos = nanos_of_day % 1000000000;
	auto out = fmt::format("{:02}:{:02}", seconds_of_day / 3600, seconds_of_day / 60 % 60);
	if (seconds_of_day % 60 == 0 && nanos == 0) {
		return out;
	}
	out += fmt::format(":{:02}", seconds_of_day % 60);
	if (nanos == 0) {
		return out;
	}
	if (nanos % 1000000 == 0) {
		return out + fmt::format(".{:03}", nanos / 1000000);
	}
	if (nanos % 1000 == 0) {
		return out + fmt::format(".{:06}", nanos / 1000);
	}
	return out + fmt::format(".{:09}", nanos);
}

// LocalDateTime.toString, or OffsetDateTime.toString at UTC ("...Z").
std::string HumanTimestamp(int64_t value, int64_t per_second, bool utc) {
	auto per_day = per_second * 86400;
	auto days = FloorDivide(value, per_day);
	auto nanos = (value - days * per_day) * (1000000000 / per_second);
	return HumanDate(days) + "T" + HumanTime(nanos) + (utc ? "Z" : "");
}

std::string HumanUuid(const iceberg::Uuid &uuid) {
	std::string text;
	for (size_t i = 0; i < uuid.bytes.size(); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) {
			text += '-';
		}
		text += fmt::format("{:02x}", uuid.bytes[i]);
	}
	return text;
}

// The identity transform's human string of a value of `type`; by the value's own alternative
// where a promoted column's old values (int for long, float for double) still read as numbers.
std::string HumanString(const iceberg::Literal &value, const iceberg::PrimitiveType &type) {
	using iceberg::TypeKind;
	struct Visitor {
		const iceberg::PrimitiveType &type;
		std::string operator()(std::monostate) const {
			return "null";
		}
		std::string operator()(bool v) const {
			return v ? "true" : "false";
		}
		std::string operator()(int32_t v) const {
			return type.kind == TypeKind::Date ? HumanDate(v) : std::to_string(v);
		}
		std::string operator()(int64_t v) const {
			switch (type.kind) {
			case TypeKind::Time:
				return HumanTime(v * 1000);
			case TypeKind::Timestamp:
				return HumanTimestamp(v, 1000000, false);
			case TypeKind::TimestampTz:
				return HumanTimestamp(v, 1000000, true);
			case TypeKind::TimestampNs:
				return HumanTimestamp(v, 1000000000, false);
			case TypeKind::TimestampTzNs:
				return HumanTimestamp(v, 1000000000, true);
			default:
				return std::to_string(v);
			}
		}
		std::string operator()(float v) const {
			return JavaFloating(v, type.kind == TypeKind::Float);
		}
		std::string operator()(double v) const {
			return JavaFloating(v, false);
		}
		std::string operator()(const std::string &v) const {
			return v;
		}
		std::string operator()(const iceberg::Bytes &v) const {
			return Blob::ToBase64(string_t(v.data.data(), static_cast<uint32_t>(v.data.size())));
		}
		std::string operator()(const iceberg::Decimal &v) const {
			return JavaDecimal(v.unscaled, v.scale);
		}
		std::string operator()(const iceberg::Uuid &v) const {
			return HumanUuid(v);
		}
	};
	return std::visit(Visitor {type}, value);
}

// A partition value's human string under its transform: years, months and hours read as dates.
std::string HumanPartitionString(const iceberg::Literal &value, const iceberg::PrimitiveType &type,
                                 const iceberg::Transform &transform) {
	auto *ordinal = std::get_if<int32_t>(&value);
	if (ordinal) {
		switch (transform.kind) {
		case iceberg::TransformKind::Year:
			return fmt::format("{:04}", 1970 + int64_t(*ordinal));
		case iceberg::TransformKind::Month:
			return fmt::format("{:04}-{:02}", 1970 + FloorDivide(*ordinal, 12), *ordinal - FloorDivide(*ordinal, 12) * 12 + 1);
		case iceberg::TransformKind::Hour: {
			auto days = FloorDivide(*ordinal, 24);
			return fmt::format("{}-{:02}", HumanDate(days), *ordinal - days * 24);
		}
		default:
			break;
		}
	}
	return HumanString(value, type);
}

// ---- Values and types.

LogicalType ValuesDuckType(const iceberg::PrimitiveType &type) {
	return ValueOf(std::monostate {}, type).type();
}

// A value as `type`, reading old values of a promoted column (int as long, float as double).
Value TypedValue(iceberg::Literal value, const iceberg::PrimitiveType &type) {
	if (auto *narrow = std::get_if<int32_t>(&value); narrow && type.kind == iceberg::TypeKind::Long) {
		value = static_cast<int64_t>(*narrow);
	}
	if (auto *narrow = std::get_if<float>(&value); narrow && type.kind == iceberg::TypeKind::Double) {
		value = static_cast<double>(*narrow);
	}
	try {
		return ValueOf(value, type);
	} catch (const std::bad_variant_access &) {
		ThrowAsDuck(akko::Error(ErrorCode::InvalidInput, fmt::format("a partition or bound value is not of type {}",
		                                                             iceberg::ToString(type))));
	}
}

Value EpochMsValue(int64_t epoch_ms) {
	return Value::TIMESTAMPTZ(timestamp_tz_t(epoch_ms * 1000));
}

template <class T>
Value Optional(const std::optional<T> &value, const LogicalType &type) {
	if (!value) {
		return Value(type);
	}
	return Value(*value).DefaultCastAs(type);
}

Value CountMap(const std::map<int32_t, int64_t> &counts) {
	if (counts.empty()) {
		return Value(LogicalType::MAP(LogicalType::INTEGER, LogicalType::BIGINT));
	}
	vector<Value> keys;
	vector<Value> values;
	for (auto &[id, count] : counts) {
		keys.push_back(Value::INTEGER(id));
		values.push_back(Value::BIGINT(count));
	}
	return Value::MAP(LogicalType::INTEGER, LogicalType::BIGINT, std::move(keys), std::move(values));
}

// The primitive type of field `id`, as the current schema has it or, for a dropped column, the
// newest schema that had it.
std::optional<iceberg::PrimitiveType> FieldType(const iceberg::TableMetadata &metadata, int32_t id) {
	const iceberg::NestedField *field = metadata.CurrentSchema().FindField(id);
	for (auto it = metadata.schemas.rbegin(); !field && it != metadata.schemas.rend(); ++it) {
		field = it->FindField(id);
	}
	if (!field) {
		return std::nullopt;
	}
	return iceberg::ValueTypeOf(*field->type);
}

// Bounds of the columns the current schema has, as human strings (Trino filters the same way).
Value BoundMap(const std::map<int32_t, std::string> &bounds, const iceberg::Schema &schema) {
	auto map_type = LogicalType::MAP(LogicalType::INTEGER, LogicalType::VARCHAR);
	if (bounds.empty()) {
		return Value(map_type);
	}
	vector<Value> keys;
	vector<Value> values;
	for (auto &[id, bytes] : bounds) {
		auto *field = schema.FindField(id);
		auto type = field ? iceberg::ValueTypeOf(*field->type) : std::nullopt;
		if (!type) {
			continue;
		}
		keys.push_back(Value::INTEGER(id));
		values.push_back(Value(HumanString(Lake([&] { return iceberg::DeserializeBinary(bytes, *type); }), *type)));
	}
	return Value::MAP(LogicalType::INTEGER, LogicalType::VARCHAR, std::move(keys), std::move(values));
}

// ---- The partition columns of $files and $partitions: every field of every spec, by field id.

struct PartitionColumn {
	int32_t field_id = 0;
	std::string name;
	iceberg::PrimitiveType type;
};

std::vector<PartitionColumn> PartitionColumns(const iceberg::TableMetadata &metadata) {
	std::vector<PartitionColumn> columns;
	std::set<int32_t> seen;
	std::set<std::string> names;
	for (auto &spec : metadata.partition_specs) {
		for (auto &field : spec.fields) {
			if (!seen.insert(field.field_id).second) {
				continue;
			}
			auto source = FieldType(metadata, field.source_id);
			auto transform = iceberg::ParseTransform(field.transform);
			if (!source || transform.kind == iceberg::TransformKind::Unknown) {
				continue;
			}
			PartitionColumn column;
			column.field_id = field.field_id;
			column.name = names.insert(field.name).second ? field.name : fmt::format("{}_{}", field.name, field.field_id);
			names.insert(column.name);
			column.type = iceberg::TransformResultType(transform, *source);
			columns.push_back(std::move(column));
		}
	}
	return columns;
}

LogicalType PartitionStructType(const std::vector<PartitionColumn> &columns) {
	child_list_t<LogicalType> children;
	for (auto &column : columns) {
		children.emplace_back(column.name, ValuesDuckType(column.type));
	}
	return LogicalType::STRUCT(std::move(children));
}

// One value per partition column: the file's value where its spec has that field, else null.
std::vector<iceberg::Literal> PartitionTuple(const iceberg::TableMetadata &metadata, int32_t spec_id,
                                             const std::vector<iceberg::Literal> &partition,
                                             const std::vector<PartitionColumn> &columns) {
	std::vector<iceberg::Literal> tuple(columns.size());
	auto *spec = metadata.SpecById(spec_id);
	if (!spec) {
		return tuple;
	}
	for (size_t i = 0; i < columns.size(); i++) {
		for (size_t j = 0; j < spec->fields.size() && j < partition.size(); j++) {
			if (spec->fields[j].field_id == columns[i].field_id) {
				tuple[i] = partition[j];
			}
		}
	}
	return tuple;
}

Value PartitionStruct(const std::vector<iceberg::Literal> &tuple, const std::vector<PartitionColumn> &columns) {
	vector<Value> values;
	for (size_t i = 0; i < columns.size(); i++) {
		values.push_back(TypedValue(tuple[i], columns[i].type));
	}
	return Value::STRUCT(PartitionStructType(columns), std::move(values));
}

// ---- $partitions' per-column metrics: the top-level primitive columns that are not identity
// partition sources of the default spec, as Trino's "data" column has them.

struct MetricColumn {
	int32_t field_id = 0;
	std::string name;
	iceberg::PrimitiveType type;
};

std::vector<MetricColumn> MetricColumns(const iceberg::TableMetadata &metadata) {
	std::set<int32_t> identity_sources;
	for (auto &field : metadata.DefaultSpec().fields) {
		if (field.transform == "identity") {
			identity_sources.insert(field.source_id);
		}
	}
	std::vector<MetricColumn> columns;
	for (auto &field : metadata.CurrentSchema().fields) {
		auto type = iceberg::ValueTypeOf(*field.type);
		if (type && !identity_sources.count(field.id)) {
			columns.push_back({field.id, field.name, *type});
		}
	}
	return columns;
}

LogicalType MetricStructType(const MetricColumn &column) {
	auto type = ValuesDuckType(column.type);
	return LogicalType::STRUCT(
	    {{"min", type}, {"max", type}, {"null_count", LogicalType::BIGINT}, {"nan_count", LogicalType::BIGINT}});
}

LogicalType DataStructType(const std::vector<MetricColumn> &columns) {
	child_list_t<LogicalType> children;
	for (auto &column : columns) {
		children.emplace_back(column.name, MetricStructType(column));
	}
	return LogicalType::STRUCT(std::move(children));
}

// A column's metrics over a partition's files. A bound or count one file lacks makes the
// partition's unknown: the others' alone would not bound the partition.
struct ColumnMetrics {
	iceberg::Literal min;
	iceberg::Literal max;
	bool min_known = true;
	bool max_known = true;
	int64_t nulls = 0;
	bool nulls_known = true;
	int64_t nans = 0;
	bool nans_known = true;

	void Add(const iceberg::DataFile &file, const MetricColumn &column) {
		auto merge = [&](const std::map<int32_t, std::string> &bounds, iceberg::Literal &into, bool &known, int sign) {
			auto found = bounds.find(column.field_id);
			if (found == bounds.end()) {
				known = false;
				return;
			}
			auto value = Lake([&] { return iceberg::DeserializeBinary(found->second, column.type); });
			if (std::holds_alternative<std::monostate>(into) || Lake([&] { return iceberg::Compare(value, into); }) * sign < 0) {
				into = std::move(value);
			}
		};
		merge(file.lower_bounds, min, min_known, 1);
		merge(file.upper_bounds, max, max_known, -1);
		auto add = [&](const std::map<int32_t, int64_t> &counts, int64_t &into, bool &known) {
			auto found = counts.find(column.field_id);
			if (found == counts.end()) {
				known = false;
			} else {
				into += found->second;
			}
		};
		add(file.null_value_counts, nulls, nulls_known);
		add(file.nan_value_counts, nans, nans_known);
	}

	Value ToValue(const MetricColumn &column) const {
		auto struct_type = MetricStructType(column);
		if (!min_known && !max_known && !nulls_known) {
			return Value(struct_type);
		}
		auto type = ValuesDuckType(column.type);
		vector<Value> values;
		values.push_back(min_known ? TypedValue(min, column.type) : Value(type));
		values.push_back(max_known ? TypedValue(max, column.type) : Value(type));
		values.push_back(nulls_known ? Value::BIGINT(nulls) : Value(LogicalType::BIGINT));
		values.push_back(nans_known ? Value::BIGINT(nans) : Value(LogicalType::BIGINT));
		return Value::STRUCT(struct_type, std::move(values));
	}
};

// ---- The table function.

struct MetadataTableData : public TableFunctionData {
	MetadataKind kind = MetadataKind::Snapshots;
	std::string schema;
	std::string table;
	LakeCatalog *catalog = nullptr;
	std::shared_ptr<const iceberg::TableMetadata> metadata;
	std::string metadata_location;
	std::vector<PartitionColumn> partition_columns;
	std::vector<MetricColumn> metric_columns;
};

struct MetadataTableState : public GlobalTableFunctionState {
	std::vector<vector<Value>> rows;
	size_t next = 0;
};

void AddColumn(vector<string> &names, vector<LogicalType> &types, const char *name, LogicalType type) {
	names.emplace_back(name);
	types.push_back(std::move(type));
}

void DescribeColumns(const MetadataTableData &data, vector<string> &names, vector<LogicalType> &types) {
	auto map_of_counts = LogicalType::MAP(LogicalType::INTEGER, LogicalType::BIGINT);
	auto map_of_bounds = LogicalType::MAP(LogicalType::INTEGER, LogicalType::VARCHAR);
	switch (data.kind) {
	case MetadataKind::Snapshots:
		AddColumn(names, types, "committed_at", LogicalType::TIMESTAMP_TZ);
		AddColumn(names, types, "snapshot_id", LogicalType::BIGINT);
		AddColumn(names, types, "parent_id", LogicalType::BIGINT);
		AddColumn(names, types, "operation", LogicalType::VARCHAR);
		AddColumn(names, types, "manifest_list", LogicalType::VARCHAR);
		AddColumn(names, types, "summary", LogicalType::MAP(LogicalType::VARCHAR, LogicalType::VARCHAR));
		break;
	case MetadataKind::History:
		AddColumn(names, types, "made_current_at", LogicalType::TIMESTAMP_TZ);
		AddColumn(names, types, "snapshot_id", LogicalType::BIGINT);
		AddColumn(names, types, "parent_id", LogicalType::BIGINT);
		AddColumn(names, types, "is_current_ancestor", LogicalType::BOOLEAN);
		break;
	case MetadataKind::Files:
		AddColumn(names, types, "content", LogicalType::INTEGER);
		AddColumn(names, types, "file_path", LogicalType::VARCHAR);
		AddColumn(names, types, "file_format", LogicalType::VARCHAR);
		AddColumn(names, types, "spec_id", LogicalType::INTEGER);
		if (!data.partition_columns.empty()) {
			AddColumn(names, types, "partition", PartitionStructType(data.partition_columns));
		}
		AddColumn(names, types, "record_count", LogicalType::BIGINT);
		AddColumn(names, types, "file_size_in_bytes", LogicalType::BIGINT);
		AddColumn(names, types, "column_sizes", map_of_counts);
		AddColumn(names, types, "value_counts", map_of_counts);
		AddColumn(names, types, "null_value_counts", map_of_counts);
		AddColumn(names, types, "nan_value_counts", map_of_counts);
		AddColumn(names, types, "lower_bounds", map_of_bounds);
		AddColumn(names, types, "upper_bounds", map_of_bounds);
		AddColumn(names, types, "key_metadata", LogicalType::BLOB);
		AddColumn(names, types, "split_offsets", LogicalType::LIST(LogicalType::BIGINT));
		AddColumn(names, types, "equality_ids", LogicalType::LIST(LogicalType::INTEGER));
		AddColumn(names, types, "sort_order_id", LogicalType::INTEGER);
		break;
	case MetadataKind::Manifests:
		AddColumn(names, types, "path", LogicalType::VARCHAR);
		AddColumn(names, types, "length", LogicalType::BIGINT);
		AddColumn(names, types, "partition_spec_id", LogicalType::INTEGER);
		AddColumn(names, types, "added_snapshot_id", LogicalType::BIGINT);
		AddColumn(names, types, "added_data_files_count", LogicalType::INTEGER);
		AddColumn(names, types, "added_rows_count", LogicalType::BIGINT);
		AddColumn(names, types, "existing_data_files_count", LogicalType::INTEGER);
		AddColumn(names, types, "existing_rows_count", LogicalType::BIGINT);
		AddColumn(names, types, "deleted_data_files_count", LogicalType::INTEGER);
		AddColumn(names, types, "deleted_rows_count", LogicalType::BIGINT);
		AddColumn(names, types, "partition_summaries",
		          LogicalType::LIST(LogicalType::STRUCT({{"contains_null", LogicalType::BOOLEAN},
		                                                 {"contains_nan", LogicalType::BOOLEAN},
		                                                 {"lower_bound", LogicalType::VARCHAR},
		                                                 {"upper_bound", LogicalType::VARCHAR}})));
		// Not in Trino's table (which counts delete files as "data files" too): whether the
		// manifest lists data (0) or delete (1) files, as Spark and PyIceberg show it.
		AddColumn(names, types, "content", LogicalType::INTEGER);
		break;
	case MetadataKind::Partitions:
		if (!data.partition_columns.empty()) {
			AddColumn(names, types, "partition", PartitionStructType(data.partition_columns));
		}
		AddColumn(names, types, "record_count", LogicalType::BIGINT);
		AddColumn(names, types, "file_count", LogicalType::BIGINT);
		AddColumn(names, types, "total_size", LogicalType::BIGINT);
		if (!data.metric_columns.empty()) {
			AddColumn(names, types, "data", DataStructType(data.metric_columns));
		}
		break;
	case MetadataKind::Refs:
		AddColumn(names, types, "name", LogicalType::VARCHAR);
		AddColumn(names, types, "type", LogicalType::VARCHAR);
		AddColumn(names, types, "snapshot_id", LogicalType::BIGINT);
		AddColumn(names, types, "max_reference_age_in_ms", LogicalType::BIGINT);
		AddColumn(names, types, "min_snapshots_to_keep", LogicalType::INTEGER);
		AddColumn(names, types, "max_snapshot_age_in_ms", LogicalType::BIGINT);
		break;
	case MetadataKind::Properties:
		AddColumn(names, types, "key", LogicalType::VARCHAR);
		AddColumn(names, types, "value", LogicalType::VARCHAR);
		break;
	case MetadataKind::MetadataLogEntries:
		AddColumn(names, types, "timestamp", LogicalType::TIMESTAMP_TZ);
		AddColumn(names, types, "file", LogicalType::VARCHAR);
		AddColumn(names, types, "latest_snapshot_id", LogicalType::BIGINT);
		AddColumn(names, types, "latest_schema_id", LogicalType::INTEGER);
		AddColumn(names, types, "latest_sequence_number", LogicalType::BIGINT);
		break;
	}
}

// The live entries of the pinned snapshot with the spec each one's manifest was written with.
template <class F>
void ForEachLiveFile(const MetadataTableData &data, F &&visit) {
	auto *snapshot = data.metadata->CurrentSnapshot();
	if (!snapshot || snapshot->manifest_list.empty()) {
		return;
	}
	auto &catalog = *data.catalog;
	auto read = catalog.Reader();
	auto manifests = Lake([&] { return catalog.Manifests().ManifestList(snapshot->manifest_list, read); });
	for (auto &manifest : *manifests) {
		auto entries = Lake([&] { return catalog.Manifests().Entries(manifest, read); });
		for (auto &entry : *entries) {
			if (entry.status != iceberg::ManifestEntryStatus::Deleted) {
				visit(entry.data_file, manifest.partition_spec_id);
			}
		}
	}
}

void SnapshotRows(const MetadataTableData &data, std::vector<vector<Value>> &rows) {
	for (auto &snapshot : data.metadata->snapshots) {
		vector<Value> keys;
		vector<Value> values;
		std::string operation;
		// Java keeps "operation" out of the summary map (SnapshotParser); so does Trino's table.
		for (auto &[key, value] : snapshot.summary) {
			if (key == "operation") {
				operation = value;
			} else {
				keys.emplace_back(key);
				values.emplace_back(value);
			}
		}
		rows.push_back({EpochMsValue(snapshot.timestamp_ms), Value::BIGINT(snapshot.snapshot_id),
		                Optional(snapshot.parent_snapshot_id, LogicalType::BIGINT),
		                operation.empty() ? Value(LogicalType::VARCHAR) : Value(operation),
		                snapshot.manifest_list.empty() ? Value(LogicalType::VARCHAR) : Value(snapshot.manifest_list),
		                Value::MAP(LogicalType::VARCHAR, LogicalType::VARCHAR, std::move(keys), std::move(values))});
	}
}

std::set<int64_t> CurrentAncestors(const iceberg::TableMetadata &metadata) {
	std::set<int64_t> ancestors;
	auto id = metadata.current_snapshot_id;
	while (id && ancestors.insert(*id).second) {
		auto *snapshot = metadata.SnapshotById(*id);
		id = snapshot ? snapshot->parent_snapshot_id : std::nullopt;
	}
	return ancestors;
}

// Java's HistoryTable: one row per snapshot-log entry, so a rollback shows when each snapshot
// became current again.
void HistoryRows(const MetadataTableData &data, std::vector<vector<Value>> &rows) {
	auto &metadata = *data.metadata;
	auto ancestors = CurrentAncestors(metadata);
	for (auto &entry : metadata.snapshot_log) {
		auto *snapshot = metadata.SnapshotById(entry.snapshot_id);
		std::optional<int64_t> parent = snapshot ? snapshot->parent_snapshot_id : std::nullopt;
		rows.push_back({EpochMsValue(entry.timestamp_ms), Value::BIGINT(entry.snapshot_id), Optional(parent, LogicalType::BIGINT),
		                Value::BOOLEAN(ancestors.count(entry.snapshot_id) > 0)});
	}
}

void FileRows(const MetadataTableData &data, std::vector<vector<Value>> &rows) {
	auto &metadata = *data.metadata;
	auto &schema = metadata.CurrentSchema();
	ForEachLiveFile(data, [&](const iceberg::DataFile &file, int32_t spec_id) {
		vector<Value> row;
		row.push_back(Value::INTEGER(static_cast<int32_t>(file.content)));
		row.emplace_back(file.file_path);
		row.emplace_back(file.file_format);
		row.push_back(Value::INTEGER(spec_id));
		if (!data.partition_columns.empty()) {
			row.push_back(PartitionStruct(PartitionTuple(metadata, spec_id, file.partition, data.partition_columns),
			                              data.partition_columns));
		}
		row.push_back(Value::BIGINT(file.record_count));
		row.push_back(Value::BIGINT(file.file_size_in_bytes));
		row.push_back(CountMap(file.column_sizes));
		row.push_back(CountMap(file.value_counts));
		row.push_back(CountMap(file.null_value_counts));
		row.push_back(CountMap(file.nan_value_counts));
		row.push_back(BoundMap(file.lower_bounds, schema));
		row.push_back(BoundMap(file.upper_bounds, schema));
		row.push_back(file.key_metadata ? Value::BLOB_RAW(*file.key_metadata) : Value(LogicalType::BLOB));
		vector<Value> offsets;
		for (auto offset : file.split_offsets) {
			offsets.push_back(Value::BIGINT(offset));
		}
		row.push_back(offsets.empty() ? Value(LogicalType::LIST(LogicalType::BIGINT))
		                              : Value::LIST(LogicalType::BIGINT, std::move(offsets)));
		vector<Value> equality_ids;
		for (auto id : file.equality_ids) {
			equality_ids.push_back(Value::INTEGER(id));
		}
		row.push_back(equality_ids.empty() ? Value(LogicalType::LIST(LogicalType::INTEGER))
		                                   : Value::LIST(LogicalType::INTEGER, std::move(equality_ids)));
		row.push_back(Optional(file.sort_order_id, LogicalType::INTEGER));
		rows.push_back(std::move(row));
	});
}

Value PartitionSummaries(const iceberg::TableMetadata &metadata, const iceberg::ManifestFile &manifest) {
	auto summary_type = LogicalType::STRUCT({{"contains_null", LogicalType::BOOLEAN},
	                                         {"contains_nan", LogicalType::BOOLEAN},
	                                         {"lower_bound", LogicalType::VARCHAR},
	                                         {"upper_bound", LogicalType::VARCHAR}});
	vector<Value> summaries;
	auto *spec = metadata.SpecById(manifest.partition_spec_id);
	for (size_t i = 0; i < manifest.partitions.size(); i++) {
		auto &summary = manifest.partitions[i];
		std::optional<iceberg::PrimitiveType> type;
		iceberg::Transform transform;
		if (spec && i < spec->fields.size()) {
			auto source = FieldType(metadata, spec->fields[i].source_id);
			transform = Lake([&] { return iceberg::ParseTransform(spec->fields[i].transform); });
			if (source && transform.kind != iceberg::TransformKind::Unknown) {
				type = iceberg::TransformResultType(transform, *source);
			}
		}
		auto human = [&](const std::optional<std::string> &bytes) {
			if (!bytes || !type) {
				return Value(LogicalType::VARCHAR);
			}
			auto value = Lake([&] { return iceberg::DeserializeBinary(*bytes, *type); });
			return Value(HumanPartitionString(value, *type, transform));
		};
		summaries.push_back(Value::STRUCT(summary_type, {Value::BOOLEAN(summary.contains_null),
		                                                 Optional(summary.contains_nan, LogicalType::BOOLEAN),
		                                                 human(summary.lower_bound), human(summary.upper_bound)}));
	}
	return Value::LIST(summary_type, std::move(summaries));
}

void ManifestRows(const MetadataTableData &data, std::vector<vector<Value>> &rows) {
	auto &metadata = *data.metadata;
	auto *snapshot = metadata.CurrentSnapshot();
	if (!snapshot || snapshot->manifest_list.empty()) {
		return;
	}
	auto read = data.catalog->Reader();
	auto manifests = Lake([&] { return data.catalog->Manifests().ManifestList(snapshot->manifest_list, read); });
	for (auto &manifest : *manifests) {
		rows.push_back({Value(manifest.manifest_path), Value::BIGINT(manifest.manifest_length),
		                Value::INTEGER(manifest.partition_spec_id), Value::BIGINT(manifest.added_snapshot_id),
		                Optional(manifest.added_files_count, LogicalType::INTEGER),
		                Optional(manifest.added_rows_count, LogicalType::BIGINT),
		                Optional(manifest.existing_files_count, LogicalType::INTEGER),
		                Optional(manifest.existing_rows_count, LogicalType::BIGINT),
		                Optional(manifest.deleted_files_count, LogicalType::INTEGER),
		                Optional(manifest.deleted_rows_count, LogicalType::BIGINT), PartitionSummaries(metadata, manifest),
		                Value::INTEGER(static_cast<int32_t>(manifest.content))});
	}
}

// Trino's $partitions: the data files of the pinned snapshot grouped by partition value (delete
// files are not counted).
void PartitionRows(const MetadataTableData &data, std::vector<vector<Value>> &rows) {
	struct Group {
		std::vector<iceberg::Literal> tuple;
		int64_t records = 0;
		int64_t files = 0;
		int64_t size = 0;
		std::vector<ColumnMetrics> metrics;
	};
	auto &metadata = *data.metadata;
	std::map<std::string, Group> groups;
	ForEachLiveFile(data, [&](const iceberg::DataFile &file, int32_t spec_id) {
		if (file.content != iceberg::FileContent::Data) {
			return;
		}
		auto tuple = PartitionTuple(metadata, spec_id, file.partition, data.partition_columns);
		// The values' binary serialization, each behind a flag and a length, identifies the
		// partition exactly. A field the file's spec lacks is flagged apart from a null value:
		// as in Trino, files of specs with different fields are different partitions.
		auto *spec = metadata.SpecById(spec_id);
		std::string key;
		for (size_t i = 0; i < tuple.size(); i++) {
			bool in_spec = spec && std::any_of(spec->fields.begin(), spec->fields.end(), [&](const iceberg::PartitionField &f) {
				               return f.field_id == data.partition_columns[i].field_id;
			               });
			if (!in_spec) {
				key += '\2';
				continue;
			}
			if (std::holds_alternative<std::monostate>(tuple[i])) {
				key += '\0';
				continue;
			}
			auto bytes = Lake([&] { return iceberg::SerializeBinary(tuple[i], data.partition_columns[i].type); });
			key += '\1' + std::to_string(bytes.size()) + ':' + bytes;
		}
		auto &group = groups[key];
		if (group.files == 0) {
			group.tuple = std::move(tuple);
			group.metrics.resize(data.metric_columns.size());
		}
		group.records += file.record_count;
		group.files++;
		group.size += file.file_size_in_bytes;
		for (size_t i = 0; i < data.metric_columns.size(); i++) {
			group.metrics[i].Add(file, data.metric_columns[i]);
		}
	});
	for (auto &[key, group] : groups) {
		vector<Value> row;
		if (!data.partition_columns.empty()) {
			row.push_back(PartitionStruct(group.tuple, data.partition_columns));
		}
		row.push_back(Value::BIGINT(group.records));
		row.push_back(Value::BIGINT(group.files));
		row.push_back(Value::BIGINT(group.size));
		if (!data.metric_columns.empty()) {
			vector<Value> metrics;
			for (size_t i = 0; i < data.metric_columns.size(); i++) {
				metrics.push_back(group.metrics[i].ToValue(data.metric_columns[i]));
			}
			row.push_back(Value::STRUCT(DataStructType(data.metric_columns), std::move(metrics)));
		}
		rows.push_back(std::move(row));
	}
}

void RefRows(const MetadataTableData &data, std::vector<vector<Value>> &rows) {
	for (auto &[name, ref] : data.metadata->refs) {
		rows.push_back({Value(name), Value(ref.type == iceberg::SnapshotRefType::Branch ? "BRANCH" : "TAG"),
		                Value::BIGINT(ref.snapshot_id), Optional(ref.max_ref_age_ms, LogicalType::BIGINT),
		                Optional(ref.min_snapshots_to_keep, LogicalType::INTEGER),
		                Optional(ref.max_snapshot_age_ms, LogicalType::BIGINT)});
	}
}

// Trino's $properties: the properties it reserves, derived from the metadata, then the table's own.
void PropertyRows(const MetadataTableData &data, std::vector<vector<Value>> &rows) {
	auto &metadata = *data.metadata;
	auto add = [&](const std::string &key, const std::string &value) { rows.push_back({Value(key), Value(value)}); };
	auto format = metadata.properties.find("write.format.default");
	add("format", "iceberg/" + (format == metadata.properties.end() ? std::string("parquet") : format->second));
	add("provider", "iceberg");
	add("current-snapshot-id", metadata.current_snapshot_id ? std::to_string(*metadata.current_snapshot_id) : "none");
	add("location", metadata.location);
	add("format-version", std::to_string(metadata.format_version));
	auto &order = metadata.DefaultSortOrder();
	std::vector<std::string> sort_columns;
	bool identity_only = !order.fields.empty();
	for (auto &field : order.fields) {
		auto name = metadata.CurrentSchema().FindColumnName(field.source_id);
		identity_only = identity_only && field.transform == "identity" && name;
		if (!identity_only) {
			break;
		}
		bool ascending = field.direction == iceberg::SortDirection::Asc;
		bool nulls_first = field.null_order == iceberg::NullOrder::NullsFirst;
		auto column = *name + (ascending ? "" : " DESC");
		if (nulls_first != ascending) {
			column += nulls_first ? " NULLS FIRST" : " NULLS LAST";
		}
		sort_columns.push_back(std::move(column));
	}
	if (identity_only) {
		add("sort-order", fmt::format("{}", fmt::join(sort_columns, ", ")));
	}
	static const std::set<std::string> reserved {"provider", "format", "current-snapshot-id", "location", "format-version"};
	for (auto &[key, value] : metadata.properties) {
		if (!reserved.count(key)) {
			add(key, value);
		}
	}
}

// Java's MetadataLogEntriesTable: every earlier metadata file, then the pinned one, each with the
// snapshot that was current when it was written.
void MetadataLogRows(const MetadataTableData &data, std::vector<vector<Value>> &rows) {
	auto &metadata = *data.metadata;
	auto add = [&](int64_t timestamp_ms, const std::string &file) {
		std::optional<int64_t> snapshot_id;
		for (auto &entry : metadata.snapshot_log) {
			if (entry.timestamp_ms <= timestamp_ms) {
				snapshot_id = entry.snapshot_id;
			}
		}
		auto *snapshot = snapshot_id ? metadata.SnapshotById(*snapshot_id) : nullptr;
		rows.push_back({EpochMsValue(timestamp_ms), Value(file), Optional(snapshot_id, LogicalType::BIGINT),
		                snapshot ? Optional(snapshot->schema_id, LogicalType::INTEGER) : Value(LogicalType::INTEGER),
		                snapshot ? Value::BIGINT(snapshot->sequence_number) : Value(LogicalType::BIGINT)});
	};
	for (auto &entry : metadata.metadata_log) {
		add(entry.timestamp_ms, entry.metadata_file);
	}
	add(metadata.last_updated_ms, data.metadata_location);
}

// "a.b.orders" names table "orders" of schema "a.b"; a bare name is in the current schema.
std::pair<std::string, std::string> SplitQualified(ClientContext &context, const std::string &qualified) {
	auto dot = qualified.rfind('.');
	if (dot == std::string::npos) {
		return {ClientData::Get(context).catalog_search_path->GetDefault().schema, qualified};
	}
	return {qualified.substr(0, dot), qualified.substr(dot + 1)};
}

// Reads the table as this transaction pinned it into `data`.
void PinTable(ClientContext &context, MetadataTableData &data) {
	auto &catalog = Catalog::GetCatalog(context, "iceberg").Cast<LakeCatalog>();
	auto *state = LakeTransaction::Get(context, catalog).FindTable(data.schema, data.table);
	if (!state) {
		ThrowAsDuck(akko::Error(ErrorCode::UndefinedTable, fmt::format("iceberg_{}: table \"{}.{}\" does not exist",
		                                                               KindName(data.kind), data.schema, data.table)));
	}
	// Metadata tables show column bounds and file paths: only for those who read the table whole.
	CheckLakeTable(context, data.schema, data.table, TableAction::Select);
	if (!RestrictionFor(context, data.schema, data.table).Empty()) {
		ThrowAsDuck(akko::Error(ErrorCode::PermissionDenied,
		                        fmt::format("permission denied: iceberg_{} of {}.{} would show values its row filters or "
		                                    "column masks hide",
		                                    KindName(data.kind), data.schema, data.table)));
	}
	NoteTableRead(context, data.schema, data.table);
	data.catalog = &catalog;
	data.metadata = state->base.metadata;
	data.metadata_location = state->base.metadata_location;
}

unique_ptr<FunctionData> BindMetadataTable(ClientContext &context, TableFunctionBindInput &input,
                                           vector<LogicalType> &return_types, vector<string> &names) {
	auto &function_name = input.table_function.name;
	for (auto &value : input.inputs) {
		if (value.IsNull()) {
			throw InvalidInputException("%s: arguments must not be NULL", function_name);
		}
	}
	auto data = make_uniq<MetadataTableData>();
	std::tie(data->schema, data->table) =
	    input.inputs.size() == 1 ? SplitQualified(context, StringValue::Get(input.inputs[0]))
	                             : std::make_pair(StringValue::Get(input.inputs[0]), StringValue::Get(input.inputs[1]));
	for (auto &[kind, name] : kKinds) {
		if (function_name == std::string("iceberg_") + name) {
			data->kind = kind;
		}
	}
	PinTable(context, *data);
	if (input.binder) {
		// Commits change what the function returns: a prepared statement must bind again after one,
		// as it does over the table itself.
		input.binder->GetStatementProperties().RegisterDBRead(*data->catalog, context);
	}
	if (data->kind == MetadataKind::Files || data->kind == MetadataKind::Partitions) {
		data->partition_columns = Lake([&] { return PartitionColumns(*data->metadata); });
	}
	if (data->kind == MetadataKind::Partitions) {
		data->metric_columns = Lake([&] { return MetricColumns(*data->metadata); });
	}
	DescribeColumns(*data, names, return_types);
	return data;
}

unique_ptr<GlobalTableFunctionState> InitMetadataTable(ClientContext &context, TableFunctionInitInput &input) {
	auto &bound = input.bind_data->Cast<MetadataTableData>();
	// Rows come from the table as this transaction pinned it (a prepared statement may run in a
	// later one than it was bound in), in the shape that was bound.
	MetadataTableData data;
	data.kind = bound.kind;
	data.schema = bound.schema;
	data.table = bound.table;
	data.partition_columns = bound.partition_columns;
	data.metric_columns = bound.metric_columns;
	PinTable(context, data);
	auto state = make_uniq<MetadataTableState>();
	switch (data.kind) {
	case MetadataKind::Snapshots:
		SnapshotRows(data, state->rows);
		break;
	case MetadataKind::History:
		HistoryRows(data, state->rows);
		break;
	case MetadataKind::Files:
		FileRows(data, state->rows);
		break;
	case MetadataKind::Manifests:
		ManifestRows(data, state->rows);
		break;
	case MetadataKind::Partitions:
		PartitionRows(data, state->rows);
		break;
	case MetadataKind::Refs:
		RefRows(data, state->rows);
		break;
	case MetadataKind::Properties:
		PropertyRows(data, state->rows);
		break;
	case MetadataKind::MetadataLogEntries:
		MetadataLogRows(data, state->rows);
		break;
	}
	return state;
}

void ScanMetadataTable(ClientContext &context, TableFunctionInput &input, DataChunk &output) {
	auto &state = input.global_state->Cast<MetadataTableState>();
	idx_t count = 0;
	while (state.next < state.rows.size() && count < STANDARD_VECTOR_SIZE) {
		auto &row = state.rows[state.next++];
		for (idx_t column = 0; column < row.size(); column++) {
			output.SetValue(column, count, row[column]);
		}
		count++;
	}
	output.SetCardinality(count);
}

} // namespace

std::optional<std::string> MetadataTableView(LakeTransaction &transaction, const std::string &schema,
                                             const std::string &name) {
	auto dollar = name.rfind('$');
	if (dollar == std::string::npos || dollar == 0) {
		return std::nullopt;
	}
	auto kind = name.substr(dollar + 1);
	const char *matched = nullptr;
	for (auto &[candidate, kind_name] : kKinds) {
		if (StringUtil::CIEquals(kind, kind_name)) {
			matched = kind_name;
		}
	}
	auto *state = matched ? transaction.FindTable(schema, name.substr(0, dollar)) : nullptr;
	if (!state) {
		return std::nullopt;
	}
	auto &metadata = *state->base.metadata;
	auto quote = [](const std::string &text) { return KeywordHelper::WriteQuoted(text, '\''); };
	return fmt::format("CREATE VIEW {} AS SELECT * FROM iceberg_{}({}, {}) -- {} schema {} specs {} default spec {}",
	                   KeywordHelper::WriteQuoted(name, '"'), matched, quote(SchemaNameOf(state->id.namespace_name)),
	                   quote(state->id.name), metadata.table_uuid, metadata.current_schema_id,
	                   metadata.partition_specs.size(), metadata.default_spec_id);
}

void InstallMetadataTableFunctions(ClientContext &context, Catalog &system) {
	for (auto &[kind, name] : kKinds) {
		TableFunctionSet set(std::string("iceberg_") + name);
		for (idx_t arguments = 1; arguments <= 2; arguments++) {
			TableFunction function(set.name, vector<LogicalType>(arguments, LogicalType::VARCHAR), ScanMetadataTable,
			                       BindMetadataTable, InitMetadataTable);
			set.AddFunction(function);
		}
		CreateTableFunctionInfo info(std::move(set));
		info.internal = true;
		system.CreateTableFunction(context, info);
	}
}

} // namespace akko::engine
