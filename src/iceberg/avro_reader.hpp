#pragma once
// Reads Avro object container files (Avro 1.11 specification, "Object Container Files"):
// the header's metadata and schema, then the records block by block, decoded with the
// schema the file was written with. Hostile input is refused with akko::Error
// (invalid_input), never a crash, a runaway allocation or an endless loop: every length is
// checked against the bytes that remain, and decompressed blocks are capped.
#include "iceberg/avro_codec.hpp"
#include "iceberg/avro_schema.hpp"
#include "iceberg/avro_value.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace akko::iceberg {

class AvroReader {
public:
	// Reads the header. `file_p` must outlive the reader.
	explicit AvroReader(std::string_view file_p);

	const AvroSchema &Schema() const {
		return schema;
	}
	AvroCodec Codec() const {
		return codec;
	}
	// The header's key-value metadata, avro.schema and avro.codec included.
	const std::map<std::string, std::string, std::less<>> &Metadata() const {
		return metadata;
	}
	std::optional<std::string_view> FindMetadata(std::string_view key) const;

	// Decodes the next record into `record`; false at the end of the file.
	bool Next(AvroValue &record);

private:
	bool NextBlock();

	std::string_view file;
	size_t position = 0;
	AvroSchema schema;
	AvroCodec codec = AvroCodec::Null;
	std::map<std::string, std::string, std::less<>> metadata;
	std::string sync_marker;
	size_t min_record_size = 0;
	std::string block;
	size_t block_position = 0;
	int64_t block_remaining = 0;
	size_t free_items = 0;
};

} // namespace akko::iceberg
