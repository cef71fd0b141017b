#include "adapters/s3_api/request_signature.hpp"

#include "common/base64.hpp"
#include "common/civil_time.hpp"
#include "common/digest.hpp"
#include "common/hex.hpp"
#include "common/sql_lexer.hpp"
#include "common/url.hpp"
#include "objstore/sigv4.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <vector>
#include <zlib.h>

namespace akko::s3_api {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::string_view kStreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
constexpr std::string_view kStreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
constexpr std::string_view kStreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
constexpr int64_t kMaxSkewSeconds = 15 * 60;
constexpr int64_t kMaxPresignedExpiry = 7 * 24 * 3600;
// A chunk header is a hex size and one signature; anything near this long is not one.
constexpr size_t kMaxLine = 4096;
constexpr size_t kMaxTrailerBytes = 16 * 1024;
constexpr size_t kBufferSize = 64 * 1024;

std::string Lower(std::string_view text) {
	std::string out(text);
	std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
	return out;
}


bool IsHex(std::string_view text, size_t size) {
	return text.size() == size && std::all_of(text.begin(), text.end(), [](char c) { return HexDigit(c) >= 0; });
}

bool AllDigits(std::string_view text) {
	return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int64_t Number(std::string_view digits) {
	int64_t value = 0;
	for (char c : digits) {
		value = value * 10 + (c - '0');
	}
	return value;
}

// Seconds since 1970 of "YYYYMMDDTHHMMSSZ", or nullopt when it is not one.
std::optional<int64_t> AmzDateToUnix(std::string_view text) {
	if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z' || !AllDigits(text.substr(0, 8)) ||
	    !AllDigits(text.substr(9, 6))) {
		return std::nullopt;
	}
	auto month = Number(text.substr(4, 2));
	auto day = Number(text.substr(6, 2));
	auto hour = Number(text.substr(9, 2));
	auto minute = Number(text.substr(11, 2));
	auto second = Number(text.substr(13, 2));
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
		return std::nullopt;
	}
	return DaysFromCivil(Number(text.substr(0, 4)), static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
	       hour * 3600 + minute * 60 + second;
}

// The Date header ("Fri, 24 May 2013 00:00:00 GMT", RFC 7231's IMF-fixdate; botocore writes
// "-0000" for the zone) as "YYYYMMDDTHHMMSSZ": SigV4 signs the request time in that form
// whichever header carried it.
std::optional<std::string> HttpDateToAmzDate(std::string_view text) {
	static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	text = TrimBlanks(text);
	auto zone = text.size() < 25 ? std::string_view() : text.substr(25);
	if (zone != " GMT" && zone != " UTC" && zone != " +0000" && zone != " -0000") {
		return std::nullopt;
	}
	if (text.substr(3, 2) != ", " || text[7] != ' ' ||
	    text[11] != ' ' || text[16] != ' ' || text[19] != ':' || text[22] != ':') {
		return std::nullopt;
	}
	auto month = std::find(kMonths.begin(), kMonths.end(), text.substr(8, 3));
	auto day = text.substr(5, 2);
	auto year = text.substr(12, 4);
	auto time = fmt::format("{}{}{}", text.substr(17, 2), text.substr(20, 2), text.substr(23, 2));
	if (month == kMonths.end() || !AllDigits(day) || !AllDigits(year) || !AllDigits(time)) {
		return std::nullopt;
	}
	auto amz_date = fmt::format("{}{:02}{}T{}Z", year, month - kMonths.begin() + 1, day, time);
	if (!AmzDateToUnix(amz_date)) {
		return std::nullopt;
	}
	return amz_date;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
	return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string_view> QueryValue(const std::vector<std::pair<std::string, std::string>> &query,
                                           std::string_view name) {
	for (auto &[key, value] : query) {
		if (key == name) {
			return value;
		}
	}
	return std::nullopt;
}

[[noreturn]] void RefuseSignatureV2() {
	throw S3Error(400, "InvalidArgument",
	              "AWS Signature Version 2 is not supported: sign requests with Signature Version 4 (AWS4-HMAC-SHA256)");
}

// Fills the scope fields from "AKID/YYYYMMDD/region/s3/aws4_request"; the access key id is
// everything before the last four parts.
void ParseCredential(std::string_view credential, RequestSignature &signature, int status, const std::string &code) {
	std::array<std::string_view, 4> scope;
	for (size_t i = scope.size(); i-- > 0;) {
		auto slash = credential.rfind('/');
		if (slash == std::string_view::npos) {
			throw S3Error(status, code, fmt::format("malformed credential \"{}\": expected "
			                                        "<access key>/<date>/<region>/s3/aws4_request", credential));
		}
		scope[i] = credential.substr(slash + 1);
		credential = credential.substr(0, slash);
	}
	if (credential.empty() || scope[0].size() != 8 || !AllDigits(scope[0]) || scope[1].empty() ||
	    scope[3] != "aws4_request") {
		throw S3Error(status, code, "malformed credential: expected <access key>/<date>/<region>/s3/aws4_request");
	}
	if (scope[2] != "s3") {
		throw S3Error(status, code, fmt::format("incorrect service \"{}\" in the credential: this endpoint is \"s3\"",
		                                        scope[2]));
	}
	signature.access_key_id = credential;
	signature.scope_date = scope[0];
	signature.region = scope[1];
}

void CheckSignedHeaders(std::string_view signed_headers, int status, const std::string &code) {
	if (signed_headers.empty() || signed_headers.front() == ';' || signed_headers.back() == ';' ||
	    signed_headers.find(";;") != std::string_view::npos) {
		throw S3Error(status, code, fmt::format("malformed SignedHeaders \"{}\"", signed_headers));
	}
}

RequestSignature ParseAuthorizationHeader(const net::HttpRequest &request, std::string_view header) {
	const std::string code = "AuthorizationHeaderMalformed";
	header = TrimBlanks(header);
	auto space = header.find_first_of(" \t");
	auto algorithm = header.substr(0, space);
	if (algorithm == "AWS") {
		RefuseSignatureV2();
	}
	if (algorithm != kAlgorithm) {
		throw S3Error(400, "InvalidArgument",
		              fmt::format("unsupported authorization type \"{}\": only AWS4-HMAC-SHA256 is supported", algorithm));
	}
	// SDKs write "Credential=..., SignedHeaders=..., Signature=..."; others drop the spaces or
	// the commas. None of the values may contain a comma or a space.
	std::map<std::string, std::string, std::less<>> fields;
	auto rest = space == std::string_view::npos ? std::string_view() : header.substr(space);
	while (!rest.empty()) {
		auto start = rest.find_first_not_of(", \t");
		if (start == std::string_view::npos) {
			break;
		}
		rest = rest.substr(start);
		auto end = rest.find_first_of(", \t");
		auto field = rest.substr(0, end);
		rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
		auto equals = field.find('=');
		if (equals == std::string_view::npos ||
		    !fields.emplace(std::string(field.substr(0, equals)), std::string(field.substr(equals + 1))).second) {
			throw S3Error(400, code, fmt::format("the authorization header is malformed near \"{}\"", field));
		}
	}
	for (auto name : {"Credential", "SignedHeaders", "Signature"}) {
		if (fields.find(name) == fields.end()) {
			throw S3Error(400, code, fmt::format("the authorization header is missing {}", name));
		}
	}
	RequestSignature signature;
	ParseCredential(fields["Credential"], signature, 400, code);
	signature.signed_headers = fields["SignedHeaders"];
	CheckSignedHeaders(signature.signed_headers, 400, code);
	signature.signature = Lower(fields["Signature"]);
	if (!IsHex(signature.signature, 64)) {
		throw S3Error(400, code, "the signature must be 64 hexadecimal digits");
	}
	if (auto amz_date = request.Header("x-amz-date"); !amz_date.empty()) {
		signature.amz_date = TrimBlanks(amz_date);
	} else if (auto date = HttpDateToAmzDate(request.Header("date"))) {
		signature.amz_date = *date;
	}
	if (!AmzDateToUnix(signature.amz_date)) {
		throw S3Error(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
	}
	if (signature.amz_date.compare(0, 8, signature.scope_date) != 0) {
		throw S3Error(400, code,
		              fmt::format("invalid credential date \"{}\": it is not the date of the request time {}",
		                          signature.scope_date, signature.amz_date));
	}
	signature.session_token = request.Header("x-amz-security-token");
	signature.payload_hash = TrimBlanks(request.Header("x-amz-content-sha256"));
	if (signature.payload_hash.empty()) {
		// Without the header the client signed the body's hash, which a request without one
		// can still be checked with.
		auto length = request.Header("content-length");
		if ((!length.empty() && length != "0") || !request.Header("transfer-encoding").empty()) {
			throw S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
		}
		signature.payload_hash = Sha256Hex("");
	}
	return signature;
}

RequestSignature ParsePresignedQuery(const net::HttpRequest &request,
                                     const std::vector<std::pair<std::string, std::string>> &query) {
	const std::string code = "AuthorizationQueryParametersError";
	auto algorithm = QueryValue(query, "X-Amz-Algorithm");
	if (!algorithm) {
		throw S3Error(400, code, "the query must carry X-Amz-Algorithm with the other X-Amz-* parameters");
	}
	if (*algorithm != kAlgorithm) {
		throw S3Error(400, "InvalidArgument",
		              fmt::format("unsupported X-Amz-Algorithm \"{}\": only AWS4-HMAC-SHA256 is supported", *algorithm));
	}
	auto required = [&](std::string_view name) {
		auto value = QueryValue(query, name);
		if (!value || value->empty()) {
			throw S3Error(400, code, fmt::format("the query is missing {}", name));
		}
		return std::string(*value);
	};
	RequestSignature signature;
	signature.presigned = true;
	ParseCredential(required("X-Amz-Credential"), signature, 400, code);
	signature.amz_date = required("X-Amz-Date");
	if (!AmzDateToUnix(signature.amz_date)) {
		throw S3Error(400, code, "X-Amz-Date must be in the ISO8601 long format \"yyyyMMdd'T'HHmmss'Z'\"");
	}
	if (signature.amz_date.compare(0, 8, signature.scope_date) != 0) {
		throw S3Error(400, code, fmt::format("invalid credential date \"{}\": it is not the date of X-Amz-Date {}",
		                                     signature.scope_date, signature.amz_date));
	}
	auto expires = required("X-Amz-Expires");
	if (expires.size() > 7 || !AllDigits(expires) || Number(expires) < 1 || Number(expires) > kMaxPresignedExpiry) {
		throw S3Error(400, code, "X-Amz-Expires must be a number of seconds from 1 to 604800 (a week)");
	}
	signature.expires_seconds = Number(expires);
	signature.signed_headers = required("X-Amz-SignedHeaders");
	CheckSignedHeaders(signature.signed_headers, 400, code);
	signature.signature = Lower(required("X-Amz-Signature"));
	if (!IsHex(signature.signature, 64)) {
		throw S3Error(400, code, "X-Amz-Signature must be 64 hexadecimal digits");
	}
	signature.session_token = QueryValue(query, "X-Amz-Security-Token").value_or("");
	signature.payload_hash = kUnsignedPayload;
	return signature;
}

// What the client signed, rebuilt from the request as received.
objstore::SigV4Request CanonicalParts(const net::HttpRequest &request, const RequestSignature &signature) {
	objstore::SigV4Request canonical;
	canonical.method = request.method;
	canonical.path = request.path;
	for (auto &[name, value] : ParseQueryPairs(request.query)) {
		if (!(signature.presigned && name == "X-Amz-Signature")) {
			canonical.query.emplace_back(name, value);
		}
	}
	std::string_view names = signature.signed_headers;
	while (!names.empty()) {
		auto end = names.find(';');
		auto name = Lower(names.substr(0, end));
		names = end == std::string_view::npos ? std::string_view() : names.substr(end + 1);
		bool found = false;
		for (auto &[header, value] : request.headers) {
			if (header == name) {
				canonical.headers.emplace_back(name, value);
				found = true;
			}
		}
		if (!found) {
			canonical.headers.emplace_back(name, "");
		}
	}
	canonical.payload_sha256 = signature.payload_hash;
	return canonical;
}

// The CRC-32C (Castagnoli) table for the reflected polynomial 0x82F63B78.
constexpr std::array<uint32_t, 256> MakeCrc32cTable() {
	std::array<uint32_t, 256> table {};
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t crc = i;
		for (int bit = 0; bit < 8; bit++) {
			crc = (crc >> 1) ^ ((crc & 1) ? 0x82F63B78u : 0);
		}
		table[i] = crc;
	}
	return table;
}

constexpr auto kCrc32cTable = MakeCrc32cTable();

std::string BigEndian(uint32_t value) {
	return {static_cast<char>(value >> 24), static_cast<char>(value >> 16), static_cast<char>(value >> 8),
	        static_cast<char>(value)};
}

// One x-amz-checksum-<algorithm>, computed over the decoded bytes.
class Checksum {
public:
	explicit Checksum(std::string algorithm_p) : algorithm(std::move(algorithm_p)) {
		if (algorithm == "sha1") {
			digest.emplace(Digest::Algorithm::Sha1);
		} else if (algorithm == "sha256") {
			digest.emplace(Digest::Algorithm::Sha256);
		} else if (algorithm == "crc32") {
			crc = static_cast<uint32_t>(crc32(0, nullptr, 0));
		} else if (algorithm != "crc32c") {
			throw S3Error(400, "InvalidRequest", fmt::format("unsupported checksum algorithm \"{}\"", algorithm));
		}
	}
	void Update(const char *data, size_t size) {
		if (digest) {
			digest->Update(std::string_view(data, size));
		} else if (algorithm == "crc32") {
			crc = static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef *>(data), static_cast<uInt>(size)));
		} else {
			uint32_t value = ~crc;
			for (size_t i = 0; i < size; i++) {
				value = kCrc32cTable[(value ^ static_cast<unsigned char>(data[i])) & 0xff] ^ (value >> 8);
			}
			crc = ~value;
		}
	}
	std::string Base64Value() {
		return Base64Encode(digest ? digest->Finish() : BigEndian(crc));
	}
	// S3 names the algorithm in upper case in its BadDigest message.
	std::string Upper() const {
		std::string out = algorithm;
		std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
		return out;
	}
	size_t EncodedSize() const {
		size_t bytes = algorithm == "sha256" ? 32 : algorithm == "sha1" ? 20 : 4;
		return 4 * ((bytes + 2) / 3);
	}

