#include "engine/audit_log_function.hpp"
#include "engine/barrier_pushdown.hpp"
#include "engine/outside_lake_guard.hpp"
#include "engine/duckdb_internal.hpp"
#include "engine/lake_access.hpp"
#include "engine/function_gate.hpp"
#include "engine/lake_functions.hpp"
#include "engine/lake_storage.hpp"
#include "engine/pg_dialect.hpp"
#include "engine/session_access.hpp"
#include "engine/statement_gate.hpp"

#include <fmt/format.h>

namespace akko::engine {

struct Engine::State {
	duckdb::unique_ptr<duckdb::DuckDB> database;
};

namespace {

using duckdb::idx_t;
using duckdb::LogicalType;
using duckdb::StringValue;
using duckdb::Value;

LogicalType LogicalTypeFor(TypeKind kind) {
	switch (kind) {
	case TypeKind::Boolean:
		return LogicalType::BOOLEAN;
	case TypeKind::SmallInt:
		return LogicalType::SMALLINT;
	case TypeKind::Integer:
		return LogicalType::INTEGER;
	case TypeKind::BigInt:
		return LogicalType::BIGINT;
	case TypeKind::Float:
		return LogicalType::FLOAT;
	case TypeKind::Double:
		return LogicalType::DOUBLE;
	case TypeKind::Date:
		return LogicalType::DATE;
	case TypeKind::Time:
		return LogicalType::TIME;
	case TypeKind::Timestamp:
		return LogicalType::TIMESTAMP;
	case TypeKind::TimestampTz:
		return LogicalType::TIMESTAMP_TZ;
	case TypeKind::Interval:
		return LogicalType::INTERVAL;
	case TypeKind::Uuid:
		return LogicalType::UUID;
	case TypeKind::Blob:
		return LogicalType::BLOB;
	default:
		return LogicalType::VARCHAR;
	}
}

// PostgreSQL's bytea input: "\x" and hex digits, or the bytes as they are.
Value BlobFromText(const std::string &text) {
	if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') {
		return Value::BLOB(duckdb::const_data_ptr_cast(text.data()), text.size());
	}
	std::string bytes;
	auto digit = [&](char c) -> int {
		if (c >= '0' && c <= '9') {
			return c - '0';
		}
		c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
		if (c >= 'a' && c <= 'f') {
			return c - 'a' + 10;
		}
		throw akko::Error(ErrorCode::InvalidTextRepresentation,
		                  fmt::format("invalid hexadecimal digit: \"{}\"", std::string(1, c)));
	};
	if (text.size() % 2 != 0) {
		throw akko::Error(ErrorCode::InvalidTextRepresentation, "invalid hexadecimal data: odd number of digits");
	}
	for (size_t i = 2; i + 1 < text.size(); i += 2) {
		bytes += static_cast<char>(digit(text[i]) * 16 + digit(text[i + 1]));
	}
	return Value::BLOB(duckdb::const_data_ptr_cast(bytes.data()), bytes.size());
}

Value CastParameter(duckdb::ClientContext &context, const Value &value, const LogicalType &target) {
	if (value.type().id() == duckdb::LogicalTypeId::VARCHAR && target.id() == duckdb::LogicalTypeId::BLOB) {
		return BlobFromText(StringValue::Get(value));
	}
	try {
		return value.CastAs(context, target);
	} catch (const std::exception &) {
		// PostgreSQL's words for a parameter that does not parse as its type.
		throw akko::Error(ErrorCode::InvalidTextRepresentation,
		                  fmt::format("invalid input syntax for type {}: \"{}\"", target.ToString(), value.ToString()));
	}
}

Value ValueFor(duckdb::ClientContext &context, const Param &param, const LogicalType *expected) {
	Value value;
	switch (param.kind) {
	case Param::Kind::Null: {
		bool typed = expected && expected->id() != duckdb::LogicalTypeId::UNKNOWN && expected->IsComplete();
		return typed ? Value(*expected) : Value();
	}
	case Param::Kind::Boolean:
		value = Value::BOOLEAN(param.integer != 0);
		break;
	case Param::Kind::Integer:
		value = Value::BIGINT(param.integer);
		break;
	case Param::Kind::Double:
		value = Value::DOUBLE(param.real);
		break;
	case Param::Kind::Blob:
		value = Value::BLOB(duckdb::const_data_ptr_cast(param.bytes.data()), param.bytes.size());
		break;
	case Param::Kind::Text:
		value = Value(param.bytes);
		if (param.type != TypeKind::Null && param.type != TypeKind::Varchar) {
			value = CastParameter(context, value, LogicalTypeFor(param.type));
		}
		break;
	}
	bool expected_known = expected && expected->id() != duckdb::LogicalTypeId::UNKNOWN &&
	                      expected->id() != duckdb::LogicalTypeId::ANY && expected->IsComplete();
	if (expected_known && value.type() != *expected) {
		value = CastParameter(context, value, *expected);
	}
	return value;
}

// Runs a planned statement. Errors raised while it runs over restricted tables are withheld
// (they may quote hidden values); errors of binding are the client's own text and are not.
duckdb::unique_ptr<duckdb::QueryResult> ExecutePending(duckdb::ClientContext &context, duckdb::PendingQueryResult &pending) {
	if (pending.HasError()) {
		RaiseError(pending.GetErrorObject());
	}
	try {
		auto result = Translate([&] { return pending.Execute(); });
		if (result->HasError()) {
			RaiseError(result->GetErrorObject());
		}
		// Only after the run: a pending query dropped before it runs leaves its tasks behind.
		CheckExplainAllowed(context, result->statement_type);
		return result;
	} catch (akko::Error &error) {
		throw WithheldError(context, std::move(error));
	}
}

class DuckPreparedQuery : public PreparedQuery {
public:
	DuckPreparedQuery(duckdb::Connection &connection_p, duckdb::unique_ptr<duckdb::PreparedStatement> prepared_p,
	                  const std::string &sql, std::string rewritten_p)
	    : connection(connection_p), prepared(std::move(prepared_p)), rewritten(std::move(rewritten_p)),
	      guard_at_prepare(GuardOf(*connection.context)), report_at_prepare(ReportOf(*connection.context)) {
		info = DescribeStatement(prepared->GetStatementType(), prepared->GetStatementProperties().return_type, sql);
		auto expected = prepared->GetExpectedParameterTypes();
		for (idx_t i = 1; i <= prepared->named_param_map.size(); i++) {
			auto found = expected.find(std::to_string(i));
			expected_types.push_back(found == expected.end() ? LogicalType::UNKNOWN : found->second);
			parameter_types.push_back(DescribeType(expected_types.back()));
		}
		if (info.returns == ReturnKind::Rows) {
			auto &names = prepared->GetNames();
			auto &types = prepared->GetTypes();
			for (idx_t i = 0; i < names.size(); i++) {
				columns.push_back(Column {names[i], DescribeType(types[i])});
			}
		}
	}

