#include "common/url.hpp"

#include "common/error.hpp"
#include "common/hex.hpp"

#include <fmt/format.h>

namespace akko {

std::string PercentDecode(std::string_view text, bool plus_is_space) {
	std::string out;
	out.reserve(text.size());
	for (size_t i = 0; i < text.size(); i++) {
		if (text[i] == '+' && plus_is_space) {
			out.push_back(' ');
		} else if (text[i] == '%') {
			int high = i + 2 < text.size() ? HexDigit(text[i + 1]) : -1;
			int low = high >= 0 ? HexDigit(text[i + 2]) : -1;
			if (low < 0) {
				throw Error(ErrorCode::InvalidInput,
				            fmt::format("malformed percent escape at offset {} of \"{}\"", i, text));
			}
			out.push_back(static_cast<char>(high * 16 + low));
			i += 2;
		} else {
			out.push_back(text[i]);
		}
	}
	return out;
}

std::vector<std::pair<std::string, std::string>> ParseQueryPairs(std::string_view query) {
	std::vector<std::pair<std::string, std::string>> pairs;
	size_t start = 0;
	while (start <= query.size() && !query.empty()) {
		auto end = query.find('&', start);
		auto pair = query.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
		if (!pair.empty()) {
			auto equals = pair.find('=');
			auto name = PercentDecode(pair.substr(0, equals), true);
			auto value = equals == std::string_view::npos ? std::string() : PercentDecode(pair.substr(equals + 1), true);
			pairs.emplace_back(std::move(name), std::move(value));
		}
		if (end == std::string_view::npos) {
			break;
		}
		start = end + 1;
	}
	return pairs;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
	std::map<std::string, std::string> parameters;
	for (auto &[name, value] : ParseQueryPairs(query)) {
		parameters.emplace(std::move(name), std::move(value));
	}
	return parameters;
}

} // namespace akko
