#include "engine/duckdb_internal.hpp"
#include "engine/lake_scan.hpp"
#include "engine/function_gate.hpp"

#include "engine/lake_catalog.hpp"
#include "engine/lake_delete_filter.hpp"
#include "engine/lake_table_entry.hpp"
#include "engine/lake_transaction.hpp"
#include "engine/lake_types.hpp"
#include "iceberg/value_type.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace akko::engine {

using namespace duckdb;

namespace {

struct LakeScanFile {
	std::string uri;
	std::string local_path;
	int64_t record_count = 0;
	int64_t file_size = 0;
	bool pending = false;
	std::vector<iceberg::DataFile> position_deletes;
	// Each with the columns it compares.
	std::vector<std::pair<iceberg::DataFile, std::vector<EqualityColumn>>> equality_deletes;
};

// The columns an equality delete compares, typed as the table's schema types them now (or, for
// a column since dropped, as the newest schema that had it).
std::vector<EqualityColumn> EqualityColumnsOf(const iceberg::DataFile &delete_file, const iceberg::Schema &schema,
                                              const iceberg::TableMetadata &metadata) {
	std::vector<EqualityColumn> columns;
	for (auto id : delete_file.equality_ids) {
		const iceberg::NestedField *field = schema.FindField(id);
		for (auto it = metadata.schemas.rbegin(); !field && it != metadata.schemas.rend(); ++it) {
			field = it->FindField(id);
		}
		if (!field) {
			ThrowAsDuck(akko::Error(ErrorCode::InvalidInput,
			                        fmt::format("equality delete file \"{}\" compares field {}, which no schema has",
			                                    delete_file.file_path, id)));
		}
		columns.push_back({id, DuckTypeOf(*field->type)});
	}
	return columns;
}

struct LakeScanInfo : public TableFunctionInfo {
	LakeScanInfo(LakeTableEntry &table_p, LakeCatalog &catalog_p) : table(table_p), catalog(catalog_p) {
	}
	LakeTableEntry &table;
	LakeCatalog &catalog;
	std::shared_ptr<const iceberg::TableMetadata> metadata;
	const iceberg::Snapshot *snapshot = nullptr;
	std::vector<LakeScanFile> files;
	std::string snapshot_label;
};

std::optional<iceberg::PredicateOp> PredicateOpOf(ExpressionType type) {
	switch (type) {
	case ExpressionType::COMPARE_EQUAL:
		return iceberg::PredicateOp::Equal;
	case ExpressionType::COMPARE_LESSTHAN:
		return iceberg::PredicateOp::Less;
	case ExpressionType::COMPARE_LESSTHANOREQUALTO:
		return iceberg::PredicateOp::LessOrEqual;
	case ExpressionType::COMPARE_GREATERTHAN:
		return iceberg::PredicateOp::Greater;
	case ExpressionType::COMPARE_GREATERTHANOREQUALTO:
		return iceberg::PredicateOp::GreaterOrEqual;
	default:
		return std::nullopt;
	}
}

// The table column a filter's column reference reads, or null for virtual columns.
const iceberg::NestedField *FieldOf(const LakeTableEntry &table, const MultiFilePushdownInfo &pushdown,
                                    const BoundColumnRefExpression &column) {
	auto column_id = pushdown.column_ids[column.binding.column_index];
	if (IsVirtualColumn(column_id) || column_id >= table.Shape().schema.fields.size()) {
		return nullptr;
	}
	return &table.Shape().schema.fields[column_id];
}

// The conjuncts DuckDB hands the scan, as far as they are `column <op> constant` or null tests.
std::vector<iceberg::ColumnPredicate> PredicatesOf(const LakeTableEntry &table, const MultiFilePushdownInfo &pushdown,
                                                   const vector<unique_ptr<Expression>> &filters) {
	std::vector<iceberg::ColumnPredicate> predicates;
	for (auto &filter : filters) {
		if (filter->GetExpressionClass() == ExpressionClass::BOUND_OPERATOR) {
			auto &op = filter->Cast<BoundOperatorExpression>();
			bool is_null = op.GetExpressionType() == ExpressionType::OPERATOR_IS_NULL;
			bool not_null = op.GetExpressionType() == ExpressionType::OPERATOR_IS_NOT_NULL;
			if ((!is_null && !not_null) || op.children.size() != 1 ||
			    op.children[0]->GetExpressionClass() != ExpressionClass::BOUND_COLUMN_REF) {
				continue;
			}
			auto *field = FieldOf(table, pushdown, op.children[0]->Cast<BoundColumnRefExpression>());
			if (field && field->type->IsPrimitive()) {
				predicates.push_back({field->id, is_null ? iceberg::PredicateOp::IsNull : iceberg::PredicateOp::NotNull, {}});
			}
			continue;
		}
		if (filter->GetExpressionClass() != ExpressionClass::BOUND_COMPARISON) {
			continue;
		}
		auto &comparison = filter->Cast<BoundComparisonExpression>();
		auto type = comparison.GetExpressionType();
		optional_ptr<BoundColumnRefExpression> column;
		optional_ptr<BoundConstantExpression> constant;
		if (comparison.left->GetExpressionClass() == ExpressionClass::BOUND_COLUMN_REF &&
		    comparison.right->GetExpressionClass() == ExpressionClass::BOUND_CONSTANT) {
			column = comparison.left->Cast<BoundColumnRefExpression>();
			constant = comparison.right->Cast<BoundConstantExpression>();
		} else if (comparison.right->GetExpressionClass() == ExpressionClass::BOUND_COLUMN_REF &&
		           comparison.left->GetExpressionClass() == ExpressionClass::BOUND_CONSTANT) {
			column = comparison.right->Cast<BoundColumnRefExpression>();
			constant = comparison.left->Cast<BoundConstantExpression>();
			type = FlipComparisonExpression(type);
		}
		auto op = PredicateOpOf(type);
		if (!column || !op || constant->value.IsNull()) {
			continue;
		}
		auto *field = FieldOf(table, pushdown, *column);
		if (!field) {
			continue;
		}
		auto value_type = iceberg::ValueTypeOf(*field->type);
		// Only a constant of the column's own type compares the way the bounds do.
		if (!value_type || constant->value.type() != column->return_type) {
			continue;
		}
		try {
			predicates.push_back({field->id, *op, LiteralOf(constant->value, *value_type)});
		} catch (const std::exception &) {
		}
	}
	return predicates;
}

class LakeMultiFileList : public MultiFileList {
public:
	LakeMultiFileList(shared_ptr<LakeScanInfo> info_p, std::vector<LakeScanFile> files_p)
	    : MultiFileList(vector<OpenFileInfo> {}, FileGlobOptions::ALLOW_EMPTY), info(std::move(info_p)),
	      files(std::move(files_p)) {
	}

