#pragma once
// What `akko serve` and `akko maintenance` open the same way, so both processes commit
// through the same catalog pointers and see the same files.
#include "objstore/store.hpp"

#include <CLI/CLI.hpp>
#include <map>
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

// --config and a flag per configuration setting (docs/configuration.md), the same for every
// command that opens the lake.
void AddConfigOptions(CLI::App &command, std::map<std::string, std::string> &flags, std::string &config_file);

// The configured metastore (SQLite in `data_dir` or PostgreSQL) and warehouse (local or S3).
LakeBackends OpenLakeBackends(const Config &config, const std::string &data_dir);

// The bucket the warehouse's tables live in ("akko-warehouse" for the embedded default).
std::string WarehouseBucket(const LakeBackends &backends);

// The engine settings that attach `lake` as the default catalog, with the configured limits.
void ConfigureLakeEngine(engine::EngineOptions &options, const Config &config, catalog::CatalogService &lake,
                         const LakeBackends &backends);

} // namespace akko::cli
