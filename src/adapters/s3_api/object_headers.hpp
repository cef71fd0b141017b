#pragma once
// Internal to s3_api: what objects' HTTP headers mean both ways, and the pieces several
// handlers share (times, ETags, conditions, ranges, copy sources).
#include "adapters/s3_api/s3_request.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace akko::s3_api {

// "Wed, 12 Oct 2009 17:50:00 GMT" (HTTP headers) and "2009-10-12T17:50:00.000Z" (XML).
std::string HttpDate(int64_t unix_ms);
std::string IsoDate(int64_t unix_ms);
std::string QuotedEtag(const std::string &etag);
// An ETag as clients send it back (quoted or not), without quotes.
std::string UnquotedEtag(std::string_view etag);

// The content headers, x-amz-meta-* and verified checksums of an upload.
objstore::ObjectAttributes AttributesFromHeaders(const S3Request &request);
// The headers GET and HEAD answer with for this version.
net::HttpHeaders ObjectHeaders(const objstore::ObjectVersion &version);

// Checks If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since (or their
// x-amz-copy-source-if-* forms with `copy_source`) against `version`, as S3 does: throws
// S3Error 412 PreconditionFailed, or 304 NotModified for GET and HEAD.
void CheckReadConditions(const S3Request &request, const objstore::ObjectVersion &version, bool copy_source);
// The check a conditional PUT gives a commit: If-None-Match "*" and If-Match.
objstore::ObjectWriter::Check WriteConditions(const S3Request &request);

struct ByteRange {
	uint64_t first = 0;
	uint64_t last = 0; // inclusive
};
// A "bytes=a-b", "bytes=a-" or "bytes=-n" header against an object of `size` bytes: nullopt
// when absent or not of that form (the whole object, as HTTP says); throws S3Error 416
// InvalidRange when it asks for nothing the object has.
std::optional<ByteRange> ParseRange(std::string_view header, uint64_t size);

struct CopySource {
	std::string bucket;
	std::string key;
};
// x-amz-copy-source ("[/]bucket/key", percent-encoded); throws S3Error 400 InvalidArgument.
CopySource ParseCopySource(const S3Request &request);
// Opens the copy source, checks its conditions and the caller's scope over it.
std::unique_ptr<objstore::ObjectReader> OpenCopySource(S3Request &request, const CopySource &source);

// Reads the verified payload (Content-MD5, checksums, signatures: see PayloadReader) into
// `writer` to the end, counting the bytes received.
void ReceiveInto(S3Request &request, objstore::ObjectWriter &writer);
// Copies `length` bytes at `offset` of `reader` into `writer`.
void CopyInto(objstore::ObjectReader &reader, uint64_t offset, uint64_t length, objstore::ObjectWriter &writer);

} // namespace akko::s3_api
