#pragma once
// Hexadecimal text of bytes, both ways, and the SHA-256 digest as hex (tokens, S3 signatures).
#include <optional>
#include <string>
#include <string_view>

namespace akko {

// Lower-case, two digits per byte.
std::string Hex(std::string_view bytes);
// The value of one hex digit (either case), or -1.
int HexDigit(char c);
// The bytes of an even-length hex string, or nullopt when it is not one.
std::optional<std::string> Unhex(std::string_view text);
std::string Sha256Hex(std::string_view data);
// S3's Content-MD5 and ETags.
std::string Md5Hex(std::string_view data);

} // namespace akko
