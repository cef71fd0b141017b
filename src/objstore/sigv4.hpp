#pragma once
// AWS Signature Version 4 for S3 requests: the client signs with it (Authorization header) and
// the S3 API server verifies with the same canonicalization.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace akko::objstore {

struct SigV4Credentials {
	std::string access_key_id;
	std::string secret_access_key;
	std::string region;
	std::string service = "s3";
};

struct SigV4Request {
	std::string method;
	// The path exactly as sent: already URI-encoded (S3 signs it as given, without normalizing).
	std::string path;
	// Decoded names and values, in any order; the signer encodes and sorts them.
	std::vector<std::pair<std::string, std::string>> query;
	// The headers to sign (host and x-amz-date among them), names in any case.
	std::vector<std::pair<std::string, std::string>> headers;
	// Hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
	std::string payload_sha256;
};

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters stay, every other byte is
// %XX in upper case; '/' stays only when `keep_slash`.
std::string UriEncode(std::string_view text, bool keep_slash);

// "YYYYMMDD/region/service/aws4_request".
std::string CredentialScope(std::string_view date, std::string_view region, std::string_view service);
// The key every signature of one scope is made with (raw bytes); `date` is YYYYMMDD.
std::string SigningKey(std::string_view secret_access_key, std::string_view date, std::string_view region,
                       std::string_view service);

std::string CanonicalRequest(const SigV4Request &request);
// `amz_date` is the request time as "YYYYMMDDTHHMMSSZ" (the x-amz-date header's value).
std::string StringToSign(const SigV4Request &request, const SigV4Credentials &credentials, std::string_view amz_date);
// The request's signature, lower-case hex.
std::string Signature(const SigV4Request &request, const SigV4Credentials &credentials, std::string_view amz_date);
// The Authorization header's value.
std::string Authorization(const SigV4Request &request, const SigV4Credentials &credentials, std::string_view amz_date);

} // namespace akko::objstore
