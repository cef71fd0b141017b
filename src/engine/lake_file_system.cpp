#include "engine/duckdb_internal.hpp"
#include "engine/lake_file_system.hpp"

#include "common/random.hpp"
#include "engine/lake_types.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fnmatch.h>
#include <unistd.h>

namespace akko::engine {

using namespace duckdb;

namespace {

constexpr std::string_view kScheme = "s3://";

std::string KeyOf(const std::string &path) {
	return Lake([&] { return objstore::KeyFromUri(path); });
}

// A directory path as a key prefix: no trailing '/'.
std::string DirectoryKey(const std::string &directory) {
	auto trimmed = directory;
	while (trimmed.size() > kScheme.size() && trimmed.back() == '/') {
		trimmed.pop_back();
	}
	return trimmed.substr(kScheme.size());
}

class RemoteReadHandle : public FileHandle {
public:
	RemoteReadHandle(FileSystem &fs, const string &path, FileOpenFlags flags, std::string key_p, objstore::ObjectInfo info)
	    : FileHandle(fs, path, flags), key(std::move(key_p)), size(info.size), modified_unix_ms(info.modified_unix_ms) {
	}
	void Close() override {
	}

	std::string key;
	uint64_t size;
	int64_t modified_unix_ms;
	idx_t position = 0;
};

// Bytes go to a local file first: S3 has no appends or writes in place, and DuckDB's writers
// expect both. The object appears, whole, when the file is synced or closed.
class RemoteWriteHandle : public FileHandle {
public:
	RemoteWriteHandle(FileSystem &fs, const string &path, FileOpenFlags flags, objstore::Store &store_p, std::string key_p,
	                  std::string local_path_p)
	    : FileHandle(fs, path, flags), store(store_p), key(std::move(key_p)), local_path(std::move(local_path_p)) {
		fd = ::open(local_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			throw IOException("cannot create the upload buffer \"%s\" for \"%s\": %s", local_path, path,
			                  std::strerror(errno));
		}
	}
	~RemoteWriteHandle() override {
		// Never closed (the statement failed): nothing is uploaded.
		Discard();
	}

	void Close() override {
		if (fd < 0) {
			return;
		}
		try {
			Upload();
		} catch (...) {
			Discard();
			throw;
		}
		Discard();
	}

	void Upload() {
		if (dirty) {
			Lake([&] { store.PutFile(key, local_path); });
			dirty = false;
		}
	}

	void Discard() {
		if (fd >= 0) {
			::close(fd);
			::unlink(local_path.c_str());
			fd = -1;
		}
	}

	objstore::Store &store;
	std::string key;
	std::string local_path;
	int fd = -1;
	idx_t position = 0;
	bool dirty = true;
};

void PreadAll(int fd, char *out, uint64_t length, uint64_t offset, const std::string &path) {
	uint64_t done = 0;
	while (done < length) {
		auto n = ::pread(fd, out + done, length - done, static_cast<off_t>(offset + done));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			throw IOException("cannot read \"%s\": %s", path, n == 0 ? "past the end" : std::strerror(errno));
		}
		done += static_cast<uint64_t>(n);
	}
}

void PwriteAll(int fd, const char *data, uint64_t length, uint64_t offset, const std::string &path) {
	uint64_t done = 0;
	while (done < length) {
		auto n = ::pwrite(fd, data + done, length - done, static_cast<off_t>(offset + done));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			throw IOException("cannot write \"%s\": %s", path, std::strerror(errno));
		}
		done += static_cast<uint64_t>(n);
	}
}

} // namespace

LakeFileSystem::LakeFileSystem(objstore::Store &store_p, std::string work_directory_p, uint64_t cache_bytes)
    : store(store_p), work_directory(std::move(work_directory_p)), cache(store_p, work_directory, cache_bytes) {
	std::error_code error;
	std::filesystem::create_directories(work_directory, error);
}

LakeFileSystem::~LakeFileSystem() = default;

bool LakeFileSystem::CanHandleFile(const std::string &path) {
	return path.compare(0, kScheme.size(), kScheme) == 0;
}

