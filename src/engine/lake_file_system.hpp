#pragma once
// Private to engine/: DuckDB's file system for "s3://bucket/key" paths, served by the warehouse
// store. It is how the engine reads and writes tables whose store keeps no local files (S3):
// reads are ranged GETs through a bounded block cache on local disk; a written file goes to a
// local temporary file and is uploaded whole (multipart when large) when it is closed or synced.
// Directories are key prefixes: they exist when an object is under them or once created here.
#include "engine/duckdb_internal.hpp"

#include "objstore/block_cache.hpp"
#include "objstore/store.hpp"

#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace akko::engine {

class LakeFileSystem : public duckdb::FileSystem {
public:
	// Temporary uploads and the cache file live in `work_directory`; the cache holds at most
	// `cache_bytes`.
	LakeFileSystem(objstore::Store &store_p, std::string work_directory_p, uint64_t cache_bytes);
	~LakeFileSystem() override;

	std::string GetName() const override {
		return "AkkoLakeFileSystem";
	}
	bool CanHandleFile(const std::string &path) override;
	bool CanSeek() override {
		return true;
	}
	bool OnDiskFile(duckdb::FileHandle &handle) override {
		return false;
	}

	duckdb::unique_ptr<duckdb::FileHandle> OpenFile(const std::string &path, duckdb::FileOpenFlags flags,
	                                                duckdb::optional_ptr<duckdb::FileOpener> opener) override;
	void Read(duckdb::FileHandle &handle, void *buffer, int64_t nr_bytes, duckdb::idx_t location) override;
	int64_t Read(duckdb::FileHandle &handle, void *buffer, int64_t nr_bytes) override;
	void Write(duckdb::FileHandle &handle, void *buffer, int64_t nr_bytes, duckdb::idx_t location) override;
	int64_t Write(duckdb::FileHandle &handle, void *buffer, int64_t nr_bytes) override;
	int64_t GetFileSize(duckdb::FileHandle &handle) override;
	duckdb::timestamp_t GetLastModifiedTime(duckdb::FileHandle &handle) override;
	duckdb::FileType GetFileType(duckdb::FileHandle &handle) override;
	void Truncate(duckdb::FileHandle &handle, int64_t new_size) override;
	void FileSync(duckdb::FileHandle &handle) override;
	void Seek(duckdb::FileHandle &handle, duckdb::idx_t location) override;
	duckdb::idx_t SeekPosition(duckdb::FileHandle &handle) override;

	bool FileExists(const std::string &filename, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
	void RemoveFile(const std::string &filename, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
	bool TryRemoveFile(const std::string &filename, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
	void MoveFile(const std::string &source, const std::string &target,
	              duckdb::optional_ptr<duckdb::FileOpener> opener) override;
	bool DirectoryExists(const std::string &directory, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
	void CreateDirectory(const std::string &directory, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
	void CreateDirectoriesRecursive(const std::string &path, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
	void RemoveDirectory(const std::string &directory, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
	bool ListFiles(const std::string &directory, const std::function<void(const std::string &, bool)> &callback,
	               duckdb::FileOpener *opener) override;
	duckdb::vector<duckdb::OpenFileInfo> Glob(const std::string &path, duckdb::FileOpener *opener) override;
	std::string PathSeparator(const std::string &path) override {
		return "/";
	}

	objstore::BlockCache &Cache() {
		return cache;
	}

private:
	objstore::Store &store;
	std::string work_directory;
	objstore::BlockCache cache;
	std::mutex directories_lock;
	std::set<std::string> directories; // created here, perhaps with nothing in them yet
};

} // namespace akko::engine
