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

// A table the statement being bound writes, as the client named it (schema empty when
// unqualified). A principal who reads the table through row filters or masks meets it at
// lookup as a view, which DuckDB cannot write; the lookup refuses the write instead.
struct WriteTarget {
	std::string schema;
	std::string name;
	TableAction action;
};

// Makes `targets` the session's write targets while it lives.
class WriteTargetScope {
public:
	WriteTargetScope(duckdb::ClientContext &context, std::vector<WriteTarget> targets);
	~WriteTargetScope();
	WriteTargetScope(const WriteTargetScope &) = delete;
	WriteTargetScope &operator=(const WriteTargetScope &) = delete;

private:
	duckdb::ClientContext &context;
};

// How the statement being bound writes schema.name, if it does.
std::optional<TableAction> WriteTargetAction(duckdb::ClientContext &context, const std::string &schema,
                                             const std::string &name);

} // namespace akko::engine
