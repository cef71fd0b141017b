// Replays the catalog queries real PostgreSQL clients send (tests/sql/pg_catalog/*.test,
// harvested from PostgreSQL 15 by harvest.py there) against the engine: every statement
// must run, and where the fixture carries PostgreSQL's result, ours must match it.
#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "engine/engine.hpp"
#include "engine/pg_dialect.hpp"
#include "engine/pg_types.hpp"
#include "sql/value_text.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace akko::engine {
namespace {

namespace fs = std::filesystem;

fs::path FixtureDir() {
	return fs::path(AKKO_SOURCE_DIR) / "tests" / "sql" / "pg_catalog";
}

std::string ReadFile(const fs::path &path) {
	std::ifstream in(path);
	std::stringstream text;
	text << in.rdbuf();
	return text.str();
}

struct Record {
	int line = 0;
	enum class Kind { Statement, Skip, Query } kind = Kind::Statement;
	std::vector<int> columns; // 1-based; empty: all
	bool rowsort = false;
	std::vector<std::optional<std::string>> params;
	std::string sql;
	std::vector<std::string> expected;
};

std::vector<Record> ParseFixture(const std::string &text) {
	std::vector<Record> records;
	std::vector<std::string> lines;
	std::stringstream in(text);
	for (std::string line; std::getline(in, line);) {
		lines.push_back(line);
	}
	size_t i = 0;
	while (i < lines.size()) {
		auto &line = lines[i];
		if (line.empty() || line[0] == '#') {
			i++;
			continue;
		}
		Record record;
		record.line = static_cast<int>(i + 1);
		if (line.rfind("statement skip", 0) == 0) {
			record.kind = Record::Kind::Skip;
		} else if (line.rfind("query ", 0) == 0) {
			record.kind = Record::Kind::Query;
			std::stringstream words(line.substr(6));
			std::string columns, flag;
			words >> columns >> flag;
			record.rowsort = flag == "rowsort";
			if (columns != "*") {
				std::stringstream list(columns);
				for (std::string column; std::getline(list, column, ',');) {
					record.columns.push_back(std::stoi(column));
				}
			}
		} else if (line != "statement ok") {
			ADD_FAILURE() << "line " << i + 1 << ": unknown record " << line;
		}
		i++;
		while (i < lines.size() && lines[i].rfind("param ", 0) == 0) {
			auto value = lines[i].substr(6);
			record.params.push_back(value == "\\N" ? std::nullopt : std::optional<std::string>(value));
			i++;
		}
		while (i < lines.size() && !lines[i].empty() && lines[i] != "----") {
			record.sql += lines[i] + "\n";
			i++;
		}
		if (i < lines.size() && lines[i] == "----") {
			i++;
			while (i < lines.size() && !lines[i].empty()) {
				record.expected.push_back(lines[i]);
				i++;
			}
		}
		records.push_back(std::move(record));
	}
	return records;
}

std::string Escape(const std::string &value) {
	std::string out;
	for (char c : value) {
		if (c == '\\') {
			out += "\\\\";
		} else if (c == '\t') {
			out += "\\t";
		} else if (c == '\n') {
			out += "\\n";
		} else {
			out += c;
		}
	}
	return out;
}

// PostgreSQL's schema public is AKKO's main.
std::string Normalize(std::string cell) {
	if (cell == "public") {
		return "main";
	}
	for (size_t at = cell.find("public."); at != std::string::npos; at = cell.find("public.", at)) {
		cell.replace(at, 7, "main.");
	}
	return cell;
}

std::vector<std::vector<std::string>> ReadRows(QueryStream &stream) {
	std::vector<std::vector<std::string>> rows;
	while (auto chunk = stream.Next()) {
		auto &columns = chunk->Columns();
		for (uint64_t row = 0; row < chunk->RowCount(); row++) {
			std::vector<std::string> cells;
			for (auto &column : columns) {
				std::string text;
				if (column.IsNull(row)) {
					text = "NULL";
				} else {
					sql::AppendValueText(text, column, row);
				}
				cells.push_back(Escape(text));
			}
			rows.push_back(std::move(cells));
		}
	}
	return rows;
}

class PgCatalogTest : public ::testing::TestWithParam<std::string> {
protected:
	void SetUp() override {
		directory = fs::temp_directory_path() / ("akko_pg_catalog_" + std::to_string(::getpid()) + "_" + GetParam());
		fs::remove_all(directory);
		fs::create_directories(directory);
		EngineOptions options;
		// The file's name is the catalog's name, and clients ask for database akko.
		options.database_path = (directory / "akko.duckdb").string();
		engine = std::make_unique<Engine>(options);
		session = engine->Connect();
		for (auto &statement : SplitStatements(ReadFile(FixtureDir() / "schema.sql"))) {
			session->Run(statement);
		}
	}

