#include "engine/duckdb_internal.hpp"
#include "engine/lake_functions.hpp"


#include "duckdb/catalog/catalog_search_path.hpp"
#include "duckdb/main/client_data.hpp"
#include "duckdb/parser/parsed_data/create_scalar_function_info.hpp"
#include "duckdb/parser/parsed_data/create_table_function_info.hpp"
#include "engine/lake_catalog.hpp"
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
	for (const char *name : {"iceberg_year", "iceberg_month", "iceberg_day", "iceberg_hour"}) {
		ScalarFunction function(name, {LogicalType::ANY}, LogicalType::INTEGER, ApplyTransform, BindTimeTransform);
		CreateScalarFunctionInfo info(function);
		info.internal = true;
		catalog.CreateFunction(context, info);
	}
	connection.Commit();
}

} // namespace akko::engine