unique_ptr<FileHandle> LakeFileSystem::OpenFile(const std::string &path, FileOpenFlags flags,
                                                optional_ptr<FileOpener> opener) {
	auto key = KeyOf(path);
	if (flags.OpenForWriting()) {
		if (flags.OpenForAppending()) {
			throw NotImplementedException("\"%s\": objects in the warehouse cannot be appended to", path);
		}
		auto local_path = (std::filesystem::path(work_directory) / fmt::format("upload-{}", NewUuid())).string();
		return make_uniq<RemoteWriteHandle>(*this, path, flags, store, key, local_path);
	}
	auto info = Lake([&] { return store.Head(key); });
	if (!info) {
		if (flags.ReturnNullIfNotExists()) {
			return nullptr;
		}
		throw IOException("Cannot open file \"%s\": no such object in the warehouse", path);
	}
	return make_uniq<RemoteReadHandle>(*this, path, flags, key, *info);
}

void LakeFileSystem::Read(FileHandle &handle, void *buffer, int64_t nr_bytes, idx_t location) {
	auto *out = static_cast<char *>(buffer);
	if (auto *write = dynamic_cast<RemoteWriteHandle *>(&handle)) {
		PreadAll(write->fd, out, static_cast<uint64_t>(nr_bytes), location, handle.GetPath());
		return;
	}
	auto &read = handle.Cast<RemoteReadHandle>();
	if (location + static_cast<uint64_t>(nr_bytes) > read.size) {
		throw IOException("cannot read %d bytes at %d of \"%s\": it has %d bytes", nr_bytes, location, handle.GetPath(),
		                  read.size);
	}
	Lake([&] { cache.Read(read.key, read.size, location, static_cast<uint64_t>(nr_bytes), out); });
}

int64_t LakeFileSystem::Read(FileHandle &handle, void *buffer, int64_t nr_bytes) {
	if (auto *write = dynamic_cast<RemoteWriteHandle *>(&handle)) {
		Read(handle, buffer, nr_bytes, write->position);
		write->position += static_cast<idx_t>(nr_bytes);
		return nr_bytes;
	}
	auto &read = handle.Cast<RemoteReadHandle>();
	auto count = std::min<int64_t>(nr_bytes, static_cast<int64_t>(read.size - std::min<uint64_t>(read.position, read.size)));
	Read(handle, buffer, count, read.position);
	read.position += static_cast<idx_t>(count);
	return count;
}

void LakeFileSystem::Write(FileHandle &handle, void *buffer, int64_t nr_bytes, idx_t location) {
	auto *write = dynamic_cast<RemoteWriteHandle *>(&handle);
	if (!write) {
		throw IOException("\"%s\" was opened for reading", handle.GetPath());
	}
	PwriteAll(write->fd, static_cast<const char *>(buffer), static_cast<uint64_t>(nr_bytes), location, handle.GetPath());
	write->dirty = true;
}

int64_t LakeFileSystem::Write(FileHandle &handle, void *buffer, int64_t nr_bytes) {
	auto *write = dynamic_cast<RemoteWriteHandle *>(&handle);
	if (!write) {
		throw IOException("\"%s\" was opened for reading", handle.GetPath());
	}
	Write(handle, buffer, nr_bytes, write->position);
	write->position += static_cast<idx_t>(nr_bytes);
	return nr_bytes;
}

int64_t LakeFileSystem::GetFileSize(FileHandle &handle) {
	if (auto *write = dynamic_cast<RemoteWriteHandle *>(&handle)) {
		auto size = ::lseek(write->fd, 0, SEEK_END);
		return size < 0 ? -1 : static_cast<int64_t>(size);
	}
	return static_cast<int64_t>(handle.Cast<RemoteReadHandle>().size);
}

timestamp_t LakeFileSystem::GetLastModifiedTime(FileHandle &handle) {
	if (auto *read = dynamic_cast<RemoteReadHandle *>(&handle)) {
		return Timestamp::FromEpochMs(read->modified_unix_ms);
	}
	return Timestamp::GetCurrentTimestamp();
}

FileType LakeFileSystem::GetFileType(FileHandle &handle) {
	return FileType::FILE_TYPE_REGULAR;
}

void LakeFileSystem::Truncate(FileHandle &handle, int64_t new_size) {
	auto *write = dynamic_cast<RemoteWriteHandle *>(&handle);
	if (!write || ::ftruncate(write->fd, new_size) != 0) {
		throw IOException("cannot truncate \"%s\"", handle.GetPath());
	}
	write->dirty = true;
}

void LakeFileSystem::FileSync(FileHandle &handle) {
	if (auto *write = dynamic_cast<RemoteWriteHandle *>(&handle)) {
		write->Upload();
	}
}

void LakeFileSystem::Seek(FileHandle &handle, idx_t location) {
	if (auto *write = dynamic_cast<RemoteWriteHandle *>(&handle)) {
		write->position = location;
	} else {
		handle.Cast<RemoteReadHandle>().position = location;
	}
}

