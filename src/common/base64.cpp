#include "common/base64.hpp"

#include <cstdint>

namespace akko {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int ValueOf(char c) {
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	if (c == '+') {
		return 62;
	}
	if (c == '/') {
		return 63;
	}
	return -1;
}

} // namespace

std::string Base64Encode(std::string_view data) {
	std::string out;
	out.reserve((data.size() + 2) / 3 * 4);
	for (size_t i = 0; i < data.size(); i += 3) {
		bool has_second = i + 1 < data.size();
		bool has_third = i + 2 < data.size();
		uint32_t chunk = uint32_t(uint8_t(data[i])) << 16;
		chunk |= has_second ? uint32_t(uint8_t(data[i + 1])) << 8 : 0;
		chunk |= has_third ? uint32_t(uint8_t(data[i + 2])) : 0;
		out += kAlphabet[(chunk >> 18) & 63];
		out += kAlphabet[(chunk >> 12) & 63];
		out += has_second ? kAlphabet[(chunk >> 6) & 63] : '=';
		out += has_third ? kAlphabet[chunk & 63] : '=';
	}
	return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
	if (text.size() % 4 != 0) {
		return std::nullopt;
	}
	std::string out;
	out.reserve(text.size() / 4 * 3);
	for (size_t i = 0; i < text.size(); i += 4) {
		size_t padding = 0;
		if (i + 4 == text.size()) {
			padding = text[i + 3] == '=' ? (text[i + 2] == '=' ? 2 : 1) : 0;
		}
		uint32_t chunk = 0;
		for (size_t j = 0; j < 4 - padding; j++) {
			int value = ValueOf(text[i + j]);
			if (value < 0) {
				return std::nullopt;
			}
			chunk |= uint32_t(value) << (18 - 6 * j);
		}
		out += char(chunk >> 16);
		if (padding < 2) {
			out += char((chunk >> 8) & 0xff);
		}
		if (padding < 1) {
			out += char(chunk & 0xff);
		}
	}
	return out;
}

} // namespace akko
