#include "iceberg/transforms.hpp"

#include "common/civil_time.hpp"

#include <cstring>

namespace akko::iceberg {

namespace {

uint32_t RotateLeft(uint32_t x, int r) {
	return (x << r) | (x >> (32 - r));
}

} // namespace

int32_t Murmur3(std::string_view bytes) {
	constexpr uint32_t c1 = 0xcc9e2d51;
	constexpr uint32_t c2 = 0x1b873593;
	uint32_t h = 0;
	size_t blocks = bytes.size() / 4;
	for (size_t i = 0; i < blocks; i++) {
		uint32_t k;
		std::memcpy(&k, bytes.data() + 4 * i, 4); // the spec reads blocks little-endian, as x86 does
		k *= c1;
		k = RotateLeft(k, 15);
		k *= c2;
		h ^= k;
		h = RotateLeft(h, 13);
		h = h * 5 + 0xe6546b64;
	}
	uint32_t k = 0;
	auto tail = reinterpret_cast<const uint8_t *>(bytes.data()) + 4 * blocks;
	switch (bytes.size() & 3) {
	case 3:
		k ^= uint32_t(tail[2]) << 16;
		[[fallthrough]];
	case 2:
		k ^= uint32_t(tail[1]) << 8;
		[[fallthrough]];
	case 1:
		k ^= tail[0];
		k *= c1;
		k = RotateLeft(k, 15);
		k *= c2;
		h ^= k;
	}
	h ^= static_cast<uint32_t>(bytes.size());
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return static_cast<int32_t>(h);
}

int32_t HashLong(int64_t value) {
	char bytes[8];
	auto bits = static_cast<uint64_t>(value);
	for (int i = 0; i < 8; i++) {
		bytes[i] = static_cast<char>((bits >> (8 * i)) & 0xFF);
	}
	return Murmur3(std::string_view(bytes, 8));
}

int32_t HashBytes(std::string_view bytes) {
	return Murmur3(bytes);
}

std::string MinimalTwosComplement(__int128 unscaled) {
	std::string bytes(16, '\0');
	auto bits = static_cast<unsigned __int128>(unscaled);
	for (int i = 0; i < 16; i++) {
		bytes[15 - i] = static_cast<char>(static_cast<uint8_t>(bits >> (8 * i)));
	}
	size_t start = 0;
	while (start < 15) {
		auto byte = static_cast<uint8_t>(bytes[start]);
		auto next_sign = static_cast<uint8_t>(bytes[start + 1]) & 0x80;
		if ((byte == 0x00 && !next_sign) || (byte == 0xFF && next_sign)) {
			start++;
		} else {
			break;
		}
	}
	return bytes.substr(start);
}

int32_t HashDecimal(__int128 unscaled) {
	return Murmur3(MinimalTwosComplement(unscaled));
}

int32_t HashUuid(uint64_t most_significant, uint64_t least_significant) {
	char bytes[16];
	for (int i = 0; i < 8; i++) {
		bytes[i] = static_cast<char>((most_significant >> (56 - 8 * i)) & 0xFF);
		bytes[8 + i] = static_cast<char>((least_significant >> (56 - 8 * i)) & 0xFF);
	}
	return Murmur3(std::string_view(bytes, 16));
}

int32_t Bucket(int32_t hash, int32_t buckets) {
	return (hash & 0x7FFFFFFF) % buckets;
}

int64_t TruncateInteger(int64_t value, int64_t width) {
	return value - (((value % width) + width) % width);
}

__int128 TruncateDecimal(__int128 unscaled, int64_t width) {
	return unscaled - (((unscaled % width) + width) % width);
}

std::string TruncateString(std::string_view utf8, int32_t width) {
	size_t end = 0;
	for (int32_t points = 0; end < utf8.size() && points < width; points++) {
		end++;
		while (end < utf8.size() && (static_cast<uint8_t>(utf8[end]) & 0xC0) == 0x80) {
			end++;
		}
	}
	return std::string(utf8.substr(0, end));
}

int32_t YearsFromDays(int32_t days) {
	int64_t year;
	unsigned month, day;
	CivilFromDays(days, year, month, day);
	return static_cast<int32_t>(year - 1970);
}

int32_t MonthsFromDays(int32_t days) {
	int64_t year;
	unsigned month, day;
	CivilFromDays(days, year, month, day);
	return static_cast<int32_t>((year - 1970) * 12 + (month - 1));
}

int32_t DaysFromMicros(int64_t micros) {
	return static_cast<int32_t>(FloorDivide(micros, 86400LL * 1000000));
}

int32_t HoursFromMicros(int64_t micros) {
	return static_cast<int32_t>(FloorDivide(micros, 3600LL * 1000000));
}

} // namespace akko::iceberg
