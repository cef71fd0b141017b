#include "engine/duckdb_internal.hpp"
#include "engine/lake_stats.hpp"

#include "engine/lake_types.hpp"
#include "iceberg/partition_transform.hpp"
#include "iceberg/value_type.hpp"

#include <fmt/format.h>

namespace akko::engine {

using duckdb::idx_t;
using duckdb::Value;

namespace {

constexpr size_t kTruncateLength = 16;

// DuckDB's stats name a column by its quoted name ("a", "x""y").
std::string Unquote(const std::string &name) {
	if (name.size() < 2 || name.front() != '"' || name.back() != '"') {
		return name;
	}
	std::string result;
	for (size_t i = 1; i + 1 < name.size(); i++) {
		result += name[i];
		if (name[i] == '"' && name[i + 1] == '"') {
			i++;
		}
	}
	return result;
}

// The byte offsets where each UTF-8 code point starts.
std::vector<size_t> CodePointStarts(const std::string &utf8) {
	std::vector<size_t> starts;
	for (size_t i = 0; i < utf8.size(); i++) {
		if ((static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80) {
			starts.push_back(i);
		}
	}
	return starts;
}

uint32_t DecodeCodePoint(const std::string &utf8, size_t begin, size_t end) {
	auto first = static_cast<unsigned char>(utf8[begin]);
	uint32_t value = end - begin == 1 ? first : end - begin == 2 ? first & 0x1F : end - begin == 3 ? first & 0x0F : first & 0x07;
	for (size_t i = begin + 1; i < end; i++) {
		value = (value << 6) | (static_cast<unsigned char>(utf8[i]) & 0x3F);
	}
	return value;
}

std::string EncodeCodePoint(uint32_t cp) {
	std::string out;
	if (cp < 0x80) {
		out += static_cast<char>(cp);
	} else if (cp < 0x800) {
		out += static_cast<char>(0xC0 | (cp >> 6));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out += static_cast<char>(0xE0 | (cp >> 12));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	} else {
		out += static_cast<char>(0xF0 | (cp >> 18));
		out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	}
	return out;
}

std::string FromHex(const std::string &hex) {
	auto digit = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
	std::string bytes;
	for (size_t i = 0; i + 1 < hex.size(); i += 2) {
		bytes += static_cast<char>(digit(hex[i]) * 16 + digit(hex[i + 1]));
	}
	return bytes;
}

struct ColumnBounds {
	std::optional<std::string> lower;
	std::optional<std::string> upper;
};

// The serialized bounds of one column from the min/max text DuckDB reports.
ColumnBounds BoundsOf(const std::string &min_text, const std::string &max_text, const iceberg::PrimitiveType &type) {
	using iceberg::TypeKind;
	ColumnBounds bounds;
	switch (type.kind) {
	case TypeKind::String:
		bounds.lower = TruncateLowerBound(min_text, kTruncateLength);
		bounds.upper = TruncateUpperBound(max_text, kTruncateLength);
		break;
	case TypeKind::Binary:
		bounds.lower = TruncateBinaryLower(FromHex(min_text), kTruncateLength);
		bounds.upper = TruncateBinaryUpper(FromHex(max_text), kTruncateLength);
		break;
	case TypeKind::Fixed:
		bounds.lower = FromHex(min_text);
		bounds.upper = FromHex(max_text);
		break;
	default: {
		auto duck_type = ValueOf(std::monostate {}, type).type();
		bounds.lower = iceberg::SerializeBinary(LiteralOf(Value(min_text).DefaultCastAs(duck_type), type), type);
		bounds.upper = iceberg::SerializeBinary(LiteralOf(Value(max_text).DefaultCastAs(duck_type), type), type);
	}
	}
	return bounds;
}

iceberg::Literal PartitionValue(const Value &text, const iceberg::PrimitiveType &type) {
	if (text.IsNull()) {
		return std::monostate {};
	}
	auto duck_type = ValueOf(std::monostate {}, type).type();
	return LiteralOf(text.DefaultCastAs(duck_type), type);
}

} // namespace

std::string WriteLocation::UriOf(const std::string &local_path) const {
	if (local_path.compare(0, local_dir.size(), local_dir) != 0) {
		throw akko::Error(ErrorCode::Internal,
		                  fmt::format("written file \"{}\" is outside the table's directory \"{}\"", local_path, local_dir));
	}
	return uri_dir + local_path.substr(local_dir.size());
}

std::string TruncateLowerBound(const std::string &utf8, size_t code_points) {
	auto starts = CodePointStarts(utf8);
	return starts.size() <= code_points ? utf8 : utf8.substr(0, starts[code_points]);
}

std::optional<std::string> TruncateUpperBound(const std::string &utf8, size_t code_points) {
	auto starts = CodePointStarts(utf8);
	if (starts.size() <= code_points) {
		return utf8;
	}
	starts.push_back(utf8.size());
	// Increment the last code point kept; one that cannot grow is dropped and the one before it
	// tried, as Java's truncateStringMax does.
	for (size_t i = code_points; i-- > 0;) {
		auto cp = DecodeCodePoint(utf8, starts[i], starts[i + 1]);
		auto next = cp + 1;
		if (next == 0xD800) {
			next = 0xE000; // surrogates are not characters
		}
		if (next <= 0x10FFFF) {
			return utf8.substr(0, starts[i]) + EncodeCodePoint(next);
		}
	}
	return std::nullopt;
}

std::string TruncateBinaryLower(const std::string &bytes, size_t length) {
	return bytes.size() <= length ? bytes : bytes.substr(0, length);
}

std::optional<std::string> TruncateBinaryUpper(const std::string &bytes, size_t length) {
	if (bytes.size() <= length) {
		return bytes;
	}
	auto result = bytes.substr(0, length);
	for (size_t i = length; i-- > 0;) {
		auto byte = static_cast<unsigned char>(result[i]);
		if (byte != 0xFF) {
			result[i] = static_cast<char>(byte + 1);
			return result.substr(0, i + 1);
		}
	}
	return std::nullopt;
}

iceberg::DataFile DataFileFromWrittenRow(duckdb::DataChunk &chunk, idx_t row, const iceberg::Schema &schema,
                                         const iceberg::PartitionSpec &spec, const WriteLocation &location) {
	iceberg::DataFile file;
	file.content = iceberg::FileContent::Data;
	file.file_path = location.UriOf(chunk.GetValue(0, row).ToString());
	file.record_count = chunk.GetValue(1, row).GetValue<int64_t>();
	file.file_size_in_bytes = chunk.GetValue(2, row).GetValue<int64_t>();
	auto column_stats = chunk.GetValue(4, row);
	for (auto &entry : duckdb::MapValue::GetChildren(column_stats)) {
		auto &key_value = duckdb::StructValue::GetChildren(entry);
		auto name = duckdb::StringValue::Get(key_value[0]);
		if (name.find("\".\"") != std::string::npos) {
			continue; // a nested column's leaf: no metrics for those yet
		}
		auto *field = schema.FindFieldByName(Unquote(name), false);
		if (!field) {
			continue;
		}
		auto type = iceberg::ValueTypeOf(*field->type);
		if (!type) {
			continue;
		}
		std::optional<std::string> min_text;
		std::optional<std::string> max_text;
		bool has_nan = false;
		for (auto &stat : duckdb::MapValue::GetChildren(key_value[1])) {
			auto &stat_kv = duckdb::StructValue::GetChildren(stat);
			auto stat_name = duckdb::StringValue::Get(stat_kv[0]);
			if (stat_kv[1].IsNull()) {
				continue;
			}
			auto stat_value = stat_kv[1].ToString();
			if (stat_name == "min") {
				min_text = stat_value;
			} else if (stat_name == "max") {
				max_text = stat_value;
			} else if (stat_name == "null_count") {
				file.null_value_counts[field->id] = std::stoll(stat_value);
			} else if (stat_name == "column_size_bytes") {
				file.column_sizes[field->id] = std::stoll(stat_value);
			} else if (stat_name == "has_nan") {
				has_nan = stat_value == "true";
			}
		}
		file.value_counts[field->id] = file.record_count;
		if (min_text && max_text && !has_nan) {
			auto bounds = BoundsOf(*min_text, *max_text, *type);
			if (bounds.lower) {
				file.lower_bounds[field->id] = *bounds.lower;
			}
			if (bounds.upper) {
				file.upper_bounds[field->id] = *bounds.upper;
			}
		}
	}
	auto partition_keys = chunk.GetValue(5, row);
	if (!spec.fields.empty()) {
		auto &values = duckdb::MapValue::GetChildren(partition_keys);
		if (values.size() != spec.fields.size()) {
			throw akko::Error(ErrorCode::Internal, "a written file's partition keys do not match the table's spec");
		}
		for (size_t i = 0; i < spec.fields.size(); i++) {
			auto &field = spec.fields[i];
			auto *source = schema.FindField(field.source_id);
			auto transform = iceberg::ParseTransform(field.transform);
			auto result_type = iceberg::TransformResultType(transform, *iceberg::ValueTypeOf(*source->type));
			file.partition.push_back(PartitionValue(duckdb::StructValue::GetChildren(values[i])[1], result_type));
		}
	}
	return file;
}

} // namespace akko::engine
