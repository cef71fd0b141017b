#pragma once
// Private to engine/: Iceberg's metadata tables, shaped as Trino shows them. Each is a table
// function over the table as the transaction pinned it -- iceberg_snapshots('ns.orders') -- and a
// name DuckDB resolves like a table: "orders$snapshots" is a view over that function, which
// schema scans (SHOW TABLES, information_schema) never list. Kinds: snapshots, history, files,
// manifests, partitions, refs, properties, metadata_log_entries.
#include "engine/duckdb_internal.hpp"

#include <optional>
#include <string>

namespace akko::engine {

class LakeTransaction;

// The CREATE VIEW statement `name` stands for when it is "<table>$<kind>" for a table of
// `schema` and a known kind; nullopt otherwise. The statement also names the table's shape
// (uuid, schema and specs), so a view bound for one shape is never reused for another.
std::optional<std::string> MetadataTableView(LakeTransaction &transaction, const std::string &schema,
                                             const std::string &name);

// Registers iceberg_<kind>('schema.table') and iceberg_<kind>('schema', 'table') in the system
// catalog; a name without a schema is looked up in the current one.
void InstallMetadataTableFunctions(duckdb::ClientContext &context, duckdb::Catalog &system);

} // namespace akko::engine
