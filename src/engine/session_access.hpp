#pragma once
// Engine-internal: the access guard and access report a client context carries.
#include "engine/access_guard.hpp"
#include "engine/duckdb_internal.hpp"

namespace akko::engine {

// The session's guard, or null for the server's own sessions (which may do everything).
const AccessGuard *GuardOf(duckdb::ClientContext &context);
// What the running statement touched so far.
AccessReport &ReportOf(duckdb::ClientContext &context);
void SetSessionAccess(duckdb::ClientContext &context, std::shared_ptr<const AccessGuard> guard);

} // namespace akko::engine
