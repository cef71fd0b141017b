#include "adapters/s3_api/object_headers.hpp"

#include "common/base64.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/url.hpp"

#include <charconv>
#include <ctime>
#include <fmt/format.h>

namespace akko::s3_api {

namespace {

constexpr const char *kContentHeaders[] = {"content-type",     "content-encoding", "content-disposition",
                                           "content-language", "cache-control",    "expires"};
constexpr std::string_view kMetadataPrefix = "x-amz-meta-";
constexpr size_t kMaxMetadataBytes = 2048; // S3's limit on user metadata

// An HTTP date (RFC 7231's preferred form, or the two obsolete ones) in ms; nullopt if none.
std::optional<int64_t> ParseHttpDate(std::string_view text) {
	std::string value(text);
	for (auto format : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %d %H:%M:%S %Y"}) {
		std::tm parts {};
		auto end = strptime(value.c_str(), format, &parts);
		if (end && *end == '\0') {
			return static_cast<int64_t>(timegm(&parts)) * 1000;
		}
	}
	return std::nullopt;
}

// Whether an If-Match / If-None-Match list names `etag` ("*" names any).
bool EtagListMatches(std::string_view list, const std::string &etag) {
	size_t start = 0;
	while (start < list.size()) {
		auto comma = list.find(',', start);
		auto item = list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
		while (!item.empty() && item.front() == ' ') {
			item.remove_prefix(1);
		}
		while (!item.empty() && item.back() == ' ') {
			item.remove_suffix(1);
		}
		if (item.starts_with("W/")) {
			item.remove_prefix(2);
		}
		if (item == "*" || UnquotedEtag(item) == etag) {
			return true;
		}
		if (comma == std::string_view::npos) {
			break;
		}
		start = comma + 1;
	}
	return false;
}

// aws-chunked names how the request body was framed, not the object (sigv4-streaming.html: S3 stores the
// object without it), so it is dropped from the Content-Encoding list kept with the object.
std::string WithoutAwsChunked(std::string_view encodings) {
	std::string kept;
	size_t start = 0;
	while (start <= encodings.size()) {
		auto comma = encodings.find(',', start);
		auto item = encodings.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
		auto first = item.find_first_not_of(' ');
		item = first == std::string_view::npos ? std::string_view()
		                                       : item.substr(first, item.find_last_not_of(' ') - first + 1);
		if (!item.empty() && item != "aws-chunked") {
			kept += kept.empty() ? "" : ",";
			kept += item;
		}
		if (comma == std::string_view::npos) {
			break;
		}
		start = comma + 1;
	}
	return kept;
}

[[noreturn]] void PreconditionFailed() {
	throw S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
}

} // namespace

std::string HttpDate(int64_t unix_ms) {
	std::time_t seconds = unix_ms / 1000;
	std::tm parts {};
	gmtime_r(&seconds, &parts);
	char text[64];
	std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &parts);
	return text;
}

std::string IsoDate(int64_t unix_ms) {
	std::time_t seconds = unix_ms / 1000;
	std::tm parts {};
	gmtime_r(&seconds, &parts);
	char text[64];
	std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &parts);
	return fmt::format("{}.{:03d}Z", text, static_cast<int>(unix_ms % 1000));
}

std::string QuotedEtag(const std::string &etag) {
	return "\"" + etag + "\"";
}

std::string UnquotedEtag(std::string_view etag) {
	if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
		etag = etag.substr(1, etag.size() - 2);
	}
	// Some clients send the XML-escaped quotes of a listing back as they got them.
	if (etag.starts_with("&quot;") && etag.ends_with("&quot;") && etag.size() >= 12) {
		etag = etag.substr(6, etag.size() - 12);
	}
	return std::string(etag);
}

