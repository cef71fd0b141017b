#pragma once
// Writes Avro object container files: a header with the schema, the codec and the caller's
// metadata, then the records in blocks of about 64 KiB, each followed by the file's random
// sync marker.
#include "iceberg/avro_codec.hpp"
#include "iceberg/avro_schema.hpp"
#include "iceberg/avro_value.hpp"

#include <string>
#include <utility>
#include <vector>

namespace akko::iceberg {

class AvroWriter {
public:
	AvroWriter(AvroSchema schema_p, const std::vector<std::pair<std::string, std::string>> &metadata,
	           AvroCodec codec_p = AvroCodec::Deflate);

	// Encodes one record; throws akko::Error (invalid_input) naming the first value that
	// does not match the schema.
	void Append(const AvroValue &record);
	// The whole file. The writer is spent afterwards.
	std::string Finish();

private:
	void FlushBlock();

	AvroSchema schema;
	AvroCodec codec;
	std::string sync_marker;
	std::string out;
	std::string block;
	int64_t block_count = 0;
};

} // namespace akko::iceberg
