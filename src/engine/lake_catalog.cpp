#include "engine/duckdb_internal.hpp"
#include "engine/lake_catalog.hpp"

#include "common/random.hpp"
#include "engine/lake_access.hpp"
#include "engine/lake_delete.hpp"
#include "engine/lake_delete_filter.hpp"
#include "engine/lake_insert.hpp"
#include "engine/lake_schema_entry.hpp"
#include "engine/lake_table_entry.hpp"
#include "engine/lake_transaction.hpp"
#include "engine/lake_types.hpp"
#include "engine/lake_update.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace akko::engine {

using namespace duckdb;

LakeCatalog::LakeCatalog(AttachedDatabase &db, catalog::CatalogService &service_p, std::string warehouse_p)
    : Catalog(db), service(service_p), warehouse(std::move(warehouse_p)), deletes(std::make_unique<DeleteFileCache>()) {
	while (!warehouse.empty() && warehouse.back() == '/') {
		warehouse.pop_back();
	}
}

LakeCatalog::~LakeCatalog() = default;

std::string LakeCatalog::EnginePath(const std::string &uri) {
	auto key = objstore::KeyFromUri(uri);
	auto path = service.Store().LocalPath(key);
	return path ? *path : objstore::UriFromKey(key);
}

iceberg::FileReader LakeCatalog::Reader() {
	return [this](const std::string &uri) { return service.Store().Get(objstore::KeyFromUri(uri)); };
}

iceberg::FileWriter LakeCatalog::Writer() {
	return [this](const std::string &uri, const std::string &bytes) {
		service.Store().Put(objstore::KeyFromUri(uri), bytes);
	};
}

std::string LakeCatalog::NewTableLocation(const catalog::TableIdentifier &id) {
	std::string location;
	Lake([&] { location = service.NewTableLocation(id); });
	return location;
}

LakeSchemaEntry &LakeCatalog::SchemaEntry(const std::string &name) {
	std::lock_guard<std::mutex> guard(entry_lock);
	auto &entry = schema_entries[name];
	if (!entry) {
		CreateSchemaInfo info;
		info.schema = name;
		entry = make_uniq<LakeSchemaEntry>(*this, info);
	}
	return *entry;
}

LakeTableEntry &LakeCatalog::TableEntry(LakeSchemaEntry &schema, const std::string &name,
                                        const iceberg::TableMetadata &metadata, int32_t schema_id) {
	auto comment = metadata.properties.find("comment");
	auto key = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", schema.name, name, metadata.table_uuid, schema_id,
	                       metadata.default_spec_id, metadata.location,
	                       comment == metadata.properties.end() ? "\x01" : comment->second);
	std::lock_guard<std::mutex> guard(entry_lock);
	auto &entry = table_entries[key];
	if (!entry) {
		LakeTableShape shape;
		shape.uuid = metadata.table_uuid;
		shape.location = metadata.location;
		shape.format_version = metadata.format_version;
		auto *table_schema = metadata.SchemaById(schema_id);
		shape.schema = table_schema ? *table_schema : metadata.CurrentSchema();
		shape.spec = metadata.DefaultSpec();
		if (comment != metadata.properties.end()) {
			shape.comment = comment->second;
		}
		auto info = TableInfoOf(schema, name, shape);
		entry = make_uniq<LakeTableEntry>(*this, schema, *info, std::move(shape));
	}
	return *entry;
}

ViewCatalogEntry &LakeCatalog::ViewEntry(ClientContext &context, LakeSchemaEntry &schema, const std::string &name,
                                         const std::string &sql) {
	auto key = fmt::format("{}\x1f{}\x1f{}", schema.name, name, sql);
	{
		std::lock_guard<std::mutex> guard(entry_lock);
		auto found = view_entries.find(key);
		if (found != view_entries.end()) {
			return *found->second;
		}
	}
	auto info = CreateViewInfo::FromCreateView(context, schema, sql);
	info->view_name = name;
	auto entry = make_uniq<ViewCatalogEntry>(*this, schema, *info);
	std::lock_guard<std::mutex> guard(entry_lock);
	auto &slot = view_entries[key];
	if (!slot) {
		slot = std::move(entry);
	}
	return *slot;
}

optional_ptr<CatalogEntry> LakeCatalog::CreateSchema(CatalogTransaction catalog_transaction, CreateSchemaInfo &info) {
	CheckLakeCatalogDdl(catalog_transaction.GetContext());
	auto &transaction = catalog_transaction.transaction->Cast<LakeTransaction>();
	if (transaction.NamespaceExists(info.schema)) {
		if (info.on_conflict == OnCreateConflict::IGNORE_ON_CONFLICT) {
			return nullptr;
		}
		throw CatalogException("Schema with name \"%s\" already exists!", info.schema);
	}
	Lake([&] { service.CreateNamespace(NamespaceOf(info.schema), {}); });
	transaction.Invalidate();
	return &SchemaEntry(info.schema);
}

