#pragma once
// Engine-internal. A restricted view keeps its row filter under `OFFSET 0` so that no client
// predicate runs on a hidden row (lake_access.cpp), and DuckDB pushes no filter across a limit.
// That also kept `WHERE id = 42` from reaching the scan: every restricted read scanned the whole
// table. This optimizer step copies the client's predicates that can neither fail nor call
// anything -- a column compared with a constant or parameter of its own type, IS [NOT] NULL --
// below such a barrier, where DuckDB's own pushdown takes them into the scan (file and
// row-group pruning). Predicates that may fail or have effects stay above it.
#include "engine/duckdb_internal.hpp"

#include "duckdb/optimizer/optimizer_extension.hpp"

namespace akko::engine {

// A pre-optimize step (duckdb::OptimizerExtension).
void PushDownBelowBarriers(duckdb::OptimizerExtensionInput &input, duckdb::unique_ptr<duckdb::LogicalOperator> &plan);

} // namespace akko::engine
