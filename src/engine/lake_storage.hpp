#pragma once
// Private to engine/: the storage extension that attaches the lake: after RegisterLakeStorage,
// `ATTACH '' AS iceberg (TYPE akko_lake)` makes the CatalogService's namespaces and tables a
// DuckDB catalog, and registers LakeFileSystem for the warehouse's s3:// files with a cache of
// `remote_cache_bytes` in the engine's temporary directory.
#include "engine/duckdb_internal.hpp"

#include "catalog/catalog_service.hpp"

namespace akko::engine {

void RegisterLakeStorage(duckdb::DBConfig &config, catalog::CatalogService &service, const std::string &warehouse,
                         uint64_t remote_cache_bytes);

} // namespace akko::engine
