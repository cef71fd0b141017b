#include "objstore/object_sidecar.hpp"

#include "common/error.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace akko::objstore {

namespace {

using nlohmann::json;

json MapToJson(const std::map<std::string, std::string> &map) {
	json out = json::object();
	for (auto &[name, value] : map) {
		out[name] = value;
	}
	return out;
}

std::map<std::string, std::string> MapFromJson(const json &value) {
	std::map<std::string, std::string> out;
	if (value.is_object()) {
		for (auto &[name, item] : value.items()) {
			if (item.is_string()) {
				out[name] = item.get<std::string>();
			}
		}
	}
	return out;
}

// Writes `data` to a new staging file and renames it to `path`; false (nothing left behind)
// when the directory of `path` does not exist.
bool WriteAndRename(const fs::path &staging_directory, const fs::path &path, std::string_view data, bool durable) {
	fs::path staging;
	int fd = CreateStagingFile(staging_directory, staging);
	try {
		WriteAll(fd, data, staging);
		if (durable && ::fsync(fd) != 0) {
			ThrowIoError("cannot sync", staging);
		}
	} catch (...) {
		::close(fd);
		::unlink(staging.c_str());
		throw;
	}
	::close(fd);
	if (::rename(staging.c_str(), path.c_str()) != 0) {
		int error = errno;
		::unlink(staging.c_str());
		if (error == ENOENT) {
			return false;
		}
		errno = error;
		ThrowIoError("cannot rename into", path);
	}
	if (durable) {
		SyncDirectory(path.parent_path());
	}
	return true;
}

} // namespace

std::string EncodeRecord(const ObjectRecord &record) {
	json value = {
	    {"key", record.key},
	    {"etag", record.etag},
	    {"inode", record.identity.inode},
	    {"size", record.identity.size},
	    {"modified_ns", record.identity.modified_ns},
	    {"initiated_ms", record.initiated_unix_ms},
	    {"content_headers", MapToJson(record.attributes.content_headers)},
	    {"user_metadata", MapToJson(record.attributes.user_metadata)},
	    {"checksums", MapToJson(record.attributes.checksums)},
	};
	auto bytes = json::to_cbor(value);
	return std::string(bytes.begin(), bytes.end());
}

std::optional<ObjectRecord> DecodeRecord(std::string_view bytes) {
	auto value = json::from_cbor(bytes.begin(), bytes.end(), true, false);
	if (value.is_discarded() || !value.is_object()) {
		return std::nullopt;
	}
	try {
		ObjectRecord record;
		record.key = value.at("key").get<std::string>();
		record.etag = value.at("etag").get<std::string>();
		record.identity.inode = value.at("inode").get<uint64_t>();
		record.identity.size = value.at("size").get<uint64_t>();
		record.identity.modified_ns = value.at("modified_ns").get<int64_t>();
		record.initiated_unix_ms = value.at("initiated_ms").get<int64_t>();
		record.attributes.content_headers = MapFromJson(value.at("content_headers"));
		record.attributes.user_metadata = MapFromJson(value.at("user_metadata"));
		record.attributes.checksums = MapFromJson(value.at("checksums"));
		return record;
	} catch (const json::exception &) {
		return std::nullopt;
	}
}

std::optional<std::string> ReadSmallFile(const fs::path &path) {
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		return std::nullopt;
	}
	std::string data;
	char buffer[8192];
	while (true) {
		auto n = ::read(fd, buffer, sizeof(buffer));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			::close(fd);
			return n < 0 ? std::nullopt : std::optional<std::string>(std::move(data));
		}
		data.append(buffer, static_cast<size_t>(n));
	}
}

std::optional<ObjectRecord> ReadSidecar(const fs::path &file, const FileIdentity &identity) {
	auto bytes = ReadSmallFile(SidecarPath(file, identity.inode));
	if (!bytes) {
		return std::nullopt;
	}
	auto record = DecodeRecord(*bytes);
	if (!record || !(record->identity == identity)) {
		return std::nullopt;
	}
	return record;
}

void WriteSidecar(const fs::path &staging_directory, const fs::path &file, const ObjectRecord &sidecar, bool durable) {
	auto path = SidecarPath(file, sidecar.identity.inode);
	auto data = EncodeRecord(sidecar);
	// The sidecar directory may be removed by a delete emptying the directory meanwhile: again.
	for (int attempt = 0; attempt < 4; attempt++) {
		if (::mkdir(path.parent_path().c_str(), 0755) != 0 && errno != EEXIST) {
			if (errno == ENOENT) {
				throw Error(ErrorCode::NotFound, fmt::format("directory \"{}\" does not exist", file.parent_path().string()));
			}
			ThrowIoError("cannot create", path.parent_path());
		}
		if (WriteAndRename(staging_directory, path, data, durable)) {
			return;
		}
	}
	throw Error(ErrorCode::Internal, fmt::format("cannot write \"{}\": its directory keeps disappearing", path.string()));
}

void WriteFileAtomically(const fs::path &staging_directory, const fs::path &path, std::string_view data) {
	if (!WriteAndRename(staging_directory, path, data, true)) {
		throw Error(ErrorCode::NotFound, fmt::format("directory \"{}\" does not exist", path.parent_path().string()));
	}
}

} // namespace akko::objstore
