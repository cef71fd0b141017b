#pragma once
// The few S3 XML documents the S3 client reads and writes. S3's XML is flat and regular: an
// element's text is found by name, entities are decoded, namespaces and attributes ignored.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko::objstore {

struct S3ErrorBody {
	std::string code;    // e.g. "NoSuchKey"
	std::string message;
};

struct S3ListedObject {
	std::string key; // within the bucket
	uint64_t size = 0;
	int64_t modified_unix_ms = 0;
};

struct S3ListPage {
	std::vector<S3ListedObject> objects;
	bool truncated = false;
	std::string next_continuation_token;
};

// An <Error> document, or nullopt when `xml` is none (S3 may also answer 200 with one, as
// CompleteMultipartUpload does when it fails late).
std::optional<S3ErrorBody> ParseS3Error(std::string_view xml);
// ListObjectsV2's <ListBucketResult>. Throws akko::Error (internal) when it is malformed.
S3ListPage ParseListObjectsV2(std::string_view xml);
// InitiateMultipartUpload's <UploadId>. Throws akko::Error (internal) when there is none.
std::string ParseUploadId(std::string_view xml);
// The body of CompleteMultipartUpload: parts numbered from 1 in the order of `etags`.
std::string CompleteMultipartUploadXml(const std::vector<std::string> &etags);
// What the S3 API reads from request bodies; nullopt when the document is malformed.
struct S3DeleteRequest {
	bool quiet = false;
	std::vector<std::string> keys; // in the order sent
};
std::optional<S3DeleteRequest> ParseDeleteObjects(std::string_view xml);
struct S3CompletedPart {
	int part_number = 0;
	std::string etag; // as sent, quotes and all
};
std::optional<std::vector<S3CompletedPart>> ParseCompleteMultipartUpload(std::string_view xml);
// CreateBucketConfiguration's LocationConstraint: "" when the body is empty or names none.
std::optional<std::string> ParseLocationConstraint(std::string_view xml);

// An ISO 8601 UTC time as S3 lists it ("2009-10-12T17:50:30.000Z") in ms since the epoch.
std::optional<int64_t> ParseIso8601Millis(std::string_view text);
// Entity-decoded text (&amp; &lt; &gt; &quot; &apos; &#N; &#xN;).
std::string XmlUnescape(std::string_view text);
std::string XmlEscape(std::string_view text);

} // namespace akko::objstore
