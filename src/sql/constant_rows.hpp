#pragma once
// A query that yields fixed text rows: how the SQL layer answers SHOW statements the engine
// knows nothing of (SHOW ALL, SHOW GRANTS, ...) with an ordinary result.
#include <string>
#include <vector>

namespace akko::sql {

// SELECT over VALUES with the given column names; every value VARCHAR. No rows: an empty
// result with those columns.
std::string ConstantRowsQuery(const std::vector<std::string> &columns, const std::vector<std::vector<std::string>> &rows);

} // namespace akko::sql