objstore::ObjectAttributes AttributesFromHeaders(const S3Request &request) {
	objstore::ObjectAttributes attributes;
	size_t metadata_bytes = 0;
	for (auto &[name, value] : request.http.headers) {
		if (name.starts_with(kMetadataPrefix) && name.size() > kMetadataPrefix.size()) {
			auto key = name.substr(kMetadataPrefix.size());
			metadata_bytes += key.size() + value.size();
			auto &slot = attributes.user_metadata[key];
			// Repeated headers join with commas, as HTTP folds them.
			slot = slot.empty() ? value : slot + "," + value;
		}
	}
	if (metadata_bytes > kMaxMetadataBytes) {
		throw S3Error(400, "MetadataTooLarge",
		              fmt::format("Your metadata headers exceed the maximum allowed metadata size ({} bytes).",
		                          kMaxMetadataBytes));
	}
	for (auto name : kContentHeaders) {
		auto value = std::string(request.http.Header(name));
		if (std::string_view(name) == "content-encoding") {
			value = WithoutAwsChunked(value);
		}
		if (!value.empty()) {
			attributes.content_headers[name] = std::move(value);
		}
	}
	return attributes;
}

net::HttpHeaders ObjectHeaders(const objstore::ObjectVersion &version) {
	net::HttpHeaders headers;
	headers.emplace_back("ETag", QuotedEtag(version.etag));
	headers.emplace_back("Last-Modified", HttpDate(version.modified_unix_ms));
	headers.emplace_back("Accept-Ranges", "bytes");
	for (auto &[name, value] : version.attributes.content_headers) {
		if (name != "content-type") {
			headers.emplace_back(name, value);
		}
	}
	for (auto &[name, value] : version.attributes.user_metadata) {
		headers.emplace_back(std::string(kMetadataPrefix) + name, value);
	}
	return headers;
}

void CheckReadConditions(const S3Request &request, const objstore::ObjectVersion &version, bool copy_source) {
	auto header = [&](std::string_view name) {
		return request.http.Header(copy_source ? "x-amz-copy-source-" + std::string(name) : std::string(name));
	};
	auto if_match = header("if-match");
	auto if_none_match = header("if-none-match");
	auto if_modified_since = ParseHttpDate(header("if-modified-since"));
	auto if_unmodified_since = ParseHttpDate(header("if-unmodified-since"));
	// Times compare in whole seconds, as HTTP dates carry them.
	auto modified = version.modified_unix_ms / 1000 * 1000;
	if (!if_match.empty()) {
		if (!EtagListMatches(if_match, version.etag)) {
			PreconditionFailed();
		}
	} else if (if_unmodified_since && modified > *if_unmodified_since) {
		PreconditionFailed();
	}
	bool read = request.http.method == "GET" || request.http.method == "HEAD";
	if (!if_none_match.empty()) {
		if (EtagListMatches(if_none_match, version.etag)) {
			if (read && !copy_source) {
				throw S3Error(304, "NotModified", "Not Modified");
			}
			PreconditionFailed();
		}
	} else if (if_modified_since && modified <= *if_modified_since) {
		if (read && !copy_source) {
			throw S3Error(304, "NotModified", "Not Modified");
		}
		PreconditionFailed();
	}
}

objstore::ObjectWriter::Check WriteConditions(const S3Request &request) {
	auto if_match = std::string(request.http.Header("if-match"));
	auto if_none_match = std::string(request.http.Header("if-none-match"));
	if (!if_none_match.empty() && if_none_match != "*") {
		throw S3Error(501, "NotImplemented", "If-None-Match on a write takes only \"*\"");
	}
	if (if_match.empty() && if_none_match.empty()) {
		return {};
	}
	return [if_match, if_none_match](const std::optional<objstore::ObjectVersion> &current) {
		if (!if_none_match.empty() && current) {
			PreconditionFailed();
		}
		if (!if_match.empty()) {
			if (!current) {
				throw S3Error(404, "NoSuchKey", "The specified key does not exist.");
			}
			if (!EtagListMatches(if_match, current->etag)) {
				PreconditionFailed();
			}
		}
	};
}

