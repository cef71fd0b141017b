#include "iceberg/avro_writer.hpp"

#include "common/error.hpp"

#include <bit>
#include <fmt/format.h>
#include <random>

namespace akko::iceberg {

namespace {

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr size_t kBlockBytes = 64 * 1024;

void WriteLong(std::string &out, int64_t value) {
	auto bits = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
	while (bits >= 0x80) {
		out.push_back(static_cast<char>((bits & 0x7F) | 0x80));
		bits >>= 7;
	}
	out.push_back(static_cast<char>(bits));
}

void WriteBytes(std::string &out, std::string_view bytes) {
	WriteLong(out, static_cast<int64_t>(bytes.size()));
	out.append(bytes);
}

template <class T>
void WriteLittleEndian(std::string &out, T bits) {
	for (size_t i = 0; i < sizeof(T); i++) {
		out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
	}
}

const char *TypeName(AvroType type) {
	static constexpr const char *kNames[] = {"null",   "boolean", "int",   "long", "float", "double", "bytes",
	                                         "string", "record",  "enum",  "array", "map",  "union",  "fixed"};
	return kNames[static_cast<size_t>(type)];
}

[[noreturn]] void Mismatch(const AvroSchema &schema) {
	throw Error(ErrorCode::InvalidInput, fmt::format("value does not match Avro type {}", TypeName(schema.type)));
}

// Whether a union branch of this schema can hold the value, to pick the branch.
bool Accepts(const AvroSchema &schema, const AvroValue &value) {
	switch (schema.type) {
	case AvroType::Null:
		return value.IsNull();
	case AvroType::Boolean:
		return std::holds_alternative<bool>(value.value);
	case AvroType::Int:
		return std::holds_alternative<int32_t>(value.value);
	case AvroType::Long:
		return std::holds_alternative<int64_t>(value.value);
	case AvroType::Float:
		return std::holds_alternative<float>(value.value);
	case AvroType::Double:
		return std::holds_alternative<double>(value.value);
	case AvroType::String:
	case AvroType::Enum:
		return std::holds_alternative<std::string>(value.value);
	case AvroType::Bytes:
		return std::holds_alternative<AvroBytes>(value.value);
	case AvroType::Fixed: {
		auto bytes = std::get_if<AvroBytes>(&value.value);
		return bytes && bytes->data.size() == static_cast<size_t>(schema.size);
	}
	case AvroType::Record: {
		auto record = std::get_if<AvroRecord>(&value.value);
		return record && record->fields.size() == schema.fields.size();
	}
	case AvroType::Array:
		return std::holds_alternative<AvroArray>(value.value);
	case AvroType::Map:
		return std::holds_alternative<AvroMap>(value.value);
	case AvroType::Union:
		return false;
	}
	return false;
}

void Encode(const AvroSchema &schema, const AvroValue &value, std::string &out) {
	if (schema.type == AvroType::Union) {
		for (size_t i = 0; i < schema.children.size(); i++) {
			if (Accepts(schema.children[i], value)) {
				WriteLong(out, static_cast<int64_t>(i));
				Encode(schema.children[i], value, out);
				return;
			}
		}
		throw Error(ErrorCode::InvalidInput, "value matches no branch of its Avro union");
	}
	if (!Accepts(schema, value)) {
		Mismatch(schema);
	}
	switch (schema.type) {
	case AvroType::Null:
		return;
	case AvroType::Boolean:
		out.push_back(std::get<bool>(value.value) ? 1 : 0);
		return;
	case AvroType::Int:
		WriteLong(out, std::get<int32_t>(value.value));
		return;
	case AvroType::Long:
		WriteLong(out, std::get<int64_t>(value.value));
		return;
	case AvroType::Float:
		WriteLittleEndian(out, std::bit_cast<uint32_t>(std::get<float>(value.value)));
		return;
	case AvroType::Double:
		WriteLittleEndian(out, std::bit_cast<uint64_t>(std::get<double>(value.value)));
		return;
	case AvroType::String:
		WriteBytes(out, std::get<std::string>(value.value));
		return;
	case AvroType::Enum: {
		auto &symbol = std::get<std::string>(value.value);
		for (size_t i = 0; i < schema.symbols.size(); i++) {
			if (schema.symbols[i] == symbol) {
				WriteLong(out, static_cast<int64_t>(i));
				return;
			}
		}
		throw Error(ErrorCode::InvalidInput, fmt::format("\"{}\" is not a symbol of Avro enum {}", symbol, schema.name));
	}
	case AvroType::Bytes:
		WriteBytes(out, std::get<AvroBytes>(value.value).data);
		return;
	case AvroType::Fixed:
		out.append(std::get<AvroBytes>(value.value).data);
		return;
	case AvroType::Record: {
		auto &record = std::get<AvroRecord>(value.value);
		for (size_t i = 0; i < schema.fields.size(); i++) {
			try {
				Encode(schema.fields[i].type, record.fields[i], out);
			} catch (Error &error) {
				error.message = fmt::format("field \"{}\": {}", schema.fields[i].name, error.message);
				throw;
			}
		}
		return;
	}
	case AvroType::Array: {
		auto &array = std::get<AvroArray>(value.value);
		if (!array.items.empty()) {
			WriteLong(out, static_cast<int64_t>(array.items.size()));
			for (auto &item : array.items) {
				Encode(schema.Element(), item, out);
			}
		}
		WriteLong(out, 0);
		return;
	}
	case AvroType::Map: {
		auto &map = std::get<AvroMap>(value.value);
		if (map.keys.size() != map.values.size()) {
			throw Error(ErrorCode::InvalidInput, "an Avro map needs as many values as keys");
		}
		if (!map.keys.empty()) {
			WriteLong(out, static_cast<int64_t>(map.keys.size()));
			for (size_t i = 0; i < map.keys.size(); i++) {
				WriteBytes(out, map.keys[i]);
				Encode(schema.Element(), map.values[i], out);
			}
		}
		WriteLong(out, 0);
		return;
	}
	case AvroType::Union:
		return;
	}
}

} // namespace

AvroWriter::AvroWriter(AvroSchema schema_p, const std::vector<std::pair<std::string, std::string>> &metadata,
                       AvroCodec codec_p)
    : schema(std::move(schema_p)), codec(codec_p) {
	std::random_device random;
	for (size_t i = 0; i < 16; i++) {
		sync_marker.push_back(static_cast<char>(random() & 0xFF));
	}
	out.append(kMagic);
	WriteLong(out, static_cast<int64_t>(metadata.size() + 2));
	WriteBytes(out, "avro.schema");
	WriteBytes(out, schema.ToJson());
	WriteBytes(out, "avro.codec");
	WriteBytes(out, AvroCodecName(codec));
	for (auto &[key, value] : metadata) {
		if (key == "avro.schema" || key == "avro.codec") {
			throw Error(ErrorCode::InvalidInput, fmt::format("Avro metadata key \"{}\" is reserved", key));
		}
		WriteBytes(out, key);
		WriteBytes(out, value);
	}
	WriteLong(out, 0);
	out.append(sync_marker);
}

void AvroWriter::Append(const AvroValue &record) {
	size_t before = block.size();
	try {
		Encode(schema, record, block);
	} catch (...) {
		block.resize(before);
		throw;
	}
	block_count++;
	if (block.size() >= kBlockBytes) {
		FlushBlock();
	}
}

void AvroWriter::FlushBlock() {
	if (block_count == 0) {
		return;
	}
	auto data = AvroCompress(codec, block);
	WriteLong(out, block_count);
	WriteLong(out, static_cast<int64_t>(data.size()));
	out.append(data);
	out.append(sync_marker);
	block.clear();
	block_count = 0;
}

std::string AvroWriter::Finish() {
	FlushBlock();
	return std::move(out);
}

} // namespace akko::iceberg
