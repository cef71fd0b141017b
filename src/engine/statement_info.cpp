#include "engine/duckdb_internal.hpp"

#include <cctype>

namespace akko::engine {

namespace {

std::vector<std::string> LeadingWords(const std::string &sql, size_t limit) {
	std::vector<std::string> words;
	size_t i = 0;
	while (i < sql.size() && words.size() < limit) {
		char c = sql[i];
		if (std::isspace(static_cast<unsigned char>(c))) {
			i++;
		} else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
			while (i < sql.size() && sql[i] != '\n') {
				i++;
			}
		} else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
			auto end = sql.find("*/", i + 2);
			i = end == std::string::npos ? sql.size() : end + 2;
		} else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
			std::string word;
			while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_')) {
				word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
			}
			words.push_back(word);
		} else {
			break;
		}
	}
	return words;
}

// "CREATE OR REPLACE TEMP TABLE" -> "CREATE TABLE", in PostgreSQL's command tag words.
std::string ObjectTag(const std::string &verb, const std::string &sql) {
	static const std::pair<const char *, const char *> objects[] = {
	    {"TABLE", "TABLE"},   {"VIEW", "VIEW"},         {"SCHEMA", "SCHEMA"},   {"SEQUENCE", "SEQUENCE"},
	    {"INDEX", "INDEX"},   {"MACRO", "FUNCTION"},    {"FUNCTION", "FUNCTION"}, {"TYPE", "TYPE"},
	    {"DATABASE", "DATABASE"}, {"SECRET", "SECRET"}, {"MATERIALIZED", "MATERIALIZED VIEW"}};
	for (auto &word : LeadingWords(sql, 6)) {
		for (auto &[keyword, tag] : objects) {
			if (word == keyword) {
				return verb + " " + tag;
			}
		}
	}
	return verb;
}

} // namespace

StatementInfo DescribeStatement(duckdb::StatementType type, duckdb::StatementReturnType returns, const std::string &sql) {
	using duckdb::StatementType;
	StatementInfo info;
	switch (returns) {
	case duckdb::StatementReturnType::QUERY_RESULT:
		info.returns = ReturnKind::Rows;
		break;
	case duckdb::StatementReturnType::CHANGED_ROWS:
		info.returns = ReturnKind::ChangedRows;
		break;
	case duckdb::StatementReturnType::NOTHING:
		info.returns = ReturnKind::Nothing;
		break;
	}
	switch (type) {
	case StatementType::SELECT_STATEMENT:
		info.tag = "SELECT";
		break;
	case StatementType::INSERT_STATEMENT:
		info.tag = "INSERT";
		break;
	case StatementType::UPDATE_STATEMENT:
		info.tag = "UPDATE";
		break;
	case StatementType::DELETE_STATEMENT:
		info.tag = "DELETE";
		break;
	case StatementType::MERGE_INTO_STATEMENT:
		info.tag = "MERGE";
		break;
	case StatementType::CREATE_STATEMENT:
	case StatementType::CREATE_FUNC_STATEMENT:
		// CREATE TABLE ... AS reports the rows it wrote, as PostgreSQL's "SELECT n".
		info.tag = info.returns == ReturnKind::ChangedRows ? "SELECT" : ObjectTag("CREATE", sql);
		break;
	case StatementType::DROP_STATEMENT:
		info.tag = ObjectTag("DROP", sql);
		break;
	case StatementType::ALTER_STATEMENT:
		info.tag = ObjectTag("ALTER", sql);
		break;
	case StatementType::TRANSACTION_STATEMENT: {
		auto words = LeadingWords(sql, 1);
		auto word = words.empty() ? std::string("BEGIN") : words[0];
		info.tag = word == "START" ? "START TRANSACTION" : word == "END" ? "COMMIT" : word == "ABORT" ? "ROLLBACK" : word;
		break;
	}
	case StatementType::COPY_STATEMENT:
		info.tag = "COPY";
		break;
	case StatementType::EXPLAIN_STATEMENT:
		info.tag = "EXPLAIN";
		break;
	case StatementType::SET_STATEMENT:
	case StatementType::VARIABLE_SET_STATEMENT:
		info.tag = LeadingWords(sql, 1) == std::vector<std::string> {"RESET"} ? "RESET" : "SET";
		break;
	case StatementType::PREPARE_STATEMENT:
		info.tag = "PREPARE";
		break;
	case StatementType::EXECUTE_STATEMENT:
		info.tag = "EXECUTE";
		break;
	case StatementType::ANALYZE_STATEMENT:
		info.tag = "ANALYZE";
		break;
	case StatementType::VACUUM_STATEMENT:
		info.tag = "VACUUM";
		break;
	case StatementType::CALL_STATEMENT:
		info.tag = "CALL";
		break;
	default: {
		auto words = LeadingWords(sql, 1);
		info.tag = words.empty() ? "SELECT" : words[0];
		break;
	}
	}
	if (info.returns == ReturnKind::Rows && info.tag != "INSERT" && info.tag != "UPDATE" && info.tag != "DELETE" &&
	    info.tag != "EXPLAIN" && info.tag != "MERGE") {
		// SHOW, DESCRIBE, PRAGMA, CALL, ... produce rows: clients expect "SELECT n" for those.
		info.tag = info.tag == "SHOW" ? "SHOW" : "SELECT";
	}
	return info;
}

} // namespace akko::engine
