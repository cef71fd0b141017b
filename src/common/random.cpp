#include "common/random.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

namespace akko {

std::string RandomBytes(size_t count) {
	std::string bytes(count, '\0');
	if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), static_cast<int>(count)) != 1) {
		throw Error(ErrorCode::Internal, "the random number generator failed");
	}
	return bytes;
}

std::string NewUuid() {
	auto bytes = RandomBytes(16);
	// RFC 9562: version 4 in the high nibble of byte 6, variant 10 in the top bits of byte 8.
	bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
	bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
	std::string out;
	for (size_t i = 0; i < bytes.size(); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) {
			out += '-';
		}
		out += fmt::format("{:02x}", static_cast<unsigned char>(bytes[i]));
	}
	return out;
}

} // namespace akko
