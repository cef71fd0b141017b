#include "objstore/sigv4.hpp"

#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace akko::objstore {

namespace {

std::string Lower(std::string_view text) {
	std::string out(text);
	std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
	return out;
}

// Header values are signed trimmed, with inner runs of spaces folded to one.
std::string TrimValue(std::string_view value) {
	std::string out;
	bool space = false;
	for (char c : value) {
		if (c == ' ' || c == '\t') {
			space = !out.empty();
			continue;
		}
		if (space) {
			out += ' ';
			space = false;
		}
		out += c;
	}
	return out;
}

std::vector<std::pair<std::string, std::string>> CanonicalHeaders(const SigV4Request &request) {
	std::vector<std::pair<std::string, std::string>> headers;
	for (auto &[name, value] : request.headers) {
		headers.emplace_back(Lower(name), TrimValue(value));
	}
	std::stable_sort(headers.begin(), headers.end(), [](auto &a, auto &b) { return a.first < b.first; });
	// A header given twice is signed once, its values joined by commas.
	std::vector<std::pair<std::string, std::string>> merged;
	for (auto &header : headers) {
		if (!merged.empty() && merged.back().first == header.first) {
			merged.back().second += "," + header.second;
		} else {
			merged.push_back(std::move(header));
		}
	}
	return merged;
}

std::string SignedHeaders(const std::vector<std::pair<std::string, std::string>> &headers) {
	std::string out;
	for (auto &header : headers) {
		out += (out.empty() ? "" : ";") + header.first;
	}
	return out;
}

std::string Scope(const SigV4Credentials &credentials, std::string_view amz_date) {
	return CredentialScope(amz_date.substr(0, 8), credentials.region, credentials.service);
}

} // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
	std::string out;
	out.reserve(text.size());
	for (unsigned char c : text) {
		if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && keep_slash)) {
			out += static_cast<char>(c);
		} else {
			out += fmt::format("%{:02X}", c);
		}
	}
	return out;
}

std::string CredentialScope(std::string_view date, std::string_view region, std::string_view service) {
	return fmt::format("{}/{}/{}/aws4_request", date, region, service);
}

std::string SigningKey(std::string_view secret_access_key, std::string_view date, std::string_view region,
                       std::string_view service) {
	auto key = HmacSha256("AWS4" + std::string(secret_access_key), date);
	key = HmacSha256(key, region);
	key = HmacSha256(key, service);
	return HmacSha256(key, "aws4_request");
}

std::string CanonicalRequest(const SigV4Request &request) {
	std::vector<std::pair<std::string, std::string>> query;
	for (auto &[name, value] : request.query) {
		query.emplace_back(UriEncode(name, false), UriEncode(value, false));
	}
	std::sort(query.begin(), query.end());
	std::string query_text;
	for (auto &[name, value] : query) {
		query_text += fmt::format("{}{}={}", query_text.empty() ? "" : "&", name, value);
	}
	auto headers = CanonicalHeaders(request);
	std::string header_text;
	for (auto &[name, value] : headers) {
		header_text += fmt::format("{}:{}\n", name, value);
	}
	return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method, request.path.empty() ? "/" : request.path, query_text,
	                   header_text, SignedHeaders(headers), request.payload_sha256);
}

std::string StringToSign(const SigV4Request &request, const SigV4Credentials &credentials, std::string_view amz_date) {
	return fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", amz_date, Scope(credentials, amz_date),
	                   Sha256Hex(CanonicalRequest(request)));
}

std::string Signature(const SigV4Request &request, const SigV4Credentials &credentials, std::string_view amz_date) {
	auto key = SigningKey(credentials.secret_access_key, amz_date.substr(0, 8), credentials.region, credentials.service);
	return Hex(HmacSha256(key, StringToSign(request, credentials, amz_date)));
}

std::string Authorization(const SigV4Request &request, const SigV4Credentials &credentials, std::string_view amz_date) {
	return fmt::format("AWS4-HMAC-SHA256 Credential={}/{},SignedHeaders={},Signature={}", credentials.access_key_id,
	                   Scope(credentials, amz_date), SignedHeaders(CanonicalHeaders(request)),
	                   Signature(request, credentials, amz_date));
}

} // namespace akko::objstore
