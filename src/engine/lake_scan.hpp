#pragma once
// Private to engine/: scanning a lake table. DuckDB's parquet scan, given our file list (the
// snapshot's files plus the transaction's own, each with its deletes) and our MultiFileReader
// (columns matched by field id, the table's schema rather than a file's, deletes applied).
// Filters the optimizer pushes down become Iceberg predicates, and PlanScan prunes manifests,
// partitions and files with them.
#include "engine/duckdb_internal.hpp"

#include "iceberg/table_metadata.hpp"

namespace akko::engine {

class LakeTableEntry;

// The snapshot `at` names (AT (VERSION => id) or AT (TIMESTAMP => t)), else the current one;
// null for a table without snapshots.
const iceberg::Snapshot *ResolveSnapshot(const iceberg::TableMetadata &metadata,
                                         duckdb::optional_ptr<duckdb::BoundAtClause> at);

duckdb::TableFunction LakeScanFunction(duckdb::ClientContext &context, LakeTableEntry &table,
                                       duckdb::unique_ptr<duckdb::FunctionData> &bind_data,
                                       duckdb::optional_ptr<duckdb::BoundAtClause> at);

} // namespace akko::engine
