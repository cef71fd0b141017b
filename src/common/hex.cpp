#include "common/hex.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace akko {

std::string Hex(std::string_view bytes) {
	static constexpr char kDigits[] = "0123456789abcdef";
	std::string out;
	out.reserve(bytes.size() * 2);
	for (unsigned char byte : bytes) {
		out.push_back(kDigits[byte >> 4]);
		out.push_back(kDigits[byte & 0xF]);
	}
	return out;
}

int HexDigit(char c) {
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

std::optional<std::string> Unhex(std::string_view text) {
	if (text.size() % 2 != 0) {
		return std::nullopt;
	}
	std::string out;
	out.reserve(text.size() / 2);
	for (size_t i = 0; i < text.size(); i += 2) {
		int high = HexDigit(text[i]);
		int low = HexDigit(text[i + 1]);
		if (high < 0 || low < 0) {
			return std::nullopt;
		}
		out.push_back(static_cast<char>(high * 16 + low));
	}
	return out;
}

std::string Sha256Hex(std::string_view data) {
	unsigned char digest[SHA256_DIGEST_LENGTH];
	SHA256(reinterpret_cast<const unsigned char *>(data.data()), data.size(), digest);
	return Hex(std::string_view(reinterpret_cast<const char *>(digest), sizeof(digest)));
}

std::string Md5Hex(std::string_view data) {
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int length = 0;
	EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
	return Hex(std::string_view(reinterpret_cast<const char *>(digest), length));
}

} // namespace akko