	const StatementInfo &Info() const override {
		return info;
	}
	const std::vector<ColumnType> &ParameterTypes() const override {
		return parameter_types;
	}
	const std::vector<Column> &Columns() const override {
		return columns;
	}

	std::unique_ptr<QueryStream> Execute(const std::vector<Param> &params) override {
		auto &context = *connection.context;
		if (params.size() != expected_types.size()) {
			throw akko::Error(ErrorCode::ProtocolViolation,
			                  fmt::format("bind message supplies {} parameters, but prepared statement requires {}",
			                              params.size(), expected_types.size()));
		}
		duckdb::vector<Value> values;
		for (idx_t i = 0; i < params.size(); i++) {
			values.push_back(Translate([&] { return ValueFor(context, params[i], &expected_types[i]); }));
		}
		if (GuardOf(context) != guard_at_prepare) {
			// The principal's grants, filters or masks changed since this was bound.
			auto fresh = Translate([&] { return connection.Prepare(rewritten); });
			if (fresh->HasError()) {
				RaiseError(fresh->GetErrorObject());
			}
			prepared = std::move(fresh);
			guard_at_prepare = GuardOf(context);
			report_at_prepare = std::exchange(ReportOf(context), AccessReport {});
		}
		MergeReport(ReportOf(context), report_at_prepare);
		auto pending = Translate([&] { return prepared->PendingQuery(values, true); });
		auto result = ExecutePending(context, *pending);
		return MakeQueryStream(context, std::move(result), info);
	}

private:
	duckdb::Connection &connection;
	duckdb::unique_ptr<duckdb::PreparedStatement> prepared;
	std::string rewritten;
	const AccessGuard *guard_at_prepare;
	AccessReport report_at_prepare;
	StatementInfo info;
	std::vector<LogicalType> expected_types;
	std::vector<ColumnType> parameter_types;
	std::vector<Column> columns;
};

class DuckTableAppender : public TableAppender {
public:
	DuckTableAppender(duckdb::Connection &connection_p, const std::string &table, const std::vector<std::string> &names)
	    : connection(connection_p) {
		auto qualified = duckdb::QualifiedName::Parse(table);
		appender = Translate([&] {
			return duckdb::make_uniq<duckdb::Appender>(connection, qualified.catalog, qualified.schema.empty() ? "main" : qualified.schema,
			                                        qualified.name);
		});
		for (auto &name : names) {
			Translate([&] { appender->AddColumn(name); });
		}
		target_types = appender->GetActiveTypes();
		duckdb::vector<LogicalType> text_types(target_types.size(), LogicalType::VARCHAR);
		text.Initialize(duckdb::Allocator::DefaultAllocator(), text_types);
		typed.Initialize(duckdb::Allocator::DefaultAllocator(), target_types);
	}