	void TearDown() override {
		session.reset();
		engine.reset();
		fs::remove_all(directory);
	}

	std::string Scalar(const std::string &sql) {
		auto rows = ReadRows(*session->Run(sql));
		return rows.empty() ? "" : rows[0][0];
	}

	// ${oid:NAME}: the OID of relation, constraint or schema NAME; ${schema}: main.
	std::string Resolve(std::string text) {
		static const std::regex placeholder(R"(\$\{oid:([^}]*)\})");
		std::smatch match;
		while (std::regex_search(text, match, placeholder)) {
			auto name = match[1].str();
			auto oid = Scalar("SELECT oid FROM pg_catalog.pg_class WHERE relname = '" + name +
			                  "' UNION ALL SELECT oid FROM pg_catalog.pg_constraint WHERE conname = '" + name +
			                  "' UNION ALL SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = '" + name + "' LIMIT 1");
			EXPECT_FALSE(oid.empty()) << "no OID for " << name;
			text = match.prefix().str() + oid + match.suffix().str();
		}
		for (size_t at = text.find("${schema}"); at != std::string::npos; at = text.find("${schema}", at)) {
			text.replace(at, 9, "main");
		}
		return text;
	}

	std::unique_ptr<QueryStream> Execute(const Record &record) {
		auto sql = Resolve(record.sql);
		if (record.params.empty()) {
			return session->Run(sql);
		}
		std::vector<Param> params;
		for (auto &value : record.params) {
			Param param;
			if (value) {
				param.kind = Param::Kind::Text;
				param.bytes = Resolve(*value);
			}
			params.push_back(std::move(param));
		}
		auto prepared = session->Prepare(sql);
		return prepared->Execute(params);
	}

