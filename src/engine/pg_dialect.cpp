#include "engine/pg_dialect.hpp"

#include "common/sql_lexer.hpp"

#include <string_view>
#include <vector>

namespace akko::engine {

namespace {

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

class Rewriter {
public:
	explicit Rewriter(const std::string &sql_p) : sql(sql_p), tokens(Tokenize(sql_p)) {
	}

	std::string Run() {
		size_t i = 0;
		while (i < tokens.size()) {
			i = Step(i);
		}
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

	size_t Step(size_t i) {
		auto &token = tokens[i];
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
};

} // namespace

std::string RewritePgDialect(const std::string &sql) {
	return Rewriter(sql).Run();
}

} // namespace akko::engine
