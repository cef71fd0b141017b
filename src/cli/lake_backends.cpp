#include "cli/lake_backends.hpp"

#include "common/config.hpp"
#include "engine/engine.hpp"
#include "metastore/metastore.hpp"

#include <fmt/format.h>

namespace akko::cli {

void AddConfigOptions(CLI::App &command, std::map<std::string, std::string> &flags, std::string &config_file) {
	command.add_option("--config", config_file, "akko.yaml to read (default: ./akko.yaml when present)");
	for (auto &setting : ConfigSettings()) {
		auto key = setting.key;
		command.add_option_function<std::string>(
		    setting.Flag(), [&flags, key](const std::string &value) { flags[key] = value; },
		    fmt::format("{} [env {}]", setting.help, setting.EnvironmentName()));
	}
}

std::string WarehouseBucket(const LakeBackends &backends) {
	auto &uri = backends.warehouse.uri;
	auto key = objstore::KeyFromUri(uri.substr(0, uri.size() - 1));
	return key.substr(0, key.find('/'));
}

LakeBackends OpenLakeBackends(const Config &config, const std::string &data_dir) {
	LakeBackends backends;
	backends.metastore = metastore::OpenMetastore(config.metastore, data_dir);
	backends.warehouse = objstore::OpenWarehouse(config, data_dir);
	return backends;
}

void ConfigureLakeEngine(engine::EngineOptions &options, const Config &config, catalog::CatalogService &lake,
                         const LakeBackends &backends) {
	options.threads = config.engine_threads;
	options.memory_limit = config.memory_limit;
	options.lake = &lake;
	options.warehouse = backends.warehouse.uri;
	options.remote_cache_size = config.s3_cache_size;
}

} // namespace akko::cli
