#include "engine/duckdb_internal.hpp"
#include "engine/lake_schema_entry.hpp"

#include "engine/lake_access.hpp"
#include "engine/lake_catalog.hpp"
#include "engine/lake_metadata_tables.hpp"
#include "engine/lake_scan.hpp"
#include "engine/lake_table_entry.hpp"
#include "engine/lake_transaction.hpp"
#include "duckdb/parser/parsed_data/comment_on_column_info.hpp"
#include "engine/lake_types.hpp"
#include "iceberg/partition_transform.hpp"
#include "iceberg/view_metadata.hpp"
#include "iceberg/value_type.hpp"

#include <fmt/format.h>

namespace akko::engine {

using namespace duckdb;

namespace {

[[noreturn]] void NotSupported(const std::string &what) {
	ThrowAsDuck(akko::Error(ErrorCode::FeatureNotSupported, what));
}

// A column's DEFAULT as an Iceberg default value: only constants can be one.
std::optional<nlohmann::json> DefaultOf(const ColumnDefinition &column, const iceberg::Type &type) {
	if (!column.HasDefaultValue()) {
		return std::nullopt;
	}
	auto &expression = column.DefaultValue();
	auto value_type = iceberg::ValueTypeOf(type);
	if (expression.GetExpressionClass() != ExpressionClass::CONSTANT || !value_type) {
		NotSupported(fmt::format("the default of column \"{}\" must be a constant on an Iceberg table", column.Name()));
	}
	auto &value = expression.Cast<ConstantExpression>().value;
	if (value.IsNull()) {
		return std::nullopt;
	}
	return iceberg::ToJson(LiteralOf(value.DefaultCastAs(column.Type()), *value_type), *value_type);
}

iceberg::NestedField FieldOf(const ColumnDefinition &column, int32_t &next_id) {
	iceberg::NestedField field;
	field.id = ++next_id;
	field.name = column.Name();
	field.type = Lake([&] { return IcebergTypeOf(column.Type(), next_id); });
	field.write_default = DefaultOf(column, *field.type);
	return field;
}

// The Iceberg schema of a CREATE TABLE: ids as Java's newTableMetadata assigns them, NOT NULL
// columns required, the primary key as identifier fields.
iceberg::Schema SchemaOf(const CreateTableInfo &info) {
	iceberg::Schema schema;
	int32_t next_id = 0;
	for (auto &column : info.columns.Physical()) {
		schema.fields.push_back(FieldOf(column, next_id));
	}
	for (auto &constraint : info.constraints) {
		switch (constraint->type) {
		case ConstraintType::NOT_NULL:
			schema.fields[constraint->Cast<NotNullConstraint>().index.index].required = true;
			break;
		case ConstraintType::UNIQUE: {
			auto &unique = constraint->Cast<UniqueConstraint>();
			if (!unique.IsPrimaryKey()) {
				NotSupported("Iceberg tables have no UNIQUE constraints");
			}
			vector<string> names = unique.GetColumnNames();
			if (unique.HasIndex()) {
				names = {info.columns.GetColumn(unique.GetIndex()).Name()};
			}
			for (auto &name : names) {
				for (auto &field : schema.fields) {
					if (StringUtil::CIEquals(field.name, name)) {
						field.required = true;
						schema.identifier_field_ids.push_back(field.id);
					}
				}
			}
			break;
		}
		default:
			NotSupported(fmt::format("Iceberg tables have no {} constraints", constraint->ToString()));
		}
	}
	int32_t last_id = 0;
	return Lake([&] {
		auto fresh = iceberg::AssignFreshIds(schema, 0, last_id);
		fresh.Validate();
		return fresh;
	});
}

// Java's names for partition fields: the column for identity, else column_transform.
std::string PartitionFieldName(const std::string &column, iceberg::TransformKind kind) {
	switch (kind) {
	case iceberg::TransformKind::Identity:
		return column;
	case iceberg::TransformKind::Bucket:
		return column + "_bucket";
	case iceberg::TransformKind::Truncate:
		return column + "_trunc";
	case iceberg::TransformKind::Year:
		return column + "_year";
	case iceberg::TransformKind::Month:
		return column + "_month";
	case iceberg::TransformKind::Day:
		return column + "_day";
	case iceberg::TransformKind::Hour:
		return column + "_hour";
	default:
		return column + "_void";
	}
}

// PARTITIONED BY (col, bucket(n, col), truncate(w, col), year(col), month(col), day(col), hour(col)).
iceberg::PartitionField PartitionFieldOf(const ParsedExpression &key, const iceberg::Schema &schema) {
	auto column_of = [&](const ParsedExpression &expression) -> const iceberg::NestedField & {
		if (expression.GetExpressionClass() != ExpressionClass::COLUMN_REF) {
			ThrowAsDuck(akko::Error(ErrorCode::InvalidInput,
			                        fmt::format("a partition key must name a column: {}", key.ToString())));
		}
		auto &name = expression.Cast<ColumnRefExpression>().GetColumnName();
		auto *field = schema.FindFieldByName(name, false);
		if (!field) {
			ThrowAsDuck(akko::Error(ErrorCode::UndefinedColumn, fmt::format("column \"{}\" does not exist", name)));
		}
		return *field;
	};
	std::string transform;
	const iceberg::NestedField *source = nullptr;
	if (key.GetExpressionClass() == ExpressionClass::COLUMN_REF) {
		source = &column_of(key);
		transform = "identity";
	} else if (key.GetExpressionClass() == ExpressionClass::FUNCTION) {
		auto &function = key.Cast<FunctionExpression>();
		auto name = StringUtil::Lower(function.function_name);
		if ((name == "bucket" || name == "truncate") && function.children.size() == 2 &&
		    function.children[0]->GetExpressionClass() == ExpressionClass::CONSTANT) {
			auto parameter = function.children[0]->Cast<ConstantExpression>().value.GetValue<int64_t>();
			transform = fmt::format("{}[{}]", name, parameter);
			source = &column_of(*function.children[1]);
		} else if ((name == "year" || name == "month" || name == "day" || name == "hour" || name == "identity") &&
		           function.children.size() == 1) {
			transform = name;
			source = &column_of(*function.children[0]);
		}
	}
	if (!source) {
		ThrowAsDuck(akko::Error(ErrorCode::InvalidInput,
		                        fmt::format("unsupported partition key {}: use a column, bucket(n, col), truncate(w, col), "
		                                    "year(col), month(col), day(col) or hour(col)",
		                                    key.ToString())));
	}
	auto parsed = Lake([&] { return iceberg::ParseTransform(transform); });
	if (!Lake([&] { return iceberg::CanTransform(transform, *source->type); })) {
		ThrowAsDuck(akko::Error(ErrorCode::InvalidInput, fmt::format("partition transform {} cannot apply to column \"{}\" of type {}",
		                                                             transform, source->name, source->type->ToString())));
	}
	iceberg::PartitionField field;
	field.source_id = source->id;
	field.transform = transform;
	field.name = PartitionFieldName(source->name, parsed.kind);
	return field;
}

bool CanPromote(const iceberg::Type &from, const iceberg::Type &to) {
	if (from == to) {
		return true;
	}
	if (from.id == iceberg::TypeId::Int && to.id == iceberg::TypeId::Long) {
		return true;
	}
	if (from.id == iceberg::TypeId::Float && to.id == iceberg::TypeId::Double) {
		return true;
	}
	return from.id == iceberg::TypeId::Decimal && to.id == iceberg::TypeId::Decimal && from.scale == to.scale &&
	       to.precision >= from.precision;
}

void DeleteUncommittedFiles(LakeCatalog &catalog, LakeTableState &state) {
	for (auto &added : state.added) {
		try {
			catalog.Service().Store().Delete(objstore::KeyFromUri(added.file.file_path));
		} catch (const std::exception &) {
		}
	}
	state.added.clear();
}

} // namespace

LakeSchemaEntry::LakeSchemaEntry(Catalog &catalog, CreateSchemaInfo &info) : SchemaCatalogEntry(catalog, info) {
}

void LakeSchemaEntry::Scan(ClientContext &context, CatalogType type, const std::function<void(CatalogEntry &)> &callback) {
	auto &lake_catalog = catalog.Cast<LakeCatalog>();
	auto &transaction = LakeTransaction::Get(context, catalog);
	if (!transaction.NamespaceExists(name)) {
		return;
	}
	// As in DuckDB's own schemas, a scan for tables also yields views (duckdb_columns() reads
	// view columns that way).
	if (type == CatalogType::VIEW_ENTRY || type == CatalogType::TABLE_ENTRY) {
		for (auto &[view, sql] : transaction.Views(name)) {
			callback(lake_catalog.ViewEntry(context, *this, view, sql));
		}
	}
	if (type != CatalogType::TABLE_ENTRY) {
		return;
	}
	auto tables = Lake([&] { return lake_catalog.Service().ListTables(NamespaceOf(name)); });
	for (auto &id : tables) {
		auto *state = transaction.FindTable(name, id.name);
		if (state) {
			auto &metadata = *state->base.metadata;
			callback(lake_catalog.TableEntry(*this, state->id.name, metadata, metadata.current_schema_id));
		}
	}
}

void LakeSchemaEntry::Scan(CatalogType type, const std::function<void(CatalogEntry &)> &callback) {
	// Without a client context there is no transaction to read the lake in; nothing to list.
}

optional_ptr<CatalogEntry> LakeSchemaEntry::LookupEntry(CatalogTransaction catalog_transaction,
                                                        const EntryLookupInfo &lookup_info) {
	auto type = lookup_info.GetCatalogType();
	if ((type != CatalogType::TABLE_ENTRY && type != CatalogType::VIEW_ENTRY) || !catalog_transaction.transaction) {
		return nullptr;
	}
	auto &transaction = catalog_transaction.transaction->Cast<LakeTransaction>();
	auto &context = catalog_transaction.GetContext();
	auto &lake_catalog = catalog.Cast<LakeCatalog>();
	// A restricted view reads its table by the table's base name, unrestricted.
	auto base_of = TableOfBaseName(lookup_info.GetEntryName());
	auto entry_name = base_of ? *base_of : lookup_info.GetEntryName();
	auto *state = transaction.FindTable(name, entry_name);
	if (!state) {
		// Tables and views share one name space.
		for (auto &[view, sql] : transaction.Views(this->name)) {
			if (StringUtil::CIEquals(view, entry_name)) {
				CheckLakeTable(context, name, view, TableAction::Select);
				NoteTableRead(context, name, view);
				return &lake_catalog.ViewEntry(context, *this, view, sql);
			}
		}
		// "orders$snapshots": a metadata table of "orders", found by name but never listed by Scan.
		if (auto view = MetadataTableView(transaction, name, entry_name)) {
			return &lake_catalog.ViewEntry(context, *this, entry_name, *view);
		}
		return nullptr;
	}
	auto &metadata = *state->base.metadata;
	auto schema_id = metadata.current_schema_id;
	if (auto at = lookup_info.GetAtClause()) {
		// Time travel reads a snapshot with the schema it was written with.
		auto *snapshot = ResolveSnapshot(metadata, at);
		if (snapshot && snapshot->schema_id) {
			schema_id = *snapshot->schema_id;
		}
	}
	auto &table = lake_catalog.TableEntry(*this, state->id.name, metadata, schema_id);
	if (base_of) {
		return &table;
	}
	CheckLakeTable(context, name, state->id.name, TableAction::Reference);
	auto restriction = RestrictionFor(context, name, state->id.name);
	if (restriction.Empty()) {
		return &table;
	}
	RefuseRestrictedWrite(context, name, state->id.name);
	return &lake_catalog.ViewEntry(context, *this, state->id.name,
	                               RestrictedViewSql(name, state->id.name, table.GetColumns(), restriction));
}

LakeTableEntry &LakeSchemaEntry::CreateLakeTable(ClientContext &context, const CreateTableInfo &info,
                                                 const std::string &location, bool created_by_ctas) {
	auto &lake_catalog = catalog.Cast<LakeCatalog>();
	auto &transaction = LakeTransaction::Get(context, catalog);
	catalog::CreateTableRequest request;
	request.id = {NamespaceOf(name), info.table};
	request.schema = SchemaOf(info);
	request.location = location;
	auto loaded = Lake([&] { return lake_catalog.Service().CreateTable(request); });
	auto &state = transaction.Repin(name, info.table, loaded);
	state.created_here = created_by_ctas;
	auto &metadata = *state.base.metadata;
	return lake_catalog.TableEntry(*this, state.id.name, metadata, metadata.current_schema_id);
}

optional_ptr<CatalogEntry> LakeSchemaEntry::CreateTable(CatalogTransaction catalog_transaction,
                                                        BoundCreateTableInfo &info) {
	auto &base = info.Base();
	auto &context = catalog_transaction.GetContext();
	CheckLakeNamespaceDdl(context, name);
	auto &lake_catalog = catalog.Cast<LakeCatalog>();
	auto &transaction = catalog_transaction.transaction->Cast<LakeTransaction>();
	for (auto &[view, sql] : transaction.Views(name)) {
		if (StringUtil::CIEquals(view, base.table)) {
			throw CatalogException("View with name \"%s\" already exists!", base.table);
		}
	}
	if (auto *existing = transaction.FindTable(name, base.table)) {
		switch (base.on_conflict) {
		case OnCreateConflict::IGNORE_ON_CONFLICT:
			return nullptr;
		case OnCreateConflict::REPLACE_ON_CONFLICT:
			DeleteUncommittedFiles(lake_catalog, *existing);
			Lake([&] { lake_catalog.Service().DropTable(existing->id, true); });
			transaction.Forget(name, base.table);
			break;
		default:
			throw CatalogException("Table with name \"%s\" already exists!", base.table);
		}
	}
	auto location = lake_catalog.NewTableLocation({NamespaceOf(name), base.table});
	return &CreateLakeTable(context, base, location, false);
}

optional_ptr<CatalogEntry> LakeSchemaEntry::CreateView(CatalogTransaction catalog_transaction, CreateViewInfo &info) {
	auto &lake_catalog = catalog.Cast<LakeCatalog>();
	auto &transaction = catalog_transaction.transaction->Cast<LakeTransaction>();
	auto &context = catalog_transaction.GetContext();
	CheckLakeNamespaceDdl(context, name);
	if (transaction.FindTable(name, info.view_name)) {
		throw CatalogException("Table with name \"%s\" already exists!", info.view_name);
	}
	auto &views = transaction.Views(name);
	for (auto &[view, sql] : views) {
		if (StringUtil::CIEquals(view, info.view_name)) {
			if (info.on_conflict == OnCreateConflict::IGNORE_ON_CONFLICT) {
				return nullptr;
			}
			if (info.on_conflict != OnCreateConflict::REPLACE_ON_CONFLICT) {
				throw CatalogException("View with name \"%s\" already exists!", info.view_name);
			}
		}
	}
	// An Iceberg view: the SELECT in DuckDB's dialect, over the columns it was bound to.
	iceberg::Schema view_schema;
	int32_t next_id = 0;
	for (idx_t i = 0; i < info.types.size(); i++) {
		iceberg::NestedField field;
		field.id = ++next_id;
		field.name = i < info.aliases.size() ? info.aliases[i] : info.names[i];
		field.type = Lake([&] { return IcebergTypeOf(info.types[i], next_id); });
		view_schema.fields.push_back(std::move(field));
	}
	iceberg::ViewVersion version;
	version.version_id = 1;
	version.timestamp_ms = Timestamp::GetEpochMs(Timestamp::GetCurrentTimestamp());
	version.schema_id = 0;
	version.summary = {{"engine-name", "akko"}, {"engine-version", "DuckDB " + string(DuckDB::LibraryVersion())}};
	version.representations.push_back({info.query->ToString(), kViewDialect});
	version.default_namespace = NamespaceOf(name);
	auto replace = info.on_conflict == OnCreateConflict::REPLACE_ON_CONFLICT;
	Lake([&] {
		lake_catalog.Service().CreateView({NamespaceOf(name), info.view_name}, view_schema, version, {}, replace);
	});
	transaction.Invalidate();
	auto &sql = transaction.Views(name).at(info.view_name);
	return &lake_catalog.ViewEntry(context, *this, info.view_name, sql);
}

optional_ptr<CatalogEntry> LakeSchemaEntry::CreateIndex(CatalogTransaction transaction, CreateIndexInfo &info,
                                                        TableCatalogEntry &table) {
	NotSupported("Iceberg tables have no indexes");
}

optional_ptr<CatalogEntry> LakeSchemaEntry::CreateFunction(CatalogTransaction transaction, CreateFunctionInfo &info) {
	NotSupported("functions and macros are not stored in the lake: create them in the temp schema");
}

optional_ptr<CatalogEntry> LakeSchemaEntry::CreateSequence(CatalogTransaction transaction, CreateSequenceInfo &info) {
	NotSupported("sequences are not stored in the lake");
}

optional_ptr<CatalogEntry> LakeSchemaEntry::CreateTableFunction(CatalogTransaction transaction,
                                                                CreateTableFunctionInfo &info) {
	NotSupported("table functions are not stored in the lake");
}

optional_ptr<CatalogEntry> LakeSchemaEntry::CreateCopyFunction(CatalogTransaction transaction,
                                                               CreateCopyFunctionInfo &info) {
	NotSupported("copy functions are not stored in the lake");
}

optional_ptr<CatalogEntry> LakeSchemaEntry::CreatePragmaFunction(CatalogTransaction transaction,
                                                                 CreatePragmaFunctionInfo &info) {
	NotSupported("pragma functions are not stored in the lake");
}

optional_ptr<CatalogEntry> LakeSchemaEntry::CreateCollation(CatalogTransaction transaction, CreateCollationInfo &info) {
	NotSupported("collations are not stored in the lake");
}

optional_ptr<CatalogEntry> LakeSchemaEntry::CreateType(CatalogTransaction transaction, CreateTypeInfo &info) {
	NotSupported("user types are not stored in the lake");
}

void LakeSchemaEntry::DropEntry(ClientContext &context, DropInfo &info) {
	CheckLakeNamespaceDdl(context, name);
	auto &lake_catalog = catalog.Cast<LakeCatalog>();
	auto &transaction = LakeTransaction::Get(context, catalog);
	if (info.type == CatalogType::VIEW_ENTRY) {
		for (auto &[view, sql] : transaction.Views(name)) {
			if (StringUtil::CIEquals(view, info.name)) {
				Lake([&] { lake_catalog.Service().DropView({NamespaceOf(name), view}); });
				transaction.Invalidate();
				return;
			}
		}
	}
	auto *state = info.type == CatalogType::TABLE_ENTRY ? transaction.FindTable(name, info.name) : nullptr;
	if (!state) {
		if (info.if_not_found == OnEntryNotFound::RETURN_NULL) {
			return;
		}
		throw CatalogException("%s with name \"%s\" does not exist!", CatalogTypeToString(info.type), info.name);
	}
	DeleteUncommittedFiles(lake_catalog, *state);
	Lake([&] { lake_catalog.Service().DropTable(state->id, true); });
	transaction.Forget(name, info.name);
}

void LakeSchemaEntry::Alter(CatalogTransaction catalog_transaction, AlterInfo &info) {
	bool table_comment = info.type == AlterType::SET_COMMENT &&
	                     info.Cast<SetCommentInfo>().entry_catalog_type == CatalogType::TABLE_ENTRY;
	if (info.type != AlterType::ALTER_TABLE && info.type != AlterType::SET_COLUMN_COMMENT && !table_comment) {
		NotSupported("only ALTER TABLE and COMMENT ON a table or column apply to a lake schema");
	}
	CheckLakeNamespaceDdl(catalog_transaction.GetContext(), name);
	auto &alter = info;
	auto &lake_catalog = catalog.Cast<LakeCatalog>();
	auto &service = lake_catalog.Service();
	auto &transaction = catalog_transaction.transaction->Cast<LakeTransaction>();
	auto *state = transaction.FindTable(name, alter.name);
	if (!state) {
		if (alter.if_not_found == OnEntryNotFound::RETURN_NULL) {
			return;
		}
		throw CatalogException("Table with name \"%s\" does not exist!", alter.name);
	}
	auto id = state->id;
	// DDL applies to the table as it is now, not as this transaction pinned it.
	auto current = Lake([&] { return service.LoadTable(id); });
	auto &metadata = *current.metadata;
	auto schema = metadata.CurrentSchema();
	catalog::TableChange change;
	change.requirements.push_back(iceberg::AssertTableUuid {metadata.table_uuid});
	auto find_column = [&](const std::string &column) -> iceberg::NestedField * {
		for (auto &field : schema.fields) {
			if (StringUtil::CIEquals(field.name, column)) {
				return &field;
			}
		}
		return nullptr;
	};
	auto missing_column = [&](const std::string &column) {
		ThrowAsDuck(akko::Error(ErrorCode::UndefinedColumn,
		                        fmt::format("column \"{}\" of relation \"{}\" does not exist", column, alter.name)));
	};
	bool schema_changed = true;
	if (table_comment) {
		// Spark and Trino keep a table's comment in its "comment" property.
		auto &comment = info.Cast<SetCommentInfo>().comment_value;
		if (comment.IsNull()) {
			change.updates.push_back(iceberg::RemovePropertiesUpdate {{"comment"}});
		} else {
			change.updates.push_back(iceberg::SetPropertiesUpdate {{{"comment", comment.ToString()}}});
		}
		auto committed = Lake([&] { return service.CommitTable(id, change); });
		transaction.Repin(name, alter.name, committed);
		return;
	}
	if (info.type == AlterType::SET_COLUMN_COMMENT) {
		auto &comment = info.Cast<SetColumnCommentInfo>();
		auto *field = find_column(comment.column_name);
		if (!field) {
			missing_column(comment.column_name);
		}
		field->doc = comment.comment_value.IsNull() ? std::nullopt : std::optional<std::string>(comment.comment_value.ToString());
	}
	switch (info.type == AlterType::ALTER_TABLE ? info.Cast<AlterTableInfo>().alter_table_type : AlterTableType::INVALID) {
	case AlterTableType::INVALID:
		break;
	case AlterTableType::RENAME_TABLE: {
		auto &rename = alter.Cast<RenameTableInfo>();
		if (!state->added.empty()) {
			// The rename commits at once; the rows this transaction wrote would be left behind.
			ThrowAsDuck(akko::Error(ErrorCode::FeatureNotSupported,
			                        fmt::format("cannot rename \"{}\" after writing to it in the same transaction: "
			                                    "commit first",
			                                    alter.name)));
		}
		Lake([&] { service.RenameTable(id, {id.namespace_name, rename.new_table_name}); });
		transaction.Forget(name, alter.name);
		transaction.Invalidate();
		return;
	}
	case AlterTableType::RENAME_COLUMN: {
		auto &rename = alter.Cast<RenameColumnInfo>();
		auto *field = find_column(rename.old_name);
		if (!field) {
			missing_column(rename.old_name);
		}
		if (find_column(rename.new_name)) {
			throw CatalogException("Column with name \"%s\" already exists!", rename.new_name);
		}
		field->name = rename.new_name;
		break;
	}
	case AlterTableType::ADD_COLUMN: {
		auto &add = alter.Cast<AddColumnInfo>();
		if (find_column(add.new_column.Name())) {
			if (add.if_column_not_exists) {
				return;
			}
			throw CatalogException("Column with name \"%s\" already exists!", add.new_column.Name());
		}
		auto next_id = metadata.last_column_id;
		auto field = FieldOf(add.new_column, next_id);
		if (field.write_default) {
			if (metadata.format_version < 3) {
				NotSupported("a column added with a DEFAULT needs an Iceberg v3 table (initial-default)");
			}
			field.initial_default = field.write_default;
		}
		schema.fields.push_back(std::move(field));
		break;
	}
	case AlterTableType::REMOVE_COLUMN: {
		auto &remove = alter.Cast<RemoveColumnInfo>();
		auto *field = find_column(remove.removed_column);
		if (!field) {
			if (remove.if_column_exists) {
				return;
			}
			missing_column(remove.removed_column);
		}
		for (auto &spec_field : metadata.DefaultSpec().fields) {
			if (spec_field.source_id == field->id) {
				ThrowAsDuck(akko::Error(ErrorCode::DependentObjects,
				                        fmt::format("column \"{}\" is a partition source of table \"{}\"", field->name, alter.name)));
			}
		}
		auto &ids = schema.identifier_field_ids;
		if (std::find(ids.begin(), ids.end(), field->id) != ids.end()) {
			ThrowAsDuck(akko::Error(ErrorCode::DependentObjects,
			                        fmt::format("column \"{}\" is part of the primary key of \"{}\"", field->name, alter.name)));
		}
		schema.fields.erase(schema.fields.begin() + (field - schema.fields.data()));
		break;
	}
	case AlterTableType::ALTER_COLUMN_TYPE: {
		auto &change_type = alter.Cast<ChangeColumnTypeInfo>();
		auto *field = find_column(change_type.column_name);
		if (!field) {
			missing_column(change_type.column_name);
		}
		int32_t unused = metadata.last_column_id;
		auto target = Lake([&] { return IcebergTypeOf(change_type.target_type, unused); });
		if (*field->type == *target) {
			if (change_type.target_type == DuckTypeOf(*field->type)) {
				return;
			}
			ThrowAsDuck(akko::Error(ErrorCode::DatatypeMismatch,
			                        fmt::format("column \"{}\" cannot change to {}: it is stored as Iceberg {}, and Iceberg "
			                                    "narrows no type",
			                                    field->name, change_type.target_type.ToString(), field->type->ToString())));
		}
		if (!CanPromote(*field->type, *target)) {
			ThrowAsDuck(akko::Error(ErrorCode::DatatypeMismatch,
			                        fmt::format("column \"{}\" cannot change from {} to {}: Iceberg allows int to bigint, "
			                                    "float to double and widening a decimal's precision",
			                                    field->name, field->type->ToString(), target->ToString())));
		}
		field->type = target;
		break;
	}
	case AlterTableType::DROP_NOT_NULL: {
		auto &drop = alter.Cast<DropNotNullInfo>();
		auto *field = find_column(drop.column_name);
		if (!field) {
			missing_column(drop.column_name);
		}
		field->required = false;
		break;
	}
	case AlterTableType::SET_PARTITIONED_BY: {
		auto &partition = alter.Cast<SetPartitionedByInfo>();
		iceberg::PartitionSpec spec;
		auto last_partition_id = metadata.last_partition_id;
		for (auto &key : partition.partition_keys) {
			auto field = PartitionFieldOf(*key, schema);
			// A field some earlier spec had keeps its id, as Java's spec evolution does.
			field.field_id = 0;
			for (auto &old_spec : metadata.partition_specs) {
				for (auto &old_field : old_spec.fields) {
					if (old_field.source_id == field.source_id && old_field.transform == field.transform) {
						field.field_id = old_field.field_id;
						field.name = old_field.name;
					}
				}
			}
			if (field.field_id == 0) {
				field.field_id = std::max(last_partition_id, iceberg::kPartitionDataIdStart - 1) + 1;
				last_partition_id = field.field_id;
			}
			spec.fields.push_back(std::move(field));
		}
		int32_t spec_id = 0;
		for (auto &existing : metadata.partition_specs) {
			if (existing.CompatibleWith(spec)) {
				spec_id = existing.spec_id;
				break;
			}
			spec_id = std::max(spec_id, existing.spec_id + 1);
		}
		spec.spec_id = spec_id;
		Lake([&] { spec.Validate(schema); });
		change.requirements.push_back(iceberg::AssertDefaultSpecId {metadata.default_spec_id});
		if (!metadata.SpecById(spec_id)) {
			change.updates.push_back(iceberg::AddPartitionSpecUpdate {spec});
		}
		change.updates.push_back(iceberg::SetDefaultSpecUpdate {spec_id});
		schema_changed = false;
		break;
	}
	case AlterTableType::SET_SORTED_BY: {
		auto &sorted = alter.Cast<SetSortedByInfo>();
		iceberg::SortOrder order;
		for (auto &node : sorted.orders) {
			if (node.expression->GetExpressionClass() != ExpressionClass::COLUMN_REF) {
				ThrowAsDuck(akko::Error(ErrorCode::InvalidInput,
				                        fmt::format("a sort key must name a column: {}", node.expression->ToString())));
			}
			auto &column = node.expression->Cast<ColumnRefExpression>().GetColumnName();
			auto *field = find_column(column);
			if (!field) {
				missing_column(column);
			}
			iceberg::SortField sort_field;
			sort_field.transform = "identity";
			sort_field.source_id = field->id;
			sort_field.direction = node.type == OrderType::DESCENDING ? iceberg::SortDirection::Desc : iceberg::SortDirection::Asc;
			// Iceberg's defaults: nulls first ascending, nulls last descending.
			bool nulls_first = node.null_order == OrderByNullType::ORDER_DEFAULT ? sort_field.direction == iceberg::SortDirection::Asc
			                                                                     : node.null_order == OrderByNullType::NULLS_FIRST;
			sort_field.null_order = nulls_first ? iceberg::NullOrder::NullsFirst : iceberg::NullOrder::NullsLast;
			order.fields.push_back(sort_field);
		}
		for (auto &existing : metadata.sort_orders) {
			order.order_id = std::max(order.order_id, existing.order_id + 1);
		}
		if (order.fields.empty()) {
			order.order_id = 0;
		}
		change.updates.push_back(iceberg::AddSortOrderUpdate {order});
		change.updates.push_back(iceberg::SetDefaultSortOrderUpdate {iceberg::kLastAdded});
		schema_changed = false;
		break;
	}
	default:
		NotSupported(fmt::format("{} is not supported on an Iceberg table", alter.ToString()));
	}
	if (schema_changed) {
		int32_t schema_id = 0;
		for (auto &existing : metadata.schemas) {
			schema_id = std::max(schema_id, existing.schema_id + 1);
		}
		schema.schema_id = schema_id;
		Lake([&] { schema.Validate(); });
		change.requirements.push_back(iceberg::AssertCurrentSchemaId {metadata.current_schema_id});
		change.requirements.push_back(iceberg::AssertLastAssignedFieldId {metadata.last_column_id});
		change.updates.push_back(iceberg::AddSchemaUpdate {schema, std::max(metadata.last_column_id, schema.HighestFieldId())});
		change.updates.push_back(iceberg::SetCurrentSchemaUpdate {iceberg::kLastAdded});
	}
	auto committed = Lake([&] { return service.CommitTable(id, change); });
	transaction.Repin(name, alter.name, committed);
}

} // namespace akko::engine
