#include "metastore/portable_transaction.hpp"

#include "common/error.hpp"
#include "metastore/schema.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tuple>

namespace akko::metastore {

namespace {

// Booleans read back as "1"/"0" on both backends (PostgreSQL would say "t"/"f", SQLite 1/0),
// and are written as "1"/"0", which PostgreSQL's boolean input and SQLite's affinity accept.
constexpr const char *kUserColumns =
    "SELECT name, scram_verifier, CASE WHEN is_superuser THEN 1 ELSE 0 END, created_at, password_hash FROM users ";
constexpr const char *kPolicyColumns =
    "SELECT namespace, table_name, name, roles, predicate, created_at FROM row_policies ";
constexpr const char *kMaskColumns =
    "SELECT namespace, table_name, name, column_name, roles, expression, created_at FROM column_masks ";
constexpr const char *kCockpitItemColumns =
    "SELECT kind, id, owner, name, CASE WHEN shared THEN 1 ELSE 0 END, document, created_at, updated_at "
    "FROM cockpit_items WHERE kind = $1 ";

std::string Flag(bool value) {
	return value ? "1" : "0";
}

int64_t Integer(const std::string &text) {
	return std::stoll(text);
}

// Unlike NamespaceFromKey, an empty key is no namespace at all: a grant on the whole catalog.
NamespaceName ObjectNamespace(const std::string &key) {
	return key.empty() ? NamespaceName {} : NamespaceFromKey(key);
}

std::string RolesJson(const std::vector<std::string> &roles) {
	return nlohmann::json(roles).dump();
}

std::vector<std::string> RolesFromJson(const std::string &text) {
	return nlohmann::json::parse(text).get<std::vector<std::string>>();
}

std::string ObjectDisplay(const NamespaceName &namespace_name, const std::string &name) {
	return fmt::format("{}.{}", DisplayName(namespace_name), name);
}

UserRecord ReadUser(const std::vector<std::string> &row) {
	return UserRecord {row[0], row[1], row[2] == "1", Integer(row[3]), row[4]};
}

RowPolicyRecord ReadPolicy(const std::vector<std::string> &row) {
	return RowPolicyRecord {row[2], NamespaceFromKey(row[0]), row[1], RolesFromJson(row[3]), row[4], Integer(row[5])};
}

ColumnMaskRecord ReadMask(const std::vector<std::string> &row) {
	return ColumnMaskRecord {row[2], NamespaceFromKey(row[0]), row[1], row[3], RolesFromJson(row[4]), row[5],
	                         Integer(row[6])};
}

CockpitItemRecord ReadCockpitItem(const std::vector<std::string> &row) {
	return CockpitItemRecord {row[0], row[1], row[2], row[3], row[4] == "1", row[5], Integer(row[6]), Integer(row[7])};
}

} // namespace

std::optional<UserRecord> PortableTransaction::FindUser(const std::string &name) {
	auto found = Run(std::string(kUserColumns) + "WHERE name = $1", {name});
	if (found.rows.empty()) {
		return std::nullopt;
	}
	return ReadUser(found.rows[0]);
}

std::vector<UserRecord> PortableTransaction::ListUsers() {
	std::vector<UserRecord> users;
	for (const auto &row : Run(kUserColumns).rows) {
		users.push_back(ReadUser(row));
	}
	// Byte order on both backends, whatever PostgreSQL's collation.
	std::sort(users.begin(), users.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
	return users;
}

void PortableTransaction::CreateUser(const UserRecord &user) {
	if (PrincipalKind(user.name) == "role") {
		throw Error(ErrorCode::DuplicateObject, fmt::format("role \"{}\" already exists", user.name));
	}
	auto inserted = Run("INSERT INTO users (name, scram_verifier, is_superuser, created_at, password_hash) "
	                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
	                    {user.name, user.scram_verifier, Flag(user.is_superuser), std::to_string(user.created_at),
	                     user.password_hash});
	if (inserted.affected == 0) {
		throw Error(ErrorCode::DuplicateObject, fmt::format("user \"{}\" already exists", user.name));
	}
	BumpAccessVersion();
}

void PortableTransaction::SetUserVerifier(const std::string &name, const std::string &scram_verifier) {
	if (Run("UPDATE users SET scram_verifier = $1 WHERE name = $2", {scram_verifier, name}).affected == 0) {
		throw Error(ErrorCode::UndefinedObject, fmt::format("user \"{}\" does not exist", name));
	}
}

bool PortableTransaction::DropUser(const std::string &name) {
	// Tokens, access keys and attributes go by their foreign keys.
	if (Run("DELETE FROM users WHERE name = $1", {name}).affected == 0) {
		return false;
	}
	ForgetPrincipal(name);
	return true;
}

void PortableTransaction::SetUserPasswordHash(const std::string &name, const std::string &password_hash) {
	if (Run("UPDATE users SET password_hash = $1 WHERE name = $2", {password_hash, name}).affected == 0) {
		throw Error(ErrorCode::UndefinedObject, fmt::format("user \"{}\" does not exist", name));
	}
}

void PortableTransaction::CreateToken(const TokenRecord &token) {
	RequireUser(token.user);
	auto inserted = Run("INSERT INTO api_tokens (sha256, user_name, created_at, expires_at, kind) "
	                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
	                    {token.sha256_hex, token.user, std::to_string(token.created_at),
	                     std::to_string(token.expires_at), token.kind});
	if (inserted.affected == 0) {
		throw Error(ErrorCode::DuplicateObject, fmt::format("token for user \"{}\" already exists", token.user));
	}
}

std::optional<TokenRecord> PortableTransaction::FindToken(const std::string &sha256_hex) {
	auto found = Run("SELECT sha256, user_name, created_at, expires_at, kind FROM api_tokens WHERE sha256 = $1",
	                 {sha256_hex});
	if (found.rows.empty()) {
		return std::nullopt;
	}
	const auto &row = found.rows[0];
	return TokenRecord {row[0], row[1], Integer(row[2]), Integer(row[3]), row[4]};
}

bool PortableTransaction::DropToken(const std::string &sha256_hex) {
	return Run("DELETE FROM api_tokens WHERE sha256 = $1", {sha256_hex}).affected > 0;
}

int64_t PortableTransaction::DropExpiredTokens(int64_t now) {
	// At its expiry instant a token is no longer valid (as a JWT's "exp"), so it goes too.
	return Run("DELETE FROM api_tokens WHERE expires_at > 0 AND expires_at <= $1", {std::to_string(now)}).affected;
}

std::optional<std::string> PortableTransaction::FindSetting(const std::string &name) {
	auto found = Run("SELECT value FROM server_settings WHERE name = $1", {name});
	if (found.rows.empty()) {
		return std::nullopt;
	}
	return found.rows[0][0];
}

void PortableTransaction::PutSetting(const std::string &name, const std::string &value) {
	Run("INSERT INTO server_settings (name, value) VALUES ($1, $2) "
	    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
	    {name, value});
}

AccessModel PortableTransaction::LoadAccessModel() {
	AccessModel model;
	model.version = AccessVersion();
	for (const auto &row : Run("SELECT name, CASE WHEN is_superuser THEN 1 ELSE 0 END, created_at FROM users").rows) {
		model.users.push_back(UserRecord {row[0], "", row[1] == "1", Integer(row[2]), ""});
	}
	std::sort(model.users.begin(), model.users.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
	for (const auto &row : Run("SELECT name, CASE WHEN builtin THEN 1 ELSE 0 END, created_at FROM roles").rows) {
		model.roles.push_back(RoleRecord {row[0], row[1] == "1", Integer(row[2])});
	}
	std::sort(model.roles.begin(), model.roles.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
	for (const auto &row : Run("SELECT member_name, role_name FROM role_members").rows) {
		model.memberships.push_back(RoleMembershipRecord {row[0], row[1]});
	}
	std::sort(model.memberships.begin(), model.memberships.end());
	for (const auto &row : Run("SELECT grantee, privilege, namespace, object_name FROM grants").rows) {
		model.grants.push_back(GrantRecord {row[0], row[1], ObjectNamespace(row[2]), row[3]});
	}
	std::sort(model.grants.begin(), model.grants.end());
	for (const auto &row : Run(std::string(kPolicyColumns) + "ORDER BY creation_order").rows) {
		model.row_policies.push_back(ReadPolicy(row));
	}
	for (const auto &row : Run(std::string(kMaskColumns) + "ORDER BY creation_order").rows) {
		model.column_masks.push_back(ReadMask(row));
	}
	for (const auto &row : Run("SELECT user_name, attribute, value FROM user_attributes").rows) {
		model.user_attributes.push_back(UserAttributeRecord {row[0], row[1], row[2]});
	}
	std::sort(model.user_attributes.begin(), model.user_attributes.end());
	return model;
}

int64_t PortableTransaction::AccessVersion() {
	return Integer(Run("SELECT version FROM access_version").rows.at(0).at(0));
}

void PortableTransaction::CreateRole(const RoleRecord &role) {
	auto kind = PrincipalKind(role.name);
	if (!kind.empty()) {
		throw Error(ErrorCode::DuplicateObject, fmt::format("{} \"{}\" already exists", kind, role.name));
	}
	Run("INSERT INTO roles (name, builtin, created_at) VALUES ($1, $2, $3)",
	    {role.name, Flag(role.builtin), std::to_string(role.created_at)});
	BumpAccessVersion();
}

bool PortableTransaction::DropRole(const std::string &name) {
	if (Run("DELETE FROM roles WHERE name = $1", {name}).affected == 0) {
		return false;
	}
	ForgetPrincipal(name);
	return true;
}

void PortableTransaction::PutRoleMembership(const RoleMembershipRecord &membership) {
	if (PrincipalKind(membership.role) != "role") {
		throw Error(ErrorCode::UndefinedObject, fmt::format("role \"{}\" does not exist", membership.role));
	}
	RequirePrincipal(membership.member);
	// As PostgreSQL refuses circular grants: the graph stays acyclic, so walking it ends.
	auto cycle = Run("WITH RECURSIVE above (name) AS (SELECT CAST($1 AS TEXT) UNION "
	                 "SELECT role_members.role_name FROM role_members JOIN above ON role_members.member_name = above.name) "
	                 "SELECT 1 FROM above WHERE name = $2",
	                 {membership.role, membership.member});
	if (!cycle.rows.empty()) {
		throw Error(ErrorCode::InvalidInput, fmt::format("role \"{}\" is a member of role \"{}\"", membership.role,
		                                                 membership.member));
	}
	auto inserted = Run("INSERT INTO role_members (member_name, role_name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
	                    {membership.member, membership.role});
	if (inserted.affected > 0) {
		BumpAccessVersion();
	}
}

bool PortableTransaction::DropRoleMembership(const RoleMembershipRecord &membership) {
	auto dropped = Run("DELETE FROM role_members WHERE member_name = $1 AND role_name = $2",
	                   {membership.member, membership.role});
	if (dropped.affected == 0) {
		return false;
	}
	BumpAccessVersion();
	return true;
}

void PortableTransaction::PutGrant(const GrantRecord &grant) {
	if (grant.namespace_name.empty() && !grant.name.empty()) {
		throw Error(ErrorCode::InvalidInput, fmt::format("a grant on \"{}\" needs its namespace", grant.name));
	}
	RequirePrincipal(grant.grantee);
	auto inserted = Run("INSERT INTO grants (grantee, privilege, namespace, object_name) VALUES ($1, $2, $3, $4) "
	                    "ON CONFLICT DO NOTHING",
	                    {grant.grantee, grant.privilege, NamespaceKey(grant.namespace_name), grant.name});
	if (inserted.affected > 0) {
		BumpAccessVersion();
	}
}

bool PortableTransaction::DropGrant(const GrantRecord &grant) {
	auto dropped = Run("DELETE FROM grants WHERE grantee = $1 AND privilege = $2 AND namespace = $3 AND object_name = $4",
	                   {grant.grantee, grant.privilege, NamespaceKey(grant.namespace_name), grant.name});
	if (dropped.affected == 0) {
		return false;
	}
	BumpAccessVersion();
	return true;
}

void PortableTransaction::CreateRowPolicy(const RowPolicyRecord &policy) {
	auto inserted = Run("INSERT INTO row_policies (namespace, table_name, name, roles, predicate, created_at, "
	                    "creation_order) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
	                    {NamespaceKey(policy.namespace_name), policy.table, policy.name, RolesJson(policy.roles),
	                     policy.predicate, std::to_string(policy.created_at), std::to_string(AccessVersion() + 1)});
	if (inserted.affected == 0) {
		throw Error(ErrorCode::DuplicateObject, fmt::format("policy \"{}\" on \"{}\" already exists", policy.name,
		                                                    ObjectDisplay(policy.namespace_name, policy.table)));
	}
	BumpAccessVersion();
}

bool PortableTransaction::DropRowPolicy(const NamespaceName &namespace_name, const std::string &table,
                                        const std::string &name) {
	auto dropped = Run("DELETE FROM row_policies WHERE namespace = $1 AND table_name = $2 AND name = $3",
	                   {NamespaceKey(namespace_name), table, name});
	if (dropped.affected == 0) {
		return false;
	}
	BumpAccessVersion();
	return true;
}

void PortableTransaction::CreateColumnMask(const ColumnMaskRecord &mask) {
	auto inserted = Run("INSERT INTO column_masks (namespace, table_name, name, column_name, roles, expression, "
	                    "created_at, creation_order) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
	                    {NamespaceKey(mask.namespace_name), mask.table, mask.name, mask.column, RolesJson(mask.roles),
	                     mask.expression, std::to_string(mask.created_at), std::to_string(AccessVersion() + 1)});
	if (inserted.affected == 0) {
		throw Error(ErrorCode::DuplicateObject, fmt::format("mask \"{}\" on \"{}\" already exists", mask.name,
		                                                    ObjectDisplay(mask.namespace_name, mask.table)));
	}
	BumpAccessVersion();
}

bool PortableTransaction::DropColumnMask(const NamespaceName &namespace_name, const std::string &table,
                                         const std::string &name) {
	auto dropped = Run("DELETE FROM column_masks WHERE namespace = $1 AND table_name = $2 AND name = $3",
	                   {NamespaceKey(namespace_name), table, name});
	if (dropped.affected == 0) {
		return false;
	}
	BumpAccessVersion();
	return true;
}

void PortableTransaction::SetUserAttribute(const std::string &user, const std::string &key,
                                           const std::optional<std::string> &value) {
	RequireUser(user);
	SqlRows changed;
	if (value) {
		changed = Run("INSERT INTO user_attributes (user_name, attribute, value) VALUES ($1, $2, $3) "
		              "ON CONFLICT (user_name, attribute) DO UPDATE SET value = excluded.value",
		              {user, key, *value});
	} else {
		changed = Run("DELETE FROM user_attributes WHERE user_name = $1 AND attribute = $2", {user, key});
	}
	if (changed.affected > 0) {
		BumpAccessVersion();
	}
}

void PortableTransaction::CreateCockpitItem(const CockpitItemRecord &item) {
	auto inserted = Run("INSERT INTO cockpit_items (kind, id, owner, name, shared, document, created_at, updated_at) "
	                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
	                    {item.kind, item.id, item.owner, item.name, Flag(item.shared), item.document,
	                     std::to_string(item.created_at), std::to_string(item.updated_at)});
	if (inserted.affected == 0) {
		throw Error(ErrorCode::DuplicateObject, fmt::format("{} \"{}\" already exists", item.kind, item.id));
	}
}

std::optional<CockpitItemRecord> PortableTransaction::FindCockpitItem(const std::string &kind, const std::string &id) {
	auto found = Run(std::string(kCockpitItemColumns) + "AND id = $2", {kind, id});
	if (found.rows.empty()) {
		return std::nullopt;
	}
	return ReadCockpitItem(found.rows[0]);
}

std::vector<CockpitItemRecord> PortableTransaction::ListCockpitItems(const std::string &kind,
                                                                     const std::optional<std::string> &viewer) {
	auto found = viewer ? Run(std::string(kCockpitItemColumns) + "AND (owner = $2 OR shared)", {kind, *viewer})
	                    : Run(kCockpitItemColumns, {kind});
	std::vector<CockpitItemRecord> items;
	for (const auto &row : found.rows) {
		items.push_back(ReadCockpitItem(row));
	}
	// Byte order on both backends, whatever PostgreSQL's collation.
	std::sort(items.begin(), items.end(),
	          [](const auto &a, const auto &b) { return std::tie(a.name, a.id) < std::tie(b.name, b.id); });
	return items;
}

bool PortableTransaction::UpdateCockpitItem(const CockpitItemRecord &item) {
	return Run("UPDATE cockpit_items SET name = $1, shared = $2, document = $3, updated_at = $4 "
	           "WHERE kind = $5 AND id = $6",
	           {item.name, Flag(item.shared), item.document, std::to_string(item.updated_at), item.kind, item.id})
	           .affected > 0;
}

bool PortableTransaction::DropCockpitItem(const std::string &kind, const std::string &id) {
	return Run("DELETE FROM cockpit_items WHERE kind = $1 AND id = $2", {kind, id}).affected > 0;
}

void PortableTransaction::ForgetObject(const NamespaceName &namespace_name, const std::string &name) {
	std::vector<std::string> object {NamespaceKey(namespace_name), name};
	auto affected = Run("DELETE FROM grants WHERE namespace = $1 AND object_name = $2", object).affected;
	affected += Run("DELETE FROM row_policies WHERE namespace = $1 AND table_name = $2", object).affected;
	affected += Run("DELETE FROM column_masks WHERE namespace = $1 AND table_name = $2", object).affected;
	if (affected > 0) {
		BumpAccessVersion();
	}
}

void PortableTransaction::MoveObject(const NamespaceName &from_namespace, const std::string &from_name,
                                     const NamespaceName &to_namespace, const std::string &to_name) {
	if (from_namespace == to_namespace && from_name == to_name) {
		return;
	}
	// Rows left under the new name belong to no object (PutGrant does not ask whether its
	// object exists); they would collide with the moving ones.
	ForgetObject(to_namespace, to_name);
	std::vector<std::string> names {NamespaceKey(to_namespace), to_name, NamespaceKey(from_namespace), from_name};
	auto affected =
	    Run("UPDATE grants SET namespace = $1, object_name = $2 WHERE namespace = $3 AND object_name = $4", names)
	        .affected;
	affected +=
	    Run("UPDATE row_policies SET namespace = $1, table_name = $2 WHERE namespace = $3 AND table_name = $4", names)
	        .affected;
	affected +=
	    Run("UPDATE column_masks SET namespace = $1, table_name = $2 WHERE namespace = $3 AND table_name = $4", names)
	        .affected;
	if (affected > 0) {
		BumpAccessVersion();
	}
}

void PortableTransaction::ForgetNamespace(const NamespaceName &name) {
	std::vector<std::string> key {NamespaceKey(name)};
	auto affected = Run("DELETE FROM grants WHERE namespace = $1", key).affected;
	affected += Run("DELETE FROM row_policies WHERE namespace = $1", key).affected;
	affected += Run("DELETE FROM column_masks WHERE namespace = $1", key).affected;
	if (affected > 0) {
		BumpAccessVersion();
	}
}

std::string PortableTransaction::PrincipalKind(const std::string &name) {
	auto found = Run("SELECT 'user' FROM users WHERE name = $1 UNION ALL SELECT 'role' FROM roles WHERE name = $1",
	                 {name});
	return found.rows.empty() ? "" : found.rows[0][0];
}

void PortableTransaction::RequireUser(const std::string &name) {
	if (Run("SELECT 1 FROM users WHERE name = $1", {name}).rows.empty()) {
		throw Error(ErrorCode::UndefinedObject, fmt::format("user \"{}\" does not exist", name));
	}
}

void PortableTransaction::RequirePrincipal(const std::string &name) {
	if (PrincipalKind(name).empty()) {
		throw Error(ErrorCode::UndefinedObject, fmt::format("role \"{}\" does not exist", name));
	}
}

void PortableTransaction::ForgetPrincipal(const std::string &name) {
	Run("DELETE FROM role_members WHERE member_name = $1 OR role_name = $1", {name});
	Run("DELETE FROM grants WHERE grantee = $1", {name});
	RemoveFromRoleLists("row_policies", name);
	RemoveFromRoleLists("column_masks", name);
	BumpAccessVersion();
}

void PortableTransaction::RemoveFromRoleLists(const char *table, const std::string &name) {
	auto lists = Run(fmt::format("SELECT namespace, table_name, name, roles FROM {}", table));
	for (const auto &row : lists.rows) {
		auto roles = RolesFromJson(row[3]);
		if (std::erase(roles, name) == 0) {
			continue;
		}
		Run(fmt::format("UPDATE {} SET roles = $1 WHERE namespace = $2 AND table_name = $3 AND name = $4", table),
		    {RolesJson(roles), row[0], row[1], row[2]});
	}
}

void PortableTransaction::BumpAccessVersion() {
	Run("UPDATE access_version SET version = version + 1");
}

} // namespace akko::metastore
