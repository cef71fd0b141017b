#include "objstore/s3_store.hpp"

#include "common/error.hpp"
#include "objstore/s3_xml.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <fcntl.h>
#include <fmt/format.h>
#include <functional>
#include <mutex>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace akko::objstore {

namespace {

constexpr uint64_t kMaxParts = 10000;

struct ObjectName {
	std::string bucket;
	std::string key;
};

ObjectName Split(std::string_view key) {
	ValidateKey(key);
	auto slash = key.find('/');
	if (slash == std::string_view::npos) {
		throw Error(ErrorCode::InvalidInput, fmt::format("object key \"{}\" names a bucket but no object in it", key));
	}
	return ObjectName {std::string(key.substr(0, slash)), std::string(key.substr(slash + 1))};
}

int64_t HttpDateMillis(const std::string &text) {
	std::tm tm {};
	auto end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
	return end ? static_cast<int64_t>(timegm(&tm)) * 1000 : 0;
}

// Reads `length` bytes at `offset` of the object being uploaded; called from several threads.
using PartReader = std::function<std::string(uint64_t offset, uint64_t length)>;

class FileDescriptor {
public:
	explicit FileDescriptor(const std::string &path) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
		if (fd < 0) {
			throw Error(ErrorCode::Internal, fmt::format("cannot open \"{}\": {}", path, std::strerror(errno)));
		}
	}
	~FileDescriptor() {
		::close(fd);
	}
	uint64_t Size(const std::string &path) const {
		struct stat status {};
		if (::fstat(fd, &status) != 0) {
			throw Error(ErrorCode::Internal, fmt::format("cannot stat \"{}\": {}", path, std::strerror(errno)));
		}
		return static_cast<uint64_t>(status.st_size);
	}
	std::string Read(const std::string &path, uint64_t offset, uint64_t length) const {
		std::string data(length, '\0');
		uint64_t done = 0;
		while (done < length) {
			auto n = ::pread(fd, data.data() + done, length - done, static_cast<off_t>(offset + done));
			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n <= 0) {
				throw Error(ErrorCode::Internal, fmt::format("cannot read \"{}\": {}", path,
				                                             n == 0 ? "unexpected end of file" : std::strerror(errno)));
			}
			done += static_cast<uint64_t>(n);
		}
		return data;
	}

	int fd;
};

class S3Store : public Store {
public:
	explicit S3Store(S3StoreOptions options_p) : options(std::move(options_p)), client(options.client) {
	}

	void Put(std::string_view key, std::string_view data) override {
		auto name = Split(key);
		if (data.size() > options.multipart_threshold) {
			Multipart(name, key, data.size(),
			          [&](uint64_t offset, uint64_t length) { return std::string(data.substr(offset, length)); });
			return;
		}
		client.Call(S3Request {"PUT", name.bucket, name.key, {}, {}, data}, What("PUT", key));
	}

	void PutFile(std::string_view key, const std::string &path) override {
		auto name = Split(key);
		FileDescriptor file(path);
		auto size = file.Size(path);
		if (size > options.multipart_threshold) {
			Multipart(name, key, size, [&](uint64_t offset, uint64_t length) { return file.Read(path, offset, length); });
			return;
		}
		auto data = file.Read(path, 0, size);
		client.Call(S3Request {"PUT", name.bucket, name.key, {}, {}, data}, What("PUT", key));
	}

	std::string Get(std::string_view key, const ByteRange &range) override {
		auto name = Split(key);
		if (range.length && *range.length == 0) {
			if (!Head(key)) {
				throw NotFound(key);
			}
			return std::string();
		}
		S3Request request {"GET", name.bucket, name.key, {}, {}, {}};
		if (range.offset > 0 || range.length) {
			auto last = range.length ? std::to_string(range.offset + *range.length - 1) : std::string();
			request.headers.emplace_back("range", fmt::format("bytes={}-{}", range.offset, last));
		}
		auto response = client.Send(request);
		if (response.status == 416) {
			// The object exists but the range starts at or past its end: clamped, nothing.
			return std::string();
		}
		if (response.status == 404) {
			throw NotFound(key);
		}
		if (response.status != 200 && response.status != 206) {
			ThrowS3Error(response, What("GET", key));
		}
		return std::move(response.body);
	}

	std::optional<ObjectInfo> Head(std::string_view key) override {
		auto name = Split(key);
		auto response = client.Send(S3Request {"HEAD", name.bucket, name.key, {}, {}, {}});
		if (response.status == 404) {
			return std::nullopt;
		}
		if (response.status != 200) {
			ThrowS3Error(response, What("HEAD", key));
		}
		ObjectInfo info;
		info.key = std::string(key);
		info.size = std::stoull(response.Header("content-length").empty() ? "0" : response.Header("content-length"));
		info.modified_unix_ms = HttpDateMillis(response.Header("last-modified"));
		return info;
	}

