#pragma once
// Private to engine/: the only header that includes duckdb.hpp.
#include "common/error.hpp"
#include "duckdb.hpp"
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
// Installs the pg_catalog functions and views that PostgreSQL clients query and DuckDB lacks.
void InstallPgCompat(duckdb::Connection &connection);

} // namespace akko::engine
