#pragma once
// Engine-internal. Data lives in the lake, where grants, filters and masks apply. The engine's
// own database (its DuckDB file) and any database an admin attached are outside it: a
// principal who is not a superuser may neither read nor write tables there, nor create or drop
// anything in them, whatever name reaches them (`akko.main.t`, a view, a CTAS). Temporary
// objects stay the session's own. Checked on the bound plan of every statement, before DuckDB
// optimizes it.
#include "engine/duckdb_internal.hpp"

#include "duckdb/optimizer/optimizer_extension.hpp"

namespace akko::engine {

// A pre-optimize step (duckdb::OptimizerExtension).
void RefuseOutsideLake(duckdb::OptimizerExtensionInput &input, duckdb::unique_ptr<duckdb::LogicalOperator> &plan);

} // namespace akko::engine