optional_ptr<SchemaCatalogEntry> LakeCatalog::LookupSchema(CatalogTransaction catalog_transaction,
                                                           const EntryLookupInfo &schema_lookup,
                                                           OnEntryNotFound if_not_found) {
	auto &name = schema_lookup.GetEntryName();
	if (catalog_transaction.transaction) {
		auto &transaction = catalog_transaction.transaction->Cast<LakeTransaction>();
		for (auto &candidate : transaction.Namespaces()) {
			if (StringUtil::CIEquals(candidate, name)) {
				return &SchemaEntry(candidate);
			}
		}
	}
	if (if_not_found == OnEntryNotFound::THROW_EXCEPTION) {
		throw CatalogException("Schema with name \"%s\" does not exist!", name);
	}
	return nullptr;
}

void LakeCatalog::ScanSchemas(ClientContext &context, std::function<void(SchemaCatalogEntry &)> callback) {
	auto &transaction = LakeTransaction::Get(context, *this);
	for (auto &name : transaction.Namespaces()) {
		callback(SchemaEntry(name));
	}
}

void LakeCatalog::DropSchema(ClientContext &context, DropInfo &info) {
	CheckLakeCatalogDdl(context);
	auto &transaction = LakeTransaction::Get(context, *this);
	if (!transaction.NamespaceExists(info.name)) {
		if (info.if_not_found == OnEntryNotFound::RETURN_NULL) {
			return;
		}
		throw CatalogException("Schema with name \"%s\" does not exist!", info.name);
	}
	auto namespace_name = NamespaceOf(info.name);
	auto tables = Lake([&] { return service.ListTables(namespace_name); });
	if ((!tables.empty() || !transaction.Views(info.name).empty()) && !info.cascade) {
		throw DependencyException("Cannot drop schema \"%s\" because there are entries that depend on it; use CASCADE",
		                          info.name);
	}
	for (auto &table : tables) {
		Lake([&] { service.DropTable(table, true); });
		transaction.Forget(info.name, table.name);
	}
	for (auto &view : Lake([&] { return service.ListViews(namespace_name); })) {
		Lake([&] { service.DropView(view); });
	}
	Lake([&] { service.DropNamespace(namespace_name); });
	transaction.Invalidate();
}

optional_idx LakeCatalog::GetCatalogVersion(ClientContext &context) {
	auto &transaction = LakeTransaction::Get(context, *this);
	return version.load() * 1000000 + transaction.LocalChanges();
}

PhysicalOperator &LakeCatalog::PlanInsert(ClientContext &context, PhysicalPlanGenerator &planner, LogicalInsert &op,
                                          optional_ptr<PhysicalOperator> plan) {
	auto &table = op.table.Cast<LakeTableEntry>();
	CheckLakeTable(context, table.schema.name, table.name, TableAction::Insert);
	if (op.return_chunk) {
		throw NotImplementedException("INSERT ... RETURNING into an Iceberg table");
	}
	if (op.on_conflict_info.action_type != OnConflictAction::THROW) {
		throw NotImplementedException("INSERT ... ON CONFLICT into an Iceberg table");
	}
	if (!op.column_index_map.empty()) {
		plan = planner.ResolveDefaultsProjection(op, *plan);
	}
	NoteTableWritten(context, table.schema.name, table.name);
	auto &shape = table.Shape();
	auto copy = PlanLakeCopy(context, planner, *this, shape.location, shape.schema, shape.spec, plan);
	auto &insert = planner.Make<LakeInsert>(table, copy.location);
	insert.children.push_back(copy.copy);
	return insert;
}

PhysicalOperator &LakeCatalog::PlanCreateTableAs(ClientContext &context, PhysicalPlanGenerator &planner,
                                                 LogicalCreateTable &op, PhysicalOperator &plan) {
	auto &schema = op.schema.Cast<LakeSchemaEntry>();
	auto &base = op.info->Base();
	CheckLakeNamespaceDdl(context, schema.name);
	NoteTableWritten(context, schema.name, base.table);
	auto &transaction = LakeTransaction::Get(context, *this);
	bool is_view = false;
	for (auto &[view, sql] : transaction.Views(schema.name)) {
		is_view = is_view || StringUtil::CIEquals(view, base.table);
	}
	if (is_view || transaction.FindTable(schema.name, base.table)) {
		if (base.on_conflict != OnCreateConflict::ERROR_ON_CONFLICT) {
			throw NotImplementedException("CREATE TABLE AS over an existing Iceberg table");
		}
		throw CatalogException("Table with name \"%s\" already exists!", base.table);
	}
	LakeCreateTarget target;
	target.schema = &schema;
	target.info = unique_ptr_cast<CreateInfo, CreateTableInfo>(base.Copy());
	target.location = NewTableLocation({NamespaceOf(schema.name), base.table});
	// The ids the new table's metadata will assign: the files are written before it exists.
	iceberg::Schema planned;
	int32_t next_id = 0;
	for (auto &column : base.columns.Physical()) {
		iceberg::NestedField field;
		field.id = ++next_id;
		field.name = column.Name();
		field.type = Lake([&] { return IcebergTypeOf(column.Type(), next_id); });
		planned.fields.push_back(std::move(field));
	}
	int32_t last_id = 0;
	target.iceberg_schema = Lake([&] { return iceberg::AssignFreshIds(planned, 0, last_id); });
	auto copy = PlanLakeCopy(context, planner, *this, target.location, target.iceberg_schema, iceberg::PartitionSpec {},
	                         &plan);
	auto &insert = planner.Make<LakeInsert>(std::move(target), copy.location);
	insert.children.push_back(copy.copy);
	return insert;
}

