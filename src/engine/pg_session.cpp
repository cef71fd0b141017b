#include "engine/duckdb_internal.hpp"
#include "engine/session_access.hpp"

#include "duckdb/catalog/catalog_entry/schema_catalog_entry.hpp"
#include "duckdb/main/client_context_state.hpp"
#include "duckdb/parser/parsed_data/create_scalar_function_info.hpp"
#include "duckdb/parser/parsed_data/drop_info.hpp"

namespace akko::engine {

namespace {

using namespace duckdb;

constexpr const char *kIdentityKey = "akko_session_identity";

// Kept in the client context, where SQL cannot change it (unlike a SET VARIABLE).
struct SessionIdentityState : public ClientContextState {
	string user = "akko";
	std::shared_ptr<const AccessGuard> guard;
	AccessReport report;
	std::vector<WriteTarget> write_targets;
};

SessionIdentityState &IdentityOf(ClientContext &context) {
	return *context.registered_state->GetOrCreate<SessionIdentityState>(kIdentityKey);
}

void CurrentUser(DataChunk &args, ExpressionState &state, Vector &result) {
	result.Reference(Value(IdentityOf(state.GetContext()).user));
}

} // namespace

// current_user, session_user, user and current_role name the connected user, as in
// PostgreSQL; DuckDB's own macros always say "duckdb".
void InstallPgSessionFunctions(DatabaseInstance &database) {
	Connection connection(database);
	auto &context = *connection.context;
	connection.BeginTransaction();
	auto &catalog = Catalog::GetSystemCatalog(context);
	auto &schema = catalog.GetSchema(context, DEFAULT_SCHEMA);
	for (const char *name : {"current_user", "session_user", "user", "current_role"}) {
		DropInfo drop;
		drop.type = CatalogType::MACRO_ENTRY;
		drop.catalog = SYSTEM_CATALOG;
		drop.schema = DEFAULT_SCHEMA;
		drop.name = name;
		drop.if_not_found = OnEntryNotFound::RETURN_NULL;
		drop.allow_drop_internal = true;
		schema.DropEntry(context, drop);
		ScalarFunction function(name, {}, LogicalType::VARCHAR, CurrentUser);
		function.stability = FunctionStability::CONSISTENT_WITHIN_QUERY;
		CreateScalarFunctionInfo info(function);
		info.internal = true;
		catalog.CreateFunction(context, info);
	}
	connection.Commit();
}

void SetSessionUser(ClientContext &context, const std::string &user) {
	IdentityOf(context).user = user;
}

const AccessGuard *GuardOf(ClientContext &context) {
	return IdentityOf(context).guard.get();
}

AccessReport &ReportOf(ClientContext &context) {
	return IdentityOf(context).report;
}

void SetSessionAccess(ClientContext &context, std::shared_ptr<const AccessGuard> guard) {
	IdentityOf(context).guard = std::move(guard);
}

WriteTargetScope::WriteTargetScope(ClientContext &context_p, std::vector<WriteTarget> targets) : context(context_p) {
	IdentityOf(context).write_targets = std::move(targets);
}

WriteTargetScope::~WriteTargetScope() {
	IdentityOf(context).write_targets.clear();
}

std::optional<TableAction> WriteTargetAction(ClientContext &context, const std::string &schema,
                                             const std::string &name) {
	for (auto &target : IdentityOf(context).write_targets) {
		if (StringUtil::CIEquals(target.name, name) &&
		    (target.schema.empty() || StringUtil::CIEquals(target.schema, schema))) {
			return target.action;
		}
	}
	return std::nullopt;
}

std::string LakeObjectName::ToString() const {
	std::string text;
	for (auto &level : namespace_name) {
		text += level + ".";
	}
	return text + name;
}

} // namespace akko::engine
