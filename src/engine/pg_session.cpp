#include "engine/duckdb_internal.hpp"

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
	explicit SessionIdentityState(string user_p) : user(std::move(user_p)) {
	}
	string user;
};

void CurrentUser(DataChunk &args, ExpressionState &state, Vector &result) {
	auto identity = state.GetContext().registered_state->Get<SessionIdentityState>(kIdentityKey);
	result.Reference(Value(identity ? identity->user : string("akko")));
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
	context.registered_state->Remove(kIdentityKey);
	context.registered_state->Insert(kIdentityKey, make_shared_ptr<SessionIdentityState>(user));
}

} // namespace akko::engine
