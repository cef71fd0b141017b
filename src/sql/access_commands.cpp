#include "sql/access_commands.hpp"

#include "auth/user_directory.hpp"
#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "metastore/metastore.hpp"
#include "sql/constant_rows.hpp"

#include <ctime>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace akko::sql {

namespace {

using Kind = authz::AccessStatement::Kind;
using ObjectKind = authz::AccessStatement::ObjectKind;

constexpr const char *kLakeCatalog = "iceberg";

void RequireSuperuser(const authz::Principal &actor, const char *what) {
	if (!actor.superuser) {
		throw akko::Error(ErrorCode::PermissionDenied, fmt::format("permission denied to {}: it requires {}", what, authz::kAdminRole));
	}
}

// A table or namespace name as written: "iceberg." in front is the lake catalog's own name.
std::vector<std::string> WithoutCatalog(std::vector<std::string> parts) {
	if (parts.size() > 1 && ToLower(parts[0]) == kLakeCatalog) {
		parts.erase(parts.begin());
	}
	return parts;
}

authz::Securable TableOf(const std::vector<std::string> &written) {
	auto parts = WithoutCatalog(written);
	if (parts.size() < 2) {
		throw akko::Error(ErrorCode::InvalidName, fmt::format("name the table with its schema, as in banking.{}", parts.back()));
	}
	authz::Securable table;
	table.name = parts.back();
	parts.pop_back();
	table.namespace_name = std::move(parts);
	return table;
}

std::string SqlName(const authz::Securable &object) {
	std::string text = kLakeCatalog;
	for (auto &level : object.namespace_name) {
		text += "." + QuoteIdentifier(level);
	}
	return object.name.empty() ? text : text + "." + QuoteIdentifier(object.name);
}

void RequireTable(engine::EngineSession &engine, const authz::Securable &table) {
	engine.Run(fmt::format("SELECT * FROM {} LIMIT 0", SqlName(table)))->Next();
}

void RequireNamespace(engine::EngineSession &engine, const std::vector<std::string> &namespace_name) {
	auto path = authz::Securable {namespace_name, ""}.ToString();
	auto stream = engine.Run(fmt::format("SELECT 1 FROM duckdb_schemas() WHERE database_name = {} AND schema_name = {}",
	                                     QuoteLiteral(kLakeCatalog), QuoteLiteral(path)));
	if (!stream->Next()) {
		throw akko::Error(ErrorCode::InvalidSchemaName, fmt::format("schema \"{}\" does not exist", path));
	}
}

void RequireGrantee(authz::AccessControl &access, const std::string &name) {
	if (name != authz::kPublicRole && !access.UserExists(name) && !access.RoleExists(name)) {
		throw akko::Error(ErrorCode::UndefinedObject, fmt::format("role \"{}\" does not exist", name));
	}
}

std::string JoinRoles(const std::vector<std::string> &roles) {
	return fmt::format("{}", fmt::join(roles, ", "));
}

int64_t Now() {
	return static_cast<int64_t>(std::time(nullptr));
}

void Privileges(const authz::AccessStatement &statement, AccessServices &services, engine::EngineSession &engine, bool grant) {
	std::vector<authz::Securable> objects;
	for (auto &written : statement.objects) {
		switch (statement.object_kind) {
		case ObjectKind::Table: {
			auto table = TableOf(written);
			RequireTable(engine, table);
			objects.push_back(table);
			break;
		}
		case ObjectKind::Schema: {
			auto namespace_name = WithoutCatalog(written);
			RequireNamespace(engine, namespace_name);
			objects.push_back({namespace_name, ""});
			break;
		}
		case ObjectKind::AllTablesInSchema: {
			// PostgreSQL's meaning: every table there now, not those made later (ON SCHEMA is that).
			auto namespace_name = WithoutCatalog(written);
			RequireNamespace(engine, namespace_name);
			auto path = authz::Securable {namespace_name, ""}.ToString();
			auto stream = engine.Run(fmt::format("SELECT table_name FROM duckdb_tables() WHERE database_name = {} AND "
			                                     "schema_name = {} UNION SELECT view_name FROM duckdb_views() WHERE "
			                                     "database_name = {} AND schema_name = {} AND NOT internal",
			                                     QuoteLiteral(kLakeCatalog), QuoteLiteral(path), QuoteLiteral(kLakeCatalog),
			                                     QuoteLiteral(path)));
			while (auto chunk = stream->Next()) {
				for (size_t row = 0; row < chunk->RowCount(); row++) {
					objects.push_back({namespace_name, std::string(chunk->Columns()[0].strings[row])});
				}
			}
			break;
		}
		case ObjectKind::Catalog:
			objects.push_back({});
			break;
		}
	}
	for (auto &grantee : statement.grantees) {
		RequireGrantee(services.access, grantee);
		for (auto &object : objects) {
			for (auto &name : statement.privileges) {
				auto privilege = *authz::PrivilegeFromName(name);
				bool table_privilege = privilege != authz::Privilege::Create && privilege != authz::Privilege::Usage;
				if (!object.name.empty() && !table_privilege) {
					throw akko::Error(ErrorCode::InvalidInput, fmt::format("{} is a privilege of schemas, not of tables", name));
				}
				if (grant) {
					services.access.Grant(grantee, privilege, object);
				} else {
					services.access.Revoke(grantee, privilege, object);
				}
			}
		}
	}
}

// Binds the predicate (or expression) over the table in the actor's session, so a typo fails
// now rather than on every later read.
void CheckExpression(engine::EngineSession &engine, const authz::Securable &table, const std::string &select,
                     const std::string &where) {
	engine.Run(fmt::format("SELECT {} FROM {} WHERE {} LIMIT 0", select, SqlName(table), where))->Next();
}

} // namespace