	fs::path directory;
	std::unique_ptr<Engine> engine;
	std::unique_ptr<EngineSession> session;
};

TEST_P(PgCatalogTest, ClientQueriesRunAndMatchPostgres) {
	auto file = GetParam() + ".test";
	auto records = ParseFixture(ReadFile(FixtureDir() / file));
	ASSERT_FALSE(records.empty()) << file;
	int compared = 0;
	for (auto &record : records) {
		if (record.kind == Record::Kind::Skip) {
			continue;
		}
		SCOPED_TRACE(file + ":" + std::to_string(record.line) + "\n" + record.sql.substr(0, 400));
		std::unique_ptr<QueryStream> stream;
		try {
			stream = Execute(record);
		} catch (const std::exception &error) {
			ADD_FAILURE() << "failed: " << error.what();
			continue;
		}
		std::vector<std::vector<std::string>> rows;
		try {
			rows = ReadRows(*stream);
		} catch (const std::exception &error) {
			ADD_FAILURE() << "failed reading rows: " << error.what();
			continue;
		}
		if (record.kind != Record::Kind::Query) {
			continue;
		}
		compared++;
		std::vector<std::string> actual;
		for (auto &row : rows) {
			std::string line;
			auto columns = record.columns;
			if (columns.empty()) {
				for (size_t k = 1; k <= row.size(); k++) {
					columns.push_back(static_cast<int>(k));
				}
			}
			for (size_t k = 0; k < columns.size(); k++) {
				line += (k ? "\t" : "") + (columns[k] <= int(row.size()) ? row[columns[k] - 1] : "<missing>");
			}
			actual.push_back(line);
		}
		std::vector<std::string> expected;
		for (auto &line : record.expected) {
			std::string normalized;
			size_t start = 0;
			for (size_t tab = line.find('\t'); ; tab = line.find('\t', start)) {
				normalized += (start ? "\t" : "") + Normalize(line.substr(start, tab == std::string::npos ? tab : tab - start));
				if (tab == std::string::npos) {
					break;
				}
				start = tab + 1;
			}
			expected.push_back(normalized);
		}
		if (record.rowsort) {
			std::sort(actual.begin(), actual.end());
			std::sort(expected.begin(), expected.end());
		}
		EXPECT_EQ(expected, actual);
	}
	EXPECT_GT(compared, 0) << file << " compares no result with PostgreSQL's";
}

INSTANTIATE_TEST_SUITE_P(Clients, PgCatalogTest,
                         ::testing::Values("psql", "psycopg2", "sqlalchemy14", "sqlalchemy20", "pandas", "jdbc", "node_pg"),
                         [](const ::testing::TestParamInfo<std::string> &info) { return info.param; });

TEST(PgDialectTest, RewritesWhatDuckDbCannotParse) {
	EXPECT_EQ(RewritePgDialect("SELECT 1"), "SELECT 1");
	EXPECT_EQ(RewritePgDialect("WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default"),
	          "WHERE c.relname  =~  '^(t)$'  ");
	EXPECT_EQ(RewritePgDialect("WHERE n.nspname !~ '^pg_' AND x ~ 'a'"), "WHERE n.nspname !=~ '^pg_' AND x =~ 'a'");
	EXPECT_EQ(RewritePgDialect("SELECT ~5, 'a' ~~ 'b', 'a' !~~ 'b', 'a' ~* 'b'"), "SELECT ~5, 'a' ~~ 'b', 'a' !~~ 'b', 'a' ~* 'b'");
	EXPECT_EQ(RewritePgDialect("SELECT x::pg_catalog.text, CAST(y AS pg_catalog.int2[])"), "SELECT x::text, CAST(y AS int2[])");
	EXPECT_EQ(RewritePgDialect("SELECT 'a ~ b', \"x~\" FROM t -- ~ comment"), "SELECT 'a ~ b', \"x~\" FROM t -- ~ comment");
	EXPECT_EQ(RewritePgDialect("SELECT a COLLATE \"C\", b COLLATE nocase"), "SELECT a  , b COLLATE nocase");
}

TEST(PgCatalogFunctions, AnswerLikePostgres) {
	Engine engine(EngineOptions {});
	auto session = engine.Connect();
	auto scalar = [&](const std::string &sql) {
		auto rows = ReadRows(*session->Run(sql));
		return rows.at(0).at(0);
	};
	EXPECT_EQ(scalar("SELECT pg_catalog.version()").rfind("PostgreSQL 15.0 ", 0), 0u);
	EXPECT_NE(scalar("SELECT version()").find("DuckDB"), std::string::npos);
	EXPECT_EQ(scalar("SELECT current_setting('server_version_num')"), "150000");
	EXPECT_EQ(scalar("SHOW standard_conforming_strings"), "on");
	EXPECT_EQ(scalar("SELECT pg_is_in_recovery()"), "f");
	EXPECT_EQ(scalar("SELECT quote_ident('a b') || quote_ident('ok') || quote_ident('select')"), "\"a b\"ok\"select\"");
	EXPECT_EQ(scalar("SELECT array_upper([4, 5, 6], 1)"), "3");
	EXPECT_EQ(scalar("SELECT array_lower([4, 5, 6], 1)"), "1");
	EXPECT_EQ(scalar("SELECT '{1,2,3}'::INTEGER[]"), "{1,2,3}");
	EXPECT_EQ(scalar("SELECT 'int4'::regtype::oid"), "23");
	EXPECT_EQ(scalar("SELECT 1043::regtype"), "character varying");
	EXPECT_EQ(scalar("SELECT format_type(1700, (12 << 16 | 2) + 4)"), "numeric(12,2)");
	EXPECT_EQ(scalar("SELECT 'pg_class'::regclass::text"), "pg_class");
	EXPECT_EQ(scalar("SELECT to_regclass('no_such_table') IS NULL"), "t");
	EXPECT_EQ(scalar("SELECT pg_get_userbyid(10)"), "akko");
	EXPECT_EQ(scalar("SELECT pg_encoding_to_char(6)"), "UTF8");
	EXPECT_EQ(scalar("SELECT 'abc' ~ 'b'"), "t");
	EXPECT_EQ(scalar("SELECT 'abc' !~ '^b'"), "t");
	EXPECT_EQ(scalar("SELECT 'ABC' ~* 'b'"), "t");
	session->Run("CREATE TABLE t (id INTEGER PRIMARY KEY, v NUMERIC(10,3))");
	EXPECT_EQ(scalar("SELECT 't'::regclass::oid = (SELECT oid FROM pg_class WHERE relname = 't')"), "t");
	EXPECT_EQ(scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 't'::regclass AND atttypid = 'numeric'::regtype"),
	          "1");
	EXPECT_EQ(scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum = 2"),
	          "numeric(10,3)");
	EXPECT_EQ(scalar("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 't'::regclass"), "PRIMARY KEY (id)");
	// pg_index.indkey keeps its PostgreSQL type, so the wire can send it as int2vector ("1 2").
	auto indkey = session->Prepare("SELECT indkey, indoption FROM pg_index");
	EXPECT_EQ(indkey->Columns().at(0).type.name, "int2vector");
	EXPECT_EQ(PgTypeOid(indkey->Columns().at(0).type), 22);
	EXPECT_EQ(scalar("SELECT indkey::VARCHAR FROM pg_index WHERE indrelid = 't'::regclass"), "1");
	EXPECT_THROW(session->Run("SELECT 'no_such_table'::regclass"), akko::Error);
	// A table created in the open transaction is visible to the reg* casts too.
	session->Run("BEGIN");
	session->Run("CREATE TABLE fresh (x INTEGER)");
	EXPECT_EQ(scalar("SELECT 'fresh'::regclass::text"), "fresh");
	session->Run("ROLLBACK");
}

} // namespace
} // namespace akko::engine
