#include "engine/pg_dialect.hpp"

#include "common/sql_lexer.hpp"

#include <algorithm>
#include <map>
#include <cctype>
#include <string_view>
#include <vector>

namespace akko::engine {

const std::vector<PgSetting> &PgSettings() {
	static const std::vector<PgSetting> settings = {
	    {"server_version", "15.0"},
	    {"server_version_num", "150000"},
	    {"server_encoding", "UTF8"},
	    {"client_encoding", "UTF8"},
	    {"standard_conforming_strings", "on"},
	    {"integer_datetimes", "on"},
	    {"max_index_keys", "32"},
	    {"max_identifier_length", "63"},
	    {"max_function_args", "100"},
	    {"block_size", "8192"},
	    {"lc_collate", "C.UTF-8"},
	    {"lc_ctype", "C.UTF-8"},
	    {"lc_messages", "C.UTF-8"},
	    {"datestyle", "ISO, MDY"},
	    {"intervalstyle", "postgres"},
	    {"is_superuser", "on"},
	    {"application_name", ""},
	    {"extra_float_digits", "1"},
	    {"bytea_output", "hex"},
	    {"client_min_messages", "notice"},
	    {"statement_timeout", "0"},
	    {"lock_timeout", "0"},
	    {"idle_in_transaction_session_timeout", "0"},
	    {"default_transaction_isolation", "read committed"},
	    {"default_transaction_read_only", "off"},
	    {"row_security", "on"},
	    {"ssl", "off"},
	    // DuckDB's own.
	    {"timezone", ""},
	    {"search_path", ""},
	};
	return settings;
}

namespace {

bool IsPgSetting(std::string_view name) {
	for (auto &setting : PgSettings()) {
		if (setting.name.size() == name.size() &&
		    std::equal(name.begin(), name.end(), setting.name.begin(),
		               [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })) {
			return true;
		}
	}
	return false;
}

// Functions whose one output column PostgreSQL names after the alias in FROM.
bool IsSingleColumnFunction(const Token &token) {
	return token.kind == Token::Kind::Word &&
	       (token.text == "GENERATE_SERIES" || token.text == "UNNEST" || token.text == "GENERATE_SUBSCRIPTS");
}

// Words that end a table reference rather than alias it.
bool IsClauseWord(const Token &token) {
	if (token.kind != Token::Kind::Word) {
		return false;
	}
	for (auto word : {"WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "WINDOW",
	                  "QUALIFY", "RETURNING", "ON", "USING", "JOIN", "LEFT", "RIGHT", "INNER", "FULL", "CROSS", "NATURAL",
	                  "LATERAL", "WITH", "AS", "SELECT", "FROM", "POSITIONAL", "ASOF", "ANTI", "SEMI"}) {
		if (token.text == word) {
			return true;
		}
	}
	return false;
}

bool IsOperatorChar(char c) {
	return std::string_view("~!@#^&|`?+-*/%<>=").find(c) != std::string_view::npos;
}

bool IsOperatorToken(const Token &token) {
	return token.kind == Token::Kind::Symbol && IsOperatorChar(token.text[0]);
}

// Whether `token` can end an operand, so that an operator after it is binary.
bool EndsOperand(const Token &token) {
	switch (token.kind) {
	case Token::Kind::QuotedIdentifier:
	case Token::Kind::String:
	case Token::Kind::Number:
	case Token::Kind::Parameter:
		return true;
	case Token::Kind::Symbol:
		return token.text == ")" || token.text == "]";
	case Token::Kind::Word:
		for (auto keyword : {"SELECT", "WHERE", "AND", "OR", "NOT", "ON", "WHEN", "THEN", "ELSE", "BY", "HAVING", "IN",
		                     "RETURNING", "AS", "IS", "LIKE"}) {
			if (token.text == keyword) {
				return false;
			}
		}
		return true;
	}
	return false;
}

// PostgreSQL's regular expression operators, spelled the way pg_compat registers them.
std::string_view RegexOperator(std::string_view op) {
	if (op == "~") {
		return "=~";
	}
	if (op == "!~") {
		return "!=~";
	}
	return {};
}

bool IsCollationToDrop(const Token &token) {
	if (token.kind == Token::Kind::Word) {
		return token.text == "DEFAULT";
	}
	return token.kind == Token::Kind::QuotedIdentifier &&
	       (token.text == "default" || token.text == "C" || token.text == "POSIX" || token.text == "C.UTF-8" ||
	        token.text == "ucs_basic");
}

bool IsHexBytea(const std::string &text) {
	if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
		return false;
	}
	return std::all_of(text.begin() + 2, text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

class Rewriter {
public:
	explicit Rewriter(const std::string &sql_p) : sql(sql_p), tokens(Tokenize(sql_p)) {
	}

	std::string Run() {
		if (auto show = ShowSetting(); !show.empty()) {
			return show;
		}
		if (auto properties = TableProperties(); !properties.empty()) {
			return properties;
		}
		size_t i = 0;
		while (i < tokens.size()) {
			i = Step(i);
		}
		ApplyPending(sql.size());
		if (copied == 0) {
			return sql;
		}
		out.append(sql, copied, std::string::npos);
		return out;
	}

private:
	bool Is(size_t i, Token::Kind kind, std::string_view text) const {
		return i < tokens.size() && tokens[i].kind == kind && tokens[i].text == text;
	}
	bool IsSymbol(size_t i, std::string_view text) const {
		return Is(i, Token::Kind::Symbol, text);
	}
	size_t End(size_t i) const {
		return tokens[i].offset + tokens[i].length;
	}
	void Replace(size_t begin, size_t end, std::string_view text) {
		out.append(sql, copied, begin - copied);
		out += text;
		copied = end;
	}
	void Schedule(size_t begin, size_t end, std::string text) {
		pending.emplace(begin, std::make_pair(end, std::move(text)));
	}
	// Applies the scheduled replacements that start at or before `offset`; true when the
	// token at `offset` was replaced.
	bool ApplyPending(size_t offset) {
		bool replaced = false;
		while (!pending.empty() && pending.begin()->first <= offset) {
			auto [begin, edit] = *pending.begin();
			pending.erase(pending.begin());
			if (begin >= copied) {
				Replace(begin, edit.first, edit.second);
				replaced = replaced || edit.first > offset;
			}
		}
		return replaced;
	}

	// x = ANY(list) -> list_contains((list), x). DuckDB turns = ANY into a subquery, which
	// it cannot place in an outer join's condition (where catalog queries put it).
	bool RewriteAny(size_t i) {
		if (!IsSymbol(i, "=") || (i + 1 < tokens.size() && IsOperatorToken(tokens[i + 1]) && tokens[i + 1].offset == End(i)) ||
		    !Is(i + 1, Token::Kind::Word, "ANY") || !IsSymbol(i + 2, "(") || i == 0) {
			return false;
		}
		if (Is(i + 3, Token::Kind::Word, "SELECT") || Is(i + 3, Token::Kind::Word, "WITH") ||
		    Is(i + 3, Token::Kind::Word, "VALUES") || IsSymbol(i + 3, "(")) {
			return false;
		}
		size_t close = Closing(i + 2);
		if (close >= tokens.size()) {
			return false;
		}
		// The left operand: a literal, a parameter or a dotted name, standing alone.
		size_t start = i - 1;
		auto &last = tokens[start];
		if (last.kind == Token::Kind::Word || last.kind == Token::Kind::QuotedIdentifier) {
			while (start >= 2 && IsSymbol(start - 1, ".") &&
			       (tokens[start - 2].kind == Token::Kind::Word || tokens[start - 2].kind == Token::Kind::QuotedIdentifier)) {
				start -= 2;
			}
			if (last.kind == Token::Kind::Word && IsClauseWord(last)) {
				return false;
			}
		} else if (last.kind != Token::Kind::String && last.kind != Token::Kind::Number &&
		           last.kind != Token::Kind::Parameter) {
			return false;
		}
		if (start > 0) {
			auto &before = tokens[start - 1];
			if (before.kind == Token::Kind::Symbol && before.text != "(" && before.text != ",") {
				return false;
			}
		}
		if (tokens[start].offset < copied) {
			return false;
		}
		auto left = std::string(sql.substr(tokens[start].offset, End(i - 1) - tokens[start].offset));
		Replace(tokens[start].offset, End(i + 2), "list_contains((");
		Schedule(tokens[close].offset, End(close), "), " + left + ")");
		return true;
	}
	// The operator spelled by the adjacent symbol tokens from `i`; sets `next` past it.
	std::string OperatorAt(size_t i, size_t &next) const {
		std::string op;
		next = i;
		while (next < tokens.size() && IsOperatorToken(tokens[next]) &&
		       (next == i || tokens[next].offset == End(next - 1))) {
			op += tokens[next].text;
			next++;
		}
		return op;
	}

	// SHOW name -> SELECT current_setting('name') AS name, for PostgreSQL's settings.
	std::string ShowSetting() const {
		size_t count = tokens.size();
		if (count > 0 && tokens[count - 1].kind == Token::Kind::Symbol && tokens[count - 1].text == ";") {
			count--;
		}
		if (count != 2 || !Is(0, Token::Kind::Word, "SHOW") ||
		    (tokens[1].kind != Token::Kind::Word && tokens[1].kind != Token::Kind::QuotedIdentifier)) {
			return {};
		}
		auto name = std::string(sql.substr(tokens[1].offset, tokens[1].length));
		if (tokens[1].kind == Token::Kind::QuotedIdentifier) {
			name = tokens[1].text;
		}
		if (!IsPgSetting(name)) {
			return {};
		}
		std::string lower;
		for (char c : name) {
			lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
		}
		return "SELECT current_setting('" + lower + "') AS \"" + lower + "\"";
	}

	// ALTER TABLE [IF EXISTS] [ONLY] [schema.]table SET (key = value, ...) | RESET (key, ...):
	// PostgreSQL's storage parameters are an Iceberg table's properties. DuckDB's grammar has no
	// such statement, so it becomes a call that commits them. Keys may be quoted ("write.x-y").
	std::string TableProperties() const {
		size_t count = tokens.size();
		if (count > 0 && IsSymbol(count - 1, ";")) {
			count--;
		}
		if (!Is(0, Token::Kind::Word, "ALTER") || !Is(1, Token::Kind::Word, "TABLE")) {
			return {};
		}
		size_t i = 2;
		if (Is(i, Token::Kind::Word, "IF") && Is(i + 1, Token::Kind::Word, "EXISTS")) {
			i += 2;
		}
		if (Is(i, Token::Kind::Word, "ONLY")) {
			i++;
		}
		auto is_name = [&](size_t k) {
			return k < count && (tokens[k].kind == Token::Kind::Word || tokens[k].kind == Token::Kind::QuotedIdentifier);
		};
		if (!is_name(i)) {
			return {};
		}
		std::string schema = "NULL";
		auto table = IdentifierName(sql, tokens[i++]);
		if (IsSymbol(i, ".") && is_name(i + 1)) {
			schema = QuoteLiteral(table);
			table = IdentifierName(sql, tokens[i + 1]);
			i += 2;
		}
		bool set = Is(i, Token::Kind::Word, "SET");
		if ((!set && !Is(i, Token::Kind::Word, "RESET")) || !IsSymbol(i + 1, "(") || Closing(i + 1) != count - 1) {
			return {};
		}
		std::vector<std::string> entries;
		for (size_t k = i + 2; k < count - 1;) {
			if (k >= count - 1 || (!is_name(k) && tokens[k].kind != Token::Kind::String)) {
				return {};
			}
			auto key = tokens[k].kind == Token::Kind::Word ? ToLower(tokens[k].text) : tokens[k].text;
			k++;
			if (set) {
				if (!IsSymbol(k, "=") || k + 1 >= count - 1) {
					return {};
				}
				auto &value = tokens[k + 1];
				auto text = value.kind == Token::Kind::Word ? ToLower(value.text)
				            : value.kind == Token::Kind::String || value.kind == Token::Kind::Number
				                ? value.text
				                : std::string();
				if (value.kind != Token::Kind::Word && value.kind != Token::Kind::String &&
				    value.kind != Token::Kind::Number) {
					return {};
				}
				entries.push_back(QuoteLiteral(key) + ": " + QuoteLiteral(text));
				k += 2;
			} else {
				entries.push_back(QuoteLiteral(key));
			}
			if (IsSymbol(k, ",")) {
				k++;
			} else if (k != count - 1) {
				return {};
			}
		}
		std::string joined;
		for (auto &entry : entries) {
			joined += (joined.empty() ? "" : ", ") + entry;
		}
		auto map = set ? "MAP {" + joined + "}" : "MAP {}::MAP(VARCHAR, VARCHAR)";
		auto list = set ? std::string("[]::VARCHAR[]") : "[" + joined + "]::VARCHAR[]";
		return "CALL set_table_properties(" + schema + ", " + QuoteLiteral(table) + ", " + map + ", " + list + ")";
	}

	// The index of the ')' closing the '(' at `i`, or tokens.size().
	size_t Closing(size_t i) const {
		int depth = 0;
		for (size_t k = i; k < tokens.size(); k++) {
			if (IsSymbol(k, "(")) {
				depth++;
			} else if (IsSymbol(k, ")") && --depth == 0) {
				return k;
			}
		}
		return tokens.size();
	}

	// Tracks which parenthesis levels are inside a FROM clause.
	void TrackClause(size_t i) {
		auto &token = tokens[i];
		if (IsSymbol(i, "(")) {
			in_from.push_back(false);
		} else if (IsSymbol(i, ")")) {
			if (in_from.size() > 1) {
				in_from.pop_back();
			}
		} else if (Is(i, Token::Kind::Word, "FROM")) {
			in_from.back() = true;
		} else if (token.kind == Token::Kind::Word &&
		           (token.text == "WHERE" || token.text == "GROUP" || token.text == "HAVING" || token.text == "ORDER" ||
		            token.text == "LIMIT" || token.text == "UNION" || token.text == "INTERSECT" ||
		            token.text == "EXCEPT" || token.text == "WINDOW" || token.text == "QUALIFY" ||
		            token.text == "SELECT" || token.text == "RETURNING")) {
			in_from.back() = false;
		}
	}

	// FROM f(...) alias -> FROM f(...) alias(alias), for functions of one column.
	void NameFunctionColumn(size_t i) {
		if (!in_from.back() || i == 0) {
			return;
		}
		bool table_position = IsSymbol(i - 1, ",") || Is(i - 1, Token::Kind::Word, "FROM") ||
		                      Is(i - 1, Token::Kind::Word, "JOIN") || Is(i - 1, Token::Kind::Word, "LATERAL");
		if (!table_position) {
			return;
		}
		size_t k = i;
		if (Is(k, Token::Kind::Word, "PG_CATALOG") && IsSymbol(k + 1, ".")) {
			k += 2;
		}
		if (k >= tokens.size() || !IsSingleColumnFunction(tokens[k]) || !IsSymbol(k + 1, "(")) {
			return;
		}
		size_t alias = Closing(k + 1) + 1;
		if (Is(alias, Token::Kind::Word, "AS")) {
			alias++;
		}
		if (alias >= tokens.size() || (tokens[alias].kind != Token::Kind::Word && tokens[alias].kind != Token::Kind::QuotedIdentifier) ||
		    IsClauseWord(tokens[alias]) || IsSymbol(alias + 1, "(")) {
			return;
		}
		auto text = std::string(sql.substr(tokens[alias].offset, tokens[alias].length));
		Schedule(End(alias), End(alias), "(" + text + ")");
	}

	size_t Step(size_t i) {
		auto &token = tokens[i];
		TrackClause(i);
		NameFunctionColumn(i);
		if (ApplyPending(token.offset)) {
			return i + 1;
		}
		if (RewriteAny(i)) {
			return i + 3;
		}
		// '\x0aff'::bytea is PostgreSQL's hex input; DuckDB would read \x0a as one escaped byte.
		if (token.kind == Token::Kind::String && IsSymbol(i + 1, ":") && IsSymbol(i + 2, ":") &&
		    Is(i + 3, Token::Kind::Word, "BYTEA") && IsHexBytea(token.text)) {
			Replace(token.offset, End(i + 3), "unhex('" + token.text.substr(2) + "')");
			return i + 4;
		}
		// OPERATOR(schema.op) -> op
		if (Is(i, Token::Kind::Word, "OPERATOR") && IsSymbol(i + 1, "(")) {
			size_t k = i + 2;
			if (k + 1 < tokens.size() && tokens[k].kind == Token::Kind::Word && IsSymbol(k + 1, ".")) {
				k += 2;
			}
			size_t next;
			auto op = OperatorAt(k, next);
			if (!op.empty() && IsSymbol(next, ")")) {
				auto regex = RegexOperator(op);
				Replace(token.offset, End(next), " " + std::string(regex.empty() ? std::string_view(op) : regex) + " ");
				return next + 1;
			}
		}
		// a ~ b, a !~ b
		if (IsOperatorToken(token) && i > 0 && EndsOperand(tokens[i - 1])) {
			size_t next;
			auto op = OperatorAt(i, next);
			auto regex = RegexOperator(op);
			if (!regex.empty()) {
				Replace(token.offset, End(next - 1), regex);
			}
			return next;
		}
		// COLLATE pg_catalog.default, COLLATE "C"
		if (Is(i, Token::Kind::Word, "COLLATE")) {
			size_t k = i + 1;
			if (Is(k, Token::Kind::Word, "PG_CATALOG") && IsSymbol(k + 1, ".")) {
				k += 2;
			}
			if (k < tokens.size() && IsCollationToDrop(tokens[k])) {
				Replace(token.offset, End(k), " ");
				return k + 1;
			}
		}
		// ::pg_catalog.type and CAST(x AS pg_catalog.type)
		bool cast_target = (IsSymbol(i, ":") && i > 0 && IsSymbol(i - 1, ":")) || Is(i, Token::Kind::Word, "AS");
		if (cast_target && Is(i + 1, Token::Kind::Word, "PG_CATALOG") && IsSymbol(i + 2, ".") && i + 3 < tokens.size() &&
		    (tokens[i + 3].kind == Token::Kind::Word || tokens[i + 3].kind == Token::Kind::QuotedIdentifier)) {
			Replace(tokens[i + 1].offset, tokens[i + 3].offset, "");
			return i + 3;
		}
		return i + 1;
	}

	const std::string &sql;
	std::vector<Token> tokens;
	std::string out;
	size_t copied = 0;
	std::vector<bool> in_from = {false};
	std::multimap<size_t, std::pair<size_t, std::string>> pending; // begin -> (end, text)
};

} // namespace

std::string RewritePgDialect(const std::string &sql) {
	return Rewriter(sql).Run();
}

} // namespace akko::engine
