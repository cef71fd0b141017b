#include "common/sql_lexer.hpp"

#include <cctype>

namespace akko {

namespace {

bool IsIdentStart(char c) {
	return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentChar(char c) {
	return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

// Scans the quoted or commented span starting at `i`; returns its end, or `i` if none starts there.
size_t SkipQuoted(std::string_view sql, size_t i) {
	char c = sql[i];
	auto next = [&](size_t k) { return k < sql.size() ? sql[k] : '\0'; };
	if (c == '-' && next(i + 1) == '-') {
		auto end = sql.find('\n', i);
		return end == std::string_view::npos ? sql.size() : end + 1;
	}
	if (c == '/' && next(i + 1) == '*') {
		int depth = 1;
		size_t k = i + 2;
		while (k < sql.size() && depth > 0) {
			if (sql[k] == '/' && next(k + 1) == '*') {
				depth++;
				k += 2;
			} else if (sql[k] == '*' && next(k + 1) == '/') {
				depth--;
				k += 2;
			} else {
				k++;
			}
		}
		return k;
	}
	if (c == '\'' || c == '"') {
		bool backslash_escapes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
		                         (i < 2 || !IsIdentChar(sql[i - 2]));
		size_t k = i + 1;
		while (k < sql.size()) {
			if (backslash_escapes && sql[k] == '\\') {
				k += 2;
				continue;
			}
			if (sql[k] == c) {
				if (next(k + 1) == c) {
					k += 2;
					continue;
				}
				return k + 1;
			}
			k++;
		}
		return sql.size();
	}
	if (c == '$' && (i == 0 || !IsIdentChar(sql[i - 1]))) {
		size_t k = i + 1;
		while (k < sql.size() && IsIdentChar(sql[k]) && sql[k] != '$') {
			k++;
		}
		if (k < sql.size() && sql[k] == '$' && (k == i + 1 || !std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
			auto tag = sql.substr(i, k - i + 1);
			auto end = sql.find(tag, k + 1);
			return end == std::string_view::npos ? sql.size() : end + tag.size();
		}
	}
	return i;
}

bool IsBlank(std::string_view text) {
	size_t i = 0;
	while (i < text.size()) {
		if (std::isspace(static_cast<unsigned char>(text[i]))) {
			i++;
			continue;
		}
		auto end = SkipQuoted(text, i);
		bool comment = end > i && (text[i] == '-' || text[i] == '/');
		if (!comment) {
			return false;
		}
		i = end;
	}
	return true;
}

} // namespace

std::vector<std::string> SplitStatements(std::string_view sql) {
	std::vector<std::string> statements;
	size_t start = 0;
	size_t i = 0;
	while (i < sql.size()) {
		auto end = SkipQuoted(sql, i);
		if (end != i) {
			i = end;
			continue;
		}
		if (sql[i] == ';') {
			auto piece = sql.substr(start, i - start);
			if (!IsBlank(piece)) {
				statements.emplace_back(piece);
			}
			start = i + 1;
		}
		i++;
	}
	auto piece = sql.substr(start);
	if (!IsBlank(piece)) {
		statements.emplace_back(piece);
	}
	return statements;
}

std::vector<Token> Tokenize(std::string_view sql, size_t limit) {
	std::vector<Token> tokens;
	size_t i = 0;
	while (i < sql.size() && tokens.size() < limit) {
		char c = sql[i];
		if (std::isspace(static_cast<unsigned char>(c))) {
			i++;
			continue;
		}
		auto end = SkipQuoted(sql, i);
		if (end != i) {
			if (c == '\'' || c == '"') {
				std::string text;
				for (size_t k = i + 1; k + 1 < end; k++) {
					text += sql[k];
					if (sql[k] == c && sql[k + 1] == c) {
						k++;
					}
				}
				tokens.push_back(Token {c == '"' ? Token::Kind::QuotedIdentifier : Token::Kind::String, text, i, end - i});
			} else if (c == '$') {
				auto tag_end = sql.find('$', i + 1);
				auto tag_len = tag_end - i + 1;
				auto body_len = end - i >= 2 * tag_len ? end - i - 2 * tag_len : 0;
				tokens.push_back(Token {Token::Kind::String, std::string(sql.substr(i + tag_len, body_len)), i, end - i});
			}
			i = end;
			continue;
		}
		size_t begin = i;
		if (IsIdentStart(c)) {
			std::string word;
			while (i < sql.size() && IsIdentChar(sql[i])) {
				word += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
			}
			tokens.push_back(Token {Token::Kind::Word, word, begin, i - begin});
		} else if (std::isdigit(static_cast<unsigned char>(c))) {
			while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '.')) {
				i++;
			}
			tokens.push_back(Token {Token::Kind::Number, std::string(sql.substr(begin, i - begin)), begin, i - begin});
		} else if (c == '$' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
			i++;
			while (i < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i]))) {
				i++;
			}
			tokens.push_back(Token {Token::Kind::Parameter, std::string(sql.substr(begin + 1, i - begin - 1)), begin, i - begin});
		} else {
			i++;
			tokens.push_back(Token {Token::Kind::Symbol, std::string(1, c), begin, 1});
		}
	}
	return tokens;
}

std::string RewriteParameters(std::string_view sql, const std::function<std::string(int)> &replace) {
	std::string out;
	size_t copied = 0;
	for (auto &token : Tokenize(sql)) {
		if (token.kind != Token::Kind::Parameter || token.text.size() > 6) {
			continue;
		}
		out.append(sql.substr(copied, token.offset - copied));
		out += replace(std::stoi(token.text));
		copied = token.offset + token.length;
	}
	out.append(sql.substr(copied));
	return out;
}

namespace {
std::string Quote(std::string_view text, char quote) {
	std::string out(1, quote);
	for (char c : text) {
		out += c;
		if (c == quote) {
			out += quote;
		}
	}
	out += quote;
	return out;
}
} // namespace

std::string QuoteIdentifier(std::string_view name) {
	return Quote(name, '"');
}

std::string QuoteLiteral(std::string_view text) {
	return Quote(text, '\'');
}

std::string_view TrimBlanks(std::string_view text) {
	while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
		text.remove_prefix(1);
	}
	while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
		text.remove_suffix(1);
	}
	return text;
}

std::string ToLower(std::string_view text) {
	std::string out(text);
	for (auto &c : out) {
		c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	}
	return out;
}

std::string IdentifierName(std::string_view sql, const Token &token) {
	return token.kind == Token::Kind::Word ? ToLower(sql.substr(token.offset, token.length)) : token.text;
}

} // namespace akko
