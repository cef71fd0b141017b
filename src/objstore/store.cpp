#include "objstore/store.hpp"

#include "common/config.hpp"
#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "objstore/s3_store.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace akko::objstore {

void Store::PutFile(std::string_view key, const std::string &path) {
	std::ifstream in(path, std::ios::binary);
	std::ostringstream data;
	data << in.rdbuf();
	if (!in) {
		throw Error(ErrorCode::Internal, fmt::format("cannot read \"{}\"", path));
	}
	Put(key, data.str());
}

std::optional<std::string> MultipartEtag(const std::vector<std::string> &part_etags) {
	Digest digests {Digest::Algorithm::Md5};
	for (auto etag : part_etags) {
		std::erase(etag, '"');
		auto digest = Unhex(etag);
		if (!digest || digest->size() != 16) {
			return std::nullopt;
		}
		digests.Update(*digest);
	}
	return fmt::format("{}-{}", Hex(digests.Finish()), part_etags.size());
}

Warehouse OpenWarehouse(const Config &config, const std::string &data_dir) {
	// A local directory keeps the embedded layout (bucket akko-warehouse under it), so servers
	// on one machine or one network file system can share it.
	std::string_view location = config.warehouse;
	if (location.empty() || location.front() == '/' || location.rfind("file://", 0) == 0) {
		std::filesystem::path root = std::filesystem::path(data_dir) / "objects";
		if (!location.empty()) {
			root = location.rfind("file://", 0) == 0 ? location.substr(7) : location;
		}
		if (root.is_relative()) {
			throw Error(ErrorCode::ConfigurationError,
			            fmt::format("warehouse \"{}\": a local directory must be an absolute path", config.warehouse));
		}
		return Warehouse {OpenLocalStore(root.string()), "s3://akko-warehouse/", root.string()};
	}
	if (location.rfind("s3://", 0) != 0 || location.size() <= 5) {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("warehouse \"{}\" must be s3://bucket[/prefix] or an absolute local directory", config.warehouse));
	}
	while (location.size() > 5 && location.back() == '/') {
		location.remove_suffix(1);
	}
	auto key = KeyFromUri(location);
	auto bucket = key.substr(0, key.find('/'));
	if (config.s3_endpoint.empty()) {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("warehouse \"{}\" is on S3: s3_endpoint must name the service", config.warehouse));
	}
	if (config.s3_addressing != "path" && config.s3_addressing != "virtual") {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("s3_addressing must be \"path\" or \"virtual\", not \"{}\"", config.s3_addressing));
	}
	S3StoreOptions options;
	options.client.endpoint = config.s3_endpoint;
	options.client.region = config.s3_region;
	options.client.access_key_id = config.s3_access_key_id;
	options.client.secret_access_key = config.s3_secret_access_key;
	options.client.virtual_host = config.s3_addressing == "virtual";
	S3Client probe(options.client);
	auto response = probe.Send(S3Request {"HEAD", bucket, "", {}, {}, {}});
	if (response.status == 404) {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("warehouse bucket \"{}\" does not exist at {}", bucket, config.s3_endpoint));
	}
	if (response.status != 200) {
		try {
			ThrowS3Error(response, fmt::format("HEAD bucket \"{}\"", bucket));
		} catch (const Error &error) {
			throw Error(ErrorCode::ConfigurationError, fmt::format("warehouse {}: {}", config.warehouse, error.message));
		}
	}
	return Warehouse {OpenS3Store(std::move(options)), UriFromKey(key) + "/", ""};
}

} // namespace akko::objstore
