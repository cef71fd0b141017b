#include "engine/function_gate.hpp"

#include "engine/lake_types.hpp"
#include "engine/session_access.hpp"

#include <mutex>
#include <optional>
#include <unordered_map>

namespace akko::engine {

namespace {

using duckdb::ClientContext;
using duckdb::FunctionData;
using duckdb::LogicalType;
using duckdb::TableFunction;
using duckdb::TableFunctionBindInput;
using duckdb::TableRef;
using duckdb::unique_ptr;
using duckdb::vector;

// Engine catalog views that PostgreSQL clients reach through pg_catalog and
// information_schema; every other duckdb_* function is for superusers.
constexpr const char *kOpenEngineFunctions[] = {
    "duckdb_columns",   "duckdb_constraints", "duckdb_databases",    "duckdb_dependencies",
    "duckdb_functions", "duckdb_indexes",     "duckdb_keywords",     "duckdb_optimizers",
    "duckdb_schemas",   "duckdb_sequences",   "duckdb_settings",     "duckdb_tables",
    "duckdb_types",     "duckdb_views",       "duckdb_variables",    "duckdb_prepared_statements",
    "duckdb_secret_types", "duckdb_approx_database_count", "duckdb_connection_count",
};

// Beyond duckdb_*: raw memory (arrow_scan takes pointers), serialized plans, the checkpointer,
// the log, secrets, and the storage layout of the engine's own database.
constexpr const char *kAdminFunctions[] = {
    "arrow_scan",     "arrow_scan_dumb",      "json_execute_serialized_sql", "checkpoint",
    "force_checkpoint", "enable_logging",     "disable_logging",            "truncate_duckdb_logs",
    "which_secret",   "pragma_storage_info",  "pragma_metadata_info",       "pragma_database_size",
};

bool StartsWith(const std::string &text, const std::string &prefix) {
	return text.compare(0, prefix.size(), prefix) == 0;
}

bool EndsWith(const std::string &text, const std::string &suffix) {
	return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool Listed(const std::string &name, const auto &list) {
	for (const char *entry : list) {
		if (name == entry) {
			return true;
		}
	}
	return false;
}

std::optional<Capability> GateOf(const std::string &name) {
	if (Listed(name, kAdminFunctions) || (StartsWith(name, "duckdb_") && !Listed(name, kOpenEngineFunctions))) {
		return Capability::EngineAdmin;
	}
	// seq_scan is DuckDB's scan of its own tables, bound by the planner rather than by name.
	bool file_scan = EndsWith(name, "_scan") && name != "seq_scan";
	if (StartsWith(name, "read_") || StartsWith(name, "parquet_") || file_scan || name == "glob" || name == "sniff_csv") {
		return Capability::ReadFiles;
	}
	return std::nullopt;
}

struct Original {
	duckdb::table_function_bind_t bind = nullptr;
	duckdb::table_function_bind_replace_t bind_replace = nullptr;
	Capability capability = Capability::EngineAdmin;
};

// Bind callbacks are plain function pointers, so the wrappers find the callbacks they stand
// in for here, by overload. Every DuckDB instance registers the same callbacks, so one table
// serves all engines in the process.
std::mutex originals_lock;

std::unordered_map<std::string, Original> &Originals() {
	static std::unordered_map<std::string, Original> originals;
	return originals;
}

std::string OverloadKey(const TableFunction &function) {
	auto key = function.name + "(";
	for (auto &argument : function.arguments) {
		key += argument.ToString() + ",";
	}
	if (function.HasVarArgs()) {
		key += function.varargs.ToString() + "...";
	}
	return key + ")";
}

std::optional<Original> FindOriginal(const TableFunction &function) {
	std::lock_guard<std::mutex> lock(originals_lock);
	auto found = Originals().find(OverloadKey(function));
	if (found == Originals().end()) {
		return std::nullopt;
	}
	return found->second;
}

Original OriginalOf(ClientContext &context, const TableFunction &function) {
	auto original = FindOriginal(function);
	if (!original) {
		throw duckdb::InternalException("statement gate: table function %s was bound without its original", function.name);
	}
	if (auto *guard = GuardOf(context)) {
		Lake([&] { guard->CheckCapability(original->capability, function.name); });
	}
	return *original;
}

unique_ptr<FunctionData> GuardedBind(ClientContext &context, TableFunctionBindInput &input, vector<LogicalType> &types,
                                     vector<std::string> &names) {
	return OriginalOf(context, input.table_function).bind(context, input, types, names);
}

unique_ptr<TableRef> GuardedBindReplace(ClientContext &context, TableFunctionBindInput &input) {
	return OriginalOf(context, input.table_function).bind_replace(context, input);
}

void Guard(TableFunction &function, Capability capability) {
	if (function.bind == GuardedBind || function.bind_replace == GuardedBindReplace) {
		return;
	}
	{
		std::lock_guard<std::mutex> lock(originals_lock);
		Originals()[OverloadKey(function)] = Original {function.bind, function.bind_replace, capability};
	}
	if (function.bind) {
		function.bind = GuardedBind;
	}
	if (function.bind_replace) {
		function.bind_replace = GuardedBindReplace;
	}
}

} // namespace

void InstallFunctionGate(duckdb::DatabaseInstance &database) {
	auto &system = duckdb::Catalog::GetSystemCatalog(database);
	auto transaction = duckdb::CatalogTransaction::GetSystemTransaction(database);
	auto &schema = system.GetSchema(transaction, DEFAULT_SCHEMA);
	schema.Scan(duckdb::CatalogType::TABLE_FUNCTION_ENTRY, [&](duckdb::CatalogEntry &entry) {
		// Table macros share this catalog set; they reach files only through functions wrapped here.
		if (entry.type != duckdb::CatalogType::TABLE_FUNCTION_ENTRY) {
			return;
		}
		auto capability = GateOf(entry.name);
		if (!capability) {
			return;
		}
		for (auto &function : entry.Cast<duckdb::TableFunctionCatalogEntry>().functions.functions) {
			Guard(function, *capability);
		}
	});
	// DuckDB creates its built-in views (duckdb_logs over duckdb_logs(), pg_catalog,
	// information_schema) the first time something lists views, binding them as whoever lists.
	// Created now, by no one, listing views stays open to everyone; using one still binds its
	// functions as the user.
	duckdb::Connection connection(database);
	auto views = connection.Query("SELECT count(*) FROM duckdb_views()");
	if (views->HasError()) {
		views->ThrowError();
	}
}

TableFunction UnguardedTableFunction(ClientContext &context, const std::string &name) {
	auto &system = duckdb::Catalog::GetSystemCatalog(context);
	auto &entry = system.GetEntry<duckdb::TableFunctionCatalogEntry>(context, DEFAULT_SCHEMA, name);
	auto function = entry.functions.GetFunctionByOffset(0);
	if (auto original = FindOriginal(function)) {
		function.bind = original->bind;
		function.bind_replace = original->bind_replace;
	}
	return function;
}

} // namespace akko::engine