	std::string algorithm;
	std::string expected; // base64; empty until a trailer brings it
	bool in_trailer = false;

private:
	std::optional<Digest> digest;
	uint32_t crc = 0;
};

std::string ChecksumHeaderName(std::string_view algorithm) {
	return fmt::format("x-amz-checksum-{}", algorithm);
}

void CheckChecksumFormat(const Checksum &checksum, std::string_view value) {
	static constexpr std::string_view kAlphabet =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
	if (value.size() != checksum.EncodedSize() || value.find_first_not_of(kAlphabet) != std::string_view::npos) {
		throw S3Error(400, "InvalidRequest",
		              fmt::format("Value for {} header is invalid.", ChecksumHeaderName(checksum.algorithm)));
	}
}

// Decodes the body: plain, or aws-chunked with or without chunk signatures and trailers. A
// pull parser over a fixed buffer: a chunk's bytes go out before its signature is checked at
// its end, so callers make nothing visible before Read returned 0.
class Payload : public PayloadReader {
public:
	Payload(const net::HttpRequest &request, net::RequestBody &body_p, const std::optional<RequestSignature> &signature,
	        const std::string &secret_access_key)
	    : body(body_p) {
		std::string mode = signature ? signature->payload_hash : std::string(TrimBlanks(request.Header("x-amz-content-sha256")));
		if (mode == kStreamingSigned || mode == kStreamingSignedTrailer) {
			if (!signature || signature->presigned) {
				throw S3Error(400, "InvalidRequest", fmt::format("{} needs a request signed in the Authorization header",
				                                                 mode));
			}
			chunked = true;
			signed_chunks = true;
			trailer = mode == kStreamingSignedTrailer;
			signing_key = objstore::SigningKey(secret_access_key, signature->scope_date, signature->region, "s3");
			amz_date = signature->amz_date;
			scope = objstore::CredentialScope(signature->scope_date, signature->region, "s3");
			previous_signature = signature->signature;
		} else if (mode == kStreamingUnsignedTrailer) {
			chunked = true;
			trailer = true;
		} else if (IsHex(mode, 64)) {
			expected_sha256 = Lower(mode);
			payload_sha256.emplace(Digest::Algorithm::Sha256);
		} else if (!mode.empty() && mode != kUnsignedPayload) {
			throw S3Error(400, "InvalidArgument",
			              fmt::format("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value or a SHA-256 "
			                          "in hex, not \"{}\"", mode));
		}
		if (chunked) {
			buffer.resize(kBufferSize);
			state = State::ChunkHeader;
			auto decoded = TrimBlanks(request.Header("x-amz-decoded-content-length"));
			if (!decoded.empty()) {
				if (decoded.size() > 18 || !AllDigits(decoded)) {
					throw S3Error(400, "InvalidArgument", "x-amz-decoded-content-length must be a number");
				}
				decoded_length = Number(decoded);
			}
		}
		for (auto &[name, value] : request.headers) {
			if (name.rfind("x-amz-checksum-", 0) == 0 && name != "x-amz-checksum-type" &&
			    name != "x-amz-checksum-algorithm" && name != "x-amz-checksum-mode") {
				auto &checksum = checksums.emplace_back(name.substr(15));
				checksum.expected = TrimBlanks(value);
				CheckChecksumFormat(checksum, checksum.expected);
			}
		}
		std::string_view declared = request.Header("x-amz-trailer");
		while (!declared.empty()) {
			auto comma = declared.find(',');
			auto name = Lower(TrimBlanks(declared.substr(0, comma)));
			declared = comma == std::string_view::npos ? std::string_view() : declared.substr(comma + 1);
			if (name.rfind("x-amz-checksum-", 0) != 0) {
				continue;
			}
			if (!trailer) {
				throw S3Error(400, "InvalidRequest",
				              "x-amz-trailer needs x-amz-content-sha256 STREAMING-UNSIGNED-PAYLOAD-TRAILER or "
				              "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
			}
			checksums.emplace_back(name.substr(15)).in_trailer = true;
		}
		if (auto md5 = TrimBlanks(request.Header("content-md5")); !md5.empty()) {
			auto digest = Base64Decode(md5);
			if (!digest || digest->size() != 16) {
				throw S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
			}
			expected_md5 = md5;
			payload_md5.emplace(Digest::Algorithm::Md5);
		}
	}

	size_t Read(char *out, size_t size) override {
		if (size == 0) {
			return 0;
		}
		while (true) {
			switch (state) {
			case State::Plain: {
				auto read = body.Read(out, size);
				if (read == 0) {
					Finish();
					return 0;
				}
				Consume(out, read);
				return read;
			}
			case State::ChunkHeader:
				ParseChunkHeader(RequireLine());
				break;
			case State::ChunkData: {
				if (begin == end && !Fill()) {
					throw Incomplete();
				}
				auto count = static_cast<size_t>(std::min<uint64_t>({size, chunk_remaining, end - begin}));
				std::memcpy(out, buffer.data() + begin, count);
				begin += count;
				chunk_remaining -= count;
				if (signed_chunks) {
					chunk_sha256.Update(std::string_view(out, count));
				}
				Consume(out, count);
				if (chunk_remaining == 0) {
					if (signed_chunks) {
						CheckChunkSignature(Hex(chunk_sha256.Finish()));
					}
					state = State::ChunkEnd;
				}
				return count;
			}
			case State::ChunkEnd:
				if (!RequireLine().empty()) {
					throw Malformed("a chunk's data is not followed by CRLF");
				}
				state = State::ChunkHeader;
				break;
			case State::Trailers:
				ReadTrailers();
				Finish();
				return 0;
			case State::Done:
				return 0;
			}
		}
	}

	std::map<std::string, std::string> Checksums() const override {
		return results;
	}

private:
	enum class State { Plain, ChunkHeader, ChunkData, ChunkEnd, Trailers, Done };

	static S3Error Malformed(std::string_view what) {
		return S3Error(400, "InvalidRequest", fmt::format("malformed aws-chunked body: {}", what));
	}
	static S3Error Incomplete() {
		return S3Error(400, "IncompleteBody", "You did not provide the number of bytes specified by the "
		                                      "Content-Length (or x-amz-decoded-content-length) HTTP header.");
	}

	void Consume(const char *data, size_t size) {
		decoded_total += size;
		if (decoded_length && decoded_total > *decoded_length) {
			throw S3Error(400, "IncompleteBody", fmt::format("the body has more bytes than x-amz-decoded-content-length {}",
			                                                 *decoded_length));
		}
		if (payload_sha256) {
			payload_sha256->Update(std::string_view(data, size));
		}
		if (payload_md5) {
			payload_md5->Update(std::string_view(data, size));
		}
		for (auto &checksum : checksums) {
			checksum.Update(data, size);
		}
	}

	// Reads more of the body behind what is buffered; false at its end.
	bool Fill() {
		if (begin > 0) {
			std::memmove(buffer.data(), buffer.data() + begin, end - begin);
			end -= begin;
			begin = 0;
		}
		if (end == buffer.size() || body_ended) {
			return false;
		}
		auto read = body.Read(buffer.data() + end, buffer.size() - end);
		if (read == 0) {
			body_ended = true;
			return false;
		}
		end += read;
		return true;
	}

	// The next CRLF-terminated line without its CRLF; nullopt when the body ends first.
	std::optional<std::string> ReadLine() {
		// Bytes after `begin` already searched; a CR at the end may still meet its LF.
		size_t searched = 0;
		while (true) {
			auto found = std::search(buffer.begin() + begin + searched, buffer.begin() + end, kCrlf.begin(), kCrlf.end());
			if (found != buffer.begin() + end) {
				std::string line(buffer.begin() + begin, found);
				begin = found - buffer.begin() + 2;
				return line;
			}
			if (end - begin > kMaxLine) {
				throw Malformed("a chunk header or trailer line is longer than 4 KiB");
			}
			searched = end > begin ? end - begin - 1 : 0;
			if (!Fill()) {
				if (begin != end) {
					throw Incomplete();
				}
				return std::nullopt;
			}
		}
	}

	std::string RequireLine() {
		auto line = ReadLine();
		if (!line) {
			throw Incomplete();
		}
		return std::move(*line);
	}

	void ParseChunkHeader(std::string_view line) {
		auto semicolon = line.find(';');
		auto size_text = line.substr(0, semicolon);
		if (size_text.empty() || size_text.size() > 15 || !std::all_of(size_text.begin(), size_text.end(), [](char c) {
			    return HexDigit(c) >= 0;
		    })) {
			throw Malformed(fmt::format("bad chunk size \"{}\"", size_text.substr(0, 32)));
		}
		chunk_remaining = 0;
		for (char c : size_text) {
			chunk_remaining = chunk_remaining * 16 + HexDigit(c);
		}
		if (signed_chunks) {
			constexpr std::string_view kExtension = "chunk-signature=";
			auto extension = semicolon == std::string_view::npos ? std::string_view() : line.substr(semicolon + 1);
			if (extension.substr(0, kExtension.size()) != kExtension ||
			    !IsHex(extension.substr(kExtension.size()), 64)) {
				throw Malformed("a chunk header lacks its chunk-signature");
			}
			chunk_signature = Lower(extension.substr(kExtension.size()));
		}
		if (chunk_remaining > 0) {
			state = State::ChunkData;
			return;
		}
		if (signed_chunks) {
			CheckChunkSignature(Sha256Hex(""));
		}
		state = State::Trailers;
	}

	void CheckChunkSignature(const std::string &chunk_hash) {
		auto expected = Hex(HmacSha256(
		    signing_key, fmt::format("AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{}\n{}\n{}", amz_date, scope, previous_signature,
		                             Sha256Hex(""), chunk_hash)));
		if (!ConstantTimeEqual(expected, chunk_signature)) {
			throw S3Error(403, "SignatureDoesNotMatch",
			              "The chunk signature we calculated does not match the signature you provided.");
		}
		previous_signature = expected;
	}

	// After the last chunk: an empty line, or trailer lines ended by one. A body that simply
	// ends there is accepted too.
	void ReadTrailers() {
		std::string canonical;
		std::optional<std::string> trailer_signature;
		size_t total = 0;
		while (auto line = ReadLine()) {
			if (line->empty()) {
				break;
			}
			total += line->size();
			if (!trailer || total > kMaxTrailerBytes) {
				throw Malformed(trailer ? "the trailer is too long" : "unexpected data after the last chunk");
			}
			auto colon = line->find(':');
			if (colon == std::string::npos) {
				throw Malformed("a trailer line has no colon");
			}
			auto name = Lower(TrimBlanks(std::string_view(*line).substr(0, colon)));
			auto value = std::string(TrimBlanks(std::string_view(*line).substr(colon + 1)));
			if (name == "x-amz-trailer-signature") {
				trailer_signature = Lower(value);
				continue;
			}
			canonical += fmt::format("{}:{}\n", name, value);
			auto checksum = std::find_if(checksums.begin(), checksums.end(), [&](const Checksum &checksum) {
				return checksum.in_trailer && ChecksumHeaderName(checksum.algorithm) == name;
			});
			if (checksum == checksums.end()) {
				throw Malformed(fmt::format("trailer \"{}\" was not declared in x-amz-trailer", name));
			}
			CheckChecksumFormat(*checksum, value);
			checksum->expected = value;
		}
		if (signed_chunks && trailer) {
			auto expected = Hex(HmacSha256(
			    signing_key, fmt::format("AWS4-HMAC-SHA256-TRAILER\n{}\n{}\n{}\n{}", amz_date, scope, previous_signature,
			                             Sha256Hex(canonical))));
			if (!trailer_signature || !ConstantTimeEqual(expected, *trailer_signature)) {
				throw S3Error(403, "SignatureDoesNotMatch",
				              "The trailer signature we calculated does not match the signature you provided.");
			}
		}
		for (auto &checksum : checksums) {
			if (checksum.expected.empty()) {
				throw S3Error(400, "InvalidRequest", fmt::format("the trailer {} declared in x-amz-trailer is missing",
				                                                 ChecksumHeaderName(checksum.algorithm)));
			}
		}
		char extra;
		if (begin != end || (!body_ended && body.Read(&extra, 1) != 0)) {
			throw Malformed("unexpected data after the last chunk");
		}
	}

	void Finish() {
		state = State::Done;
		if (decoded_length && decoded_total != *decoded_length) {
			throw Incomplete();
		}
		if (payload_sha256 && !ConstantTimeEqual(Hex(payload_sha256->Finish()), expected_sha256)) {
			throw S3Error(400, "XAmzContentSHA256Mismatch",
			              "The provided 'x-amz-content-sha256' header does not match what was computed.");
		}
		if (payload_md5 && Base64Encode(payload_md5->Finish()) != expected_md5) {
			throw S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
		}
		for (auto &checksum : checksums) {
			auto actual = checksum.Base64Value();
			if (actual != checksum.expected) {
				throw S3Error(400, "BadDigest", fmt::format("The {} you specified did not match the calculated checksum.",
				                                            checksum.Upper()));
			}
			results[checksum.algorithm] = actual;
		}
	}

	static constexpr std::string_view kCrlf = "\r\n";

	net::RequestBody &body;
	State state = State::Plain;
	bool chunked = false;
	bool signed_chunks = false;
	bool trailer = false;

	std::vector<char> buffer;
	size_t begin = 0;
	size_t end = 0;
	bool body_ended = false;

	uint64_t chunk_remaining = 0;
	std::string chunk_signature;
	Digest chunk_sha256 {Digest::Algorithm::Sha256};
	std::string signing_key;
	std::string amz_date;
	std::string scope;
	std::string previous_signature;

	std::optional<Digest> payload_sha256;
	std::string expected_sha256;
	std::optional<Digest> payload_md5;
	std::string expected_md5;
	std::vector<Checksum> checksums;
	std::map<std::string, std::string> results;
	uint64_t decoded_total = 0;
	std::optional<uint64_t> decoded_length;
};

} // namespace