std::optional<ByteRange> ParseRange(std::string_view header, uint64_t size) {
	if (!header.starts_with("bytes=") || header.find(',') != std::string_view::npos) {
		return std::nullopt;
	}
	auto spec = header.substr(6);
	auto dash = spec.find('-');
	if (dash == std::string_view::npos) {
		return std::nullopt;
	}
	auto number = [](std::string_view text) -> std::optional<uint64_t> {
		uint64_t value = 0;
		auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
		if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
			return std::nullopt;
		}
		return value;
	};
	auto first_text = spec.substr(0, dash);
	auto last_text = spec.substr(dash + 1);
	auto unsatisfiable = [] {
		return S3Error(416, "InvalidRange", "The requested range is not satisfiable");
	};
	if (first_text.empty()) {
		auto suffix = number(last_text);
		if (!suffix) {
			return std::nullopt;
		}
		if (*suffix == 0 || size == 0) {
			throw unsatisfiable();
		}
		return ByteRange {size - std::min(*suffix, size), size - 1};
	}
	auto first = number(first_text);
	auto last = last_text.empty() ? std::optional<uint64_t>(UINT64_MAX) : number(last_text);
	if (!first || !last || *last < *first) {
		return std::nullopt;
	}
	if (*first >= size) {
		throw unsatisfiable();
	}
	return ByteRange {*first, std::min(*last, size - 1)};
}

CopySource ParseCopySource(const S3Request &request) {
	auto raw = request.http.Header("x-amz-copy-source");
	if (auto question = raw.find('?'); question != std::string_view::npos) {
		if (raw.substr(question + 1).starts_with("versionId=") && raw.substr(question + 11) != "null") {
			throw S3Error(400, "InvalidArgument", "AKKO keeps no object versions: versionId must be absent or null");
		}
		raw = raw.substr(0, question);
	}
	std::string text;
	try {
		text = PercentDecode(raw, false);
	} catch (const Error &) {
		throw S3Error(400, "InvalidArgument", "Invalid copy source encoding");
	}
	if (text.starts_with('/')) {
		text.erase(0, 1);
	}
	auto slash = text.find('/');
	if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) {
		throw S3Error(400, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
	}
	return CopySource {text.substr(0, slash), text.substr(slash + 1)};
}

std::unique_ptr<objstore::ObjectReader> OpenCopySource(S3Request &request, const CopySource &source) {
	request.RequireScope(source.bucket, source.key);
	try {
		objstore::BucketStore::ValidateBucketName(source.bucket);
	} catch (const Error &) {
		throw S3Error(404, "NoSuchBucket", "The specified source bucket does not exist");
	}
	if (!request.store.FindBucket(source.bucket)) {
		throw S3Error(404, "NoSuchBucket", "The specified source bucket does not exist");
	}
	auto reader = request.store.Open(source.bucket, source.key);
	if (!reader) {
		throw S3Error(404, "NoSuchKey", "The specified source key does not exist.");
	}
	CheckReadConditions(request, reader->Version(), true);
	return reader;
}

void ReceiveInto(S3Request &request, objstore::ObjectWriter &writer) {
	auto payload = request.Payload();
	// Reads come a socket read at a time; the disk gets them in pieces of a mebibyte.
	std::string buffer(1024 * 1024, '\0');
	size_t filled = 0;
	while (true) {
		auto n = payload->Read(buffer.data() + filled, buffer.size() - filled);
		filled += n;
		if (filled == buffer.size() || (n == 0 && filled > 0)) {
			writer.Write(std::string_view(buffer.data(), filled));
			request.bytes_received += filled;
			filled = 0;
		}
		if (n == 0) {
			break;
		}
	}
	request.checksums = payload->Checksums();
}

void CopyInto(objstore::ObjectReader &reader, uint64_t offset, uint64_t length, objstore::ObjectWriter &writer) {
	std::string buffer(1024 * 1024, '\0');
	while (length > 0) {
		auto n = reader.Read(offset, buffer.data(), std::min<uint64_t>(length, buffer.size()));
		if (n == 0) {
			throw Error(ErrorCode::Internal, "the copy source ended before its size");
		}
		writer.Write(std::string_view(buffer.data(), n));
		offset += n;
		length -= n;
	}
}

} // namespace akko::s3_api
