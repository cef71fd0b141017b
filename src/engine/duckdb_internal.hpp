#pragma once
// Private to engine/: the only header that includes duckdb.hpp.
#include "common/error.hpp"
#include "duckdb.hpp"
// The catalog, planner and executor internals the lake catalog subclasses and drives.
#include "duckdb/catalog/catalog.hpp"
#include "duckdb/catalog/catalog_entry/copy_function_catalog_entry.hpp"
#include "duckdb/catalog/catalog_entry/schema_catalog_entry.hpp"
#include "duckdb/catalog/catalog_entry/table_catalog_entry.hpp"
#include "duckdb/catalog/catalog_entry/table_function_catalog_entry.hpp"
#include "duckdb/catalog/catalog_entry/view_catalog_entry.hpp"
#include "duckdb/common/file_system.hpp"
#include "duckdb/common/multi_file/multi_file_function.hpp"
#include "duckdb/common/multi_file/multi_file_list.hpp"
#include "duckdb/common/multi_file/multi_file_reader.hpp"
#include "duckdb/common/types/timestamp.hpp"
#include "duckdb/common/types/uuid.hpp"
#include "duckdb/execution/execution_context.hpp"
#include "duckdb/execution/operator/persistent/physical_copy_to_file.hpp"
#include "duckdb/execution/operator/persistent/physical_merge_into.hpp"
#include "duckdb/execution/operator/projection/physical_projection.hpp"
#include "duckdb/execution/physical_plan_generator.hpp"
#include "duckdb/function/copy_function.hpp"
#include "duckdb/function/function_binder.hpp"
#include "duckdb/main/attached_database.hpp"
#include "duckdb/main/database_manager.hpp"
#include "duckdb/parallel/thread_context.hpp"
#include "duckdb/parser/constraints/not_null_constraint.hpp"
#include "duckdb/parser/constraints/unique_constraint.hpp"
#include "duckdb/parser/expression/columnref_expression.hpp"
#include "duckdb/parser/expression/constant_expression.hpp"
#include "duckdb/parser/expression/function_expression.hpp"
#include "duckdb/parser/parsed_data/alter_table_info.hpp"
#include "duckdb/parser/parsed_data/attach_info.hpp"
#include "duckdb/parser/parsed_data/create_schema_info.hpp"
#include "duckdb/parser/parsed_data/create_table_info.hpp"
#include "duckdb/parser/parsed_data/create_view_info.hpp"
#include "duckdb/parser/parsed_data/drop_info.hpp"
#include "duckdb/parser/tableref/table_function_ref.hpp"
#include "duckdb/planner/binder.hpp"
#include "duckdb/planner/expression/bound_cast_expression.hpp"
#include "duckdb/planner/expression/bound_columnref_expression.hpp"
#include "duckdb/planner/expression/bound_comparison_expression.hpp"
#include "duckdb/planner/expression/bound_constant_expression.hpp"
#include "duckdb/planner/expression/bound_function_expression.hpp"
#include "duckdb/planner/expression/bound_operator_expression.hpp"
#include "duckdb/planner/expression/bound_reference_expression.hpp"
#include "duckdb/planner/operator/logical_create_table.hpp"
#include "duckdb/planner/operator/logical_delete.hpp"
#include "duckdb/planner/operator/logical_get.hpp"
#include "duckdb/planner/operator/logical_insert.hpp"
#include "duckdb/planner/operator/logical_merge_into.hpp"
#include "duckdb/planner/operator/logical_projection.hpp"
#include "duckdb/planner/operator/logical_update.hpp"
#include "duckdb/planner/parsed_data/bound_create_table_info.hpp"
#include "duckdb/planner/tableref/bound_at_clause.hpp"
#include "duckdb/storage/database_size.hpp"
#include "duckdb/storage/storage_extension.hpp"
#include "duckdb/storage/table_storage_info.hpp"
#include "duckdb/transaction/transaction.hpp"
#include "duckdb/transaction/transaction_manager.hpp"
#include "engine/engine.hpp"

namespace akko::engine {

ColumnType DescribeType(const duckdb::LogicalType &type);
// Raises the akko::Error that matches a DuckDB error.
[[noreturn]] void RaiseError(const duckdb::ErrorData &error);
// Runs `body`, turning any DuckDB exception into akko::Error.
template <class F>
auto Translate(F &&body) -> decltype(body()) {
	try {
		return body();
	} catch (const akko::Error &) {
		throw;
	} catch (const std::exception &ex) {
		RaiseError(duckdb::ErrorData(ex));
	}
}

StatementInfo DescribeStatement(duckdb::StatementType type, duckdb::StatementReturnType returns, const std::string &sql);
std::unique_ptr<QueryStream> MakeQueryStream(duckdb::ClientContext &context, duckdb::unique_ptr<duckdb::QueryResult> result,
                                             StatementInfo info);
// Makes /, % behave as in PostgreSQL (integer division, division_by_zero errors).
void InstallPgArithmetic(duckdb::DatabaseInstance &database);
// current_user and friends name the session's user (see SetSessionUser).
void InstallPgSessionFunctions(duckdb::DatabaseInstance &database);
void SetSessionUser(duckdb::ClientContext &context, const std::string &user);
// current_user_attribute(), current_user_roles() and the mask_* functions (lake_access.hpp).
void InstallAccessFunctions(duckdb::DatabaseInstance &database);
// Installs the pg_catalog functions and views that PostgreSQL clients query and DuckDB lacks.
void InstallPgCompat(duckdb::Connection &connection);

} // namespace akko::engine