std::optional<RequestSignature> ParseRequestSignature(const net::HttpRequest &request) {
	auto authorization = request.Header("authorization");
	auto query = ParseQueryPairs(request.query);
	bool presigned = QueryValue(query, "X-Amz-Algorithm") || QueryValue(query, "X-Amz-Credential") ||
	                 QueryValue(query, "X-Amz-Signature");
	if (!presigned && QueryValue(query, "AWSAccessKeyId") && QueryValue(query, "Signature")) {
		RefuseSignatureV2();
	}
	if (!authorization.empty() && presigned) {
		throw S3Error(400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query "
		                                      "parameter or the Authorization header should be specified");
	}
	if (!authorization.empty()) {
		return ParseAuthorizationHeader(request, authorization);
	}
	if (presigned) {
		return ParsePresignedQuery(request, query);
	}
	return std::nullopt;
}

void VerifyRequestSignature(const net::HttpRequest &request, const RequestSignature &signature,
                            const std::string &secret_access_key, int64_t now_unix) {
	auto request_time = AmzDateToUnix(signature.amz_date);
	if (!request_time) {
		throw S3Error(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
	}
	if (signature.presigned) {
		if (*request_time - now_unix > kMaxSkewSeconds) {
			throw S3Error(403, "AccessDenied", "Request is not valid yet");
		}
		if (now_unix > *request_time + signature.expires_seconds) {
			throw S3Error(403, "AccessDenied", "Request has expired");
		}
	} else if (std::abs(*request_time - now_unix) > kMaxSkewSeconds) {
		throw S3Error(403, "RequestTimeTooSkewed",
		              "The difference between the request time and the current time is too large.");
	}
	// Any region is accepted: clients configured with whatever region (AKKO's is "us-east-1"
	// unless set) must work against one endpoint. The signature binds the scope the client
	// chose, so it is checked with exactly that region.
	objstore::SigV4Credentials credentials {signature.access_key_id, secret_access_key, signature.region, "s3"};
	auto canonical = CanonicalParts(request, signature);
	if (ConstantTimeEqual(objstore::Signature(canonical, credentials, signature.amz_date), signature.signature)) {
		return;
	}
	// S3 signs the path as sent. A client whose wire encoding differs from SigV4's (a '=' or
	// '!' left bare, lower-case escapes) signs the canonical encoding of the same key instead.
	auto reencoded = objstore::UriEncode(PercentDecode(request.path, false), true);
	if (reencoded != request.path) {
		canonical.path = reencoded;
		if (ConstantTimeEqual(objstore::Signature(canonical, credentials, signature.amz_date), signature.signature)) {
			return;
		}
	}
	throw S3Error(403, "SignatureDoesNotMatch",
	              "The request signature we calculated does not match the signature you provided. Check your key and "
	              "signing method.");
}

std::unique_ptr<PayloadReader> OpenPayload(const net::HttpRequest &request, net::RequestBody &body,
                                           const std::optional<RequestSignature> &signature,
                                           const std::string &secret_access_key) {
	return std::make_unique<Payload>(request, body, signature, secret_access_key);
}

} // namespace akko::s3_api
