#include "engine/duckdb_internal.hpp"
#include "engine/lake_functions.hpp"


#include "duckdb/catalog/catalog_search_path.hpp"
#include "duckdb/main/client_data.hpp"
#include "duckdb/parser/parsed_data/create_scalar_function_info.hpp"
#include "duckdb/parser/parsed_data/create_table_function_info.hpp"
#include "catalog/table_maintenance.hpp"
#include "engine/lake_catalog.hpp"
#include "engine/lake_compaction.hpp"
#include "engine/lake_metadata_tables.hpp"
#include "engine/lake_transaction.hpp"
#include "engine/lake_types.hpp"
#include "iceberg/partition_transform.hpp"
#include "iceberg/value_type.hpp"

#include <charconv>
#include <fmt/format.h>

namespace akko::engine {

using namespace duckdb;

namespace {

struct TransformBindData : public FunctionData {
	TransformBindData(iceberg::Transform transform_p, iceberg::PrimitiveType source_p)
	    : transform(transform_p), source(source_p), result(iceberg::TransformResultType(transform_p, source_p)) {
	}
	iceberg::Transform transform;
	iceberg::PrimitiveType source;
	iceberg::PrimitiveType result;

	unique_ptr<FunctionData> Copy() const override {
		return make_uniq<TransformBindData>(transform, source);
	}
	bool Equals(const FunctionData &other) const override {
		auto &that = other.Cast<TransformBindData>();
		return transform == that.transform && source == that.source;
	}
};

// Row by row through the Iceberg value layer: partition values are computed once per written
// row, and the shared code is what guarantees they match other engines.
void ApplyTransform(DataChunk &args, ExpressionState &state, Vector &result) {
	auto &data = state.expr.Cast<BoundFunctionExpression>().bind_info->Cast<TransformBindData>();
	auto &input = args.data[args.ColumnCount() - 1];
	for (idx_t i = 0; i < args.size(); i++) {
		auto literal = LiteralOf(input.GetValue(i), data.source);
		auto transformed = Lake([&] { return iceberg::ApplyTransform(data.transform, literal, data.source); });
		result.SetValue(i, ValueOf(transformed, data.result));
	}
}

iceberg::PrimitiveType SourceTypeOf(const LogicalType &type) {
	int32_t next_id = 0;
	auto iceberg_type = Lake([&] { return IcebergTypeOf(type, next_id); });
	auto value_type = iceberg::ValueTypeOf(*iceberg_type);
	if (!value_type) {
		ThrowAsDuck(akko::Error(ErrorCode::DatatypeMismatch,
		                        fmt::format("a partition transform cannot take a value of type {}", type.ToString())));
	}
	return *value_type;
}

LogicalType ResultDuckType(const iceberg::PrimitiveType &type) {
	return ValueOf(std::monostate {}, type).type();
}

// iceberg_bucket(n, x) and iceberg_truncate(w, x): the parameter must be a constant.
unique_ptr<FunctionData> BindParameterized(ClientContext &context, ScalarFunction &function,
                                           vector<unique_ptr<Expression>> &arguments) {
	if (!arguments[0]->IsFoldable()) {
		throw BinderException("%s: the first argument must be a constant", function.name);
	}
	auto parameter = ExpressionExecutor::EvaluateScalar(context, *arguments[0]).DefaultCastAs(LogicalType::INTEGER);
	auto kind = function.name == "iceberg_bucket" ? "bucket" : "truncate";
	auto transform = Lake([&] { return iceberg::ParseTransform(fmt::format("{}[{}]", kind, parameter.GetValue<int32_t>())); });
	auto source = SourceTypeOf(arguments[1]->return_type);
	auto data = make_uniq<TransformBindData>(transform, source);
	function.arguments = {LogicalType::INTEGER, arguments[1]->return_type};
	function.return_type = ResultDuckType(data->result);
	return data;
}

unique_ptr<FunctionData> BindTimeTransform(ClientContext &context, ScalarFunction &function,
                                           vector<unique_ptr<Expression>> &arguments) {
	auto transform = iceberg::ParseTransform(function.name.substr(std::string("iceberg_").size()));
	auto source = SourceTypeOf(arguments[0]->return_type);
	using iceberg::TypeKind;
	bool hours = transform.kind == iceberg::TransformKind::Hour;
	if (source.kind != TypeKind::Timestamp && source.kind != TypeKind::TimestampTz &&
	    (hours || source.kind != TypeKind::Date)) {
		throw BinderException("%s does not take a value of type %s", function.name, arguments[0]->return_type.ToString());
	}
	auto data = make_uniq<TransformBindData>(transform, source);
	function.arguments = {arguments[0]->return_type};
	function.return_type = ResultDuckType(data->result);
	return data;
}

struct RegisterTableData : public TableFunctionData {
	std::string schema;
	std::string name;
	std::string metadata_location;
};

struct RegisterTableState : public GlobalTableFunctionState {
	bool done = false;
};

unique_ptr<FunctionData> BindRegisterTable(ClientContext &context, TableFunctionBindInput &input,
                                           vector<LogicalType> &return_types, vector<string> &names) {
	auto data = make_uniq<RegisterTableData>();
	for (auto &value : input.inputs) {
		if (value.IsNull()) {
			throw InvalidInputException("register_table: arguments must not be NULL");
		}
	}
	data->schema = StringValue::Get(input.inputs[0]);
	data->name = StringValue::Get(input.inputs[1]);
	data->metadata_location = StringValue::Get(input.inputs[2]);
	return_types.push_back(LogicalType::VARCHAR);
	names.push_back("metadata_location");
	return data;
}

unique_ptr<GlobalTableFunctionState> InitRegisterTable(ClientContext &context, TableFunctionInitInput &input) {
	return make_uniq<RegisterTableState>();
}

// CALL register_table(schema, name, metadata_location): adopts a table another engine wrote (its
// metadata file already in the warehouse) under a new name, as the REST API's register does.
void RegisterTable(ClientContext &context, TableFunctionInput &input, DataChunk &output) {
	auto &state = input.global_state->Cast<RegisterTableState>();
	if (state.done) {
		return;
	}
	state.done = true;
	auto &data = input.bind_data->Cast<RegisterTableData>();
	auto &catalog = Catalog::GetCatalog(context, "iceberg").Cast<LakeCatalog>();
	auto &transaction = LakeTransaction::Get(context, catalog);
	if (!transaction.NamespaceExists(data.schema)) {
		throw CatalogException("Schema with name \"%s\" does not exist!", data.schema);
	}
	auto loaded = Lake([&] {
		return catalog.Service().RegisterTable({NamespaceOf(data.schema), data.name}, data.metadata_location);
	});
	transaction.Invalidate();
	output.SetCardinality(1);
	output.SetValue(0, 0, Value(loaded.metadata_location));
}

struct TablePropertiesData : public TableFunctionData {
	std::string schema; // empty: the session's current schema
	std::string name;
	std::map<std::string, std::string> updates;
	std::vector<std::string> removals;
	std::optional<int32_t> format_version;
};

unique_ptr<FunctionData> BindTableProperties(ClientContext &context, TableFunctionBindInput &input,
                                             vector<LogicalType> &return_types, vector<string> &names) {
	auto data = make_uniq<TablePropertiesData>();
	if (input.inputs[1].IsNull()) {
		throw InvalidInputException("set_table_properties: the table name must not be NULL");
	}
	data->schema = input.inputs[0].IsNull() ? "" : StringValue::Get(input.inputs[0]);
	data->name = StringValue::Get(input.inputs[1]);
	if (!input.inputs[2].IsNull()) {
		for (auto &entry : MapValue::GetChildren(input.inputs[2])) {
			auto &pair = StructValue::GetChildren(entry);
			if (pair[1].IsNull()) {
				throw InvalidInputException("set_table_properties: property \"%s\" needs a value", pair[0].ToString());
			}
			data->updates[pair[0].ToString()] = pair[1].ToString();
		}
	}
	if (!input.inputs[3].IsNull()) {
		for (auto &key : ListValue::GetChildren(input.inputs[3])) {
			data->removals.push_back(key.ToString());
		}
	}
	auto version = data->updates.find("format-version");
	if (version != data->updates.end()) {
		int32_t format_version = 0;
		auto &text = version->second;
		auto parsed = std::from_chars(text.data(), text.data() + text.size(), format_version);
		if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) {
			throw InvalidInputException("set_table_properties: format-version must be a number, not \"%s\"", text);
		}
		data->format_version = format_version;
		data->updates.erase(version);
	}
	return_types.push_back(LogicalType::VARCHAR);
	names.push_back("metadata_location");
	return std::move(data);
}

// CALL set_table_properties(schema, table, MAP {key: value}, [removed keys]): what PostgreSQL's
// ALTER TABLE t SET (key = value) / RESET (key) become (pg_dialect rewrites them), as Spark's
// ALTER TABLE ... SET TBLPROPERTIES. "format-version" upgrades the table, as in Java.
void SetTableProperties(ClientContext &context, TableFunctionInput &input, DataChunk &output) {
	auto &state = input.global_state->Cast<RegisterTableState>();
	if (state.done) {
		return;
	}
	state.done = true;
	auto &data = input.bind_data->Cast<TablePropertiesData>();
	auto &catalog = Catalog::GetCatalog(context, "iceberg").Cast<LakeCatalog>();
	auto &transaction = LakeTransaction::Get(context, catalog);
	auto schema = data.schema.empty() ? ClientData::Get(context).catalog_search_path->GetDefault().schema : data.schema;
	auto *table = transaction.FindTable(schema, data.name);
	if (!table) {
		throw CatalogException("Table with name \"%s\" does not exist!", data.name);
	}
	auto id = table->id;
	auto committed = Lake([&] {
		auto current = catalog.Service().LoadTable(id);
		catalog::TableChange change;
		change.requirements.push_back(iceberg::AssertTableUuid {current.metadata->table_uuid});
		if (data.format_version) {
			change.updates.push_back(iceberg::UpgradeFormatVersionUpdate {*data.format_version});
		}
		if (!data.removals.empty()) {
			change.updates.push_back(iceberg::RemovePropertiesUpdate {data.removals});
		}
		if (!data.updates.empty()) {
			change.updates.push_back(iceberg::SetPropertiesUpdate {data.updates});
		}
		return catalog.Service().CommitTable(id, change);
	});
	transaction.Repin(schema, data.name, committed);
	output.SetCardinality(1);
	output.SetValue(0, 0, Value(committed.metadata_location));
}


// Table maintenance as procedures, named and shaped as Spark's: CALL expire_snapshots(...),
// remove_orphan_files, rewrite_data_files, rewrite_manifests. The table is the first positional
// argument or the named argument "table" (quoted: TABLE is a reserved word to DuckDB's parser).
using ProcedureRows = std::vector<vector<Value>>;
using ProcedureBody = ProcedureRows (*)(ClientContext &context, LakeCatalog &catalog, const catalog::TableIdentifier &id,
                                        const named_parameter_map_t &named);

struct ProcedureInfo : public TableFunctionInfo {
	ProcedureInfo(ProcedureBody body_p, vector<string> names_p, vector<LogicalType> types_p)
	    : body(body_p), names(std::move(names_p)), types(std::move(types_p)) {
	}
	ProcedureBody body;
	vector<string> names;
	vector<LogicalType> types;
};

struct ProcedureData : public TableFunctionData {
	ProcedureBody body = nullptr;
	std::string table;
	named_parameter_map_t named;
};

struct ProcedureState : public GlobalTableFunctionState {
	bool ran = false;
	ProcedureRows rows;
	idx_t offset = 0;
};

unique_ptr<FunctionData> BindProcedure(ClientContext &context, TableFunctionBindInput &input,
                                       vector<LogicalType> &return_types, vector<string> &names) {
	auto &info = input.info->Cast<ProcedureInfo>();
	auto data = make_uniq<ProcedureData>();
	data->body = info.body;
	auto &function_name = input.table_function.name;
	if (input.inputs.size() > 1) {
		throw InvalidInputException("%s: only the table may be given by position; name the other arguments", function_name);
	}
	for (auto &[name, value] : input.named_parameters) {
		if (value.IsNull()) {
			throw InvalidInputException("%s: argument %s must not be NULL", function_name, name);
		}
		if (StringUtil::CIEquals(name, "table")) {
			data->table = StringValue::Get(value);
		} else {
			data->named.emplace(StringUtil::Lower(name), value);
		}
	}
	if (!input.inputs.empty()) {
		if (!data->table.empty() || input.inputs[0].IsNull()) {
			throw InvalidInputException("%s: give the table once, not NULL", function_name);
		}
		data->table = StringValue::Get(input.inputs[0]);
	}
	if (data->table.empty()) {
		throw InvalidInputException("%s: the table argument is required, e.g. %s(\"table\" => 'schema.name')",
		                            function_name, function_name);
	}
	names = info.names;
	return_types = info.types;
	return data;
}

unique_ptr<GlobalTableFunctionState> InitProcedure(ClientContext &context, TableFunctionInitInput &input) {
	return make_uniq<ProcedureState>();
}

void RunProcedure(ClientContext &context, TableFunctionInput &input, DataChunk &output) {
	auto &state = input.global_state->Cast<ProcedureState>();
	if (!state.ran) {
		state.ran = true;
		auto &data = input.bind_data->Cast<ProcedureData>();
		auto &catalog = Catalog::GetCatalog(context, "iceberg").Cast<LakeCatalog>();
		auto &transaction = LakeTransaction::Get(context, catalog);
		// "a.b.t": the table t in namespace a.b; a bare name is in the session's current schema.
		auto dot = data.table.rfind('.');
		auto schema = dot == std::string::npos ? ClientData::Get(context).catalog_search_path->GetDefault().schema
		                                       : data.table.substr(0, dot);
		auto name = dot == std::string::npos ? data.table : data.table.substr(dot + 1);
		auto *table = transaction.FindTable(schema, name);
		if (!table) {
			throw CatalogException("Table with name \"%s\" does not exist!", data.table);
		}
		auto id = table->id;
		state.rows = data.body(context, catalog, id, data.named);
		// Later statements of this transaction read the table as maintenance left it.
		transaction.Repin(schema, name, Lake([&] { return catalog.Service().LoadTable(id); }));
	}
	idx_t count = 0;
	for (; state.offset < state.rows.size() && count < STANDARD_VECTOR_SIZE; state.offset++, count++) {
		for (idx_t column = 0; column < state.rows[state.offset].size(); column++) {
			output.SetValue(column, count, state.rows[state.offset][column]);
		}
	}
	output.SetCardinality(count);
}

std::optional<Value> Named(const named_parameter_map_t &named, const std::string &key) {
	auto found = named.find(key);
	return found == named.end() ? std::nullopt : std::optional<Value>(found->second);
}

int64_t EpochMs(const Value &timestamp) {
	return Timestamp::GetEpochMs(TimestampValue::Get(timestamp.DefaultCastAs(LogicalType::TIMESTAMP_TZ)));
}

ProcedureRows ExpireSnapshotsProcedure(ClientContext &context, LakeCatalog &catalog, const catalog::TableIdentifier &id,
                                       const named_parameter_map_t &named) {
	catalog::ExpireOptions options;
	if (auto value = Named(named, "older_than")) {
		options.older_than_ms = EpochMs(*value);
	}
	if (auto value = Named(named, "retain_last")) {
		options.retain_last = value->GetValue<int32_t>();
	}
	if (auto value = Named(named, "snapshot_ids")) {
		for (auto &snapshot_id : ListValue::GetChildren(*value)) {
			options.snapshot_ids.push_back(snapshot_id.GetValue<int64_t>());
		}
	}
	auto result = Lake([&] { return catalog::ExpireSnapshots(catalog.Service(), id, options); });
	return {{Value::BIGINT(result.deleted_data_files_count), Value::BIGINT(result.deleted_position_delete_files_count),
	         Value::BIGINT(result.deleted_equality_delete_files_count), Value::BIGINT(result.deleted_manifest_files_count),
	         Value::BIGINT(result.deleted_manifest_lists_count), Value::BIGINT(result.deleted_statistics_files_count)}};
}

ProcedureRows RemoveOrphanFilesProcedure(ClientContext &context, LakeCatalog &catalog,
                                         const catalog::TableIdentifier &id, const named_parameter_map_t &named) {
	catalog::OrphanOptions options;
	if (auto value = Named(named, "older_than")) {
		options.older_than_ms = EpochMs(*value);
	}
	if (auto value = Named(named, "dry_run")) {
		options.dry_run = value->GetValue<bool>();
	}
	ProcedureRows rows;
	for (auto &uri : Lake([&] { return catalog::RemoveOrphanFiles(catalog.Service(), id, options); })) {
		rows.push_back({Value(uri)});
	}
	return rows;
}

ProcedureRows RewriteDataFilesProcedure(ClientContext &context, LakeCatalog &catalog, const catalog::TableIdentifier &id,
                                        const named_parameter_map_t &named) {
	CompactionOptions options;
	// Spark passes these in options => map('min-input-files', '2', ...); both spellings work here.
	auto set = [&](const std::string &key, const Value &value) {
		auto number = value.DefaultCastAs(LogicalType::BIGINT).GetValue<int64_t>();
		if (key == "min-input-files" || key == "min_input_files") {
			options.min_input_files = number;
		} else if (key == "target-file-size-bytes" || key == "target_file_size_bytes") {
			options.target_file_size_bytes = number;
		} else {
			throw InvalidInputException("rewrite_data_files: unknown option \"%s\"", key);
		}
	};
	for (auto &[key, value] : named) {
		if (key == "options") {
			for (auto &entry : MapValue::GetChildren(value)) {
				auto &pair = StructValue::GetChildren(entry);
				set(pair[0].ToString(), pair[1]);
			}
		} else {
			set(key, value);
		}
	}
	auto result = RewriteDataFiles(DatabaseInstance::GetDatabase(context), catalog, id, options);
	return {{Value::BIGINT(result.rewritten_data_files_count), Value::BIGINT(result.added_data_files_count),
	         Value::BIGINT(result.rewritten_bytes_count), Value::BIGINT(result.removed_delete_files_count)}};
}

ProcedureRows RewriteManifestsProcedure(ClientContext &context, LakeCatalog &catalog, const catalog::TableIdentifier &id,
                                        const named_parameter_map_t &named) {
	auto result = Lake([&] { return catalog::RewriteManifests(catalog.Service(), id); });
	return {{Value::BIGINT(result.rewritten_manifests_count), Value::BIGINT(result.added_manifests_count)}};
}

void InstallProcedure(ClientContext &context, Catalog &catalog, const char *name, ProcedureBody body,
                      vector<string> names, const named_parameter_type_map_t &parameters) {
	vector<LogicalType> types;
	for (auto &column : names) {
		types.push_back(column == "orphan_file_location" ? LogicalType::VARCHAR : LogicalType::BIGINT);
	}
	TableFunction function(name, {}, RunProcedure, BindProcedure, InitProcedure);
	function.varargs = LogicalType::VARCHAR;
	function.named_parameters = parameters;
	function.named_parameters["table"] = LogicalType::VARCHAR;
	function.function_info = make_shared_ptr<ProcedureInfo>(body, std::move(names), std::move(types));
	CreateTableFunctionInfo info(function);
	info.internal = true;
	catalog.CreateTableFunction(context, info);
}

void InstallProcedures(ClientContext &context, Catalog &catalog) {
	InstallProcedure(context, catalog, "expire_snapshots", ExpireSnapshotsProcedure,
	                 {"deleted_data_files_count", "deleted_position_delete_files_count",
	                  "deleted_equality_delete_files_count", "deleted_manifest_files_count",
	                  "deleted_manifest_lists_count", "deleted_statistics_files_count"},
	                 {{"older_than", LogicalType::TIMESTAMP_TZ},
	                  {"retain_last", LogicalType::INTEGER},
	                  {"snapshot_ids", LogicalType::LIST(LogicalType::BIGINT)}});
	InstallProcedure(context, catalog, "remove_orphan_files", RemoveOrphanFilesProcedure, {"orphan_file_location"},
	                 {{"older_than", LogicalType::TIMESTAMP_TZ}, {"dry_run", LogicalType::BOOLEAN}});
	InstallProcedure(context, catalog, "rewrite_data_files", RewriteDataFilesProcedure,
	                 {"rewritten_data_files_count", "added_data_files_count", "rewritten_bytes_count",
	                  "removed_delete_files_count"},
	                 {{"options", LogicalType::MAP(LogicalType::VARCHAR, LogicalType::VARCHAR)},
	                  {"min_input_files", LogicalType::BIGINT},
	                  {"target_file_size_bytes", LogicalType::BIGINT}});
	InstallProcedure(context, catalog, "rewrite_manifests", RewriteManifestsProcedure,
	                 {"rewritten_manifests_count", "added_manifests_count"}, {});
}

} // namespace

