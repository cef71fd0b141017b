#pragma once
// Private to engine/: the storage extension that attaches the lake: after RegisterLakeStorage,
// `ATTACH '' AS iceberg (TYPE akko_lake)` makes the CatalogService's namespaces and tables a
// DuckDB catalog.
#include "engine/duckdb_internal.hpp"

#include "catalog/catalog_service.hpp"

namespace akko::engine {

void RegisterLakeStorage(duckdb::DBConfig &config, catalog::CatalogService &service, const std::string &warehouse);

} // namespace akko::engine