idx_t LakeFileSystem::SeekPosition(FileHandle &handle) {
	if (auto *write = dynamic_cast<RemoteWriteHandle *>(&handle)) {
		return write->position;
	}
	return handle.Cast<RemoteReadHandle>().position;
}

bool LakeFileSystem::FileExists(const std::string &filename, optional_ptr<FileOpener> opener) {
	std::string key;
	try {
		key = objstore::KeyFromUri(filename);
	} catch (const akko::Error &) {
		return false; // "s3://bucket/dir/" and the like name no object
	}
	return Lake([&] { return store.Head(key).has_value(); });
}

void LakeFileSystem::RemoveFile(const std::string &filename, optional_ptr<FileOpener> opener) {
	auto key = KeyOf(filename);
	if (!Lake([&] { return store.Delete(key); })) {
		throw IOException("Could not remove file \"%s\": no such object", filename);
	}
}

bool LakeFileSystem::TryRemoveFile(const std::string &filename, optional_ptr<FileOpener> opener) {
	auto key = KeyOf(filename);
	return Lake([&] { return store.Delete(key); });
}

void LakeFileSystem::MoveFile(const std::string &source, const std::string &target, optional_ptr<FileOpener> opener) {
	// S3 has no rename: copy, then delete. Not atomic, which is why the lake never relies on it.
	auto from = KeyOf(source);
	auto to = KeyOf(target);
	Lake([&] {
		store.Put(to, store.Get(from));
		store.Delete(from);
	});
}

bool LakeFileSystem::DirectoryExists(const std::string &directory, optional_ptr<FileOpener> opener) {
	// Creating a directory costs nothing here, so "no" is a cheap answer for one not created in
	// this process (DuckDB then creates it); a listing to find out could cost many requests.
	std::lock_guard<std::mutex> guard(directories_lock);
	return directories.count(DirectoryKey(directory)) > 0;
}

void LakeFileSystem::CreateDirectory(const std::string &directory, optional_ptr<FileOpener> opener) {
	std::lock_guard<std::mutex> guard(directories_lock);
	directories.insert(DirectoryKey(directory));
}

void LakeFileSystem::CreateDirectoriesRecursive(const std::string &path, optional_ptr<FileOpener> opener) {
	CreateDirectory(path, opener);
}

void LakeFileSystem::RemoveDirectory(const std::string &directory, optional_ptr<FileOpener> opener) {
	auto prefix = DirectoryKey(directory) + "/";
	Lake([&] {
		for (auto &object : store.List(prefix)) {
			store.Delete(object.key);
		}
	});
	std::lock_guard<std::mutex> guard(directories_lock);
	directories.erase(DirectoryKey(directory));
}

bool LakeFileSystem::ListFiles(const std::string &directory, const std::function<void(const std::string &, bool)> &callback,
                               FileOpener *opener) {
	auto prefix = DirectoryKey(directory) + "/";
	auto objects = Lake([&] { return store.List(prefix); });
	std::string last_directory;
	for (auto &object : objects) {
		auto rest = std::string_view(object.key).substr(prefix.size());
		auto slash = rest.find('/');
		if (slash == std::string_view::npos) {
			callback(std::string(rest), false);
		} else if (rest.substr(0, slash) != last_directory) {
			// Keys come sorted, so a directory's objects are adjacent: each is named once.
			last_directory = std::string(rest.substr(0, slash));
			callback(last_directory, true);
		}
	}
	return !objects.empty() || DirectoryExists(directory, nullptr);
}

vector<OpenFileInfo> LakeFileSystem::Glob(const std::string &path, FileOpener *opener) {
	vector<OpenFileInfo> result;
	if (!HasGlob(path)) {
		if (FileExists(path, nullptr)) {
			result.emplace_back(path);
		}
		return result;
	}
	// List below the last directory before the first wildcard, and match whole paths.
	auto wildcard = path.find_first_of("*?[");
	auto directory = path.rfind('/', wildcard);
	if (directory == std::string::npos || directory < kScheme.size()) {
		throw IOException("cannot glob \"%s\": a bucket name cannot hold wildcards", path);
	}
	auto prefix = path.substr(kScheme.size(), directory + 1 - kScheme.size());
	auto objects = Lake([&] { return store.List(prefix); });
	for (auto &object : objects) {
		auto uri = objstore::UriFromKey(object.key);
		if (fnmatch(path.c_str(), uri.c_str(), FNM_PATHNAME) == 0) {
			result.emplace_back(uri);
		}
	}
	return result;
}

} // namespace akko::engine
