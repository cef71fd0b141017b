#pragma once
// Percent-encoded URL parts as clients send them (RFC 3986, and '+' for a space in queries).
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace akko {

// Decodes %XX escapes, and '+' to a space when `plus_is_space` (query strings; in a path '+'
// is itself). Throws akko::Error (invalid_input) for a malformed escape.
std::string PercentDecode(std::string_view text, bool plus_is_space);

// A query string's parameters, decoded, in the order sent; a name without '=' has an empty
// value. Throws akko::Error (invalid_input) for a malformed escape.
std::vector<std::pair<std::string, std::string>> ParseQueryPairs(std::string_view query);
// The same as a map: the first value of each name wins.
std::map<std::string, std::string> ParseQuery(std::string_view query);

} // namespace akko
