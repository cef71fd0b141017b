#pragma once
// Checks AWS Signature Version 4 on requests to the S3 API: in the Authorization header, in
// presigned URLs (X-Amz-* query parameters, with expiry), and chunk by chunk in streamed
// uploads (aws-chunked bodies: STREAMING-AWS4-HMAC-SHA256-PAYLOAD, its -TRAILER variant and
// STREAMING-UNSIGNED-PAYLOAD-TRAILER). Failures throw S3Error with S3's codes.
#include "adapters/s3_api/s3_error.hpp"
#include "net/http_message.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace akko::s3_api {

// What a request claims about its signature, before any secret is known.
struct RequestSignature {
	std::string access_key_id;
	std::string session_token; // x-amz-security-token (header or query); empty when none
	std::string scope_date;    // YYYYMMDD of the credential scope
	std::string region;
	std::string amz_date; // YYYYMMDDTHHMMSSZ
	std::string signed_headers;
	std::string signature;     // hex
	bool presigned = false;
	int64_t expires_seconds = 0; // presigned only: X-Amz-Expires (1 to 604800)
	// x-amz-content-sha256 as sent (a hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-* value);
	// UNSIGNED-PAYLOAD for presigned requests.
	std::string payload_hash;
};

// Reads the signature from the Authorization header or the query. Nullopt for an anonymous
// request (neither present). Throws S3Error: 400 AuthorizationHeaderMalformed or
// AuthorizationQueryParametersError for malformed ones, 400 InvalidArgument for another
// algorithm than AWS4-HMAC-SHA256 (e.g. Signature Version 2).
std::optional<RequestSignature> ParseRequestSignature(const net::HttpRequest &request);

// Verifies the signature with the access key's secret at `now_unix` (seconds). Throws
// S3Error: 403 SignatureDoesNotMatch; 403 RequestTimeTooSkewed when the request's time is
// more than 15 minutes away from now (header signatures); 403 AccessDenied "Request has
// expired" for a presigned URL past its expiry, or one dated more than 15 minutes ahead.
void VerifyRequestSignature(const net::HttpRequest &request, const RequestSignature &signature,
                            const std::string &secret_access_key, int64_t now_unix);

// The request body as the object's bytes: decodes aws-chunked bodies and checks each chunk's
// signature, checks a signed payload's SHA-256, and computes and checks any x-amz-checksum-*
// the request carries (as a header or a trailer).
class PayloadReader {
public:
	virtual ~PayloadReader() = default;
	// Up to `size` decoded bytes; 0 at the end, once every check passed. Throws S3Error:
	// 403 SignatureDoesNotMatch for a bad chunk signature, 400 XAmzContentSHA256Mismatch,
	// 400 BadDigest for a checksum mismatch, 400 IncompleteBody when the body ends early,
	// 400 InvalidRequest for a malformed chunk encoding.
	virtual size_t Read(char *buffer, size_t size) = 0;
	// The verified x-amz-checksum-* values by algorithm in lower case ("crc32", "crc32c",
	// "sha1", "sha256"), base64, after Read returned 0.
	virtual std::map<std::string, std::string> Checksums() const = 0;
};

// `signature` and `secret_access_key` are those VerifyRequestSignature accepted (nullopt and
// empty for an anonymous request). `body` is the request's streamed body.
std::unique_ptr<PayloadReader> OpenPayload(const net::HttpRequest &request, net::RequestBody &body,
                                           const std::optional<RequestSignature> &signature,
                                           const std::string &secret_access_key);

} // namespace akko::s3_api