	size_t ColumnCount() const override {
		return target_types.size();
	}

	void AppendRow(const std::vector<std::optional<std::string_view>> &values) override {
		auto row = text.size();
		for (idx_t col = 0; col < target_types.size(); col++) {
			auto &vector = text.data[col];
			if (!values[col]) {
				duckdb::FlatVector::SetNull(vector, row, true);
			} else {
				duckdb::FlatVector::GetData<duckdb::string_t>(vector)[row] =
				    duckdb::StringVector::AddStringOrBlob(vector, values[col]->data(), values[col]->size());
			}
		}
		text.SetCardinality(row + 1);
		if (text.size() == STANDARD_VECTOR_SIZE) {
			FlushBlock();
		}
	}

	uint64_t Finish() override {
		FlushBlock();
		Translate([&] { appender->Close(); });
		return appended;
	}

private:
	void FlushBlock() {
		if (text.size() == 0) {
			return;
		}
		auto count = text.size();
		typed.Reset();
		for (idx_t col = 0; col < target_types.size(); col++) {
			std::string error;
			bool ok = Translate([&] {
				return duckdb::VectorOperations::TryCast(*connection.context, text.data[col], typed.data[col], count, &error);
			});
			if (!ok) {
				throw akko::Error(ErrorCode::InvalidTextRepresentation,
				                  fmt::format("COPY column {}: {}", col + 1, error));
			}
		}
		typed.SetCardinality(count);
		Translate([&] { appender->AppendDataChunk(typed); });
		appended += count;
		text.Reset();
	}

	duckdb::Connection &connection;
	duckdb::unique_ptr<duckdb::Appender> appender;
	duckdb::vector<LogicalType> target_types;
	duckdb::DataChunk text;
	duckdb::DataChunk typed;
	uint64_t appended = 0;
};

// COPY FROM into a lake table: DuckDB's Appender only writes to its own tables, so rows are
// staged in a temporary table (spilling to disk as DuckDB's tables do) and inserted through
// the lake when the copy ends.
class LakeTableAppender : public TableAppender {
public:
	LakeTableAppender(duckdb::Connection &connection_p, duckdb::TableCatalogEntry &table, const std::string &target_p,
	                  const std::vector<std::string> &names)
	    : connection(connection_p), target(target_p) {
		static std::atomic<uint64_t> next_stage {0};
		stage = fmt::format("akko_copy_stage_{}", next_stage++);
		std::string columns;
		std::string column_list;
		auto add = [&](const duckdb::ColumnDefinition &column) {
			columns += fmt::format("{}{} {}", columns.empty() ? "" : ", ", duckdb::KeywordHelper::WriteOptionallyQuoted(column.Name()),
			                       column.Type().ToString());
			column_list += fmt::format("{}{}", column_list.empty() ? "" : ", ", duckdb::KeywordHelper::WriteOptionallyQuoted(column.Name()));
		};
		if (names.empty()) {
			for (auto &column : table.GetColumns().Physical()) {
				add(column);
			}
		} else {
			for (auto &name : names) {
				if (!table.ColumnExists(name)) {
					throw akko::Error(ErrorCode::UndefinedColumn,
					                  fmt::format("column \"{}\" of relation \"{}\" does not exist", name, table.name));
				}
				add(table.GetColumn(name));
			}
		}
		insert_columns = column_list;
		Run(fmt::format("CREATE TEMP TABLE {} ({})", stage, columns));
		staged = std::make_unique<DuckTableAppender>(connection, "temp.main." + stage, std::vector<std::string>());
	}

