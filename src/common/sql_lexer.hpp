#pragma once
// A small SQL lexer that knows PostgreSQL's quoting (strings, E'' escapes, quoted
// identifiers, dollar quotes, comments), enough to split statements and find words and
// parameters without a full parse.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace akko {

// Statements of a query string, without their trailing ';'. Empty statements are dropped.
std::vector<std::string> SplitStatements(std::string_view sql);

struct Token {
	enum class Kind { Word, QuotedIdentifier, String, Number, Parameter, Symbol } kind;
	std::string text; // words upper-cased; quoted identifiers and strings unquoted
	size_t offset;    // where the token starts in the statement
	size_t length;
};

// Tokens of one statement, comments and white space skipped; stops after `limit` tokens.
std::vector<Token> Tokenize(std::string_view sql, size_t limit = SIZE_MAX);

// "name" with embedded quotes doubled: an identifier SQL reads back exactly as written.
std::string QuoteIdentifier(std::string_view name);
// 'text' with embedded quotes doubled.
std::string QuoteLiteral(std::string_view text);
// ASCII lower case, as PostgreSQL folds unquoted identifiers.
std::string ToLower(std::string_view text);
// Without leading and trailing spaces and tabs (HTTP's optional white space, type strings).
std::string_view TrimBlanks(std::string_view text);
// A name token as PostgreSQL reads it: plain words folded to lower case, quoted ones as written.
std::string IdentifierName(std::string_view sql, const Token &token);

// Rewrites every $n parameter outside quotes and comments with `replace(n)`.
std::string RewriteParameters(std::string_view sql, const std::function<std::string(int)> &replace);

} // namespace akko
