#pragma once
// Engine-internal. A restricted view keeps its row filter under `OFFSET 0` so that no client
// predicate runs on a hidden row (lake_access.cpp), and DuckDB pushes no filter across a limit.
// That also kept `WHERE id = 42` from reaching the scan: every restricted read scanned the whole
// table. This optimizer step copies the client's predicates that can neither fail nor call
// anything -- a column compared with a constant or parameter of its own type, IS [NOT] NULL --
// below such a barrier, where DuckDB's own pushdown takes them into the scan (file and
// row-group pruning). Predicates that may fail or have effects stay above it.
#include "engine/duckdb_internal.hpp"

namespace akko::engine {

void InstallBarrierPushdown(duckdb::DatabaseInstance &database);

} // namespace akko::engine
