#pragma once
// PostgreSQL syntax that DuckDB's parser rejects or reads differently, rewritten before the
// statement reaches DuckDB. Everything that can be a function, macro, view or type lives
// in the catalog instead (pg_compat.cpp); this handles only what the parser sees:
//   OPERATOR(pg_catalog.~)           the operator itself
//   a ~ b, a !~ b                     =~ and !=~: DuckDB reads ~ as a full match,
//                                     PostgreSQL as a search (pg_compat defines both)
//   COLLATE pg_catalog.default, "C"   dropped: DuckDB's default collation is binary
//   ::pg_catalog.text, AS pg_catalog.int4 (in CAST)   the type without its schema
#include <string>

namespace akko::engine {

std::string RewritePgDialect(const std::string &sql);

} // namespace akko::engine
