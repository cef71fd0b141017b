#include "cli/lake_backends.hpp"

#include "common/config.hpp"
#include "engine/engine.hpp"
#include "metastore/metastore.hpp"

namespace akko::cli {

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
