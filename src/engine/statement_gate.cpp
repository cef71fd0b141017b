#include "engine/statement_gate.hpp"

#include "engine/session_access.hpp"

#include "duckdb/catalog/catalog_search_path.hpp"
#include "duckdb/parser/parser.hpp"
#include "duckdb/parser/statement/list.hpp"
#include "duckdb/parser/statement/multi_statement.hpp"
#include "duckdb/parser/tableref/basetableref.hpp"

#include <fmt/format.h>

namespace akko::engine {

namespace {

using duckdb::SQLStatement;
using duckdb::StatementType;

// Engine settings a session may change for itself: the ones the SQL layer forwards for
// PostgreSQL's session parameters (TimeZone, application_name, search_path) and USE (schema).
constexpr const char *kSessionSettings[] = {"timezone", "calendar", "application_name", "search_path", "schema"};

class Gate {
public:
	Gate(duckdb::ClientContext &context_p, const AccessGuard &guard_p) : context(context_p), guard(guard_p) {
	}

	void Check(const SQLStatement &statement) {
		switch (statement.type) {
		case StatementType::INSERT_STATEMENT: {
			auto &insert = statement.Cast<duckdb::InsertStatement>();
			targets.push_back({insert.schema, insert.table, TableAction::Insert});
			return;
		}
		case StatementType::UPDATE_STATEMENT:
			AddTarget(*statement.Cast<duckdb::UpdateStatement>().table, TableAction::Update);
			return;
		case StatementType::DELETE_STATEMENT:
			AddTarget(*statement.Cast<duckdb::DeleteStatement>().table, TableAction::Delete);
			return;
		case StatementType::MERGE_INTO_STATEMENT:
			AddTarget(*statement.Cast<duckdb::MergeIntoStatement>().target, TableAction::Update);
			return;
		case StatementType::SELECT_STATEMENT:
		case StatementType::ALTER_STATEMENT:
		case StatementType::TRANSACTION_STATEMENT:
		// The statement was checked when it was prepared.
		case StatementType::EXECUTE_STATEMENT:
		// CALL binds a table function, which the function gate guards.
		case StatementType::CALL_STATEMENT:
			return;
		case StatementType::CREATE_STATEMENT:
			if (statement.Cast<duckdb::CreateStatement>().info->type == duckdb::CatalogType::SECRET_ENTRY) {
				Require(Capability::EngineAdmin, "CREATE SECRET");
			}
			return;
		case StatementType::DROP_STATEMENT:
			if (statement.Cast<duckdb::DropStatement>().info->type == duckdb::CatalogType::SECRET_ENTRY) {
				Require(Capability::EngineAdmin, "DROP SECRET");
			}
			return;
		case StatementType::PREPARE_STATEMENT:
			Check(*statement.Cast<duckdb::PrepareStatement>().statement);
			return;
		case StatementType::EXPLAIN_STATEMENT:
			Check(*statement.Cast<duckdb::ExplainStatement>().stmt);
			return;
		case StatementType::MULTI_STATEMENT:
			for (auto &part : statement.Cast<duckdb::MultiStatement>().statements) {
				Check(*part);
			}
			return;
		case StatementType::COPY_STATEMENT:
			// COPY TO STDOUT and FROM STDIN never get here: the SQL layer streams them itself. What
			// does is a server path, /dev/stdout included.
			if (statement.Cast<duckdb::CopyStatement>().info->is_from) {
				Require(Capability::ReadFiles, "COPY FROM a file");
			} else {
				Require(Capability::WriteFiles, "COPY TO a file");
			}
			return;
		case StatementType::EXPORT_STATEMENT:
			Require(Capability::WriteFiles, "EXPORT DATABASE");
			return;
		case StatementType::PRAGMA_STATEMENT:
			CheckPragma(statement.Cast<duckdb::PragmaStatement>());
			return;
		case StatementType::SET_STATEMENT:
			CheckSet(statement.Cast<duckdb::SetStatement>());
			return;
		case StatementType::LOAD_STATEMENT:
			Require(Capability::EngineAdmin,
			        statement.Cast<duckdb::LoadStatement>().info->load_type == duckdb::LoadType::LOAD ? "LOAD" : "INSTALL");
			return;
		case StatementType::ATTACH_STATEMENT:
			Require(Capability::EngineAdmin, "ATTACH");
			return;
		case StatementType::DETACH_STATEMENT:
			Require(Capability::EngineAdmin, "DETACH");
			return;
		case StatementType::COPY_DATABASE_STATEMENT:
			Require(Capability::EngineAdmin, "COPY FROM DATABASE");
			return;
		case StatementType::VACUUM_STATEMENT:
		case StatementType::ANALYZE_STATEMENT:
			Require(Capability::EngineAdmin, "VACUUM and ANALYZE");
			return;
		case StatementType::UPDATE_EXTENSIONS_STATEMENT:
			Require(Capability::EngineAdmin, "UPDATE EXTENSIONS");
			return;
		default:
			// Extension statements, plans and anything a later DuckDB adds: superusers only until
			// someone has looked at what they reach.
			Require(Capability::EngineAdmin, fmt::format("{} statements", duckdb::StatementTypeToString(statement.type)));
			return;
		}
	}

