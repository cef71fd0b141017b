#pragma once
// Runs the statements that manage users, roles, grants, row policies and column masks
// (authz::ParseAccessStatement) for a principal.
#include "authz/access_control.hpp"
#include "authz/access_statement.hpp"
#include "engine/engine.hpp"

#include <optional>
#include <string>

namespace akko::auth {
class UserDirectory;
}
namespace akko::metastore {
class Metastore;
}

namespace akko::sql {

struct AccessServices {
	authz::AccessControl &access;
	auth::UserDirectory &users;
	metastore::Metastore &metastore;
};

struct AccessCommandResult {
	std::string tag;                     // PostgreSQL's command tag
	std::optional<std::string> rows_sql; // SHOW: a query over constants that answers it
};

// The columns a SHOW among them answers with (all text); empty for the other statements.
std::vector<std::string> ShowColumnNames(const authz::AccessStatement &statement);

// `engine` is the actor's own session: policy predicates, mask expressions and object names
// are checked by binding them there. Throws akko::Error.
AccessCommandResult RunAccessStatement(const authz::AccessStatement &statement, const authz::Principal &actor,
                                       AccessServices &services, engine::EngineSession &engine);

} // namespace akko::sql