	const LakeScanFile &Entry(idx_t i) const {
		return files[i];
	}

	unique_ptr<MultiFileList> ComplexFilterPushdown(ClientContext &context, const MultiFileOptions &options,
	                                                MultiFilePushdownInfo &pushdown,
	                                                vector<unique_ptr<Expression>> &filters) override {
		if (!info->snapshot) {
			return nullptr;
		}
		auto predicates = RetypeForSnapshot(PredicatesOf(info->table, pushdown, filters));
		if (predicates.empty()) {
			return nullptr;
		}
		auto plan = Lake([&] {
			return iceberg::PlanScan(*info->metadata, *info->snapshot, predicates, info->catalog.Manifests(),
			                         info->catalog.Reader());
		});
		std::set<std::string> kept_uris;
		for (auto &task : plan.tasks) {
			kept_uris.insert(task.data_file.file_path);
		}
		std::vector<LakeScanFile> kept;
		for (auto &file : files) {
			if (file.pending || kept_uris.count(file.uri)) {
				kept.push_back(file);
			}
		}
		if (kept.size() == files.size()) {
			return nullptr;
		}
		return make_uniq<LakeMultiFileList>(info, std::move(kept));
	}

	// PlanScan reads bounds with the types of the snapshot's schema; a predicate on a column
	// promoted since (int to long, ...) is given in that older type when its value fits, and is
	// dropped (no pruning, still correct) when it does not.
	std::vector<iceberg::ColumnPredicate> RetypeForSnapshot(std::vector<iceberg::ColumnPredicate> predicates) {
		auto &metadata = *info->metadata;
		auto *snapshot_schema = info->snapshot->schema_id ? metadata.SchemaById(*info->snapshot->schema_id) : nullptr;
		if (!snapshot_schema) {
			snapshot_schema = &metadata.CurrentSchema();
		}
		std::vector<iceberg::ColumnPredicate> result;
		for (auto &predicate : predicates) {
			auto *now = info->table.Shape().schema.FindField(predicate.field_id);
			auto *then = snapshot_schema->FindField(predicate.field_id);
			if (!now || !then) {
				continue;
			}
			auto now_type = iceberg::ValueTypeOf(*now->type);
			auto then_type = iceberg::ValueTypeOf(*then->type);
			if (!now_type || !then_type) {
				continue;
			}
			if (*now_type == *then_type || predicate.op == iceberg::PredicateOp::IsNull ||
			    predicate.op == iceberg::PredicateOp::NotNull) {
				result.push_back(std::move(predicate));
				continue;
			}
			try {
				auto value = ValueOf(predicate.value, *now_type);
				auto older = LiteralOf(value, *then_type);
				if (ValueOf(older, *then_type).DefaultCastAs(value.type()) == value) {
					predicate.value = std::move(older);
					result.push_back(std::move(predicate));
				}
			} catch (const std::exception &) {
			}
		}
		return result;
	}

