#pragma once
// The block codecs of Avro object container files: null, deflate (raw RFC 1951, what Java
// Iceberg writes by default), snappy (with the big-endian CRC32 of the uncompressed data
// after each block) and zstandard.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace akko::iceberg {

enum class AvroCodec : uint8_t { Null, Deflate, Snappy, Zstandard };

// The "avro.codec" names: "null", "deflate", "snappy", "zstandard".
std::string_view AvroCodecName(AvroCodec codec);
// Throws akko::Error (feature_not_supported) for codecs we do not read (bzip2, xz, ...).
AvroCodec AvroCodecNamed(std::string_view name);

std::string AvroCompress(AvroCodec codec, std::string_view data);
// Throws akko::Error (invalid_input) for corrupt or truncated data, or when the data would
// decompress to more than `max_size` bytes (memory grows only as output is produced).
std::string AvroDecompress(AvroCodec codec, std::string_view data, size_t max_size);

} // namespace akko::iceberg
