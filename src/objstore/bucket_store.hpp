#pragma once
// The S3 view of the local-directory store: buckets (the store's first key segment), objects
// with their ETag, content headers and user metadata, streamed writes that become visible
// atomically, and multipart uploads staged beside them. The lake and the S3 API share the
// directory: an object written by SQL is an object here, and one uploaded here is a file the
// engine reads in place.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko::objstore {

// What a writer sets and a reader gets back, byte for byte.
struct ObjectAttributes {
	// Standard content headers, by lower-case header name: content-type, content-encoding,
	// content-disposition, content-language, cache-control, expires. Absent: not set.
	std::map<std::string, std::string> content_headers;
	// x-amz-meta-* names in lower case without the prefix, and their values.
	std::map<std::string, std::string> user_metadata;
	// Checksums the writer sent and the S3 API verified, by algorithm in lower case
	// ("crc32", "crc32c", "sha1", "sha256"): base64 values.
	std::map<std::string, std::string> checksums;
};

struct ObjectVersion {
	std::string key;
	uint64_t size = 0;
	int64_t modified_unix_ms = 0;
	// Without quotes: the MD5 of the content in hex, or for a multipart upload the MD5 of its
	// parts' binary MD5s, "-", and the number of parts.
	std::string etag;
	ObjectAttributes attributes; // empty in listings
};

// Reads the one version of an object that was current when it was opened, whatever
// replaces or deletes it meanwhile.
class ObjectReader {
public:
	virtual ~ObjectReader() = default;
	virtual const ObjectVersion &Version() const = 0;
	// Up to `size` bytes at `offset` into `buffer`; fewer only at the end of the object.
	virtual size_t Read(uint64_t offset, char *buffer, size_t size) = 0;
};

// Receives an object's bytes into a staging file. Nothing is visible until Commit; a writer
// destroyed without Commit leaves nothing behind.
class ObjectWriter {
public:
	virtual ~ObjectWriter() = default;
	virtual void Write(std::string_view data) = 0;
	virtual uint64_t Size() const = 0;
	// The MD5 of everything written, in hex (computed as the bytes arrive).
	virtual std::string Md5Hex() const = 0;
	// Makes the bytes the object's content, durably and atomically: readers see the old
	// version or the whole new one. `check`, when set, runs with the current version (nullopt
	// when there is none) while no other Commit to the same key can run, and may throw to
	// refuse (conditional writes). Returns the new version.
	using Check = std::function<void(const std::optional<ObjectVersion> &current)>;
	virtual ObjectVersion Commit(const ObjectAttributes &attributes, const Check &check = {}) = 0;
};

struct BucketInfo {
	std::string name;
	int64_t created_unix_ms = 0;
};

struct ListRequest {
	std::string prefix;
	std::string delimiter;   // empty: none
	std::string start_after; // keys (and common prefixes) greater than this only
	size_t max_keys = 1000;  // objects plus common prefixes on one page
};

struct ListPage {
	std::vector<ObjectVersion> objects;       // in binary key order, attributes empty
	std::vector<std::string> common_prefixes; // in binary order
	bool truncated = false;
	std::string last; // the greatest key or common prefix on the page: where the next page starts after
};

struct PartInfo {
	int part_number = 0;
	uint64_t size = 0;
	std::string etag; // MD5 hex, without quotes
	int64_t modified_unix_ms = 0;
};

struct UploadInfo {
	std::string key;
	std::string upload_id;
	int64_t initiated_unix_ms = 0;
	ObjectAttributes attributes; // as given when the upload was created
};

enum class DeleteBucketResult { Deleted, NoSuchBucket, NotEmpty };

class BucketStore {
public:
	virtual ~BucketStore() = default;

	// Bucket names follow S3's rules (3-63 characters: lower-case letters, digits, '-' and '.').
	// Throws akko::Error (invalid_input) for another name.
	static void ValidateBucketName(std::string_view name);

	virtual std::vector<BucketInfo> ListBuckets() = 0; // by name
	virtual std::optional<BucketInfo> FindBucket(std::string_view bucket) = 0;
	// False when it existed already.
	virtual bool CreateBucket(std::string_view bucket) = 0;
	// Only an empty bucket (no objects, no multipart uploads in progress) is deleted.
	virtual DeleteBucketResult DeleteBucket(std::string_view bucket) = 0;

	// Any UTF-8 key of 1 to 1024 bytes: keys a file name cannot hold as they are ("a/../b",
	// "dir/", "a//b", NUL, backslashes, segments longer than a file name, a key under another
	// object's key) are kept under a reserved name, and none reaches outside its bucket or
	// collides with the store's own files. Throws akko::Error (invalid_input) for other keys.
	// Methods below throw akko::Error (not_found) when the bucket does not exist.
	virtual std::unique_ptr<ObjectWriter> Create(std::string_view bucket, std::string_view key) = 0;
	// Null when there is no such object.
	virtual std::unique_ptr<ObjectReader> Open(std::string_view bucket, std::string_view key) = 0;
	virtual std::optional<ObjectVersion> Head(std::string_view bucket, std::string_view key) = 0;
	// False when there was none.
	virtual bool Delete(std::string_view bucket, std::string_view key) = 0;
	virtual ListPage List(std::string_view bucket, const ListRequest &request) = 0;

	// Multipart uploads. Upload ids are opaque URL-safe strings; methods taking one throw
	// akko::Error (not_found) with "NoSuchUpload" in the message when it names no upload
	// in progress for that bucket and key.
	virtual std::string CreateUpload(std::string_view bucket, std::string_view key,
	                                 const ObjectAttributes &attributes) = 0;
	virtual UploadInfo FindUpload(std::string_view bucket, std::string_view key, std::string_view upload_id) = 0;
	// A writer for one part (1 to 10000); its Commit (attributes ignored) replaces any earlier
	// part with that number.
	virtual std::unique_ptr<ObjectWriter> CreatePart(std::string_view bucket, std::string_view key,
	                                                 std::string_view upload_id, int part_number) = 0;
	virtual std::vector<PartInfo> ListParts(std::string_view bucket, std::string_view key,
	                                        std::string_view upload_id) = 0; // by part number
	// Uploads in progress in the bucket whose key starts with `prefix`, by key then initiation.
	virtual std::vector<UploadInfo> ListUploads(std::string_view bucket, std::string_view prefix) = 0;
	// Joins the named parts, in the order given (the caller has checked them against
	// ListParts), into the object and ends the upload; `check` as in ObjectWriter::Commit.
	virtual ObjectVersion CompleteUpload(std::string_view bucket, std::string_view key, std::string_view upload_id,
	                                     const std::vector<int> &part_numbers,
	                                     const ObjectWriter::Check &check = {}) = 0;
	virtual void AbortUpload(std::string_view bucket, std::string_view key, std::string_view upload_id) = 0;
	// Aborts the uploads initiated before now - `age`; returns how many.
	virtual size_t AbortUploadsOlderThan(std::chrono::seconds age) = 0;
};

// The bucket store over the local-directory store rooted at `root` (the same directory
// OpenLocalStore is given).
std::unique_ptr<BucketStore> OpenLocalBucketStore(const std::string &root);

} // namespace akko::objstore