	vector<OpenFileInfo> GetAllFiles() override {
		vector<OpenFileInfo> result;
		for (idx_t i = 0; i < files.size(); i++) {
			result.push_back(GetFile(i));
		}
		return result;
	}
	FileExpandResult GetExpandResult() override {
		return files.size() > 1 ? FileExpandResult::MULTIPLE_FILES : FileExpandResult::SINGLE_FILE;
	}
	idx_t GetTotalFileCount() override {
		return files.size();
	}
	unique_ptr<NodeStatistics> GetCardinality(ClientContext &context) override {
		idx_t rows = 0;
		for (auto &file : files) {
			rows += static_cast<idx_t>(file.record_count);
		}
		return make_uniq<NodeStatistics>(rows, rows);
	}
	unique_ptr<MultiFileList> Copy() override {
		return make_uniq<LakeMultiFileList>(info, files);
	}

protected:
	OpenFileInfo GetFile(idx_t i) override {
		if (i >= files.size()) {
			return OpenFileInfo();
		}
		OpenFileInfo result(files[i].local_path);
		// Lake files never change once written: no need to validate a cached copy.
		auto extended = make_shared_ptr<ExtendedOpenFileInfo>();
		extended->options["file_size"] = Value::UBIGINT(static_cast<uint64_t>(files[i].file_size));
		extended->options["validate_external_file_cache"] = Value::BOOLEAN(false);
		extended->options["etag"] = Value("");
		extended->options["last_modified"] = Value::TIMESTAMP(timestamp_t(0));
		result.extended_info = std::move(extended);
		return result;
	}

private:
	shared_ptr<LakeScanInfo> info;
	std::vector<LakeScanFile> files;
};

MultiFileColumnDefinition ColumnDefinitionOf(const iceberg::NestedField &field) {
	auto type = DuckTypeOf(*field.type);
	MultiFileColumnDefinition column(field.name, type);
	column.identifier = Value::INTEGER(field.id);
	Value initial(type);
	if (field.initial_default) {
		if (auto value_type = iceberg::ValueTypeOf(*field.type)) {
			initial = ValueOf(iceberg::LiteralFromJson(*field.initial_default, *value_type), *value_type);
		}
	}
	column.default_expression = make_uniq<ConstantExpression>(initial);
	for (auto &child : field.type->fields) {
		column.children.push_back(ColumnDefinitionOf(child));
	}
	if (field.type->id == iceberg::TypeId::Map) {
		// DuckDB's column mapper expects a map's key and value under one "key_value" child.
		MultiFileColumnDefinition key_value("key_value", LogicalTypeId::INVALID);
		key_value.children = std::move(column.children);
		column.children.clear();
		column.children.push_back(std::move(key_value));
	}
	return column;
}

class LakeMultiFileReader : public MultiFileReader {
public:
	explicit LakeMultiFileReader(shared_ptr<LakeScanInfo> info_p) : info(std::move(info_p)) {
	}

	static unique_ptr<MultiFileReader> Create(const TableFunction &function) {
		auto info = shared_ptr_cast<TableFunctionInfo, LakeScanInfo>(function.function_info);
		return make_uniq<LakeMultiFileReader>(std::move(info));
	}

	shared_ptr<MultiFileList> CreateFileList(ClientContext &context, const vector<string> &paths,
	                                         const FileGlobInput &glob_input) override {
		return make_shared_ptr<LakeMultiFileList>(info, info->files);
	}