PhysicalOperator &LakeCatalog::PlanDelete(ClientContext &context, PhysicalPlanGenerator &planner, LogicalDelete &op,
                                          PhysicalOperator &plan) {
	CheckLakeTable(context, op.table.schema.name, op.table.name, TableAction::Delete);
	if (op.return_chunk) {
		throw NotImplementedException("DELETE ... RETURNING from an Iceberg table");
	}
	NoteTableWritten(context, op.table.schema.name, op.table.name);
	auto &filename = op.expressions[0]->Cast<BoundReferenceExpression>();
	auto &position = op.expressions[1]->Cast<BoundReferenceExpression>();
	auto &result = planner.Make<LakeDelete>(op.table.Cast<LakeTableEntry>(), filename.index, position.index);
	result.children.push_back(plan);
	return result;
}

PhysicalOperator &LakeCatalog::PlanUpdate(ClientContext &context, PhysicalPlanGenerator &planner, LogicalUpdate &op,
                                          PhysicalOperator &plan) {
	auto &table = op.table.Cast<LakeTableEntry>();
	CheckLakeTable(context, table.schema.name, table.name, TableAction::Update);
	if (op.return_chunk) {
		throw NotImplementedException("UPDATE ... RETURNING on an Iceberg table");
	}
	NoteTableWritten(context, table.schema.name, table.name);
	// The binder adds the row id pair as the input's last two columns.
	auto &result = PlanLakeUpdate(context, planner, table, op.columns, op.expressions, plan.types.size() - 2);
	result.children.push_back(plan);
	return result;
}

PhysicalOperator &LakeCatalog::PlanMergeInto(ClientContext &context, PhysicalPlanGenerator &planner,
                                             LogicalMergeInto &op, PhysicalOperator &plan) {
	auto &table = op.table.Cast<LakeTableEntry>();
	for (auto &entry : op.actions) {
		for (auto &action : entry.second) {
			auto kind = action->action_type == MergeActionType::MERGE_INSERT   ? TableAction::Insert
			            : action->action_type == MergeActionType::MERGE_DELETE ? TableAction::Delete
			                                                                   : TableAction::Update;
			CheckLakeTable(context, table.schema.name, table.name, kind);
		}
	}
	if (op.return_chunk) {
		throw NotImplementedException("MERGE ... RETURNING on an Iceberg table");
	}
	NoteTableWritten(context, table.schema.name, table.name);
	map<MergeActionCondition, vector<unique_ptr<MergeIntoOperator>>> actions;
	for (auto &entry : op.actions) {
		vector<unique_ptr<MergeIntoOperator>> planned;
		for (auto &action : entry.second) {
			auto result = make_uniq<MergeIntoOperator>();
			result->action_type = action->action_type;
			result->condition = std::move(action->condition);
			switch (action->action_type) {
			case MergeActionType::MERGE_UPDATE:
				result->op = PlanLakeUpdate(context, planner, table, action->columns, action->expressions, op.row_id_start);
				break;
			case MergeActionType::MERGE_DELETE:
				result->op = planner.Make<LakeDelete>(table, op.row_id_start, op.row_id_start + 1);
				break;
			case MergeActionType::MERGE_INSERT: {
				vector<unique_ptr<Expression>> row;
				if (action->column_index_map.empty()) {
					row = std::move(action->expressions);
				} else {
					for (auto &column : table.GetColumns().Physical()) {
						auto mapped = action->column_index_map[column.Physical()];
						row.push_back(mapped == DConstants::INVALID_INDEX ? op.bound_defaults[column.StorageOid()]->Copy()
						                                                 : std::move(action->expressions[mapped]));
					}
				}
				result->expressions = std::move(row);
				result->op = PlanLakeMergeInsert(context, planner, table);
				break;
			}
			case MergeActionType::MERGE_ERROR:
				result->expressions = std::move(action->expressions);
				break;
			case MergeActionType::MERGE_DO_NOTHING:
				break;
			default:
				throw NotImplementedException("this MERGE action on an Iceberg table");
			}
			planned.push_back(std::move(result));
		}
		actions.emplace(entry.first, std::move(planned));
	}
	auto &result =
	    planner.Make<PhysicalMergeInto>(op.types, std::move(actions), op.row_id_start, op.source_marker, false, false);
	result.children.push_back(plan);
	return result;
}

} // namespace akko::engine