	std::vector<WriteTarget> TakeTargets() {
		return std::move(targets);
	}

private:
	void AddTarget(const duckdb::TableRef &table, TableAction action) {
		if (table.type == duckdb::TableReferenceType::BASE_TABLE) {
			auto &base = table.Cast<duckdb::BaseTableRef>();
			targets.push_back({base.schema_name, base.table_name, action});
		}
	}

	void Require(Capability capability, const std::string &what) {
		guard.CheckCapability(capability, what);
	}

	void CheckPragma(const duckdb::PragmaStatement &pragma) {
		// IMPORT DATABASE and COPY FROM DATABASE are pragmas. IMPORT reads the exported files and
		// runs the SQL in them.
		auto name = duckdb::StringUtil::Lower(pragma.info->name);
		RefuseDisablingOurSteps(name);
		if (name == "import_database") {
			Require(Capability::ReadFiles, "IMPORT DATABASE");
			Require(Capability::EngineAdmin, "IMPORT DATABASE");
			return;
		}
		if (name == "copy_database") {
			Require(Capability::EngineAdmin, "COPY FROM DATABASE");
			return;
		}
		Require(Capability::EngineAdmin, "PRAGMA " + pragma.info->name);
	}

	// Optimizer extensions run our access checks (the outside-lake guard) on every plan, and
	// disabled_optimizers is global: not even a superuser turns them off for every session.
	static void RefuseDisablingOurSteps(const std::string &name) {
		if (name == "disabled_optimizers") {
			throw akko::Error(ErrorCode::PermissionDenied,
			                  "permission denied: disabled_optimizers is not settable here: it would turn off access "
			                  "checks for every session");
		}
	}

	void CheckSet(const duckdb::SetStatement &set) {
		if (set.scope == duckdb::SetScope::VARIABLE) {
			return;
		}
		auto what = fmt::format("{} {}", set.set_type == duckdb::SetType::RESET ? "RESET" : "SET", set.name);
		auto name = duckdb::StringUtil::Lower(set.name);
		RefuseDisablingOurSteps(name);
		bool session_setting = false;
		for (const char *allowed : kSessionSettings) {
			session_setting = session_setting || name == allowed;
		}
		if (!session_setting || set.scope == duckdb::SetScope::GLOBAL) {
			Require(Capability::EngineAdmin, what);
			return;
		}
		if (set.set_type == duckdb::SetType::SET && (name == "search_path" || name == "schema")) {
			CheckSearchPath(set.Cast<duckdb::SetVariableStatement>(), what);
		}
	}

	// USE and search_path may name schemas of the lake (and temp and system), not other catalogs
	// (the engine's own database file or whatever an admin attached).
	void CheckSearchPath(const duckdb::SetVariableStatement &set, const std::string &what) {
		if (set.value->GetExpressionClass() != duckdb::ExpressionClass::CONSTANT) {
			Require(Capability::EngineAdmin, what + " to a computed value");
			return;
		}
		auto &value = set.value->Cast<duckdb::ConstantExpression>().value;
		if (value.IsNull()) {
			return;
		}
		auto &databases = duckdb::DatabaseManager::Get(context);
		for (auto &entry : duckdb::CatalogSearchEntry::ParseList(value.ToString())) {
			// "USE x" names a catalog or a schema; a bare name of an attached database is the catalog.
			auto catalog = entry.catalog.empty() ? entry.schema : entry.catalog;
			auto database = databases.GetDatabase(catalog);
			if (!database || database->IsSystem() || database->IsTemporary() ||
			    database->GetCatalog().GetCatalogType() == "iceberg") {
				continue;
			}
			Require(Capability::EngineAdmin, fmt::format("{} to catalog {}", what, database->GetName()));
		}
	}

	duckdb::ClientContext &context;
	const AccessGuard &guard;
	std::vector<WriteTarget> targets;
};

} // namespace

std::vector<WriteTarget> CheckStatements(duckdb::ClientContext &context, const std::string &sql) {
	auto *guard = GuardOf(context);
	if (!guard) {
		return {};
	}
	// DuckDB's own parse (ClientContext::ParseStatements) already runs pragmas such as IMPORT
	// DATABASE, so the gate parses without them.
	duckdb::Parser parser(context.GetParserOptions());
	parser.ParseQuery(sql);
	Gate gate(context, *guard);
	for (auto &statement : parser.statements) {
		gate.Check(*statement);
	}
	return gate.TakeTargets();
}

} // namespace akko::engine
