#pragma once
// Object storage: the warehouse's files by key ("bucket/path/to/file"). The embedded
// default keeps them in a local directory; production points the warehouse at an S3 service.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace akko {
struct Config;
}

namespace akko::objstore {

struct ObjectInfo {
	std::string key;
	uint64_t size = 0;
	int64_t modified_unix_ms = 0;
};

struct ByteRange {
	uint64_t offset = 0;
	std::optional<uint64_t> length; // nullopt: to the end
};

class Store {
public:
	virtual ~Store() = default;
	// Makes `data` the object's content atomically: readers see the old object or the whole
	// new one, and once Put returns the object survives a crash.
	virtual void Put(std::string_view key, std::string_view data) = 0;
	// Put with the content of the local file at `path`, read in pieces when the store can take
	// it so (S3's multipart upload), so large files need not fit in memory.
	virtual void PutFile(std::string_view key, const std::string &path);
	// The object's bytes in `range` (clamped to its size). Throws akko::Error (not_found).
	virtual std::string Get(std::string_view key, const ByteRange &range = {}) = 0;
	virtual std::optional<ObjectInfo> Head(std::string_view key) = 0;
	// Objects whose key starts with `prefix`, in binary key order.
	virtual std::vector<ObjectInfo> List(std::string_view prefix) = 0;
	// Removes the object; false when there was none.
	virtual bool Delete(std::string_view key) = 0;
	// Where the object lives on this machine's file system, when the store keeps it there:
	// the engine then reads and writes it in place instead of copying through the store.
	virtual std::optional<std::string> LocalPath(std::string_view key) {
		return std::nullopt;
	}
	// Makes an object written in place through LocalPath durable (its bytes and its directory
	// entry), as Put does by itself. Throws akko::Error (not_found) when there is none.
	virtual void Sync(std::string_view key) {
	}
};

// Metadata names files by warehouse URI ("s3://bucket/key"; Hadoop's s3a:// and s3n:// are read
// as the same), so engines reading through an S3 endpoint see the same paths. Throws
// akko::Error (invalid_input) for any other form.
std::string KeyFromUri(std::string_view uri);
std::string UriFromKey(std::string_view key);

// The ETag S3 gives an object completed from these parts (their ETags in order, quoted or not):
// the MD5 of the parts' binary MD5s, "-", and their count. Nullopt when a part's ETag is no MD5.
std::optional<std::string> MultipartEtag(const std::vector<std::string> &part_etags);

// Checks a key: UTF-8 path segments joined by '/', none empty, "." or "..", no NUL or
// backslash, at most 1024 bytes. Throws akko::Error (invalid_input) naming what is wrong.
void ValidateKey(std::string_view key);

// The local-directory store rooted at `root` (created when missing).
std::unique_ptr<Store> OpenLocalStore(const std::string &root);

struct Warehouse {
	std::unique_ptr<Store> store;
	std::string uri; // where new tables go, ending in '/': "s3://bucket/prefix/"
	// The directory of a local store (the S3 API serves it); empty for an external S3 service.
	std::string local_root;
};

// The store and warehouse the configuration names: with no `warehouse`, bucket akko-warehouse
// of the local store in `data_dir`/objects; with an absolute directory (or file:// URI), the
// same layout there; with "s3://bucket[/prefix]", the S3 service at s3_endpoint, whose bucket
// must exist. Throws akko::Error (configuration_error).
Warehouse OpenWarehouse(const Config &config, const std::string &data_dir);

} // namespace akko::objstore
