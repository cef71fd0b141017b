#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/random.hpp"
#include "objstore/bucket_store.hpp"
#include "objstore/local_paths.hpp"
#include "objstore/store.hpp"
#include "objstore/object_sidecar.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <mutex>
#include <openssl/evp.h>
#include <tuple>
#include <unistd.h>
#include <utility>

namespace akko::objstore {

namespace {

constexpr std::string_view kBucketMarker = ".akko-bucket";
constexpr std::string_view kHashedDirectory = ".akko-keys";
constexpr std::string_view kUploadsDirectory = ".akko-uploads";
constexpr std::string_view kUploadRecord = "upload";
// Listings compute the MD5 of a lake-written file without a sidecar only below this size;
// larger ones have a stand-in ETag (see docs/objstore.md), in listings, HEAD and GET alike.
constexpr uint64_t kListingMd5Limit = uint64_t(16) << 20;
constexpr size_t kCopyChunk = size_t(1) << 20;

int64_t NowMillis() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

void ValidateObjectKey(std::string_view key) {
	if (key.empty() || key.size() > 1024) {
		throw Error(ErrorCode::InvalidInput, fmt::format("object key must be 1 to 1024 bytes, not {}", key.size()));
	}
	if (key.find('\0') != std::string_view::npos) {
		throw Error(ErrorCode::InvalidInput, "object key must not contain NUL");
	}
	if (!IsValidUtf8(key)) {
		throw Error(ErrorCode::InvalidInput, "object key must be UTF-8");
	}
}

// Whether the key can be a file under its own name: plain segments a file name can hold.
bool HasNaturalPath(std::string_view key) {
	if (key.find('\\') != std::string_view::npos) {
		return false;
	}
	size_t start = 0;
	while (true) {
		auto end = key.find('/', start);
		auto segment = key.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
		if (segment.empty() || segment == "." || segment == ".." || segment.size() > 255 || IsReservedName(segment)) {
			return false;
		}
		if (end == std::string_view::npos) {
			return true;
		}
		start = end + 1;
	}
}

size_t ReadAt(int fd, uint64_t offset, char *buffer, size_t size) {
	size_t done = 0;
	while (done < size) {
		auto n = ::pread(fd, buffer + done, size - done, static_cast<off_t>(offset + done));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			throw Error(ErrorCode::Internal, fmt::format("cannot read an object: {}", std::strerror(errno)));
		}
		if (n == 0) {
			break;
		}
		done += static_cast<size_t>(n);
	}
	return done;
}

std::string Md5HexOfFile(int fd) {
	Digest md5 {Digest::Algorithm::Md5};
	std::string buffer(kCopyChunk, '\0');
	uint64_t offset = 0;
	while (auto n = ReadAt(fd, offset, buffer.data(), buffer.size())) {
		md5.Update(std::string_view(buffer.data(), n));
		offset += n;
	}
	return Hex(md5.Peek());
}

struct DirectoryEntry {
	std::string name;
	bool directory = false;
};

// The entries of a directory but reserved names and anything neither file nor directory.
std::vector<DirectoryEntry> ReadDirectory(const fs::path &directory) {
	std::vector<DirectoryEntry> entries;
	DIR *handle = ::opendir(directory.c_str());
	if (!handle) {
		return entries;
	}
	while (auto *entry = ::readdir(handle)) {
		std::string_view name = entry->d_name;
		if (name == "." || name == ".." || IsReservedName(name)) {
			continue;
		}
		auto type = entry->d_type;
		if (type == DT_UNKNOWN) {
			struct stat status {};
			if (::fstatat(::dirfd(handle), entry->d_name, &status, AT_SYMLINK_NOFOLLOW) != 0) {
				continue;
			}
			type = S_ISDIR(status.st_mode) ? DT_DIR : S_ISREG(status.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (type == DT_DIR || type == DT_REG) {
			entries.push_back(DirectoryEntry {std::string(name), type == DT_DIR});
		}
	}
	::closedir(handle);
	return entries;
}

// Walks the natural paths under one directory in binary key order: a directory's children
// sorted by name, a subdirectory as its name plus '/', which orders them as their keys.
class NaturalWalk {
public:
	NaturalWalk(const fs::path &directory, std::string key_prefix) {
		Push(directory, std::move(key_prefix));
	}

	struct Found {
		std::string key;
		fs::path path;
	};

	// The next file whose directories `descend` accepts (given as key prefixes ending in '/').
	template <class Descend>
	std::optional<Found> Next(const Descend &descend) {
		while (!stack.empty()) {
			auto &frame = stack.back();
			if (frame.next == frame.entries.size()) {
				stack.pop_back();
				continue;
			}
			auto &entry = frame.entries[frame.next++];
			auto key = frame.key_prefix + entry.name;
			auto path = frame.directory / entry.name;
			if (!entry.directory) {
				return Found {std::move(key), std::move(path)};
			}
			key += '/';
			if (descend(std::string_view(key))) {
				Push(path, std::move(key));
			}
		}
		return std::nullopt;
	}

private:
	struct Frame {
		fs::path directory;
		std::string key_prefix;
		std::vector<DirectoryEntry> entries;
		size_t next = 0;
	};

	void Push(const fs::path &directory, std::string key_prefix) {
		auto entries = ReadDirectory(directory);
		for (auto &entry : entries) {
			if (entry.directory) {
				entry.name += '/';
			}
		}
		std::sort(entries.begin(), entries.end(),
		          [](const DirectoryEntry &a, const DirectoryEntry &b) { return a.name < b.name; });
		for (auto &entry : entries) {
			if (entry.directory) {
				entry.name.pop_back();
			}
		}
		stack.push_back(Frame {directory, std::move(key_prefix), std::move(entries), 0});
	}

	std::vector<Frame> stack;
};

bool StartsWith(std::string_view text, std::string_view prefix) {
	return text.substr(0, prefix.size()) == prefix;
}

class LocalObjectReader : public ObjectReader {
public:
	LocalObjectReader(int fd_p, ObjectVersion version_p) : fd(fd_p), version(std::move(version_p)) {
		// Objects are mostly read front to back: a larger read-ahead keeps the disk busy.
		::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	~LocalObjectReader() override {
		::close(fd);
	}
	const ObjectVersion &Version() const override {
		return version;
	}
	size_t Read(uint64_t offset, char *buffer, size_t size) override {
		return ReadAt(fd, offset, buffer, size);
	}

private:
	int fd;
	ObjectVersion version;
};

// Bytes into a staging file, MD5 as they arrive; what happens on Commit is the owner's.
class StagedWriter : public ObjectWriter {
public:
	using Finish = std::function<ObjectVersion(int fd, const fs::path &staging, const std::string &md5_hex,
	                                           const ObjectAttributes &, const Check &)>;

	StagedWriter(const fs::path &staging_directory, Finish finish_p) : finish(std::move(finish_p)) {
		fd = CreateStagingFile(staging_directory, staging);
	}
	~StagedWriter() override {
		if (fd >= 0) {
			::close(fd);
			::unlink(staging.c_str());
		}
	}

	void Write(std::string_view data) override {
		if (fd < 0) {
			throw Error(ErrorCode::Internal, "write after commit");
		}
		WriteAll(fd, data, staging);
		md5.Update(data);
		size += data.size();
	}
	uint64_t Size() const override {
		return size;
	}
	std::string Md5Hex() const override {
		return Hex(md5.Peek());
	}
	ObjectVersion Commit(const ObjectAttributes &attributes, const Check &check) override {
		if (fd < 0) {
			throw Error(ErrorCode::Internal, "a writer commits once");
		}
		auto version = finish(fd, staging, Md5Hex(), attributes, check);
		::close(fd);
		fd = -1;
		return version;
	}

private:
	Finish finish;
	fs::path staging;
	int fd = -1;
	Digest md5 {Digest::Algorithm::Md5};
	uint64_t size = 0;
};

// Serializes commits to one key (and part writes to one part) within the process.
class StripedLocks {
public:
	std::mutex &For(std::string_view bucket, std::string_view name) {
		auto hash = std::hash<std::string_view> {}(bucket) * 31 + std::hash<std::string_view> {}(name);
		return stripes[hash % stripes.size()];
	}

private:
	std::array<std::mutex, 512> stripes;
};

class LocalBucketStore : public BucketStore {
public:
	explicit LocalBucketStore(fs::path root_p) : root(std::move(root_p)) {
		std::error_code error;
		fs::create_directories(root, error);
		if (error) {
			throw Error(ErrorCode::ConfigurationError,
			            fmt::format("cannot create the object store directory \"{}\": {}", root.string(), error.message()));
		}
		RemoveStaleStagingFiles(root, std::chrono::hours(1));
	}

	std::vector<BucketInfo> ListBuckets() override {
		std::vector<BucketInfo> buckets;
		for (auto &entry : ReadDirectory(root)) {
			if (entry.directory) {
				if (auto info = FindBucket(entry.name)) {
					buckets.push_back(*info);
				}
			}
		}
		std::sort(buckets.begin(), buckets.end(), [](const BucketInfo &a, const BucketInfo &b) { return a.name < b.name; });
		return buckets;
	}

	std::optional<BucketInfo> FindBucket(std::string_view bucket) override {
		try {
			ValidateBucketName(bucket);
		} catch (const Error &) {
			return std::nullopt;
		}
		auto directory = root / std::string(bucket);
		struct stat status {};
		if (::lstat(directory.c_str(), &status) != 0 || !S_ISDIR(status.st_mode)) {
			return std::nullopt;
		}
		// A directory the lake made has no marker: its own time stands for the creation.
		int64_t created = IdentityOf(status).ModifiedMillis();
		if (auto marker = ReadSmallFile(directory / kBucketMarker)) {
			try {
				created = std::stoll(*marker);
			} catch (const std::exception &) {
			}
		}
		return BucketInfo {std::string(bucket), created};
	}

	bool CreateBucket(std::string_view bucket) override {
		ValidateBucketName(bucket);
		auto directory = root / std::string(bucket);
		if (::mkdir(directory.c_str(), 0755) != 0) {
			if (errno == EEXIST && fs::is_directory(directory)) {
				return false;
			}
			ThrowIoError("cannot create bucket directory", directory);
		}
		WriteFileAtomically(directory / kStagingDirectory, directory / kBucketMarker, std::to_string(NowMillis()));
		SyncDirectory(root);
		return true;
	}

	DeleteBucketResult DeleteBucket(std::string_view bucket) override {
		if (!FindBucket(bucket)) {
			return DeleteBucketResult::NoSuchBucket;
		}
		ListRequest any;
		any.max_keys = 1;
		if (!List(bucket, any).objects.empty() || !ReadDirectory(BucketDirectory(bucket) / kUploadsDirectory).empty()) {
			return DeleteBucketResult::NotEmpty;
		}
		std::error_code error;
		fs::remove_all(BucketDirectory(bucket), error);
		if (error) {
			throw Error(ErrorCode::Internal, fmt::format("cannot delete bucket \"{}\": {}", bucket, error.message()));
		}
		SyncDirectory(root);
		return DeleteBucketResult::Deleted;
	}

	std::unique_ptr<ObjectWriter> Create(std::string_view bucket_p, std::string_view key_p) override {
		auto directory = RequireBucket(bucket_p);
		ValidateObjectKey(key_p);
		std::string bucket(bucket_p);
		std::string key(key_p);
		return std::make_unique<StagedWriter>(
		    directory / kStagingDirectory,
		    [this, directory, bucket, key](int fd, const fs::path &staging, const std::string &md5_hex,
		                                   const ObjectAttributes &attributes, const ObjectWriter::Check &check) {
			    return CommitObject(directory, bucket, key, fd, staging, md5_hex, attributes, check);
		    });
	}

	std::unique_ptr<ObjectReader> Open(std::string_view bucket, std::string_view key) override {
		auto directory = RequireBucket(bucket);
		ValidateObjectKey(key);
		auto located = Locate(directory, key);
		if (!located) {
			return nullptr;
		}
		auto version = VersionOf(*located, key, true);
		return std::make_unique<LocalObjectReader>(located->Release(), std::move(version));
	}

	std::optional<ObjectVersion> Head(std::string_view bucket, std::string_view key) override {
		auto directory = RequireBucket(bucket);
		ValidateObjectKey(key);
		auto located = Locate(directory, key);
		if (!located) {
			return std::nullopt;
		}
		return VersionOf(*located, key, true);
	}

	bool Delete(std::string_view bucket, std::string_view key) override {
		auto directory = RequireBucket(bucket);
		ValidateObjectKey(key);
		std::lock_guard<std::mutex> guard(locks.For(bucket, key));
		bool deleted = false;
		if (HasNaturalPath(key)) {
			auto path = directory / std::string(key);
			if (RemoveFileAndSidecar(path)) {
				deleted = true;
				SyncDirectory(path.parent_path());
				RemoveEmptyDirectories(path.parent_path(), directory);
			}
		}
		// A key kept under its hash while its natural path was taken: gone with the object too.
		auto hashed = HashedPath(directory, key);
		if (RemoveFileAndSidecar(hashed)) {
			deleted = true;
			SyncDirectory(hashed.parent_path());
		}
		return deleted;
	}

	ListPage List(std::string_view bucket, const ListRequest &request) override {
		auto directory = RequireBucket(bucket);
		ListPage page;
		if (request.max_keys == 0) {
			return page;
		}
		const auto &prefix = request.prefix;
		const auto &start_after = request.start_after;
		std::string last_common_prefix;

		// Natural keys live under the deepest directory the prefix names completely.
		std::optional<NaturalWalk> walk;
		auto slash = prefix.rfind('/');
		if (slash == std::string::npos) {
			walk.emplace(directory, "");
		} else if (HasNaturalPath(std::string_view(prefix).substr(0, slash))) {
			walk.emplace(directory / prefix.substr(0, slash), prefix.substr(0, slash + 1));
		}
		auto descend = [&](std::string_view key_prefix) {
			if (!StartsWith(key_prefix, prefix) && !StartsWith(prefix, key_prefix)) {
				return false;
			}
			// Every key below is at most start_after, or folded into a common prefix already given.
			if (start_after > key_prefix && !StartsWith(start_after, key_prefix)) {
				return false;
			}
			return last_common_prefix.empty() || !StartsWith(key_prefix, last_common_prefix);
		};
		auto hashed = HashedObjects(directory, prefix, start_after);
		size_t next_hashed = 0;
		std::optional<NaturalWalk::Found> natural = walk ? walk->Next(descend) : std::nullopt;

		size_t entries = 0;
		while (natural || next_hashed < hashed.size()) {
			bool take_natural =
			    natural && (next_hashed == hashed.size() || natural->key <= hashed[next_hashed].key);
			std::string key;
			std::optional<ObjectVersion> version;
			if (take_natural) {
				if (next_hashed < hashed.size() && natural->key == hashed[next_hashed].key) {
					next_hashed++; // the natural file wins (see Locate)
				}
				key = std::move(natural->key);
				auto path = std::move(natural->path);
				natural = walk->Next(descend);
				if (!StartsWith(key, prefix) || key <= start_after) {
					continue;
				}
				auto common = CommonPrefix(key, request);
				if (!common) {
					version = ListedVersion(path, key);
					if (!version) {
						continue; // deleted meanwhile
					}
				}
			} else {
				key = hashed[next_hashed].key;
				if (!CommonPrefix(key, request)) {
					version = std::move(hashed[next_hashed]);
				}
				next_hashed++;
			}
			if (version) {
				if (entries == request.max_keys) {
					page.truncated = true;
					break;
				}
				page.last = version->key;
				page.objects.push_back(std::move(*version));
				entries++;
				continue;
			}
			auto common = *CommonPrefix(key, request);
			if (common <= start_after || common == last_common_prefix) {
				continue;
			}
			if (entries == request.max_keys) {
				page.truncated = true;
				break;
			}
			last_common_prefix = common;
			page.last = common;
			page.common_prefixes.push_back(std::move(common));
			entries++;
		}
		return page;
	}

	std::string CreateUpload(std::string_view bucket, std::string_view key, const ObjectAttributes &attributes) override {
		auto directory = RequireBucket(bucket);
		ValidateObjectKey(key);
		auto upload_id = Hex(RandomBytes(16));
		auto upload = directory / kUploadsDirectory / upload_id;
		std::error_code error;
		fs::create_directories(upload, error);
		if (error) {
			throw Error(ErrorCode::Internal, fmt::format("cannot create \"{}\": {}", upload.string(), error.message()));
		}
		ObjectRecord record;
		record.key = key;
		record.attributes = attributes;
		record.initiated_unix_ms = NowMillis();
		WriteFileAtomically(directory / kStagingDirectory, upload / kUploadRecord, EncodeRecord(record));
		return upload_id;
	}

	UploadInfo FindUpload(std::string_view bucket, std::string_view key, std::string_view upload_id) override {
		auto directory = RequireBucket(bucket);
		return ReadUpload(directory, key, upload_id);
	}

	std::unique_ptr<ObjectWriter> CreatePart(std::string_view bucket_p, std::string_view key, std::string_view upload_id,
	                                         int part_number) override {
		auto directory = RequireBucket(bucket_p);
		ReadUpload(directory, key, upload_id);
		if (part_number < 1 || part_number > 10000) {
			throw Error(ErrorCode::InvalidInput, fmt::format("part number {} is not between 1 and 10000", part_number));
		}
		auto part = directory / kUploadsDirectory / std::string(upload_id) / PartName(part_number);
		std::string bucket(bucket_p);
		std::string lock_name = part.filename().string() + std::string(upload_id);
		return std::make_unique<StagedWriter>(
		    directory / kStagingDirectory,
		    [this, directory, bucket, lock_name, part](int fd, const fs::path &staging, const std::string &md5_hex,
		                                               const ObjectAttributes &, const ObjectWriter::Check &) {
			    std::lock_guard<std::mutex> guard(locks.For(bucket, lock_name));
			    auto identity = SyncAndIdentify(fd, staging);
			    ObjectRecord sidecar;
			    sidecar.etag = md5_hex;
			    sidecar.identity = identity;
			    try {
				    WriteSidecar(directory / kStagingDirectory, part, sidecar, true);
			    } catch (const Error &error) {
				    if (error.code == ErrorCode::NotFound) {
					    throw NoSuchUpload(part.parent_path().filename().string());
				    }
				    throw;
			    }
			    if (!RenameInto(staging, part, identity.inode)) {
				    RemoveSidecar(part, identity.inode);
				    throw NoSuchUpload(part.parent_path().filename().string());
			    }
			    return ObjectVersion {part.filename().string(), identity.size, identity.ModifiedMillis(), md5_hex, {}};
		    });
	}

	std::vector<PartInfo> ListParts(std::string_view bucket, std::string_view key, std::string_view upload_id) override {
		auto directory = RequireBucket(bucket);
		ReadUpload(directory, key, upload_id);
		auto upload = directory / kUploadsDirectory / std::string(upload_id);
		std::vector<PartInfo> parts;
		for (auto &entry : ReadDirectory(upload)) {
			int number = 0;
			if (entry.directory || entry.name.size() != 10 || !StartsWith(entry.name, "part-") ||
			    std::sscanf(entry.name.c_str(), "part-%05d", &number) != 1) {
				continue;
			}
			struct stat status {};
			if (::lstat((upload / entry.name).c_str(), &status) != 0) {
				continue;
			}
			auto identity = IdentityOf(status);
			if (auto sidecar = ReadSidecar(upload / entry.name, identity)) {
				parts.push_back(PartInfo {number, identity.size, sidecar->etag, identity.ModifiedMillis()});
			}
		}
		std::sort(parts.begin(), parts.end(), [](const PartInfo &a, const PartInfo &b) { return a.part_number < b.part_number; });
		return parts;
	}

	std::vector<UploadInfo> ListUploads(std::string_view bucket, std::string_view prefix) override {
		auto directory = RequireBucket(bucket);
		std::vector<UploadInfo> uploads;
		for (auto &entry : ReadDirectory(directory / kUploadsDirectory)) {
			auto bytes = ReadSmallFile(directory / kUploadsDirectory / entry.name / kUploadRecord);
			auto record = bytes ? DecodeRecord(*bytes) : std::nullopt;
			if (record && StartsWith(record->key, prefix)) {
				uploads.push_back(UploadInfo {record->key, entry.name, record->initiated_unix_ms, record->attributes});
			}
		}
		std::sort(uploads.begin(), uploads.end(), [](const UploadInfo &a, const UploadInfo &b) {
			return std::tie(a.key, a.initiated_unix_ms, a.upload_id) < std::tie(b.key, b.initiated_unix_ms, b.upload_id);
		});
		return uploads;
	}

	ObjectVersion CompleteUpload(std::string_view bucket, std::string_view key, std::string_view upload_id,
	                             const std::vector<int> &part_numbers, const ObjectWriter::Check &check) override {
		auto directory = RequireBucket(bucket);
		auto upload = ReadUpload(directory, key, upload_id);
		if (part_numbers.empty()) {
			throw Error(ErrorCode::InvalidInput, "a multipart upload is completed with one part at least");
		}
		auto upload_directory = directory / kUploadsDirectory / std::string(upload_id);
		fs::path staging;
		int fd = CreateStagingFile(directory / kStagingDirectory, staging);
		try {
			std::vector<std::string> part_etags;
			for (int number : part_numbers) {
				auto part = upload_directory / PartName(number);
				int part_fd = ::open(part.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
				struct stat status {};
				std::optional<ObjectRecord> sidecar;
				if (part_fd >= 0 && ::fstat(part_fd, &status) == 0) {
					sidecar = ReadSidecar(part, IdentityOf(status));
				}
				if (!sidecar) {
					if (part_fd >= 0) {
						::close(part_fd);
					}
					throw Error(ErrorCode::InvalidInput, fmt::format("InvalidPart: upload \"{}\" has no part {}", upload_id, number));
				}
				try {
					AppendFile(part_fd, static_cast<uint64_t>(status.st_size), fd, staging);
				} catch (...) {
					::close(part_fd);
					throw;
				}
				::close(part_fd);
				part_etags.push_back(sidecar->etag);
			}
			auto etag = MultipartEtag(part_etags);
			if (!etag) {
				throw Error(ErrorCode::Internal, fmt::format("upload \"{}\": a part's metadata holds no MD5", upload_id));
			}
			auto version = CommitObject(directory, std::string(bucket), std::string(key), fd, staging, *etag,
			                            upload.attributes, check);
			::close(fd);
			std::error_code ignored;
			fs::remove_all(upload_directory, ignored);
			return version;
		} catch (...) {
			::close(fd);
			::unlink(staging.c_str());
			throw;
		}
	}

	void AbortUpload(std::string_view bucket, std::string_view key, std::string_view upload_id) override {
		auto directory = RequireBucket(bucket);
		ReadUpload(directory, key, upload_id);
		RemoveUpload(directory / kUploadsDirectory / std::string(upload_id));
	}

	size_t AbortUploadsOlderThan(std::chrono::seconds age) override {
		auto limit = NowMillis() - std::chrono::duration_cast<std::chrono::milliseconds>(age).count();
		size_t aborted = 0;
		for (auto &bucket : ListBuckets()) {
			for (auto &upload : ListUploads(bucket.name, "")) {
				if (upload.initiated_unix_ms < limit) {
					RemoveUpload(BucketDirectory(bucket.name) / kUploadsDirectory / upload.upload_id);
					aborted++;
				}
			}
		}
		return aborted;
	}

private:
	// An open object file, wherever it was found.
	struct Located {
		fs::path path;
		int fd = -1;
		FileIdentity identity;
		std::optional<ObjectRecord> sidecar;
		bool natural = false;

		Located() = default;
		Located(Located &&other) noexcept
		    : path(std::move(other.path)), fd(std::exchange(other.fd, -1)), identity(other.identity),
		      sidecar(std::move(other.sidecar)), natural(other.natural) {
		}
		~Located() {
			if (fd >= 0) {
				::close(fd);
			}
		}
		int Release() {
			return std::exchange(fd, -1);
		}
	};

	fs::path BucketDirectory(std::string_view bucket) const {
		return root / std::string(bucket);
	}

	fs::path RequireBucket(std::string_view bucket) {
		ValidateBucketName(bucket);
		auto directory = BucketDirectory(bucket);
		struct stat status {};
		if (::lstat(directory.c_str(), &status) != 0 || !S_ISDIR(status.st_mode)) {
			throw Error(ErrorCode::NotFound, fmt::format("NoSuchBucket: bucket \"{}\" does not exist", bucket));
		}
		return directory;
	}

	static fs::path HashedPath(const fs::path &directory, std::string_view key) {
		return directory / kHashedDirectory / Sha256Hex(key);
	}

	static std::string PartName(int number) {
		return fmt::format("part-{:05d}", number);
	}

	static Error NoSuchUpload(std::string_view upload_id) {
		return Error(ErrorCode::NotFound, fmt::format("NoSuchUpload: upload \"{}\" is not in progress", upload_id));
	}

	UploadInfo ReadUpload(const fs::path &directory, std::string_view key, std::string_view upload_id) {
		// Ids are ours (32 hex digits): anything else names no upload and no path.
		bool well_formed = upload_id.size() == 32 && std::all_of(upload_id.begin(), upload_id.end(), [](char c) {
			                   return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
		                   });
		auto bytes = well_formed ? ReadSmallFile(directory / kUploadsDirectory / std::string(upload_id) / kUploadRecord)
		                         : std::nullopt;
		auto record = bytes ? DecodeRecord(*bytes) : std::nullopt;
		if (!record || record->key != key) {
			throw NoSuchUpload(upload_id);
		}
		return UploadInfo {record->key, std::string(upload_id), record->initiated_unix_ms, record->attributes};
	}

	static void RemoveUpload(const fs::path &upload) {
		// Renamed out of sight first, so a half-removed upload is never seen as one.
		fs::path doomed = upload.parent_path().parent_path() / kStagingDirectory /
		                  fmt::format("aborted-{}", upload.filename().string());
		std::error_code ignored;
		if (::rename(upload.c_str(), doomed.c_str()) == 0) {
			fs::remove_all(doomed, ignored);
		} else {
			fs::remove_all(upload, ignored);
		}
	}

	// The object `key` names: its natural file when that exists (the lake writes there), else
	// the file under its hash, which counts only with a sidecar naming this key.
	std::optional<Located> Locate(const fs::path &directory, std::string_view key) {
		Located located;
		if (HasNaturalPath(key)) {
			located.path = directory / std::string(key);
			located.natural = true;
			if (OpenRegular(located)) {
				located.sidecar = ReadSidecar(located.path, located.identity);
				return located;
			}
		}
		located.path = HashedPath(directory, key);
		located.natural = false;
		if (OpenRegular(located)) {
			located.sidecar = ReadSidecar(located.path, located.identity);
			if (located.sidecar && located.sidecar->key == key) {
				return located;
			}
		}
		return std::nullopt;
	}

	static bool OpenRegular(Located &located) {
		if (located.fd >= 0) {
			::close(located.fd);
		}
		located.fd = ::open(located.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (located.fd < 0) {
			return false;
		}
		struct stat status {};
		if (::fstat(located.fd, &status) != 0 || !S_ISREG(status.st_mode)) {
			::close(located.fd);
			located.fd = -1;
			return false;
		}
		located.identity = IdentityOf(status);
		return true;
	}

	// A file without a sidecar (the lake wrote it) gets default attributes and the MD5 of its
	// content, computed once and kept as its sidecar while the file stays as it is.
	ObjectVersion VersionOf(const Located &located, std::string_view key, bool with_attributes) {
		ObjectVersion version {std::string(key), located.identity.size, located.identity.ModifiedMillis(), {}, {}};
		if (located.sidecar) {
			version.etag = located.sidecar->etag;
			if (with_attributes) {
				version.attributes = located.sidecar->attributes;
			}
			return version;
		}
		// Large files the lake wrote keep their stand-in, so that listings, HEAD and GET agree
		// (clients send listed ETags back in If-Match).
		if (located.identity.size >= kListingMd5Limit) {
			version.etag = StandInEtag(located.identity);
			return version;
		}
		version.etag = Md5HexOfFile(located.fd);
		CacheEtag(located.path, located.fd, located.identity, key, version.etag);
		return version;
	}

	void CacheEtag(const fs::path &path, int fd, const FileIdentity &identity, std::string_view key, const std::string &etag) {
		struct stat status {};
		if (::fstat(fd, &status) != 0 || !(IdentityOf(status) == identity)) {
			return; // written meanwhile: that MD5 describes no version worth keeping
		}
		try {
			WriteSidecar(StagingDirectoryFor(root, path), path, ObjectRecord {std::string(key), etag, {}, identity, 0}, false);
		} catch (const Error &) {
			// Only a cache: the next reader computes it again.
		}
	}

	std::optional<ObjectVersion> ListedVersion(const fs::path &path, const std::string &key) {
		struct stat status {};
		if (::lstat(path.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) {
			return std::nullopt;
		}
		auto identity = IdentityOf(status);
		ObjectVersion version {key, identity.size, identity.ModifiedMillis(), {}, {}};
		if (auto sidecar = ReadSidecar(path, identity)) {
			version.etag = sidecar->etag;
			return version;
		}
		if (identity.size >= kListingMd5Limit) {
			version.etag = StandInEtag(identity);
			return version;
		}
		Located located;
		located.path = path;
		if (!OpenRegular(located)) {
			return std::nullopt;
		}
		return VersionOf(located, key, false);
	}

	// For a large lake file never read through S3: distinct per file version, and shaped like a
	// multipart ETag, which sync tools do not compare with an MD5.
	static std::string StandInEtag(const FileIdentity &identity) {
		Digest md5 {Digest::Algorithm::Md5};
		md5.Update(fmt::format("akko:{}:{}:{}", identity.inode, identity.size, identity.modified_ns));
		return Hex(md5.Peek()) + "-1";
	}

	// Objects kept under their hash whose key is in the listing's range, in key order.
	std::vector<ObjectVersion> HashedObjects(const fs::path &directory, std::string_view prefix, std::string_view start_after) {
		std::vector<ObjectVersion> objects;
		auto hashed = directory / kHashedDirectory;
		for (auto &entry : ReadDirectory(hashed)) {
			struct stat status {};
			if (entry.directory || ::lstat((hashed / entry.name).c_str(), &status) != 0) {
				continue;
			}
			auto identity = IdentityOf(status);
			auto sidecar = ReadSidecar(hashed / entry.name, identity);
			if (sidecar && StartsWith(sidecar->key, prefix) && sidecar->key > start_after) {
				objects.push_back(ObjectVersion {sidecar->key, identity.size, identity.ModifiedMillis(), sidecar->etag, {}});
			}
		}
		std::sort(objects.begin(), objects.end(), [](const ObjectVersion &a, const ObjectVersion &b) { return a.key < b.key; });
		return objects;
	}

	static std::optional<std::string> CommonPrefix(const std::string &key, const ListRequest &request) {
		if (request.delimiter.empty()) {
			return std::nullopt;
		}
		auto found = key.find(request.delimiter, request.prefix.size());
		if (found == std::string::npos) {
			return std::nullopt;
		}
		return key.substr(0, found + request.delimiter.size());
	}

	static FileIdentity SyncAndIdentify(int fd, const fs::path &staging) {
		if (::fsync(fd) != 0) {
			ThrowIoError("cannot sync", staging);
		}
		struct stat status {};
		if (::fstat(fd, &status) != 0) {
			ThrowIoError("cannot stat", staging);
		}
		return IdentityOf(status);
	}

	// Renames the staging file over `target` and drops the replaced file's sidecar. False when
	// the target's directory is gone (ENOENT) or a directory or file stands in the way.
	static bool RenameInto(const fs::path &staging, const fs::path &target, uint64_t inode) {
		struct stat replaced {};
		bool had_file = ::lstat(target.c_str(), &replaced) == 0 && S_ISREG(replaced.st_mode);
		if (::rename(staging.c_str(), target.c_str()) != 0) {
			if (errno == ENOENT || errno == EISDIR || errno == ENOTDIR || errno == ENOTEMPTY || errno == EEXIST) {
				return false;
			}
			ThrowIoError("cannot rename into", target);
		}
		if (had_file && replaced.st_ino != inode) {
			RemoveSidecar(target, replaced.st_ino);
		}
		SyncDirectory(target.parent_path());
		return true;
	}

	ObjectVersion CommitObject(const fs::path &directory, const std::string &bucket, const std::string &key, int fd,
	                           const fs::path &staging, const std::string &etag, const ObjectAttributes &attributes,
	                           const ObjectWriter::Check &check) {
		auto identity = SyncAndIdentify(fd, staging);
		std::lock_guard<std::mutex> guard(locks.For(bucket, key));
		auto current = Locate(directory, key);
		if (check) {
			check(current ? std::optional<ObjectVersion>(VersionOf(*current, key, true)) : std::nullopt);
		}
		// An object stays where it is; a new one takes its natural path when it can.
		bool natural = current ? current->natural : HasNaturalPath(key);
		current.reset();
		ObjectRecord sidecar {key, etag, attributes, identity, 0};
		for (int attempt = 0;; attempt++) {
			auto target = natural ? directory / key : HashedPath(directory, key);
			std::error_code error;
			fs::create_directories(target.parent_path(), error);
			if (error) {
				if (!natural) {
					throw Error(ErrorCode::Internal, fmt::format("cannot create \"{}\": {}", target.parent_path().string(), error.message()));
				}
				natural = false; // a prefix of the key is a file: the key goes under its hash
				continue;
			}
			try {
				WriteSidecar(directory / kStagingDirectory, target, sidecar, true);
			} catch (const Error &failure) {
				if (failure.code != ErrorCode::NotFound || attempt > 4) {
					throw;
				}
				continue; // its directory was emptied and removed meanwhile
			}
			if (RenameInto(staging, target, identity.inode)) {
				if (natural) {
					RemoveFileAndSidecar(HashedPath(directory, key));
				}
				return ObjectVersion {key, identity.size, identity.ModifiedMillis(), etag, attributes};
			}
			int error_number = errno;
			RemoveSidecar(target, identity.inode);
			if (attempt > 4) {
				errno = error_number;
				ThrowIoError("cannot rename into", target);
			}
			if (natural && error_number != ENOENT) {
				natural = false; // a directory holds the natural path
			}
		}
	}


	// Directories emptied by a delete go, up to the bucket's own: each rmdir only succeeds on an
	// empty directory, so a concurrent writer's new file keeps its directory.
	static void RemoveEmptyDirectories(fs::path directory, const fs::path &bucket_directory) {
		while (directory != bucket_directory && StartsWith(directory.native(), bucket_directory.native())) {
			::rmdir((directory / kSidecarDirectory).c_str());
			if (::rmdir(directory.c_str()) != 0) {
				return;
			}
			directory = directory.parent_path();
		}
	}

	static void AppendFile(int from, uint64_t size, int to, const fs::path &staging) {
		uint64_t done = 0;
		while (done < size) {
			auto n = ::copy_file_range(from, nullptr, to, nullptr, static_cast<size_t>(std::min<uint64_t>(size - done, 1u << 30)), 0);
			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
				// No kernel copy here: through a buffer.
				std::string buffer(kCopyChunk, '\0');
				auto offset = static_cast<uint64_t>(::lseek(from, 0, SEEK_CUR));
				while (done < size) {
					auto got = ReadAt(from, offset, buffer.data(), std::min<uint64_t>(buffer.size(), size - done));
					if (got == 0) {
						break;
					}
					WriteAll(to, std::string_view(buffer.data(), got), staging);
					offset += got;
					done += got;
				}
				break;
			}
			if (n <= 0) {
				ThrowIoError("cannot copy a part into", staging);
			}
			done += static_cast<uint64_t>(n);
		}
		if (done != size) {
			throw Error(ErrorCode::Internal, fmt::format("a part changed size while it was joined into \"{}\"", staging.string()));
		}
	}

	fs::path root;
	StripedLocks locks;
};

} // namespace

std::unique_ptr<BucketStore> OpenLocalBucketStore(const std::string &root) {
	return std::make_unique<LocalBucketStore>(fs::absolute(root).lexically_normal());
}

} // namespace akko::objstore
