#include "sql/constant_rows.hpp"

#include "common/sql_lexer.hpp"

#include <fmt/format.h>

namespace akko::sql {

std::string ConstantRowsQuery(const std::vector<std::string> &columns, const std::vector<std::vector<std::string>> &rows) {
	std::string names;
	for (auto &column : columns) {
		names += (names.empty() ? "" : ", ") + QuoteIdentifier(column);
	}
	if (rows.empty()) {
		std::string nulls;
		for (size_t i = 0; i < columns.size(); i++) {
			nulls += (i ? ", " : "") + std::string("NULL::VARCHAR");
		}
		return fmt::format("SELECT * FROM (VALUES ({})) AS t({}) WHERE false", nulls, names);
	}
	std::string values;
	for (auto &row : rows) {
		std::string tuple;
		for (auto &value : row) {
			tuple += (tuple.empty() ? "" : ", ") + QuoteLiteral(value) + "::VARCHAR";
		}
		values += (values.empty() ? "(" : ", (") + tuple + ")";
	}
	return fmt::format("SELECT * FROM (VALUES {}) AS t({})", values, names);
}

} // namespace akko::sql
