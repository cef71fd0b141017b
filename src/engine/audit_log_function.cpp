#include "engine/audit_log_function.hpp"

#include "duckdb/parser/parsed_data/create_table_function_info.hpp"
#include "engine/lake_types.hpp"
#include "engine/session_access.hpp"
#include "obs/audit_log.hpp"

namespace akko::engine {

using namespace duckdb;

namespace {

struct AuditLogInfo : public TableFunctionInfo {
	explicit AuditLogInfo(std::string directory_p) : directory(std::move(directory_p)) {
	}
	std::string directory;
};

struct AuditLogData : public TableFunctionData {
	std::string directory;
};

struct AuditLogState : public GlobalTableFunctionState {
	explicit AuditLogState(const std::string &directory) : reader(directory) {
	}
	obs::AuditReader reader;
};

Value StringList(const std::vector<std::string> &values) {
	vector<Value> items;
	for (auto &value : values) {
		items.emplace_back(value);
	}
	return Value::LIST(LogicalType::VARCHAR, std::move(items));
}

unique_ptr<FunctionData> BindAuditLog(ClientContext &context, TableFunctionBindInput &input,
                                      vector<LogicalType> &return_types, vector<string> &names) {
	// The audit log names every user's statements and their text: superusers only.
	auto *guard = GuardOf(context);
	if (guard && !guard->Unrestricted()) {
		ThrowAsDuck(akko::Error(ErrorCode::PermissionDenied, "permission denied for view akko_system.audit_log"));
	}
	auto list = LogicalType::LIST(LogicalType::VARCHAR);
	names = {"time",           "user",         "roles",    "protocol", "client",      "operation", "tables_read",
	         "tables_written", "restrictions", "rows",     "duration_ms", "outcome",  "error"};
	return_types = {LogicalType::TIMESTAMP_TZ, LogicalType::VARCHAR, list, LogicalType::VARCHAR, LogicalType::VARCHAR,
	                LogicalType::VARCHAR,      list,                 list, list,                 LogicalType::BIGINT,
	                LogicalType::DOUBLE,       LogicalType::VARCHAR, LogicalType::VARCHAR};
	auto data = make_uniq<AuditLogData>();
	data->directory = input.info->Cast<AuditLogInfo>().directory;
	return data;
}

unique_ptr<GlobalTableFunctionState> InitAuditLog(ClientContext &context, TableFunctionInitInput &input) {
	return make_uniq<AuditLogState>(input.bind_data->Cast<AuditLogData>().directory);
}

void ScanAuditLog(ClientContext &context, TableFunctionInput &input, DataChunk &output) {
	auto &state = input.global_state->Cast<AuditLogState>();
	obs::AuditRecord record;
	idx_t count = 0;
	while (count < STANDARD_VECTOR_SIZE && state.reader.Next(record)) {
		output.SetValue(0, count, Value::TIMESTAMPTZ(timestamp_tz_t(record.time_us)));
		output.SetValue(1, count, Value(record.user));
		output.SetValue(2, count, StringList(record.roles));
		output.SetValue(3, count, Value(record.protocol));
		output.SetValue(4, count, Value(record.client));
		output.SetValue(5, count, Value(record.operation));
		output.SetValue(6, count, StringList(record.tables_read));
		output.SetValue(7, count, StringList(record.tables_written));
		output.SetValue(8, count, StringList(record.restrictions));
		output.SetValue(9, count, record.rows ? Value::BIGINT(static_cast<int64_t>(*record.rows)) : Value(LogicalType::BIGINT));
		output.SetValue(10, count, Value::DOUBLE(record.duration_ms));
		output.SetValue(11, count, Value(record.outcome));
		output.SetValue(12, count, record.error.empty() ? Value(LogicalType::VARCHAR) : Value(record.error));
		count++;
	}
	output.SetCardinality(count);
}

} // namespace

void InstallAuditLog(Connection &setup, const std::string &directory) {
	auto &context = *setup.context;
	TableFunction function("akko_audit_log", {}, ScanAuditLog, BindAuditLog, InitAuditLog);
	function.function_info = make_shared_ptr<AuditLogInfo>(directory);
	CreateTableFunctionInfo info(function);
	info.internal = true;
	Translate([&] {
		context.RunFunctionInTransaction([&] { Catalog::GetSystemCatalog(context).CreateTableFunction(context, info); });
	});
	for (auto *sql : {"ATTACH ':memory:' AS akko_system",
	                  "CREATE VIEW akko_system.main.audit_log AS SELECT * FROM akko_audit_log()"}) {
		auto result = Translate([&] { return setup.Query(sql); });
		if (result->HasError()) {
			RaiseError(result->GetErrorObject());
		}
	}
}

} // namespace akko::engine
