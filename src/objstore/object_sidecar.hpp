#pragma once
// An object's sidecar (internal to objstore): what S3 knows of a file beyond its bytes, kept in
// <dir>/.akko-meta/ and valid only for the file version (inode, size, mtime) it names, so a
// crash between writing it and renaming the file in never attaches it to another version.
#include "objstore/bucket_store.hpp"
#include "objstore/local_paths.hpp"

#include <optional>
#include <string>

namespace akko::objstore {

// A sidecar, or a multipart upload's record (which has no file identity but an initiation time).
// Stored as CBOR, which keeps any bytes exactly (user metadata need not be UTF-8).
struct ObjectRecord {
	std::string key;
	std::string etag;
	ObjectAttributes attributes;
	FileIdentity identity;
	int64_t initiated_unix_ms = 0;
};

std::string EncodeRecord(const ObjectRecord &record);
std::optional<ObjectRecord> DecodeRecord(std::string_view bytes);

// The sidecar of `file` when there is one for exactly this version of it.
std::optional<ObjectRecord> ReadSidecar(const fs::path &file, const FileIdentity &identity);
// Writes it through a staging file and renames it into place; `durable` syncs both (a commit),
// otherwise it is a cache that may be lost. The directory holding `file` must exist: a sidecar
// never creates it (so an upload aborted meanwhile stays gone). Throws akko::Error (not_found)
// when that directory is missing, (internal) for other failures.
void WriteSidecar(const fs::path &staging_directory, const fs::path &file, const ObjectRecord &sidecar, bool durable);

// A small file's whole content written the same way (upload records, the bucket marker).
void WriteFileAtomically(const fs::path &staging_directory, const fs::path &path, std::string_view data);
std::optional<std::string> ReadSmallFile(const fs::path &path);

} // namespace akko::objstore