	~LakeTableAppender() override {
		try {
			staged.reset();
			Run(fmt::format("DROP TABLE IF EXISTS temp.main.{}", stage));
		} catch (const std::exception &) {
		}
	}

	size_t ColumnCount() const override {
		return staged->ColumnCount();
	}
	void AppendRow(const std::vector<std::optional<std::string_view>> &values) override {
		staged->AppendRow(values);
	}
	uint64_t Finish() override {
		auto rows = staged->Finish();
		Run(fmt::format("INSERT INTO {} ({}) SELECT * FROM temp.main.{}", target, insert_columns, stage));
		return rows;
	}

private:
	void Run(const std::string &sql) {
		auto result = Translate([&] { return connection.Query(sql); });
		if (result->HasError()) {
			RaiseError(result->GetErrorObject());
		}
	}

	duckdb::Connection &connection;
	std::string target;
	std::string stage;
	std::string insert_columns;
	std::unique_ptr<DuckTableAppender> staged;
};

class DuckEngineSession : public EngineSession {
public:
	explicit DuckEngineSession(duckdb::DuckDB &database) : connection(database) {
	}

	std::unique_ptr<PreparedQuery> Prepare(const std::string &sql) override {
		auto rewritten = RewritePgDialect(sql);
		WriteTargetScope targets(*connection.context,
		                         Translate([&] { return CheckStatements(*connection.context, rewritten); }));
		auto prepared = Translate([&] { return connection.Prepare(rewritten); });
		if (prepared->HasError()) {
			RaiseError(prepared->GetErrorObject());
		}
		return std::make_unique<DuckPreparedQuery>(connection, std::move(prepared), sql, rewritten);
	}

	std::unique_ptr<QueryStream> Run(const std::string &sql) override {
		auto rewritten = RewritePgDialect(sql);
		WriteTargetScope targets(*connection.context,
		                         Translate([&] { return CheckStatements(*connection.context, rewritten); }));
		auto pending = Translate([&] { return connection.PendingQuery(rewritten, true); });
		auto result = ExecutePending(*connection.context, *pending);
		auto info = DescribeStatement(result->statement_type, result->properties.return_type, sql);
		return MakeQueryStream(*connection.context, std::move(result), std::move(info));
	}

	std::unique_ptr<TableAppender> AppendTo(const std::string &table, const std::vector<std::string> &columns) override {
		auto qualified = duckdb::QualifiedName::Parse(table);
		auto &context = *connection.context;
		WriteTargetScope target(context, {{qualified.schema, qualified.name, TableAction::Insert}});
		auto *entry = Translate([&]() -> duckdb::TableCatalogEntry * {
			auto found = duckdb::Catalog::GetEntry<duckdb::TableCatalogEntry>(
			    context, qualified.catalog, qualified.schema, qualified.name, duckdb::OnEntryNotFound::RETURN_NULL);
			return found.get();
		});
		if (entry && entry->ParentCatalog().GetCatalogType() == "iceberg") {
			Translate([&] {
				CheckLakeTable(context, entry->schema.name, entry->name, TableAction::Insert);
				NoteTableWritten(context, entry->schema.name, entry->name);
			});
			return std::make_unique<LakeTableAppender>(connection, *entry, table, columns);
		}
		return std::make_unique<DuckTableAppender>(connection, table, columns);
	}

	void Interrupt() override {
		connection.Interrupt();
	}

	void SetUser(const std::string &user) override {
		SetSessionUser(*connection.context, user);
	}