	std::vector<ObjectInfo> List(std::string_view prefix) override {
		// A prefix without '/' can only be (a prefix of) a bucket name: list that bucket.
		auto slash = prefix.find('/');
		std::string bucket(prefix.substr(0, slash));
		std::string object_prefix(slash == std::string_view::npos ? std::string_view() : prefix.substr(slash + 1));
		std::vector<ObjectInfo> objects;
		std::string token;
		do {
			S3Request request {"GET", bucket, "", {{"list-type", "2"}, {"prefix", object_prefix}}, {}, {}};
			if (!token.empty()) {
				request.query.emplace_back("continuation-token", token);
			}
			auto response = client.Send(request);
			if (response.status == 404) {
				return objects;
			}
			if (response.status != 200) {
				ThrowS3Error(response, What("LIST", prefix));
			}
			auto page = ParseListObjectsV2(response.body);
			for (auto &object : page.objects) {
				objects.push_back(ObjectInfo {bucket + "/" + object.key, object.size, object.modified_unix_ms});
			}
			token = page.truncated ? page.next_continuation_token : std::string();
		} while (!token.empty());
		// S3 lists in UTF-8 binary order already; some S3 services do not, and callers rely on it.
		std::sort(objects.begin(), objects.end(), [](const ObjectInfo &a, const ObjectInfo &b) { return a.key < b.key; });
		return objects;
	}

	bool Delete(std::string_view key) override {
		auto name = Split(key);
		// S3 answers 204 whether or not there was an object; the caller wants to know.
		if (!Head(key)) {
			return false;
		}
		client.Call(S3Request {"DELETE", name.bucket, name.key, {}, {}, {}}, What("DELETE", key));
		return true;
	}

	// Objects are durable once PUT answers; what is left is to check that there is one (a file
	// the engine wrote is uploaded when closed, and a commit must never name a missing one).
	void Sync(std::string_view key) override {
		if (!Head(key)) {
			throw NotFound(key);
		}
	}

private:
	static std::string What(std::string_view operation, std::string_view key) {
		return fmt::format("{} \"{}\"", operation, key);
	}

	static Error NotFound(std::string_view key) {
		return Error(ErrorCode::NotFound, fmt::format("object \"{}\" does not exist", key));
	}

	void Multipart(const ObjectName &name, std::string_view key, uint64_t size, const PartReader &read) {
		auto part_size = std::max(options.part_size, (size + kMaxParts - 1) / kMaxParts);
		auto parts = (size + part_size - 1) / part_size;
		auto created = client.Call(S3Request {"POST", name.bucket, name.key, {{"uploads", ""}}, {}, {}},
		                           What("CreateMultipartUpload", key));
		auto upload_id = ParseUploadId(created.body);
		try {
			std::vector<std::string> etags(parts);
			std::atomic<uint64_t> next {0};
			std::atomic<bool> failed {false};
			std::exception_ptr failure;
			std::mutex failure_lock;
			auto work = [&] {
				while (!failed) {
					auto part = next.fetch_add(1);
					if (part >= parts) {
						return;
					}
					try {
						auto offset = part * part_size;
						auto data = read(offset, std::min(part_size, size - offset));
						auto response = client.Call(
						    S3Request {"PUT", name.bucket, name.key,
						               {{"partNumber", std::to_string(part + 1)}, {"uploadId", upload_id}}, {}, data},
						    What(fmt::format("UploadPart {}", part + 1), key));
						etags[part] = response.Header("etag");
					} catch (...) {
						std::lock_guard<std::mutex> guard(failure_lock);
						if (!failure) {
							failure = std::current_exception();
						}
						failed = true;
					}
				}
			};
			std::vector<std::thread> threads;
			auto thread_count = std::min<uint64_t>(std::max(1, options.upload_threads), parts);
			for (uint64_t i = 1; i < thread_count; i++) {
				threads.emplace_back(work);
			}
			work();
			for (auto &thread : threads) {
				thread.join();
			}
			if (failure) {
				std::rethrow_exception(failure);
			}
			auto body = CompleteMultipartUploadXml(etags);
			auto completed = client.Send(S3Request {"POST", name.bucket, name.key, {{"uploadId", upload_id}}, {}, body});
			if (completed.status == 404 && CompletedEarlier(name, etags)) {
				// A retry after the service completed the upload but its answer was lost.
				return;
			}
			if (completed.status < 200 || completed.status > 299) {
				ThrowS3Error(completed, What("CompleteMultipartUpload", key));
			}
			// S3 may answer 200 and report the failure in the body.
			if (ParseS3Error(completed.body)) {
				completed.status = 500;
				ThrowS3Error(completed, What("CompleteMultipartUpload", key));
			}
		} catch (...) {
			// The parts uploaded so far are billed storage until the upload is aborted.
			try {
				client.Send(S3Request {"DELETE", name.bucket, name.key, {{"uploadId", upload_id}}, {}, {}});
			} catch (const Error &) {
			}
			throw;
		}
	}

	// Whether the object now is the upload of these parts: its ETag is then S3's multipart ETag,
	// the MD5 of the parts' MD5s followed by "-" and their count.
	bool CompletedEarlier(const ObjectName &name, const std::vector<std::string> &etags) {
		auto expected = MultipartEtag(etags);
		if (!expected) {
			return false;
		}
		auto head = client.Send(S3Request {"HEAD", name.bucket, name.key, {}, {}, {}});
		auto actual = head.Header("etag");
		actual.erase(std::remove(actual.begin(), actual.end(), '"'), actual.end());
		return head.status == 200 && actual == *expected;
	}

	S3StoreOptions options;
	S3Client client;
};

} // namespace

std::unique_ptr<Store> OpenS3Store(S3StoreOptions options) {
	return std::make_unique<S3Store>(std::move(options));
}

} // namespace akko::objstore
