#pragma once
// Private to engine/: the audit log as SQL. akko_audit_log() reads the audit files (obs::AuditReader);
// the view akko_system.audit_log, in a small in-memory catalog of its own, gives it its public name.
// Both are for superusers only.
#include "engine/duckdb_internal.hpp"

#include <string>

namespace akko::engine {

void InstallAuditLog(duckdb::Connection &setup, const std::string &directory);

} // namespace akko::engine
