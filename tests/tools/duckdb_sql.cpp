// DuckDB itself, without AKKO: runs SQL given as arguments in an in-memory database and prints
// the last statement's rows as JSON arrays, one per line. Tests use it as the second reader of
// the Parquet files AKKO writes (Debian ships no DuckDB command line).
#include "duckdb.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

int main(int argc, char **argv) {
	if (argc < 2) {
		std::cerr << "usage: duckdb_sql SQL [SQL ...]\n";
		return 2;
	}
	duckdb::DuckDB database(nullptr);
	duckdb::Connection connection(database);
	duckdb::unique_ptr<duckdb::MaterializedQueryResult> result;
	for (int i = 1; i < argc; i++) {
		result = connection.Query(argv[i]);
		if (result->HasError()) {
			std::cerr << result->GetError() << "\n";
			return 1;
		}
	}
	for (duckdb::idx_t row = 0; row < result->RowCount(); row++) {
		auto line = nlohmann::json::array();
		for (duckdb::idx_t column = 0; column < result->ColumnCount(); column++) {
			auto value = result->GetValue(column, row);
			line.push_back(value.IsNull() ? nlohmann::json(nullptr) : nlohmann::json(value.ToString()));
		}
		std::cout << line.dump() << "\n";
	}
	return 0;
}
