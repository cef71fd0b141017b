#include "common/error.hpp"
#include "objstore/local_paths.hpp"
#include "objstore/store.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace akko::objstore {

namespace {

ObjectInfo InfoFor(std::string key, const fs::path &path) {
	struct stat status {};
	if (::stat(path.c_str(), &status) != 0) {
		ThrowIoError("cannot stat", path);
	}
	auto modified = std::chrono::seconds(status.st_mtim.tv_sec) + std::chrono::nanoseconds(status.st_mtim.tv_nsec);
	return ObjectInfo {std::move(key), static_cast<uint64_t>(status.st_size),
	                   std::chrono::duration_cast<std::chrono::milliseconds>(modified).count()};
}

class LocalStore : public Store {
public:
	explicit LocalStore(fs::path root_p) : root(std::move(root_p)) {
		std::error_code error;
		fs::create_directories(root, error);
		if (error) {
			throw Error(ErrorCode::ConfigurationError,
			            fmt::format("cannot create the object store directory \"{}\": {}", root.string(), error.message()));
		}
	}

	void Put(std::string_view key, std::string_view data) override {
		auto path = PathFor(key);
		std::error_code error;
		fs::create_directories(path.parent_path(), error);
		if (error) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("cannot store \"{}\": a prefix of it is an object ({})", key, error.message()));
		}
		fs::path temporary;
		int fd = CreateStagingFile(StagingDirectoryFor(root, path), temporary);
		try {
			WriteAll(fd, data, temporary);
			if (::fsync(fd) != 0) {
				ThrowIoError("cannot sync", temporary);
			}
		} catch (...) {
			::close(fd);
			::unlink(temporary.c_str());
			throw;
		}
		::close(fd);
		struct stat replaced {};
		bool had_object = ::lstat(path.c_str(), &replaced) == 0 && S_ISREG(replaced.st_mode);
		if (::rename(temporary.c_str(), path.c_str()) != 0) {
			::unlink(temporary.c_str());
			ThrowIoError("cannot rename into", path);
		}
		// The S3 view's metadata of the replaced file no longer describes the object.
		if (had_object) {
			RemoveSidecar(path, replaced.st_ino);
		}
		SyncDirectory(path.parent_path());
	}

	std::string Get(std::string_view key, const ByteRange &range) override {
		auto path = PathFor(key);
		int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) {
				throw Error(ErrorCode::NotFound, fmt::format("object \"{}\" does not exist", key));
			}
			ThrowIoError("cannot open", path);
		}
		struct stat status {};
		::fstat(fd, &status);
		if (S_ISDIR(status.st_mode)) {
			::close(fd);
			throw Error(ErrorCode::NotFound, fmt::format("object \"{}\" does not exist", key));
		}
		auto size = static_cast<uint64_t>(status.st_size);
		auto offset = std::min(range.offset, size);
		auto length = std::min(range.length.value_or(size - offset), size - offset);
		std::string data(length, '\0');
		size_t done = 0;
		while (done < length) {
			auto n = ::pread(fd, data.data() + done, length - done, static_cast<off_t>(offset + done));
			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n <= 0) {
				::close(fd);
				ThrowIoError("cannot read", path);
			}
			done += static_cast<size_t>(n);
		}
		::close(fd);
		return data;
	}

	std::optional<ObjectInfo> Head(std::string_view key) override {
		auto path = PathFor(key);
		std::error_code error;
		if (!fs::is_regular_file(path, error)) {
			return std::nullopt;
		}
		return InfoFor(std::string(key), path);
	}

	std::vector<ObjectInfo> List(std::string_view prefix) override {
		std::vector<ObjectInfo> objects;
		// Walk only the deepest directory the prefix names completely.
		auto slash = prefix.rfind('/');
		auto start = root;
		if (slash != std::string_view::npos) {
			auto directory = prefix.substr(0, slash);
			ValidateKey(directory);
			start = root / std::string(directory);
		}
		std::error_code error;
		if (!fs::is_directory(start, error)) {
			return objects;
		}
		for (auto it = fs::recursive_directory_iterator(start, error); !error && it != fs::recursive_directory_iterator();
		     it.increment(error)) {
			if (IsReservedName(it->path().filename().string())) {
				it.disable_recursion_pending();
				continue;
			}
			if (!it->is_regular_file()) {
				continue;
			}
			auto key = it->path().lexically_relative(root).generic_string();
			if (key.compare(0, prefix.size(), prefix) == 0) {
				objects.push_back(InfoFor(std::move(key), it->path()));
			}
		}
		std::sort(objects.begin(), objects.end(), [](const ObjectInfo &a, const ObjectInfo &b) { return a.key < b.key; });
		return objects;
	}

	bool Delete(std::string_view key) override {
		auto path = PathFor(key);
		if (!RemoveFileAndSidecar(path)) {
			return false;
		}
		SyncDirectory(path.parent_path());
		return true;
	}

	std::optional<std::string> LocalPath(std::string_view key) override {
		return PathFor(key).string();
	}

	void Sync(std::string_view key) override {
		auto path = PathFor(key);
		int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			throw Error(ErrorCode::NotFound, fmt::format("object \"{}\" does not exist", key));
		}
		int rc = ::fsync(fd);
		::close(fd);
		if (rc != 0) {
			throw Error(ErrorCode::Internal, fmt::format("cannot sync object \"{}\": {}", key, std::strerror(errno)));
		}
		SyncDirectory(path.parent_path());
	}

private:
	fs::path PathFor(std::string_view key) const {
		ValidateKey(key);
		return root / std::string(key);
	}

	fs::path root;
};

} // namespace

void ValidateKey(std::string_view key) {
	if (key.empty() || key.size() > 1024) {
		throw Error(ErrorCode::InvalidInput, fmt::format("object key must be 1 to 1024 bytes, not {}", key.size()));
	}
	if (key.find('\0') != std::string_view::npos || key.find('\\') != std::string_view::npos) {
		throw Error(ErrorCode::InvalidInput, "object key must not contain NUL or backslash");
	}
	if (!IsValidUtf8(key)) {
		throw Error(ErrorCode::InvalidInput, "object key must be UTF-8");
	}
	size_t start = 0;
	while (start <= key.size()) {
		auto end = key.find('/', start);
		auto segment = key.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
		if (segment.empty() || segment == "." || segment == ".." || IsReservedName(segment)) {
			throw Error(ErrorCode::InvalidInput, fmt::format("object key \"{}\" has an empty, \".\", \"..\" or reserved segment", key));
		}
		if (end == std::string_view::npos) {
			break;
		}
		start = end + 1;
	}
}

std::string KeyFromUri(std::string_view uri) {
	// Hadoop's s3a:// and s3n:// name the same objects as s3:// (Spark writes them).
	for (std::string_view scheme : {"s3://", "s3a://", "s3n://"}) {
		if (uri.substr(0, scheme.size()) == scheme) {
			std::string key(uri.substr(scheme.size()));
			ValidateKey(key);
			return key;
		}
	}
	throw Error(ErrorCode::InvalidInput, fmt::format("\"{}\" is not an s3:// URI", uri));
}

std::string UriFromKey(std::string_view key) {
	return fmt::format("s3://{}", key);
}

std::unique_ptr<Store> OpenLocalStore(const std::string &root) {
	auto store = std::make_unique<LocalStore>(fs::absolute(root).lexically_normal());
	RemoveStaleStagingFiles(fs::absolute(root).lexically_normal(), std::chrono::hours(1));
	return store;
}

} // namespace akko::objstore