	void SetAccessGuard(std::shared_ptr<const AccessGuard> guard) override {
		SetSessionAccess(*connection.context, std::move(guard));
	}

	AccessReport TakeAccessReport() override {
		return std::exchange(ReportOf(*connection.context), AccessReport {});
	}

	bool InTransaction() override {
		return !connection.IsAutoCommit();
	}

	std::optional<std::string> CurrentSetting(const std::string &name) override {
		Value value;
		auto found = connection.context->TryGetCurrentSetting(name, value);
		if (!found) {
			return std::nullopt;
		}
		return value.IsNull() ? std::string() : value.ToString();
	}

private:
	duckdb::Connection connection;
};

// Our steps on every bound plan, before DuckDB's optimizers: refusals first, then rewrites.
// Added to the running instance: DuckDB's constructor does not take optimizer extensions over
// from the DBConfig it is given.
void InstallPreOptimizeSteps(duckdb::DatabaseInstance &database) {
	for (auto step : {RefuseOutsideLake, PushDownBelowBarriers}) {
		duckdb::OptimizerExtension extension;
		extension.pre_optimize_function = step;
		duckdb::DBConfig::GetConfig(database).optimizer_extensions.push_back(std::move(extension));
	}
}

} // namespace

Engine::Engine(const EngineOptions &options) : state(std::make_unique<State>()) {
	duckdb::DBConfig config;
	if (options.lake) {
		auto cache_bytes = Translate([&] { return duckdb::DBConfig::ParseMemoryLimit(options.remote_cache_size); });
		RegisterLakeStorage(config, *options.lake, options.warehouse, cache_bytes);
	}
	// Nothing is downloaded at run time: extensions are what libduckdb.so has built in.
	config.options.autoinstall_known_extensions = false;
	config.options.autoload_known_extensions = false;
	Translate([&] {
		if (options.threads > 0) {
			config.SetOptionByName("threads", Value::BIGINT(options.threads));
		}
		if (!options.memory_limit.empty()) {
			config.SetOptionByName("memory_limit", Value(options.memory_limit));
		}
		if (!options.temp_directory.empty()) {
			config.SetOptionByName("temp_directory", Value(options.temp_directory));
		}
		state->database = duckdb::make_uniq<duckdb::DuckDB>(options.database_path.empty() ? nullptr : options.database_path.c_str(),
		                                                  &config);
	});
	Translate([&] {
		// First: the lake's own table functions installed below are not file readers to gate.
		InstallFunctionGate(*state->database->instance);
		InstallPgArithmetic(*state->database->instance);
		InstallPgSessionFunctions(*state->database->instance);
		InstallAccessFunctions(*state->database->instance);
		InstallLakeFunctions(*state->database->instance);
		InstallPreOptimizeSteps(*state->database->instance);
	});
	duckdb::Connection setup(*state->database);
	Translate([&] { InstallPgCompat(setup); });
	if (!options.audit_directory.empty()) {
		InstallAuditLog(setup, options.audit_directory);
	}
	if (options.lake) {
		AttachLake(setup);
	}
}

// The lake becomes the default catalog for every connection opened from here on, with schema
// `main` (a namespace, created on first start) as the default schema.
void Engine::AttachLake(duckdb::Connection &setup) {
	auto run = [&](const std::string &sql) {
		auto result = Translate([&] { return setup.Query(sql); });
		if (result->HasError()) {
			RaiseError(result->GetErrorObject());
		}
	};
	run("ATTACH '' AS iceberg (TYPE akko_lake)");
	run("CREATE SCHEMA IF NOT EXISTS iceberg.main");
	// Outside a transaction SetDefaultDatabase aborts the process.
	Translate([&] {
		setup.context->RunFunctionInTransaction(
		    [&] { duckdb::DatabaseManager::Get(*setup.context).SetDefaultDatabase(*setup.context, "iceberg"); });
	});
}

Engine::~Engine() = default;

std::unique_ptr<EngineSession> Engine::Connect() {
	return Translate([&] { return std::make_unique<DuckEngineSession>(*state->database); });
}

std::string Engine::Version() const {
	return duckdb::DuckDB::LibraryVersion();
}

} // namespace akko::engine
