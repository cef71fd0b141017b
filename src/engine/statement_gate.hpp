#pragma once
// The statement half of the statement gate (docs/statement-gate.md): statements that reach
// outside the catalog (ATTACH, INSTALL/LOAD, COPY to or from paths, EXPORT/IMPORT DATABASE,
// secrets, engine SET/PRAGMA, ...) are refused before DuckDB binds or runs anything.
#include "engine/duckdb_internal.hpp"
#include "engine/session_access.hpp"

#include <string>
#include <vector>

namespace akko::engine {

// Throws akko::Error (permission_denied, from the session's AccessGuard) when a statement in
// `sql` needs a capability the session lacks. Sessions without a guard pass. Returns the
// tables the statements write, for the WriteTargetScope of their binding.
std::vector<WriteTarget> CheckStatements(duckdb::ClientContext &context, const std::string &sql);

} // namespace akko::engine
