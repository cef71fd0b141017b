#pragma once
// What `akko serve` and `akko maintenance` open the same way, so both processes commit
// through the same catalog pointers and see the same files.
#include "objstore/store.hpp"

#include <memory>
#include <string>

namespace akko {
struct Config;
}
namespace akko::metastore {
class Metastore;
}
namespace akko::engine {
struct EngineOptions;
}
namespace akko::catalog {
class CatalogService;
}

namespace akko::cli {

struct LakeBackends {
	std::unique_ptr<metastore::Metastore> metastore;
	objstore::Warehouse warehouse;
};

// The configured metastore (SQLite in `data_dir` or PostgreSQL) and warehouse (local or S3).
LakeBackends OpenLakeBackends(const Config &config, const std::string &data_dir);

// The engine settings that attach `lake` as the default catalog, with the configured limits.
void ConfigureLakeEngine(engine::EngineOptions &options, const Config &config, catalog::CatalogService &lake,
                         const LakeBackends &backends);

} // namespace akko::cli
