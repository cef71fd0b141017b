#pragma once
// The SQL that manages the access model, in PostgreSQL's words where PostgreSQL has them:
// CREATE/ALTER/DROP USER and ROLE, GRANT/REVOKE of roles and privileges, SHOW GRANTS,
// CREATE/DROP POLICY, and AKKO's CREATE/DROP MASK (docs/access-control.md).
#include <optional>
#include <string>
#include <vector>

namespace akko::authz {

struct AccessStatement {
	enum class Kind {
		CreateUser,
		CreateRole,
		AlterPassword,
		SetAttribute,
		ResetAttribute,
		DropUser,
		DropRole,
		GrantRole,
		RevokeRole,
		GrantPrivileges,
		RevokePrivileges,
		ShowGrants,
		ShowRoles,
		ShowUsers,
		ShowPolicies,
		ShowMasks,
		CreatePolicy,
		DropPolicy,
		CreateMask,
		DropMask,
	};
	enum class ObjectKind { Table, Schema, AllTablesInSchema, Catalog };

	Kind kind = Kind::ShowGrants;
	std::vector<std::string> names;    // users or roles created, altered or dropped; roles granted
	std::vector<std::string> grantees; // GRANT ... TO / REVOKE ... FROM; policy and mask roles
	std::optional<std::string> password;
	bool login = false;     // CREATE ROLE ... LOGIN: a user
	bool superuser = false; // CREATE USER ... SUPERUSER
	std::vector<std::string> in_roles; // CREATE USER ... IN ROLE
	bool if_exists = false;
	std::vector<std::string> privileges; // upper case; ALL expanded
	ObjectKind object_kind = ObjectKind::Table;
	std::vector<std::vector<std::string>> objects; // qualified names as written, folded
	std::string policy_name; // CREATE/DROP POLICY and MASK
	std::string column;      // CREATE MASK
	std::string expression;  // USING (...), as written
	std::string attribute;   // ALTER USER ... SET/RESET ATTRIBUTE
	std::string value;
};

// nullopt when `sql` is not one of these statements; throws akko::Error (syntax_error) when it
// is but does not parse.
std::optional<AccessStatement> ParseAccessStatement(const std::string &sql);

} // namespace akko::authz
