#include "engine/duckdb_internal.hpp"
#include "engine/lake_insert.hpp"

#include "engine/lake_catalog.hpp"
#include "engine/lake_functions.hpp"
#include "engine/lake_key_check.hpp"
#include "engine/lake_schema_entry.hpp"
#include "engine/lake_table_entry.hpp"
#include "engine/lake_transaction.hpp"
#include "engine/lake_types.hpp"

#include <fmt/format.h>

namespace akko::engine {

using namespace duckdb;

namespace {

// Files are cut at this size; Iceberg's default target is 512 MB too.
constexpr idx_t kTargetFileBytes = idx_t(512) << 20;

class LakeInsertGlobalState : public GlobalSinkState {
public:
	LakeTableState *table = nullptr;
	LakeTableEntry *entry = nullptr;
	iceberg::Schema schema;
	iceberg::PartitionSpec spec;
	std::string name;
	std::vector<iceberg::AddedFile> files;
	int64_t row_count = 0;
};

} // namespace

LakeCopyPlan PlanLakeCopy(ClientContext &context, PhysicalPlanGenerator &planner, LakeCatalog &catalog,
                          const std::string &table_location, const iceberg::Schema &schema,
                          const iceberg::PartitionSpec &spec, optional_ptr<PhysicalOperator> child) {
	WriteLocation location;
	location.uri_dir = table_location + "/data";
	location.local_dir = Lake([&] { return catalog.EnginePath(location.uri_dir); });

	CopyInfo info;
	info.file_path = location.local_dir;
	info.format = "parquet";
	info.is_from = false;
	vector<string> names;
	vector<LogicalType> types;
	for (auto &field : schema.fields) {
		names.push_back(field.name);
		types.push_back(DuckTypeOf(*field.type));
	}
	info.options["field_ids"].push_back(FieldIdsOption(schema.fields));
	info.options["compression"].push_back(Value("zstd"));

	auto &system = Catalog::GetSystemCatalog(context);
	auto &parquet = system.GetEntry<CopyFunctionCatalogEntry>(context, DEFAULT_SCHEMA, "parquet");
	CopyFunctionBindInput bind_input(info);
	auto bind_data = parquet.function.copy_to_bind(context, bind_input, names, types);

	vector<unique_ptr<Expression>> expressions;
	for (idx_t i = 0; i < types.size(); i++) {
		expressions.push_back(make_uniq<BoundReferenceExpression>(types[i], i));
	}
	vector<idx_t> partition_columns;
	auto copy_names = names;
	auto copy_types = types;
	for (auto &field : spec.fields) {
		auto expression = PartitionExpression(schema, field);
		partition_columns.push_back(copy_names.size());
		// Directory names: the partition field's name, kept apart from the columns'.
		copy_names.push_back(field.name + (std::find(names.begin(), names.end(), field.name) != names.end() ? "_value" : ""));
		copy_types.push_back(expression->return_type);
		expressions.push_back(std::move(expression));
	}
	if (child && !spec.fields.empty()) {
		vector<unique_ptr<Expression>> projection;
		for (auto &expression : expressions) {
			projection.push_back(expression->Copy());
		}
		auto &project = planner.Make<PhysicalProjection>(copy_types, std::move(projection), child->estimated_cardinality);
		project.children.push_back(*child);
		child = &project;
	}

	auto &copy = planner
	                 .Make<PhysicalCopyToFile>(GetCopyFunctionReturnLogicalTypes(CopyFunctionReturnType::WRITTEN_FILE_STATISTICS),
	                                           parquet.function, std::move(bind_data), 1)
	                 .Cast<PhysicalCopyToFile>();
	bool partitioned = !spec.fields.empty();
	copy.file_path = location.local_dir;
	copy.use_tmp_file = false;
	copy.filename_pattern.SetFilenamePattern("data-{uuidv7}");
	copy.file_extension = "parquet";
	copy.overwrite_mode = CopyOverwriteMode::COPY_OVERWRITE_OR_IGNORE;
	copy.per_thread_output = false;
	// Given a directory, only rotation makes an unpartitioned COPY name its files by the pattern.
	copy.rotate = !partitioned;
	if (!partitioned) {
		copy.file_size_bytes = kTargetFileBytes;
	}
	copy.return_type = CopyFunctionReturnType::WRITTEN_FILE_STATISTICS;
	copy.partition_output = partitioned;
	// Partition values only name directories; the source columns stay in the file.
	copy.write_partition_columns = false;
	// Without rotation, Sink opens file_path itself as a file unless it may write empty files.
	copy.write_empty_file = partitioned;
	copy.hive_file_pattern = true;
	copy.partition_columns = std::move(partition_columns);
	copy.names = std::move(copy_names);
	copy.expected_types = std::move(copy_types);
	copy.parallel = true;
	if (child) {
		copy.children.push_back(*child);
	}
	FileSystem::GetFileSystem(context).CreateDirectoriesRecursive(location.local_dir);
	return LakeCopyPlan {copy, std::move(expressions), std::move(location)};
}

LakeInsert::LakeInsert(PhysicalPlan &plan, LakeTableEntry &table_p, WriteLocation location_p)
    : PhysicalOperator(plan, PhysicalOperatorType::EXTENSION, {LogicalType::BIGINT}, 1), table(&table_p),
      location(std::move(location_p)) {
}

LakeInsert::LakeInsert(PhysicalPlan &plan, LakeCreateTarget create_p, WriteLocation location_p)
    : PhysicalOperator(plan, PhysicalOperatorType::EXTENSION, {LogicalType::BIGINT}, 1), create(std::move(create_p)),
      location(std::move(location_p)) {
}

unique_ptr<GlobalSinkState> LakeInsert::GetGlobalSinkState(ClientContext &context) const {
	auto result = make_uniq<LakeInsertGlobalState>();
	optional_ptr<LakeTableEntry> target = table.get_mutable();
	if (create.info) {
		target = &create.schema->CreateLakeTable(context, *create.info, create.location, true);
		for (auto &field : target->Shape().schema.fields) {
			auto *planned = create.iceberg_schema.FindFieldByName(field.name);
			if (!planned || planned->id != field.id) {
				throw InternalException("CREATE TABLE AS: the new table's field ids differ from the planned ones");
			}
		}
	}
	auto &transaction = LakeTransaction::Get(context, target->ParentCatalog());
	result->table = transaction.FindTable(target->schema.name, target->name);
	if (!result->table || result->table->base.metadata->table_uuid != target->Shape().uuid) {
		throw CatalogException("Table \"%s\" no longer exists", target->name);
	}
	result->entry = target.get();
	result->schema = target->Shape().schema;
	result->spec = target->Shape().spec;
	result->name = target->name;
	return result;
}

SinkResultType LakeInsert::Sink(ExecutionContext &context, DataChunk &chunk, OperatorSinkInput &input) const {
	auto &state = input.global_state.Cast<LakeInsertGlobalState>();
	for (idx_t row = 0; row < chunk.size(); row++) {
		auto file = Lake([&] { return DataFileFromWrittenRow(chunk, row, state.schema, state.spec, location); });
		state.files.push_back(iceberg::AddedFile {std::move(file), state.spec.spec_id});
	}
	return SinkResultType::NEED_MORE_INPUT;
}

SinkFinalizeType LakeInsert::Finalize(Pipeline &pipeline, Event &event, ClientContext &context,
                                      OperatorSinkFinalizeInput &input) const {
	auto &state = input.global_state.Cast<LakeInsertGlobalState>();
	Catalog &catalog = table ? table.get_mutable()->ParentCatalog() : create.schema->ParentCatalog();
	auto &transaction = LakeTransaction::Get(context, catalog);
	for (auto &added : state.files) {
		state.row_count += added.file.record_count;
	}
	// The files join the transaction first, so a failed check below still removes them.
	transaction.AddFiles(*state.table, state.files);
	for (auto &added : state.files) {
		for (auto &field : state.schema.fields) {
			auto nulls = added.file.null_value_counts.find(field.id);
			if (field.required && nulls != added.file.null_value_counts.end() && nulls->second > 0) {
				throw ConstraintException("NOT NULL constraint failed: %s.%s", state.name, field.name);
			}
		}
	}
	if (!state.files.empty()) {
		CheckPrimaryKey(context, *state.entry);
	}
	return SinkFinalizeType::READY;
}

SourceResultType LakeInsert::GetData(ExecutionContext &context, DataChunk &chunk, OperatorSourceInput &input) const {
	auto &state = sink_state->Cast<LakeInsertGlobalState>();
	chunk.SetCardinality(1);
	chunk.SetValue(0, 0, Value::BIGINT(state.row_count));
	return SourceResultType::FINISHED;
}

std::string LakeInsert::GetName() const {
	return create.info ? "ICEBERG_CREATE_TABLE_AS" : "ICEBERG_INSERT";
}

InsertionOrderPreservingMap<string> LakeInsert::ParamsToString() const {
	InsertionOrderPreservingMap<string> result;
	result["Table"] = create.info ? create.info->table : table->name;
	return result;
}

} // namespace akko::engine
