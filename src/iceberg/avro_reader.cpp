#include "iceberg/avro_reader.hpp"

#include "common/error.hpp"

#include <bit>
#include <fmt/format.h>

namespace akko::iceberg {

namespace {

constexpr std::string_view kMagic("Obj\x01", 4);
constexpr size_t kSyncSize = 16;
// Java writes blocks of about 64 KB; this bounds what one hostile block may inflate to.
constexpr size_t kMaxBlockBytes = size_t(256) << 20;
// Items that take no bytes (nulls, empty records) cost a hostile file nothing to claim, so
// each block may hold only this many of them beyond one per byte of the block.
constexpr size_t kFreeItemAllowance = 4096;

[[noreturn]] void Invalid(const std::string &message) {
	throw Error(ErrorCode::InvalidInput, fmt::format("invalid Avro file: {}", message));
}

// The fewest bytes a value of this schema takes, to check counts against remaining input.
size_t MinEncodedSize(const AvroSchema &schema) {
	switch (schema.type) {
	case AvroType::Null:
		return 0;
	case AvroType::Float:
		return 4;
	case AvroType::Double:
		return 8;
	case AvroType::Fixed:
		return static_cast<size_t>(schema.size);
	case AvroType::Record: {
		size_t total = 0;
		for (auto &field : schema.fields) {
			total = std::min(total + MinEncodedSize(field.type), kMaxBlockBytes);
		}
		return total;
	}
	default:
		return 1;
	}
}

class Decoder {
public:
	Decoder(std::string_view data_p, size_t position_p, size_t &free_items_p)
	    : data(data_p), position(position_p), free_items(free_items_p) {
	}

	size_t Position() const {
		return position;
	}
	size_t Remaining() const {
		return data.size() - position;
	}

	int64_t ReadLong() {
		uint64_t bits = 0;
		for (int shift = 0; shift < 70; shift += 7) {
			if (position >= data.size()) {
				Invalid("truncated integer");
			}
			auto byte = static_cast<uint8_t>(data[position++]);
			if (shift == 63 && byte > 1) {
				Invalid("integer longer than 64 bits");
			}
			bits |= static_cast<uint64_t>(byte & 0x7F) << shift;
			if (!(byte & 0x80)) {
				return static_cast<int64_t>(bits >> 1) ^ -static_cast<int64_t>(bits & 1);
			}
		}
		Invalid("integer longer than 64 bits");
	}

	int32_t ReadInt() {
		auto value = ReadLong();
		if (value < INT32_MIN || value > INT32_MAX) {
			Invalid(fmt::format("int {} out of range", value));
		}
		return static_cast<int32_t>(value);
	}

	std::string_view ReadFixed(size_t size) {
		if (size > Remaining()) {
			Invalid(fmt::format("{} bytes needed, {} left", size, Remaining()));
		}
		auto bytes = data.substr(position, size);
		position += size;
		return bytes;
	}

	std::string_view ReadBytes() {
		auto length = ReadLong();
		if (length < 0) {
			Invalid(fmt::format("negative length {}", length));
		}
		return ReadFixed(static_cast<size_t>(length));
	}

	// A count of items that take at least `item_size` bytes each, checked against what is
	// left; items of no size draw on the block's allowance.
	size_t ClaimItems(int64_t count, size_t item_size) {
		if (count < 0) {
			Invalid(fmt::format("negative count {}", count));
		}
		auto items = static_cast<uint64_t>(count);
		if (item_size > 0) {
			if (items > Remaining() / item_size) {
				Invalid(fmt::format("{} items cannot fit in the {} bytes left", count, Remaining()));
			}
		} else {
			if (items > free_items) {
				Invalid(fmt::format("{} empty items is more than a block may hold", count));
			}
			free_items -= items;
		}
		return static_cast<size_t>(items);
	}

	// The item count of the next array or map block; 0 ends the array or map.
	size_t BlockCount(size_t item_size) {
		auto count = ReadLong();
		if (count < 0) {
			if (count == INT64_MIN) {
				Invalid("array block count out of range");
			}
			count = -count;
			// A negative count is followed by the block's size in bytes, which we do not need.
			if (ReadLong() < 0) {
				Invalid("negative array block size");
			}
		}
		return ClaimItems(count, item_size);
	}

