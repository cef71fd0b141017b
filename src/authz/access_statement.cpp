#include "authz/access_statement.hpp"

#include "common/error.hpp"
#include "common/sql_lexer.hpp"

#include <fmt/format.h>

namespace akko::authz {

namespace {

constexpr const char *kTablePrivileges[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"};
constexpr const char *kSchemaPrivileges[] = {"CREATE", "USAGE"};

class Parser {
public:
	explicit Parser(const std::string &sql_p) : sql(sql_p), tokens(Tokenize(sql_p)) {
	}

	bool AtWord(const char *word, size_t ahead = 0) const {
		auto index = position + ahead;
		return index < tokens.size() && tokens[index].kind == Token::Kind::Word && tokens[index].text == word;
	}

	bool AtSymbol(const char *symbol) const {
		return position < tokens.size() && tokens[position].kind == Token::Kind::Symbol && tokens[position].text == symbol;
	}

	bool TakeWord(const char *word) {
		if (!AtWord(word)) {
			return false;
		}
		position++;
		return true;
	}

	bool TakeSymbol(const char *symbol) {
		if (!AtSymbol(symbol)) {
			return false;
		}
		position++;
		return true;
	}

	void ExpectWord(const char *word) {
		if (!TakeWord(word)) {
			Fail(fmt::format("expected {}", word));
		}
	}

	void ExpectSymbol(const char *symbol) {
		if (!TakeSymbol(symbol)) {
			Fail(fmt::format("expected \"{}\"", symbol));
		}
	}

	bool AtEnd() const {
		return position >= tokens.size();
	}

	void ExpectEnd() {
		if (!AtEnd()) {
			Fail("unexpected text");
		}
	}

	[[noreturn]] void Fail(const std::string &what) const {
		auto near = AtEnd() ? std::string("end of input") : fmt::format("\"{}\"", tokens[position].text);
		throw akko::Error(ErrorCode::SyntaxError, fmt::format("syntax error at or near {}: {}", near, what));
	}

	// A user, role or object name; PUBLIC is the role "public".
	std::string Name() {
		if (AtEnd() || (tokens[position].kind != Token::Kind::Word && tokens[position].kind != Token::Kind::QuotedIdentifier)) {
			Fail("expected a name");
		}
		return IdentifierName(sql, tokens[position++]);
	}

	std::vector<std::string> NameList() {
		std::vector<std::string> names {Name()};
		while (TakeSymbol(",")) {
			names.push_back(Name());
		}
		return names;
	}

	std::vector<std::string> QualifiedName() {
		std::vector<std::string> parts {Name()};
		while (TakeSymbol(".")) {
			parts.push_back(Name());
		}
		return parts;
	}

	std::string String() {
		if (AtEnd() || tokens[position].kind != Token::Kind::String) {
			Fail("expected a string literal");
		}
		return tokens[position++].text;
	}

	// The text between a '(' and its matching ')', as written.
	std::string Parenthesized() {
		ExpectSymbol("(");
		auto begin = tokens[position - 1].offset + 1;
		int depth = 1;
		while (!AtEnd()) {
			auto &token = tokens[position++];
			if (token.kind == Token::Kind::Symbol && token.text == "(") {
				depth++;
			} else if (token.kind == Token::Kind::Symbol && token.text == ")" && --depth == 0) {
				auto text = sql.substr(begin, token.offset - begin);
				if (TrimBlanks(text).empty()) {
					Fail("expected an expression");
				}
				return text;
			}
		}
		Fail("unbalanced parentheses");
	}

private:
	const std::string &sql;
	std::vector<Token> tokens;

public:
	size_t position = 0;
};

void ParseRoleOptions(Parser &parser, AccessStatement &statement) {
	parser.TakeWord("WITH");
	while (!parser.AtEnd()) {
		if (parser.TakeWord("PASSWORD")) {
			statement.password = parser.String();
		} else if (parser.TakeWord("LOGIN")) {
			statement.login = true;
		} else if (parser.TakeWord("NOLOGIN")) {
			statement.login = false;
		} else if (parser.TakeWord("SUPERUSER")) {
			statement.superuser = true;
		} else if (parser.TakeWord("NOSUPERUSER")) {
			statement.superuser = false;
		} else if (parser.AtWord("IN") && parser.AtWord("ROLE", 1)) {
			parser.position += 2;
			statement.in_roles = parser.NameList();
		} else {
			parser.Fail("expected PASSWORD, LOGIN, SUPERUSER or IN ROLE");
		}
	}
}

bool IsPrivilegeWord(const Parser &parser) {
	for (auto *word : {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "CREATE", "USAGE", "ALL", "REFERENCES",
	                   "TRIGGER"}) {
		if (parser.AtWord(word)) {
			return true;
		}
	}
	return false;
}

// After GRANT/REVOKE: privileges ON objects, or a list of roles.
void ParseGrantBody(Parser &parser, AccessStatement &statement, bool grant) {
	bool privileges = IsPrivilegeWord(parser);
	if (privileges) {
		bool all = false;
		if (parser.TakeWord("ALL")) {
			parser.TakeWord("PRIVILEGES");
			all = true;
		} else {
			do {
				auto &word = statement.privileges.emplace_back();
				for (auto *name : {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "CREATE", "USAGE"}) {
					if (parser.TakeWord(name)) {
						word = name;
						break;
					}
				}
				if (word.empty()) {
					if (parser.AtWord("REFERENCES") || parser.AtWord("TRIGGER")) {
						throw akko::Error(ErrorCode::FeatureNotSupported,
						                  "Iceberg tables have no REFERENCES or TRIGGER privileges");
					}
					parser.Fail("expected a privilege");
				}
			} while (parser.TakeSymbol(","));
		}
		parser.ExpectWord("ON");
		if (parser.TakeWord("SCHEMA")) {
			statement.object_kind = AccessStatement::ObjectKind::Schema;
		} else if (parser.TakeWord("ALL")) {
			parser.ExpectWord("TABLES");
			parser.ExpectWord("IN");
			parser.ExpectWord("SCHEMA");
			statement.object_kind = AccessStatement::ObjectKind::AllTablesInSchema;
		} else if (parser.TakeWord("DATABASE") || parser.TakeWord("CATALOG")) {
			statement.object_kind = AccessStatement::ObjectKind::Catalog;
		} else {
			parser.TakeWord("TABLE");
			statement.object_kind = AccessStatement::ObjectKind::Table;
		}
		do {
			statement.objects.push_back(parser.QualifiedName());
		} while (parser.TakeSymbol(","));
		if (all) {
			if (statement.object_kind == AccessStatement::ObjectKind::Schema ||
			    statement.object_kind == AccessStatement::ObjectKind::Catalog) {
				statement.privileges.assign(std::begin(kSchemaPrivileges), std::end(kSchemaPrivileges));
			}
			statement.privileges.insert(statement.privileges.end(), std::begin(kTablePrivileges), std::end(kTablePrivileges));
		}
	} else {
		statement.names = parser.NameList();
	}
	parser.ExpectWord(grant ? "TO" : "FROM");
	statement.grantees = parser.NameList();
	if (parser.AtWord("WITH")) {
		throw akko::Error(ErrorCode::FeatureNotSupported, "WITH GRANT OPTION and WITH ADMIN OPTION are not supported");
	}
	if (!grant) {
		parser.TakeWord("CASCADE") || parser.TakeWord("RESTRICT");
	}
	statement.kind = privileges ? (grant ? AccessStatement::Kind::GrantPrivileges : AccessStatement::Kind::RevokePrivileges)
	                            : (grant ? AccessStatement::Kind::GrantRole : AccessStatement::Kind::RevokeRole);
}

// POLICY/MASK [IF EXISTS] name ON table
void ParseNamedOnTable(Parser &parser, AccessStatement &statement, bool allow_if_exists) {
	if (allow_if_exists && parser.AtWord("IF") && parser.AtWord("EXISTS", 1)) {
		parser.position += 2;
		statement.if_exists = true;
	}
	statement.policy_name = parser.Name();
	parser.ExpectWord("ON");
	statement.objects.push_back(parser.QualifiedName());
}

void ParseTargets(Parser &parser, AccessStatement &statement) {
	if (parser.TakeWord("TO")) {
		statement.grantees = parser.NameList();
	} else {
		statement.grantees = {"public"};
	}
}

} // namespace

std::optional<AccessStatement> ParseAccessStatement(const std::string &sql) {
	Parser parser(sql);
	AccessStatement statement;
	using Kind = AccessStatement::Kind;
	// GROUP is PostgreSQL's old word for a role without LOGIN.
	if (parser.AtWord("CREATE") && (parser.AtWord("USER", 1) || parser.AtWord("ROLE", 1) || parser.AtWord("GROUP", 1))) {
		bool user = parser.AtWord("USER", 1);
		parser.position += 2;
		statement.names = {parser.Name()};
		statement.login = user;
		ParseRoleOptions(parser, statement);
		statement.kind = statement.login ? Kind::CreateUser : Kind::CreateRole;
		if (!statement.login && (statement.password || statement.superuser)) {
			parser.Fail("a role without LOGIN has no password; use CREATE USER");
		}
	} else if (parser.AtWord("ALTER") && parser.AtWord("GROUP", 1)) {
		parser.position += 2;
		statement.names = {parser.Name()};
		if (parser.TakeWord("ADD")) {
			statement.kind = Kind::GrantRole;
		} else {
			parser.ExpectWord("DROP");
			statement.kind = Kind::RevokeRole;
		}
		parser.ExpectWord("USER");
		statement.grantees = parser.NameList();
	} else if (parser.AtWord("ALTER") && (parser.AtWord("USER", 1) || parser.AtWord("ROLE", 1))) {
		parser.position += 2;
		statement.names = {parser.Name()};
		if (parser.TakeWord("SET")) {
			parser.ExpectWord("ATTRIBUTE");
			statement.attribute = parser.Name();
			if (!parser.TakeSymbol("=")) {
				parser.ExpectWord("TO");
			}
			statement.value = parser.String();
			statement.kind = Kind::SetAttribute;
		} else if (parser.TakeWord("RESET")) {
			parser.ExpectWord("ATTRIBUTE");
			statement.attribute = parser.Name();
			statement.kind = Kind::ResetAttribute;
		} else {
			parser.TakeWord("WITH");
			parser.ExpectWord("PASSWORD");
			statement.password = parser.String();
			statement.kind = Kind::AlterPassword;
		}
	} else if (parser.AtWord("DROP") && (parser.AtWord("USER", 1) || parser.AtWord("ROLE", 1) || parser.AtWord("GROUP", 1))) {
		statement.kind = parser.AtWord("USER", 1) ? Kind::DropUser : Kind::DropRole;
		parser.position += 2;
		if (parser.AtWord("IF") && parser.AtWord("EXISTS", 1)) {
			parser.position += 2;
			statement.if_exists = true;
		}
		statement.names = parser.NameList();
	} else if (parser.TakeWord("GRANT")) {
		ParseGrantBody(parser, statement, true);
	} else if (parser.TakeWord("REVOKE")) {
		if (parser.AtWord("GRANT") && parser.AtWord("OPTION", 1)) {
			throw akko::Error(ErrorCode::FeatureNotSupported, "WITH GRANT OPTION is not supported");
		}
		ParseGrantBody(parser, statement, false);
	} else if (parser.AtWord("SHOW") && parser.AtWord("GRANTS", 1)) {
		parser.position += 2;
		statement.kind = Kind::ShowGrants;
		if (parser.TakeWord("FOR")) {
			statement.names = {parser.Name()};
		}
	} else if (parser.AtWord("SHOW") && parser.AtWord("USERS", 1)) {
		parser.position += 2;
		statement.kind = Kind::ShowUsers;
	} else if (parser.AtWord("SHOW") && (parser.AtWord("ROLES", 1) || parser.AtWord("POLICIES", 1) || parser.AtWord("MASKS", 1))) {
		statement.kind = parser.AtWord("ROLES", 1) ? Kind::ShowRoles : parser.AtWord("POLICIES", 1) ? Kind::ShowPolicies : Kind::ShowMasks;
		parser.position += 2;
		if (statement.kind != Kind::ShowRoles && parser.TakeWord("ON")) {
			statement.objects.push_back(parser.QualifiedName());
		}
	} else if (parser.AtWord("CREATE") && parser.AtWord("POLICY", 1)) {
		parser.position += 2;
		statement.kind = Kind::CreatePolicy;
		ParseNamedOnTable(parser, statement, false);
		if (parser.TakeWord("AS")) {
			if (!parser.TakeWord("PERMISSIVE")) {
				throw akko::Error(ErrorCode::FeatureNotSupported, "only permissive policies are supported");
			}
		}
		if (parser.TakeWord("FOR")) {
			if (!parser.TakeWord("SELECT") && !parser.TakeWord("ALL")) {
				throw akko::Error(ErrorCode::FeatureNotSupported,
				                  "policies filter reads: FOR SELECT (or ALL) only; writes need a grant");
			}
		}
		ParseTargets(parser, statement);
		parser.ExpectWord("USING");
		statement.expression = parser.Parenthesized();
		if (parser.AtWord("WITH")) {
			throw akko::Error(ErrorCode::FeatureNotSupported, "WITH CHECK is not supported");
		}
	} else if (parser.AtWord("CREATE") && parser.AtWord("MASK", 1)) {
		parser.position += 2;
		statement.kind = Kind::CreateMask;
		ParseNamedOnTable(parser, statement, false);
		parser.ExpectSymbol("(");
		statement.column = parser.Name();
		parser.ExpectSymbol(")");
		ParseTargets(parser, statement);
		parser.ExpectWord("USING");
		statement.expression = parser.Parenthesized();
	} else if (parser.AtWord("DROP") && (parser.AtWord("POLICY", 1) || parser.AtWord("MASK", 1))) {
		statement.kind = parser.AtWord("POLICY", 1) ? Kind::DropPolicy : Kind::DropMask;
		parser.position += 2;
		ParseNamedOnTable(parser, statement, true);
	} else {
		return std::nullopt;
	}
	parser.ExpectEnd();
	return statement;
}

} // namespace akko::authz