std::vector<std::string> ShowColumnNames(const authz::AccessStatement &statement) {
	switch (statement.kind) {
	case Kind::ShowGrants:
		return {"grantee", "privilege", "object_type", "object_name"};
	case Kind::ShowRoles:
		return {"role"};
	case Kind::ShowUsers:
		return {"user_name", "superuser", "member_of"};
	case Kind::ShowPolicies:
		return {"name", "table_name", "roles", "using"};
	case Kind::ShowMasks:
		return {"name", "table_name", "column_name", "roles", "using"};
	default:
		return {};
	}
}

AccessCommandResult RunAccessStatement(const authz::AccessStatement &statement, const authz::Principal &actor,
                                       AccessServices &services, engine::EngineSession &engine) {
	auto &access = services.access;
	switch (statement.kind) {
	case Kind::CreateUser: {
		RequireSuperuser(actor, "create users");
		auto &name = statement.names[0];
		if (access.UserExists(name) || access.RoleExists(name) || name == authz::kPublicRole) {
			throw akko::Error(ErrorCode::DuplicateObject, fmt::format("role \"{}\" already exists", name));
		}
		if (!statement.password) {
			throw akko::Error(ErrorCode::InvalidInput, "CREATE USER needs a PASSWORD (users of an OIDC identity provider need no CREATE USER)");
		}
		for (auto &role : statement.in_roles) {
			RequireGrantee(access, role);
		}
		services.users.SetPassword(name, *statement.password);
		access.Invalidate();
		if (statement.superuser) {
			access.GrantRole(authz::kAdminRole, name);
		}
		for (auto &role : statement.in_roles) {
			access.GrantRole(role, name);
		}
		return {"CREATE ROLE", std::nullopt};
	}
	case Kind::CreateRole:
		RequireSuperuser(actor, "create roles");
		if (access.UserExists(statement.names[0])) {
			throw akko::Error(ErrorCode::DuplicateObject, fmt::format("role \"{}\" already exists", statement.names[0]));
		}
		access.CreateRole(statement.names[0]);
		for (auto &role : statement.in_roles) {
			RequireGrantee(access, role);
			access.GrantRole(role, statement.names[0]);
		}
		return {"CREATE ROLE", std::nullopt};
	case Kind::AlterPassword:
		if (statement.names[0] != actor.user) {
			RequireSuperuser(actor, "change another user's password");
		}
		if (!access.UserExists(statement.names[0])) {
			throw akko::Error(ErrorCode::UndefinedObject, fmt::format("role \"{}\" does not exist", statement.names[0]));
		}
		services.users.SetPassword(statement.names[0], *statement.password);
		return {"ALTER ROLE", std::nullopt};
	case Kind::SetAttribute:
	case Kind::ResetAttribute:
		RequireSuperuser(actor, "set user attributes");
		if (!access.UserExists(statement.names[0])) {
			throw akko::Error(ErrorCode::UndefinedObject, fmt::format("role \"{}\" does not exist", statement.names[0]));
		}
		access.SetAttribute(statement.names[0], statement.attribute,
		                    statement.kind == Kind::SetAttribute ? std::optional<std::string>(statement.value) : std::nullopt);
		return {"ALTER ROLE", std::nullopt};
	case Kind::DropUser:
	case Kind::DropRole:
		RequireSuperuser(actor, "drop users and roles");
		for (auto &name : statement.names) {
			if (name == actor.user) {
				throw akko::Error(ErrorCode::PermissionDenied, "current user cannot be dropped");
			}
			bool dropped = false;
			if (access.UserExists(name)) {
				services.metastore.RunInTransaction(
				    [&](metastore::Transaction &transaction) { dropped = transaction.DropUser(name); });
				access.Invalidate();
			} else if (access.RoleExists(name)) {
				dropped = access.DropRole(name);
			}
			if (!dropped && !statement.if_exists) {
				throw akko::Error(ErrorCode::UndefinedObject, fmt::format("role \"{}\" does not exist", name));
			}
		}
		return {"DROP ROLE", std::nullopt};
	case Kind::GrantRole:
	case Kind::RevokeRole:
		RequireSuperuser(actor, "grant roles");
		for (auto &role : statement.names) {
			if (!access.RoleExists(role)) {
				throw akko::Error(ErrorCode::UndefinedObject, fmt::format("role \"{}\" does not exist", role));
			}
			for (auto &member : statement.grantees) {
				RequireGrantee(access, member);
				if (statement.kind == Kind::GrantRole) {
					access.GrantRole(role, member);
				} else {
					access.RevokeRole(role, member);
				}
			}
		}
		return {statement.kind == Kind::GrantRole ? "GRANT ROLE" : "REVOKE ROLE", std::nullopt};
	case Kind::GrantPrivileges:
	case Kind::RevokePrivileges:
		RequireSuperuser(actor, "grant privileges");
		Privileges(statement, services, engine, statement.kind == Kind::GrantPrivileges);
		return {statement.kind == Kind::GrantPrivileges ? "GRANT" : "REVOKE", std::nullopt};
	case Kind::ShowGrants: {
		std::optional<std::string> name = statement.names.empty() ? std::optional<std::string>() : statement.names[0];
		if (!actor.superuser) {
			if (name && *name != actor.user) {
				throw akko::Error(ErrorCode::PermissionDenied, "permission denied to show another user's grants");
			}
			name = actor.user;
		}
		std::vector<std::vector<std::string>> rows;
		for (auto &row : access.ShowGrants(name)) {
			rows.push_back({row.grantee, row.privilege, row.object_type, row.object_name});
		}
		return {"SHOW", ConstantRowsQuery(ShowColumnNames(statement), rows)};
	}
	case Kind::ShowRoles: {
		std::vector<std::vector<std::string>> rows;
		for (auto &role : actor.roles) {
			rows.push_back({role});
		}
		return {"SHOW", ConstantRowsQuery(ShowColumnNames(statement), rows)};
	}
	case Kind::ShowUsers: {
		RequireSuperuser(actor, "list users");
		std::vector<std::vector<std::string>> rows;
		for (auto &[user, roles] : access.Users()) {
			rows.push_back({user.name, user.is_superuser ? "true" : "false", fmt::format("{}", fmt::join(roles, ", "))});
		}
		return {"SHOW", ConstantRowsQuery(ShowColumnNames(statement), rows)};
	}
	case Kind::ShowPolicies:
	case Kind::ShowMasks: {
		RequireSuperuser(actor, "show policies and masks");
		std::optional<authz::Securable> only;
		if (!statement.objects.empty()) {
			only = TableOf(statement.objects[0]);
		}
		auto matches = [&](const std::vector<std::string> &namespace_name, const std::string &table) {
			return !only || ToLower(authz::Securable {namespace_name, table}.ToString()) == ToLower(only->ToString());
		};
		std::vector<std::vector<std::string>> rows;
		if (statement.kind == Kind::ShowPolicies) {
			for (auto &policy : access.Policies()) {
				if (matches(policy.namespace_name, policy.table)) {
					rows.push_back({policy.name, authz::Securable {policy.namespace_name, policy.table}.ToString(),
					                JoinRoles(policy.roles), policy.predicate});
				}
			}
			return {"SHOW", ConstantRowsQuery(ShowColumnNames(statement), rows)};
		}
		for (auto &mask : access.Masks()) {
			if (matches(mask.namespace_name, mask.table)) {
				rows.push_back({mask.name, authz::Securable {mask.namespace_name, mask.table}.ToString(), mask.column,
				                JoinRoles(mask.roles), mask.expression});
			}
		}
		return {"SHOW", ConstantRowsQuery(ShowColumnNames(statement), rows)};
	}
	case Kind::CreatePolicy: {
		RequireSuperuser(actor, "create policies");
		auto table = TableOf(statement.objects[0]);
		for (auto &role : statement.grantees) {
			RequireGrantee(access, role);
		}
		CheckExpression(engine, table, "1", "(" + statement.expression + ")");
		access.CreatePolicy({statement.policy_name, table.namespace_name, table.name, statement.grantees,
		                     statement.expression, Now()});
		return {"CREATE POLICY", std::nullopt};
	}
	case Kind::CreateMask: {
		RequireSuperuser(actor, "create masks");
		auto table = TableOf(statement.objects[0]);
		for (auto &role : statement.grantees) {
			RequireGrantee(access, role);
		}
		CheckExpression(engine, table, fmt::format("{}, ({})", QuoteIdentifier(statement.column), statement.expression), "true");
		access.CreateMask({statement.policy_name, table.namespace_name, table.name, statement.column, statement.grantees,
		                   statement.expression, Now()});
		return {"CREATE MASK", std::nullopt};
	}
	case Kind::DropPolicy:
	case Kind::DropMask: {
		RequireSuperuser(actor, "drop policies and masks");
		auto table = TableOf(statement.objects[0]);
		bool policy = statement.kind == Kind::DropPolicy;
		bool dropped = policy ? access.DropPolicy(table, statement.policy_name) : access.DropMask(table, statement.policy_name);
		if (!dropped && !statement.if_exists) {
			throw akko::Error(ErrorCode::UndefinedObject, fmt::format("{} \"{}\" for table \"{}\" does not exist",
			                                                          policy ? "policy" : "mask", statement.policy_name, table.name));
		}
		return {policy ? "DROP POLICY" : "DROP MASK", std::nullopt};
	}
	}
	throw akko::Error(ErrorCode::Internal, "unknown access statement");
}

} // namespace akko::sql