	// The table's schema, not a file's, defines the columns; files are matched to it by field id.
	bool Bind(MultiFileOptions &options, MultiFileList &files, vector<LogicalType> &return_types, vector<string> &names,
	          MultiFileReaderBindData &bind_data) override {
		bind_data.schema.clear();
		for (auto &field : info->table.Shape().schema.fields) {
			auto column = ColumnDefinitionOf(field);
			names.push_back(column.name);
			return_types.push_back(column.type);
			bind_data.schema.push_back(std::move(column));
		}
		bind_data.mapping = MultiFileColumnMappingMode::BY_FIELD_ID;
		return true;
	}

	void BindOptions(MultiFileOptions &options, MultiFileList &files, vector<LogicalType> &return_types,
	                 vector<string> &names, MultiFileReaderBindData &bind_data) override {
	}

	ReaderInitializeType InitializeReader(MultiFileReaderData &reader_data, const MultiFileBindData &bind_data,
	                                      const vector<MultiFileColumnDefinition> &global_columns,
	                                      const vector<ColumnIndex> &global_column_ids,
	                                      optional_ptr<TableFilterSet> table_filters, ClientContext &context,
	                                      MultiFileGlobalState &gstate) override {
		auto &reader = *reader_data.reader;
		auto &entry = gstate.file_list.Cast<LakeMultiFileList>().Entry(reader.file_list_idx.GetIndex());
		std::vector<int64_t> deleted;
		for (auto &delete_file : entry.position_deletes) {
			auto positions = Lake([&] { return info->catalog.Deletes().Positions(context, info->catalog, delete_file); });
			auto found = positions->find(entry.uri);
			if (found != positions->end()) {
				deleted.insert(deleted.end(), found->second.begin(), found->second.end());
			}
		}
		for (auto &[delete_file, columns] : entry.equality_deletes) {
			auto keys = Lake([&] { return info->catalog.Deletes().Keys(context, info->catalog, delete_file, columns); });
			if (keys->empty()) {
				continue;
			}
			auto positions = EqualityDeletedPositions(context, entry.local_path, columns, *keys);
			deleted.insert(deleted.end(), positions.begin(), positions.end());
		}
		if (!deleted.empty()) {
			std::sort(deleted.begin(), deleted.end());
			deleted.erase(std::unique(deleted.begin(), deleted.end()), deleted.end());
			reader.deletion_filter = make_uniq<LakeDeleteFilter>(std::move(deleted));
		}
		return MultiFileReader::InitializeReader(reader_data, bind_data, global_columns, global_column_ids, table_filters,
		                                         context, gstate);
	}

	unique_ptr<MultiFileReader> Copy() const override {
		return make_uniq<LakeMultiFileReader>(info);
	}

	shared_ptr<LakeScanInfo> info;
};

BindInfo LakeScanBindInfo(const optional_ptr<FunctionData> bind_data) {
	auto &data = bind_data->Cast<MultiFileBindData>();
	return BindInfo(data.multi_file_reader->Cast<LakeMultiFileReader>().info->table);
}

InsertionOrderPreservingMap<string> LakeScanToString(TableFunctionToStringInput &input) {
	InsertionOrderPreservingMap<string> result;
	auto &info = input.table_function.function_info->Cast<LakeScanInfo>();
	auto &data = input.bind_data->Cast<MultiFileBindData>();
	result["Table"] = info.table.name;
	result["Snapshot"] = info.snapshot_label;
	result["Data Files"] = fmt::format("{} of {}", data.file_list->GetTotalFileCount(), info.files.size());
	return result;
}

} // namespace

const iceberg::Snapshot *ResolveSnapshot(const iceberg::TableMetadata &metadata, optional_ptr<BoundAtClause> at) {
	if (!at) {
		return metadata.CurrentSnapshot();
	}
	auto unit = StringUtil::Lower(at->Unit());
	if (unit == "version") {
		auto id = at->GetValue().DefaultCastAs(LogicalType::BIGINT).GetValue<int64_t>();
		auto *snapshot = metadata.SnapshotById(id);
		if (!snapshot) {
			ThrowAsDuck(akko::Error(ErrorCode::InvalidInput, fmt::format("table has no snapshot {}", id)));
		}
		return snapshot;
	}
	if (unit == "timestamp") {
		auto micros = TimestampValue::Get(at->GetValue().DefaultCastAs(LogicalType::TIMESTAMP_TZ)).value;
		auto *snapshot = metadata.SnapshotAsOf(micros / 1000);
		if (!snapshot) {
			ThrowAsDuck(akko::Error(ErrorCode::InvalidInput,
			                        fmt::format("table has no snapshot at or before {}", at->GetValue().ToString())));
		}
		return snapshot;
	}
	ThrowAsDuck(akko::Error(ErrorCode::InvalidInput,
	                        fmt::format("AT ({} => ...) is not supported: use VERSION or TIMESTAMP", at->Unit())));
}

