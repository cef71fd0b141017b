#include "objstore/local_paths.hpp"

#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/random.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

namespace akko::objstore {

bool IsReservedName(std::string_view name) {
	return name.substr(0, kReservedPrefix.size()) == kReservedPrefix;
}

bool IsValidUtf8(std::string_view text) {
	size_t i = 0;
	while (i < text.size()) {
		auto lead = static_cast<unsigned char>(text[i]);
		size_t extra = lead < 0x80 ? 0 : (lead >> 5) == 0x6 ? 1 : (lead >> 4) == 0xE ? 2 : (lead >> 3) == 0x1E ? 3 : 4;
		if (extra == 4 || i + extra >= text.size() + (extra == 0)) {
			return false;
		}
		for (size_t k = 1; k <= extra; k++) {
			if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) {
				return false;
			}
		}
		i += extra + 1;
	}
	return true;
}

void ThrowIoError(const std::string &what, const fs::path &path) {
	throw Error(ErrorCode::Internal, fmt::format("{} \"{}\": {}", what, path.string(), std::strerror(errno)));
}

void WriteAll(int fd, std::string_view data, const fs::path &path) {
	while (!data.empty()) {
		auto written = ::write(fd, data.data(), data.size());
		if (written < 0) {
			if (errno == EINTR) {
				continue;
			}
			ThrowIoError("cannot write", path);
		}
		data.remove_prefix(static_cast<size_t>(written));
	}
}

void SyncDirectory(const fs::path &directory) {
	int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ThrowIoError("cannot open directory", directory);
	}
	::fsync(fd);
	::close(fd);
}

FileIdentity IdentityOf(const struct stat &status) {
	return FileIdentity {static_cast<uint64_t>(status.st_ino), static_cast<uint64_t>(status.st_size),
	                     int64_t(status.st_mtim.tv_sec) * 1000000000 + status.st_mtim.tv_nsec};
}

fs::path StagingDirectoryFor(const fs::path &root, const fs::path &target) {
	auto relative = target.lexically_relative(root);
	auto first = relative.begin();
	if (first == relative.end() || std::next(first) == relative.end()) {
		return root / kStagingDirectory;
	}
	return root / *first / kStagingDirectory;
}

int CreateStagingFile(const fs::path &staging_directory, fs::path &path) {
	// A directory removed meanwhile (an emptied bucket deleted) is created again once.
	for (int attempt = 0;; attempt++) {
		std::error_code error;
		fs::create_directories(staging_directory, error);
		path = staging_directory / fmt::format("{}-{}", ::getpid(), Hex(RandomBytes(12)));
		int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0) {
			return fd;
		}
		if (errno != ENOENT || attempt == 3) {
			ThrowIoError("cannot create", path);
		}
	}
}

fs::path SidecarPath(const fs::path &file, uint64_t inode) {
	// Hashed so that any file name (up to 255 bytes) leaves room for the inode.
	return file.parent_path() / kSidecarDirectory / fmt::format("{}.{}", Sha256Hex(file.filename().string()), inode);
}

void RemoveSidecar(const fs::path &file, uint64_t inode) {
	::unlink(SidecarPath(file, inode).c_str());
}

bool RemoveFileAndSidecar(const fs::path &path) {
	struct stat status {};
	if (::lstat(path.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) {
		return false;
	}
	if (::unlink(path.c_str()) != 0) {
		if (errno == ENOENT) {
			return false;
		}
		ThrowIoError("cannot delete", path);
	}
	RemoveSidecar(path, status.st_ino);
	return true;
}

void RemoveStaleStagingFiles(const fs::path &root, std::chrono::seconds age) {
	auto limit = fs::file_time_type::clock::now() - age;
	std::error_code error;
	auto sweep = [&](const fs::path &staging) {
		std::error_code ignored;
		for (auto it = fs::directory_iterator(staging, ignored); !ignored && it != fs::directory_iterator();
		     it.increment(ignored)) {
			std::error_code stat_error;
			auto written = it->last_write_time(stat_error);
			if (!stat_error && written < limit) {
				fs::remove_all(it->path(), stat_error);
			}
		}
	};
	sweep(root / kStagingDirectory);
	for (auto it = fs::directory_iterator(root, error); !error && it != fs::directory_iterator(); it.increment(error)) {
		std::error_code ignored;
		if (it->is_directory(ignored) && !IsReservedName(it->path().filename().string())) {
			sweep(it->path() / kStagingDirectory);
		}
	}
}

} // namespace akko::objstore
