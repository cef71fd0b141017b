// DuckDB itself, without AKKO: runs SQL given as arguments in an in-memory database and prints
// the last statement's rows as JSON arrays, one per line. Tests use it as the second reader of
// the Parquet files AKKO writes (Debian ships no DuckDB command line); benchmarks use it as the
// baseline engine.
//
//   duckdb_sql [--time N] SQL [SQL ...]
//
// An argument @PATH is the statement held in the file PATH: a list of 10,000 file names does not
// fit in one argument (Linux caps each at 128 KiB).
// With --time N, the last statement runs once to warm up, then N times more, and the output is
// one JSON object instead: {"repeat", "median_ms", "min_ms", "max_ms", "times_ms", "rows"}, where
// rows are the last run's. Timing inside the process leaves out its start, which would swamp short queries.
#include "duckdb.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

int Usage() {
	std::cerr << "usage: duckdb_sql [--time N] SQL|@FILE [SQL|@FILE ...]\n";
	return 2;
}

bool ReadStatement(const std::string &argument, std::string &sql) {
	if (argument.empty() || argument[0] != '@') {
		sql = argument;
		return true;
	}
	std::ifstream file(argument.substr(1), std::ios::binary);
	if (!file) {
		std::cerr << "cannot read " << argument.substr(1) << "\n";
		return false;
	}
	std::ostringstream text;
	text << file.rdbuf();
	sql = text.str();
	return true;
}

nlohmann::json RowsOf(duckdb::MaterializedQueryResult &result) {
	auto rows = nlohmann::json::array();
	for (duckdb::idx_t row = 0; row < result.RowCount(); row++) {
		auto line = nlohmann::json::array();
		for (duckdb::idx_t column = 0; column < result.ColumnCount(); column++) {
			auto value = result.GetValue(column, row);
			line.push_back(value.IsNull() ? nlohmann::json(nullptr) : nlohmann::json(value.ToString()));
		}
		rows.push_back(std::move(line));
	}
	return rows;
}

} // namespace

int main(int argc, char **argv) {
	int first = 1;
	int repeat = 0;
	if (argc > 2 && std::string(argv[1]) == "--time") {
		repeat = std::atoi(argv[2]);
		if (repeat < 1) {
			return Usage();
		}
		first = 3;
	}
	if (first >= argc) {
		return Usage();
	}
	std::vector<std::string> statements;
	for (int i = first; i < argc; i++) {
		std::string sql;
		if (!ReadStatement(argv[i], sql)) {
			return 1;
		}
		statements.push_back(std::move(sql));
	}
	duckdb::DuckDB database(nullptr);
	duckdb::Connection connection(database);
	duckdb::unique_ptr<duckdb::MaterializedQueryResult> result;
	std::vector<double> times_ms;
	auto run = [&](const std::string &sql) {
		result = connection.Query(sql);
		if (result->HasError()) {
			std::cerr << result->GetError() << "\n";
			return false;
		}
		return true;
	};
	for (auto &sql : statements) {
		if (!run(sql)) {
			return 1;
		}
	}
	for (int i = 0; i < repeat; i++) {
		auto start = std::chrono::steady_clock::now();
		if (!run(statements.back())) {
			return 1;
		}
		times_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
	}
	if (repeat == 0) {
		for (auto &line : RowsOf(*result)) {
			std::cout << line.dump() << "\n";
		}
		return 0;
	}
	auto sorted = times_ms;
	std::sort(sorted.begin(), sorted.end());
	// The median of an even count is the mean of the middle two, as Python's statistics.median.
	auto median = sorted.size() % 2 ? sorted[sorted.size() / 2]
	                                : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
	nlohmann::json out = {{"repeat", repeat},        {"median_ms", median},    {"min_ms", sorted.front()},
	                      {"max_ms", sorted.back()}, {"times_ms", times_ms}, {"rows", RowsOf(*result)}};
	std::cout << out.dump() << "\n";
	return 0;
}