TableFunction LakeScanFunction(ClientContext &context, LakeTableEntry &table, unique_ptr<FunctionData> &bind_data,
                               optional_ptr<BoundAtClause> at) {
	auto &catalog = table.ParentCatalog().Cast<LakeCatalog>();
	auto &transaction = LakeTransaction::Get(context, catalog);
	auto *state = transaction.FindTable(table.schema.name, table.name);
	if (!state || state->base.metadata->table_uuid != table.Shape().uuid) {
		throw CatalogException("Table \"%s\" no longer exists", table.name);
	}
	auto info = make_shared_ptr<LakeScanInfo>(table, catalog);
	info->metadata = state->base.metadata;
	info->snapshot = ResolveSnapshot(*info->metadata, at);
	info->snapshot_label = info->snapshot ? std::to_string(info->snapshot->snapshot_id) : "none";
	std::vector<iceberg::DataFile> pending_deletes;
	if (!at) {
		for (auto &added : state->added) {
			if (added.file.content == iceberg::FileContent::PositionDeletes) {
				pending_deletes.push_back(added.file);
			}
		}
	}
	auto add = [&](const iceberg::DataFile &file, int32_t spec_id, bool pending, std::vector<iceberg::DataFile> deletes) {
		LakeScanFile scan_file;
		scan_file.uri = file.file_path;
		scan_file.local_path = Lake([&] { return catalog.EnginePath(file.file_path); });
		scan_file.record_count = file.record_count;
		scan_file.file_size = file.file_size_in_bytes;
		scan_file.pending = pending;
		scan_file.position_deletes = std::move(deletes);
		scan_file.position_deletes.insert(scan_file.position_deletes.end(), pending_deletes.begin(), pending_deletes.end());
		transaction.RememberScannedFile(scan_file.local_path, ScannedFile {file.file_path, spec_id, file.partition});
		info->files.push_back(std::move(scan_file));
	};
	if (info->snapshot) {
		auto plan = Lake([&] {
			return iceberg::PlanScan(*info->metadata, *info->snapshot, {}, catalog.Manifests(), catalog.Reader());
		});
		for (auto &task : plan.tasks) {
			for (auto &delete_file : task.position_deletes) {
				if (delete_file.content_offset) {
					ThrowAsDuck(akko::Error(ErrorCode::FeatureNotSupported,
					                        fmt::format("table \"{}\" has deletion vectors, which this version cannot apply yet",
					                                    table.name)));
				}
			}
			add(task.data_file, task.spec_id, false, task.position_deletes);
			for (auto &delete_file : task.equality_deletes) {
				info->files.back().equality_deletes.emplace_back(
				    delete_file, EqualityColumnsOf(delete_file, table.Shape().schema, *info->metadata));
			}
		}
	}
	if (!at) {
		bool any = false;
		for (auto &added : state->added) {
			if (added.file.content == iceberg::FileContent::Data) {
				add(added.file, added.spec_id, true, {});
				any = true;
			}
		}
		if (any || !pending_deletes.empty()) {
			info->snapshot_label += " + uncommitted";
		}
	}

	auto function = UnguardedTableFunction(context, "parquet_scan");
	function.name = "iceberg_scan";
	function.get_multi_file_reader = LakeMultiFileReader::Create;
	function.statistics = nullptr;
	function.serialize = nullptr;
	function.deserialize = nullptr;
	function.to_string = LakeScanToString;
	function.get_bind_info = LakeScanBindInfo;
	function.function_info = info;

	vector<Value> inputs {Value("")};
	named_parameter_map_t parameters;
	vector<LogicalType> input_types;
	vector<string> input_names;
	TableFunctionRef ref;
	TableFunctionBindInput input(inputs, parameters, input_types, input_names, nullptr, nullptr, function, ref);
	vector<LogicalType> return_types;
	vector<string> names;
	bind_data = function.bind(context, input, return_types, names);
	return function;
}

} // namespace akko::engine
