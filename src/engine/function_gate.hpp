#pragma once
// The function half of the statement gate (docs/statement-gate.md): table functions that read
// server files or reveal engine internals ask the session's AccessGuard each time they are
// bound, whichever way SQL reached them (views, macros, query(), replacement scans, CALL).
#include "engine/duckdb_internal.hpp"

#include <string>

namespace akko::engine {

// Wraps the bind of every such table function in `database`'s system catalog. Call at start-up,
// before the lake's own functions are installed and before any session connects.
void InstallFunctionGate(duckdb::DatabaseInstance &database);

// The system catalog's table function `name` (its first overload) as DuckDB registered it, for
// the lake's own reads of its files, which every reader of a table must be able to make.
duckdb::TableFunction UnguardedTableFunction(duckdb::ClientContext &context, const std::string &name);

} // namespace akko::engine