unique_ptr<Expression> PartitionExpression(const iceberg::Schema &schema, const iceberg::PartitionField &field) {
	for (idx_t i = 0; i < schema.fields.size(); i++) {
		auto &column = schema.fields[i];
		if (column.id != field.source_id) {
			continue;
		}
		auto type = DuckTypeOf(*column.type);
		auto reference = make_uniq<BoundReferenceExpression>(type, i);
		auto transform = Lake([&] { return iceberg::ParseTransform(field.transform); });
		if (transform.kind == iceberg::TransformKind::Identity) {
			return reference;
		}
		auto data = make_uniq<TransformBindData>(transform, *iceberg::ValueTypeOf(*column.type));
		auto result_type = ResultDuckType(data->result);
		ScalarFunction function("iceberg_" + field.transform, {type}, result_type, ApplyTransform);
		vector<unique_ptr<Expression>> children;
		children.push_back(std::move(reference));
		return make_uniq<BoundFunctionExpression>(result_type, std::move(function), std::move(children), std::move(data));
	}
	ThrowAsDuck(akko::Error(ErrorCode::InvalidInput,
	                        fmt::format("partition field \"{}\" reads column {}, which is not a top-level column", field.name,
	                                    field.source_id)));
}

void InstallLakeFunctions(DatabaseInstance &database) {
	Connection connection(database);
	auto &context = *connection.context;
	connection.BeginTransaction();
	auto &catalog = Catalog::GetSystemCatalog(context);
	for (const char *name : {"iceberg_bucket", "iceberg_truncate"}) {
		ScalarFunction function(name, {LogicalType::INTEGER, LogicalType::ANY}, LogicalType::ANY, ApplyTransform,
		                        BindParameterized);
		CreateScalarFunctionInfo info(function);
		info.internal = true;
		catalog.CreateFunction(context, info);
	}
	TableFunction register_table("register_table", {LogicalType::VARCHAR, LogicalType::VARCHAR, LogicalType::VARCHAR},
	                             RegisterTable, BindRegisterTable, InitRegisterTable);
	CreateTableFunctionInfo register_info(register_table);
	register_info.internal = true;
	catalog.CreateTableFunction(context, register_info);
	TableFunction properties("set_table_properties",
	                         {LogicalType::VARCHAR, LogicalType::VARCHAR, LogicalType::MAP(LogicalType::VARCHAR, LogicalType::VARCHAR),
	                          LogicalType::LIST(LogicalType::VARCHAR)},
	                         SetTableProperties, BindTableProperties, InitRegisterTable);
	CreateTableFunctionInfo properties_info(properties);
	properties_info.internal = true;
	catalog.CreateTableFunction(context, properties_info);
	InstallMetadataTableFunctions(context, catalog);
	InstallProcedures(context, catalog);
	for (const char *name : {"iceberg_year", "iceberg_month", "iceberg_day", "iceberg_hour"}) {
		ScalarFunction function(name, {LogicalType::ANY}, LogicalType::INTEGER, ApplyTransform, BindTimeTransform);
		CreateScalarFunctionInfo info(function);
		info.internal = true;
		catalog.CreateFunction(context, info);
	}
	connection.Commit();
}

} // namespace akko::engine
