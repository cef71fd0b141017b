#include "engine/outside_lake_guard.hpp"

#include "engine/lake_types.hpp"
#include "engine/session_access.hpp"

#include "duckdb/parser/parsed_data/alter_info.hpp"
#include "duckdb/parser/parsed_data/drop_info.hpp"
#include "duckdb/planner/operator/list.hpp"

#include <fmt/format.h>

namespace akko::engine {

namespace {

using namespace duckdb;

class Walker {
public:
	explicit Walker(ClientContext &context_p) : context(context_p) {
	}

	void Visit(LogicalOperator &op) {
		switch (op.type) {
		case LogicalOperatorType::LOGICAL_GET:
			if (auto table = op.Cast<LogicalGet>().GetTable()) {
				Check(table->ParentCatalog(), "read from");
			}
			break;
		case LogicalOperatorType::LOGICAL_INSERT:
			Check(op.Cast<LogicalInsert>().table.ParentCatalog(), "write to");
			break;
		case LogicalOperatorType::LOGICAL_DELETE:
			Check(op.Cast<LogicalDelete>().table.ParentCatalog(), "write to");
			break;
		case LogicalOperatorType::LOGICAL_UPDATE:
			Check(op.Cast<LogicalUpdate>().table.ParentCatalog(), "write to");
			break;
		case LogicalOperatorType::LOGICAL_MERGE_INTO:
			Check(op.Cast<LogicalMergeInto>().table.ParentCatalog(), "write to");
			break;
		case LogicalOperatorType::LOGICAL_CREATE_TABLE:
			Check(op.Cast<LogicalCreateTable>().schema.ParentCatalog(), "create in");
			break;
		case LogicalOperatorType::LOGICAL_CREATE_INDEX:
			Check(op.Cast<LogicalCreateIndex>().table.ParentCatalog(), "create in");
			break;
		case LogicalOperatorType::LOGICAL_CREATE_VIEW:
		case LogicalOperatorType::LOGICAL_CREATE_SEQUENCE:
		case LogicalOperatorType::LOGICAL_CREATE_SCHEMA:
		case LogicalOperatorType::LOGICAL_CREATE_MACRO:
		case LogicalOperatorType::LOGICAL_CREATE_TYPE: {
			auto &create = op.Cast<LogicalCreate>();
			if (create.schema) {
				Check(create.schema->ParentCatalog(), "create in");
			} else {
				CheckName(create.info->catalog, "create in");
			}
			break;
		}
		case LogicalOperatorType::LOGICAL_DROP:
		case LogicalOperatorType::LOGICAL_ALTER: {
			auto &info = *op.Cast<LogicalSimple>().info;
			if (info.info_type == ParseInfoType::DROP_INFO) {
				CheckName(info.Cast<DropInfo>().catalog, "drop in");
			} else if (info.info_type == ParseInfoType::ALTER_INFO) {
				CheckName(info.Cast<AlterInfo>().catalog, "alter in");
			}
			break;
		}
		default:
			break;
		}
		for (auto &child : op.children) {
			Visit(*child);
		}
	}

private:
	void CheckName(const std::string &name, const char *what) {
		if (name.empty()) {
			return;
		}
		if (auto database = DatabaseManager::Get(context).GetDatabase(context, name)) {
			Check(database->GetCatalog(), what);
		}
	}

	void Check(Catalog &catalog, const char *what) {
		if (catalog.GetCatalogType() == "iceberg" || catalog.IsTemporaryCatalog() || catalog.IsSystemCatalog()) {
			return;
		}
		ThrowAsDuck(akko::Error(ErrorCode::PermissionDenied,
		                        fmt::format("permission denied to {} database \"{}\": tables live in the lake (catalog "
		                                    "\"iceberg\"); other databases are for superusers",
		                                    what, catalog.GetName())));
	}

	ClientContext &context;
};

} // namespace

void RefuseOutsideLake(OptimizerExtensionInput &input, unique_ptr<LogicalOperator> &plan) {
	auto *guard = GuardOf(input.context);
	if (!guard || guard->Unrestricted()) {
		return;
	}
	Walker(input.context).Visit(*plan);
}

} // namespace akko::engine