	void Decode(const AvroSchema &schema, AvroValue &out) {
		switch (schema.type) {
		case AvroType::Null:
			out.value = std::monostate {};
			return;
		case AvroType::Boolean: {
			auto byte = static_cast<uint8_t>(ReadFixed(1)[0]);
			if (byte > 1) {
				Invalid(fmt::format("boolean byte {}", byte));
			}
			out.value = byte == 1;
			return;
		}
		case AvroType::Int:
			out.value = ReadInt();
			return;
		case AvroType::Long:
			out.value = ReadLong();
			return;
		case AvroType::Float:
			out.value = std::bit_cast<float>(LittleEndian<uint32_t>(ReadFixed(4)));
			return;
		case AvroType::Double:
			out.value = std::bit_cast<double>(LittleEndian<uint64_t>(ReadFixed(8)));
			return;
		case AvroType::Bytes:
			out.value = AvroBytes {std::string(ReadBytes())};
			return;
		case AvroType::String:
			out.value = std::string(ReadBytes());
			return;
		case AvroType::Fixed:
			out.value = AvroBytes {std::string(ReadFixed(static_cast<size_t>(schema.size)))};
			return;
		case AvroType::Enum: {
			auto index = ReadLong();
			if (index < 0 || static_cast<uint64_t>(index) >= schema.symbols.size()) {
				Invalid(fmt::format("enum index {} out of range", index));
			}
			out.value = schema.symbols[static_cast<size_t>(index)];
			return;
		}
		case AvroType::Record: {
			AvroRecord record;
			record.fields.resize(schema.fields.size());
			for (size_t i = 0; i < schema.fields.size(); i++) {
				Decode(schema.fields[i].type, record.fields[i]);
			}
			out.value = std::move(record);
			return;
		}
		case AvroType::Array: {
			AvroArray array;
			size_t item_size = MinEncodedSize(schema.Element());
			while (size_t count = BlockCount(item_size)) {
				if (item_size > 0) {
					array.items.reserve(array.items.size() + count);
				}
				for (size_t i = 0; i < count; i++) {
					Decode(schema.Element(), array.items.emplace_back());
				}
			}
			out.value = std::move(array);
			return;
		}
		case AvroType::Map: {
			AvroMap map;
			// Each entry takes at least the key's length byte.
			size_t item_size = 1 + MinEncodedSize(schema.Element());
			while (size_t count = BlockCount(item_size)) {
				map.keys.reserve(map.keys.size() + count);
				map.values.reserve(map.values.size() + count);
				for (size_t i = 0; i < count; i++) {
					map.keys.emplace_back(ReadBytes());
					Decode(schema.Element(), map.values.emplace_back());
				}
			}
			out.value = std::move(map);
			return;
		}
		case AvroType::Union: {
			auto index = ReadLong();
			if (index < 0 || static_cast<uint64_t>(index) >= schema.children.size()) {
				Invalid(fmt::format("union branch {} out of range", index));
			}
			Decode(schema.children[static_cast<size_t>(index)], out);
			return;
		}
		}
	}

private:
	template <class T>
	static T LittleEndian(std::string_view bytes) {
		T bits = 0;
		for (size_t i = 0; i < sizeof(T); i++) {
			bits |= static_cast<T>(static_cast<uint8_t>(bytes[i])) << (8 * i);
		}
		return bits;
	}

	std::string_view data;
	size_t position;
	size_t &free_items;
};

} // namespace

AvroReader::AvroReader(std::string_view file_p) : file(file_p) {
	if (!file.starts_with(kMagic)) {
		Invalid("no Avro magic \"Obj\\x01\" at the start");
	}
	size_t unused_allowance = 0;
	Decoder header(file, kMagic.size(), unused_allowance);
	// Each metadata entry takes at least its key's and its value's length bytes.
	while (size_t count = header.BlockCount(2)) {
		for (size_t i = 0; i < count; i++) {
			std::string key(header.ReadBytes());
			metadata[std::move(key)] = std::string(header.ReadBytes());
		}
	}
	sync_marker = std::string(header.ReadFixed(kSyncSize));
	position = header.Position();

	auto schema_text = FindMetadata("avro.schema");
	if (!schema_text) {
		Invalid("the header has no avro.schema");
	}
	schema = ParseAvroSchema(*schema_text);
	auto codec_name = FindMetadata("avro.codec");
	codec = AvroCodecNamed(codec_name ? *codec_name : "null");
	min_record_size = MinEncodedSize(schema);
}

std::optional<std::string_view> AvroReader::FindMetadata(std::string_view key) const {
	auto it = metadata.find(key);
	if (it == metadata.end()) {
		return std::nullopt;
	}
	return std::string_view(it->second);
}

bool AvroReader::NextBlock() {
	if (position == file.size()) {
		return false;
	}
	size_t no_allowance = 0;
	Decoder framing(file, position, no_allowance);
	auto count = framing.ReadLong();
	auto size = framing.ReadLong();
	if (count < 0 || size < 0) {
		Invalid(fmt::format("block with count {} and size {}", count, size));
	}
	auto data = framing.ReadFixed(static_cast<size_t>(size));
	if (framing.ReadFixed(kSyncSize) != sync_marker) {
		Invalid(fmt::format("sync marker mismatch after the block at byte {}", position));
	}
	position = framing.Position();
	block = AvroDecompress(codec, data, kMaxBlockBytes);
	block_position = 0;
	free_items = block.size() + kFreeItemAllowance;
	Decoder counter(block, 0, free_items);
	block_remaining = static_cast<int64_t>(counter.ClaimItems(count, min_record_size));
	return true;
}

bool AvroReader::Next(AvroValue &record) {
	while (block_remaining == 0) {
		if (!NextBlock()) {
			return false;
		}
	}
	Decoder decoder(block, block_position, free_items);
	decoder.Decode(schema, record);
	block_position = decoder.Position();
	if (--block_remaining == 0 && block_position != block.size()) {
		Invalid(fmt::format("{} bytes left over after the block's last record", block.size() - block_position));
	}
	return true;
}

} // namespace akko::iceberg
