#pragma once
// The on-disk layout the local store and the bucket store share (internal to objstore).
//
// ROOT/<bucket>/<key path>                    an object under its natural path
// ROOT/<bucket>/<dir>/.akko-meta/<h>.<ino>     its sidecar: ETag and attributes, valid only while
//                                              the file at <dir>/<name> has inode <ino> and the
//                                              size and mtime recorded inside (h = sha256 of name)
// ROOT/<bucket>/.akko-keys/<sha256 of key>     an object whose key has no natural path
// ROOT/<bucket>/.akko-uploads/<id>/            a multipart upload in progress
// ROOT/<bucket>/.akko-tmp/                     staging files, renamed into place when complete
// ROOT/<bucket>/.akko-bucket                   the bucket's creation time
//
// Every reserved name starts with ".akko-", which no key the lake uses can spell and which the
// bucket store never gives a natural path.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/stat.h>

namespace akko::objstore {

namespace fs = std::filesystem;

inline constexpr std::string_view kReservedPrefix = ".akko-";
inline constexpr std::string_view kStagingDirectory = ".akko-tmp";
inline constexpr std::string_view kSidecarDirectory = ".akko-meta";

bool IsReservedName(std::string_view name);
bool IsValidUtf8(std::string_view text);

[[noreturn]] void ThrowIoError(const std::string &what, const fs::path &path);
void WriteAll(int fd, std::string_view data, const fs::path &path);
void SyncDirectory(const fs::path &directory);

// What binds a sidecar to one version of a file: a replaced or rewritten file differs in one.
struct FileIdentity {
	uint64_t inode = 0;
	uint64_t size = 0;
	int64_t modified_ns = 0;

	bool operator==(const FileIdentity &) const = default;
	int64_t ModifiedMillis() const {
		return modified_ns / 1000000;
	}
};
FileIdentity IdentityOf(const struct stat &status);

// The staging directory for files that become `target` by rename: the top-level directory's
// (the bucket's), so the rename stays on one file system whatever the key.
fs::path StagingDirectoryFor(const fs::path &root, const fs::path &target);
// Creates a new empty staging file there (directories created as needed); returns its fd.
int CreateStagingFile(const fs::path &staging_directory, fs::path &path);

fs::path SidecarPath(const fs::path &file, uint64_t inode);
// Removes the sidecar of `file` for that inode, if any.
void RemoveSidecar(const fs::path &file, uint64_t inode);
// Removes the regular file at `path` and its sidecar; false when there was none. Throws
// akko::Error (internal) when it cannot.
bool RemoveFileAndSidecar(const fs::path &path);

// Removes staging files older than `age` under every top-level directory of `root`: what a
// crashed writer left. Younger ones may belong to another live server sharing the directory.
void RemoveStaleStagingFiles(const fs::path &root, std::chrono::seconds age);

} // namespace akko::objstore
