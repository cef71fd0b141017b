#pragma once
// RFC 4648 base64 with padding: SCRAM messages, HTTP basic auth, S3's Content-MD5 and checksums.
#include <optional>
#include <string>
#include <string_view>

namespace akko {

std::string Base64Encode(std::string_view data);
// Strict, as the text comes from clients: padded, no whitespace, '=' only at the very end.
// Nullopt for anything else.
std::optional<std::string> Base64Decode(std::string_view text);

} // namespace akko
