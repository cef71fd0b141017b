#pragma once
// Internal to s3_api: one request as the handlers see it, and the handlers.
#include "adapters/s3_api/request_signature.hpp"
#include "adapters/s3_api/s3_api.hpp"
#include "adapters/s3_api/s3_error.hpp"
#include "net/http_message.hpp"
#include "objstore/bucket_store.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace akko::s3_api {

struct S3Request {
	S3Request(const net::HttpRequest &http_p, net::HttpResponder &responder_p, objstore::BucketStore &store_p,
	          const S3ApiOptions &options_p)
	    : http(http_p), responder(responder_p), store(store_p), options(options_p) {
	}

	const net::HttpRequest &http;
	net::HttpResponder &responder;
	objstore::BucketStore &store;
	const S3ApiOptions &options;
	std::string bucket; // decoded; empty for the service
	std::string key;    // decoded; empty for a bucket
	std::map<std::string, std::string> query;
	std::string operation; // S3's name for it, the metrics label
	std::string request_id;
	std::string user; // the authenticated principal
	std::vector<std::string> roles; // the principal's, for the audit record
	// The verified signature and its secret, for the payload's chunk signatures.
	std::optional<RequestSignature> signature;
	std::string secret;
	// A vended credential reaches only keys under scope_path ("" for the whole bucket) in
	// scope_bucket; a principal's own key is not scoped.
	bool scoped = false;
	std::string scope_bucket;
	std::string scope_path;
	// Which buckets ListBuckets names; null: all of them.
	std::function<bool(const std::string &bucket)> lists_bucket;
	// The verified x-amz-checksum-* values of the received payload, by algorithm.
	std::map<std::string, std::string> checksums;
	uint64_t bytes_received = 0;
	uint64_t bytes_sent = 0;
	int status = 0; // what was answered, for the metrics
	// Runs once, just before a whole response goes out (Send): the audit record, so that a
	// client that has its answer has its record too.
	std::function<void()> before_answer;

	bool Has(const std::string &parameter) const {
		return query.count(parameter) > 0;
	}
	// The parameter's value, or "" when absent.
	std::string Param(const std::string &parameter) const;
	// The request body, decoded and verified, whole; for the small XML documents some
	// operations send. Throws S3Error (400 MaxMessageLengthExceeded) beyond `limit` bytes.
	std::string ReadSmallBody(size_t limit = 1024 * 1024);
	// The streamed payload, decoded and verified.
	std::unique_ptr<PayloadReader> Payload();
	// Sends a whole response with S3's common headers.
	void Send(int status, std::string body, net::HttpHeaders headers = {}, std::string content_type = "application/xml");
	// Fails unless the credential's scope covers `key` (or a listing's prefix) in `bucket`
	// (403 AccessDenied).
	void RequireScope(const std::string &bucket, const std::string &key) const;
};

// Throws S3Error 404 NoSuchBucket when the request's bucket does not exist.
void RequireBucket(S3Request &request);

// Buckets and the service (bucket_handlers.cpp).
void ListBuckets(S3Request &request);
void CreateBucket(S3Request &request);
void HeadBucket(S3Request &request);
void DeleteBucket(S3Request &request);
void GetBucketLocation(S3Request &request);
void ListObjects(S3Request &request, bool version_2);
void DeleteObjects(S3Request &request);
// Subresources AKKO does not keep (versioning off, no policy, ...), answered as S3 answers a
// bucket that never had them configured.
void GetBucketUnconfigured(S3Request &request, const std::string &subresource);

// Objects (object_handlers.cpp).
void PutObject(S3Request &request);
void GetObject(S3Request &request, bool head);
void DeleteObject(S3Request &request);
void CopyObject(S3Request &request);

// Multipart uploads (multipart_handlers.cpp).
void CreateMultipartUpload(S3Request &request);
void UploadPart(S3Request &request);
void UploadPartCopy(S3Request &request);
void CompleteMultipartUpload(S3Request &request);
void AbortMultipartUpload(S3Request &request);
void ListParts(S3Request &request);
void ListMultipartUploads(S3Request &request);

} // namespace akko::s3_api
