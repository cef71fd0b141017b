#include "iceberg/avro_codec.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <memory>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

namespace akko::iceberg {

namespace {

constexpr size_t kChunk = 64 * 1024;

[[noreturn]] void Corrupt(AvroCodec codec, std::string_view why) {
	throw Error(ErrorCode::InvalidInput, fmt::format("corrupt Avro {} block: {}", AvroCodecName(codec), why));
}

[[noreturn]] void TooLarge(AvroCodec codec, size_t max_size) {
	throw Error(ErrorCode::InvalidInput,
	            fmt::format("Avro {} block decompresses to more than {} bytes", AvroCodecName(codec), max_size));
}

std::string Deflate(std::string_view data) {
	z_stream stream {};
	// Negative window bits: raw deflate, no zlib header or checksum, as the Avro spec says.
	if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		throw Error(ErrorCode::OutOfMemory, "cannot start a deflate stream");
	}
	std::string out(deflateBound(&stream, data.size()), '\0');
	stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
	stream.avail_in = static_cast<uInt>(data.size());
	stream.next_out = reinterpret_cast<Bytef *>(out.data());
	stream.avail_out = static_cast<uInt>(out.size());
	int result = deflate(&stream, Z_FINISH);
	out.resize(stream.total_out);
	deflateEnd(&stream);
	if (result != Z_STREAM_END) {
		throw Error(ErrorCode::Internal, fmt::format("deflate failed ({})", result));
	}
	return out;
}

std::string Inflate(std::string_view data, size_t max_size) {
	if (data.size() > UINT32_MAX) {
		Corrupt(AvroCodec::Deflate, "block too large");
	}
	z_stream stream {};
	if (inflateInit2(&stream, -15) != Z_OK) {
		throw Error(ErrorCode::OutOfMemory, "cannot start an inflate stream");
	}
	std::unique_ptr<z_stream, int (*)(z_stream *)> guard(&stream, inflateEnd);
	stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
	stream.avail_in = static_cast<uInt>(data.size());
	std::string out;
	while (true) {
		if (out.size() >= max_size + 1) {
			TooLarge(AvroCodec::Deflate, max_size);
		}
		size_t before = out.size();
		out.resize(std::min(before + kChunk, max_size + 1));
		stream.next_out = reinterpret_cast<Bytef *>(out.data() + before);
		stream.avail_out = static_cast<uInt>(out.size() - before);
		int result = inflate(&stream, Z_NO_FLUSH);
		out.resize(out.size() - stream.avail_out);
		if (result == Z_STREAM_END) {
			break;
		}
		if (result == Z_BUF_ERROR && stream.avail_in == 0) {
			Corrupt(AvroCodec::Deflate, "truncated");
		}
		if (result != Z_OK && result != Z_BUF_ERROR) {
			Corrupt(AvroCodec::Deflate, stream.msg ? stream.msg : "inflate failed");
		}
	}
	if (out.size() > max_size) {
		TooLarge(AvroCodec::Deflate, max_size);
	}
	return out;
}

uint32_t Crc32(std::string_view data) {
	return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef *>(data.data()), static_cast<uInt>(data.size())));
}

std::string SnappyCompress(std::string_view data) {
	std::string out;
	snappy::Compress(data.data(), data.size(), &out);
	uint32_t crc = Crc32(data);
	for (int shift = 24; shift >= 0; shift -= 8) {
		out.push_back(static_cast<char>((crc >> shift) & 0xFF));
	}
	return out;
}

