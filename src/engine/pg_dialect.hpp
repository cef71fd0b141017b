#pragma once
// PostgreSQL syntax that DuckDB's parser rejects or reads differently, rewritten before the
// statement reaches DuckDB. Everything that can be a function, macro, view or type lives
// in the catalog instead (pg_compat.cpp); this handles only what the parser sees:
//   OPERATOR(pg_catalog.~)           the operator itself
//   a ~ b, a !~ b                     =~ and !=~: DuckDB reads ~ as a full match,
//                                     PostgreSQL as a search (pg_compat defines both)
//   COLLATE pg_catalog.default, "C"   dropped: DuckDB's default collation is binary
//   ::pg_catalog.text, AS pg_catalog.int4 (in CAST)   the type without its schema
//   FROM generate_series(1, 3) s      FROM generate_series(1, 3) s(s): in PostgreSQL the
//                                     alias of a one-column function names its column too
//   x = ANY(list)                     list_contains((list), x): DuckDB makes = ANY a
//                                     subquery, which it refuses in outer join conditions
//   SHOW server_version               SELECT current_setting('server_version'), for the
//                                     settings below (DuckDB's SHOW describes a table)
#include <string>
#include <string_view>
#include <vector>

namespace akko::engine {

std::string RewritePgDialect(const std::string &sql);

struct PgSetting {
	std::string_view name;
	std::string_view value; // default, for the settings DuckDB does not have
};
// The PostgreSQL run-time settings clients read at connect time (SHOW, current_setting(),
// pg_settings); pg_compat registers the ones DuckDB lacks.
const std::vector<PgSetting> &PgSettings();

} // namespace akko::engine
