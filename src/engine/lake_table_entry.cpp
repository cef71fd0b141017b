#include "engine/duckdb_internal.hpp"
#include "engine/lake_table_entry.hpp"

#include "engine/lake_access.hpp"
#include "engine/lake_scan.hpp"
#include "engine/lake_types.hpp"
#include "iceberg/value_type.hpp"

namespace akko::engine {

using namespace duckdb;

LakeTableEntry::LakeTableEntry(Catalog &catalog, SchemaCatalogEntry &schema, CreateTableInfo &info, LakeTableShape shape_p)
    : TableCatalogEntry(catalog, schema, info), shape(std::move(shape_p)) {
}

unique_ptr<CreateTableInfo> TableInfoOf(SchemaCatalogEntry &schema, const std::string &name, const LakeTableShape &shape) {
	auto info = make_uniq<CreateTableInfo>(schema, name);
	for (size_t i = 0; i < shape.schema.fields.size(); i++) {
		auto &field = shape.schema.fields[i];
		ColumnDefinition column(field.name, DuckTypeOf(*field.type));
		if (field.doc) {
			column.SetComment(Value(*field.doc));
		}
		if (field.write_default) {
			if (auto value_type = iceberg::ValueTypeOf(*field.type)) {
				auto value = ValueOf(iceberg::LiteralFromJson(*field.write_default, *value_type), *value_type);
				column.SetDefaultValue(make_uniq<ConstantExpression>(value));
			}
		}
		info->columns.AddColumn(std::move(column));
		if (field.required) {
			info->constraints.push_back(make_uniq<NotNullConstraint>(LogicalIndex(i)));
		}
	}
	if (shape.comment) {
		info->comment = Value(*shape.comment);
	}
	if (!shape.schema.identifier_field_ids.empty()) {
		vector<string> key;
		for (auto id : shape.schema.identifier_field_ids) {
			auto name_of = shape.schema.FindColumnName(id);
			if (name_of) {
				key.push_back(*name_of);
			}
		}
		info->constraints.push_back(make_uniq<UniqueConstraint>(std::move(key), true));
	}
	return info;
}

unique_ptr<BaseStatistics> LakeTableEntry::GetStatistics(ClientContext &context, column_t column_id) {
	return nullptr;
}

TableFunction LakeTableEntry::GetScanFunction(ClientContext &context, unique_ptr<FunctionData> &bind_data) {
	CheckLakeTable(context, schema.name, name, TableAction::Select);
	NoteTableRead(context, schema.name, name);
	return LakeScanFunction(context, *this, bind_data, nullptr);
}

TableFunction LakeTableEntry::GetScanFunction(ClientContext &context, unique_ptr<FunctionData> &bind_data,
                                              const EntryLookupInfo &lookup_info) {
	CheckLakeTable(context, schema.name, name, TableAction::Select);
	NoteTableRead(context, schema.name, name);
	return LakeScanFunction(context, *this, bind_data, lookup_info.GetAtClause());
}

TableStorageInfo LakeTableEntry::GetStorageInfo(ClientContext &context) {
	return TableStorageInfo();
}

virtual_column_map_t LakeTableEntry::GetVirtualColumns() const {
	virtual_column_map_t result;
	result.insert(make_pair(MultiFileReader::COLUMN_IDENTIFIER_FILENAME, TableColumn("filename", LogicalType::VARCHAR)));
	result.insert(
	    make_pair(MultiFileReader::COLUMN_IDENTIFIER_FILE_ROW_NUMBER, TableColumn("file_row_number", LogicalType::BIGINT)));
	result.insert(make_pair(COLUMN_IDENTIFIER_EMPTY, TableColumn("", LogicalType::BOOLEAN)));
	return result;
}

vector<column_t> LakeTableEntry::GetRowIdColumns() const {
	return {MultiFileReader::COLUMN_IDENTIFIER_FILENAME, MultiFileReader::COLUMN_IDENTIFIER_FILE_ROW_NUMBER};
}

// An UPDATE deletes the old row and writes the whole new one, so every column flows to it.
void LakeTableEntry::BindUpdateConstraints(Binder &binder, LogicalGet &get, LogicalProjection &proj,
                                           LogicalUpdate &update, ClientContext &context) {
	update.update_is_del_and_insert = true;
	auto &column_ids = get.GetColumnIds();
	for (auto &column : columns.Physical()) {
		auto index = column.Physical();
		if (std::find(update.columns.begin(), update.columns.end(), index) != update.columns.end()) {
			continue;
		}
		optional_idx position;
		for (idx_t i = 0; i < column_ids.size(); i++) {
			if (column_ids[i].GetPrimaryIndex() == index.index) {
				position = i;
			}
		}
		if (!position.IsValid()) {
			position = column_ids.size();
			get.AddColumnId(index.index);
		}
		update.expressions.push_back(
		    make_uniq<BoundColumnRefExpression>(column.Type(), ColumnBinding(proj.table_index, proj.expressions.size())));
		proj.expressions.push_back(
		    make_uniq<BoundColumnRefExpression>(column.Type(), ColumnBinding(get.table_index, position.GetIndex())));
		update.columns.push_back(index);
	}
}

} // namespace akko::engine