std::string SnappyUncompress(std::string_view data, size_t max_size) {
	if (data.size() < 4) {
		Corrupt(AvroCodec::Snappy, "shorter than its checksum");
	}
	auto compressed = data.substr(0, data.size() - 4);
	size_t length = 0;
	if (!snappy::GetUncompressedLength(compressed.data(), compressed.size(), &length)) {
		Corrupt(AvroCodec::Snappy, "bad length");
	}
	if (length > max_size) {
		TooLarge(AvroCodec::Snappy, max_size);
	}
	// Validation runs without allocating, so a lying length costs nothing.
	if (!snappy::IsValidCompressedBuffer(compressed.data(), compressed.size())) {
		Corrupt(AvroCodec::Snappy, "invalid data");
	}
	std::string out(length, '\0');
	if (!snappy::RawUncompress(compressed.data(), compressed.size(), out.data())) {
		Corrupt(AvroCodec::Snappy, "invalid data");
	}
	uint32_t expected = 0;
	for (size_t i = 0; i < 4; i++) {
		expected = (expected << 8) | static_cast<uint8_t>(data[data.size() - 4 + i]);
	}
	if (Crc32(out) != expected) {
		Corrupt(AvroCodec::Snappy, "checksum mismatch");
	}
	return out;
}

std::string ZstdCompress(std::string_view data) {
	std::string out(ZSTD_compressBound(data.size()), '\0');
	size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), ZSTD_CLEVEL_DEFAULT);
	if (ZSTD_isError(size)) {
		throw Error(ErrorCode::Internal, fmt::format("zstd failed: {}", ZSTD_getErrorName(size)));
	}
	out.resize(size);
	return out;
}

std::string ZstdDecompress(std::string_view data, size_t max_size) {
	std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream *)> stream(ZSTD_createDStream(), ZSTD_freeDStream);
	if (!stream) {
		throw Error(ErrorCode::OutOfMemory, "cannot start a zstd stream");
	}
	ZSTD_inBuffer input {data.data(), data.size(), 0};
	std::string out;
	size_t pending = 1; // 0 once a frame is complete
	while (input.pos < input.size || pending != 0) {
		if (out.size() >= max_size + 1) {
			TooLarge(AvroCodec::Zstandard, max_size);
		}
		size_t before = out.size();
		out.resize(std::min(before + kChunk, max_size + 1));
		ZSTD_outBuffer output {out.data() + before, out.size() - before, 0};
		size_t input_before = input.pos;
		pending = ZSTD_decompressStream(stream.get(), &output, &input);
		out.resize(before + output.pos);
		if (ZSTD_isError(pending)) {
			Corrupt(AvroCodec::Zstandard, ZSTD_getErrorName(pending));
		}
		if (pending != 0 && input.pos == input.size && input.pos == input_before && output.pos == 0) {
			Corrupt(AvroCodec::Zstandard, "truncated");
		}
	}
	if (out.size() > max_size) {
		TooLarge(AvroCodec::Zstandard, max_size);
	}
	return out;
}

} // namespace

std::string_view AvroCodecName(AvroCodec codec) {
	switch (codec) {
	case AvroCodec::Null:
		return "null";
	case AvroCodec::Deflate:
		return "deflate";
	case AvroCodec::Snappy:
		return "snappy";
	case AvroCodec::Zstandard:
		return "zstandard";
	}
	return "?";
}

AvroCodec AvroCodecNamed(std::string_view name) {
	for (auto codec : {AvroCodec::Null, AvroCodec::Deflate, AvroCodec::Snappy, AvroCodec::Zstandard}) {
		if (AvroCodecName(codec) == name) {
			return codec;
		}
	}
	throw Error(ErrorCode::FeatureNotSupported, fmt::format("Avro codec \"{}\" is not supported", name));
}

std::string AvroCompress(AvroCodec codec, std::string_view data) {
	switch (codec) {
	case AvroCodec::Deflate:
		return Deflate(data);
	case AvroCodec::Snappy:
		return SnappyCompress(data);
	case AvroCodec::Zstandard:
		return ZstdCompress(data);
	default:
		return std::string(data);
	}
}

std::string AvroDecompress(AvroCodec codec, std::string_view data, size_t max_size) {
	switch (codec) {
	case AvroCodec::Deflate:
		return Inflate(data, max_size);
	case AvroCodec::Snappy:
		return SnappyUncompress(data, max_size);
	case AvroCodec::Zstandard:
		return ZstdDecompress(data, max_size);
	default:
		if (data.size() > max_size) {
			TooLarge(codec, max_size);
		}
		return std::string(data);
	}
}

} // namespace akko::iceberg
