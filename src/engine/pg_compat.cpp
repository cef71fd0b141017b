#include "engine/duckdb_internal.hpp"

namespace akko::engine {

namespace {

// Run once per database at start-up. Each fills a gap between DuckDB's pg_catalog emulation
// and what PostgreSQL clients (psql, JDBC, SQLAlchemy, BI tools) query.
const char *const kCompatStatements[] = {
    "SET GLOBAL TimeZone = 'UTC'",
};

} // namespace

void InstallPgCompat(duckdb::Connection &connection) {
	for (auto statement : kCompatStatements) {
		auto result = connection.Query(statement);
		if (result->HasError()) {
			RaiseError(result->GetErrorObject());
		}
	}
}

} // namespace akko::engine
