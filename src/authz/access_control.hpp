#pragma once
// What principals may do: users, roles, grants, row policies and column masks from the
// metastore's access model (docs/access-control.md), cached and shared by every session.
#include "authz/principal.hpp"
#include "metastore/metastore.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace akko::authz {

inline constexpr const char *kAdminRole = "akko-admin";
inline constexpr const char *kEngineerRole = "akko-engineer";
inline constexpr const char *kAnalystRole = "akko-analyst";
inline constexpr const char *kUserRole = "akko-user";
inline constexpr const char *kViewerRole = "akko-viewer";
inline constexpr const char *kReadFilesRole = "pg_read_server_files";
inline constexpr const char *kWriteFilesRole = "pg_write_server_files";
inline constexpr const char *kPublicRole = "public";

enum class Privilege : uint8_t { Select, Insert, Update, Delete, Truncate, Create, Usage };
const char *PrivilegeName(Privilege privilege);
// "SELECT" -> Select (case-insensitive); nullopt for anything else.
std::optional<Privilege> PrivilegeFromName(std::string_view name);

// What a grant names: the whole catalog (both empty), a namespace and everything below it
// (name empty), or one table or view.
struct Securable {
	std::vector<std::string> namespace_name;
	std::string name;

	std::string ToString() const; // "catalog", "banking", "banking.customers"
};

// The row filter and column masks a principal reads a table through.
struct Restriction {
	std::string row_filter; // OR of the predicates of the policies that apply; empty: none apply
	std::vector<std::pair<std::string, std::string>> column_masks; // column -> expression
	std::vector<std::string> applied; // policy and mask names
};

// One row of SHOW GRANTS.
struct GrantRow {
	std::string grantee;
	std::string privilege; // a privilege, or "MEMBER" for a role held
	std::string object_type; // "catalog", "schema", "table", "role"
	std::string object_name;
};

// Thread-safe. Reads the model once and again whenever it changes: at once for changes made
// through this object, within a second for changes made by another server on the metastore.
class AccessControl {
public:
	using Clock = std::function<std::chrono::steady_clock::time_point()>;

	explicit AccessControl(metastore::Metastore &metastore, Clock clock = {});
	~AccessControl();

	// The built-in roles (akko-admin, akko-engineer, akko-analyst, akko-user, akko-viewer,
	// pg_read_server_files, pg_write_server_files) and their catalog-wide SELECT grants, and
	// every superuser a member of akko-admin. Idempotent.
	void EnsureBuiltinRoles();

	// `idp_roles`: roles an identity provider vouches for; names that are not roles are ignored.
	Principal Resolve(const std::string &user, const std::vector<std::string> &idp_roles = {}) const;
	int64_t Version() const;

	bool MayOnTable(const Principal &principal, Privilege privilege, const Securable &table) const;
	// Any privilege on the table at all.
	bool MayReference(const Principal &principal, const Securable &table) const;
	// Creating, altering and dropping tables and views in `namespace_name`; with an empty one,
	// creating and dropping namespaces.
	bool MayCreateIn(const Principal &principal, const std::vector<std::string> &namespace_name) const;
	Restriction RestrictionOn(const Principal &principal, const Securable &table) const;

	bool UserExists(const std::string &name) const;
	bool RoleExists(const std::string &name) const;
	bool IsBuiltinRole(const std::string &name) const;

	// Changes; each throws akko::Error (undefined_object, duplicate_object, invalid_input).
	void CreateRole(const std::string &name);
	// False when there was none.
	bool DropRole(const std::string &name);
	void GrantRole(const std::string &role, const std::string &member);
	bool RevokeRole(const std::string &role, const std::string &member);
	void Grant(const std::string &grantee, Privilege privilege, const Securable &object);
	bool Revoke(const std::string &grantee, Privilege privilege, const Securable &object);
	void CreatePolicy(const metastore::RowPolicyRecord &policy);
	bool DropPolicy(const Securable &table, const std::string &name);
	void CreateMask(const metastore::ColumnMaskRecord &mask);
	bool DropMask(const Securable &table, const std::string &name);
	void SetAttribute(const std::string &user, const std::string &key, const std::optional<std::string> &value);
	// Forgets the cached model (after users were created or dropped elsewhere).
	void Invalidate();

	// Everything granted to `name` (a user or a role) directly and through the roles it holds;
	// everything granted to anyone when nullopt.
	std::vector<GrantRow> ShowGrants(const std::optional<std::string> &name) const;
	// Every user, with the roles granted to it directly, by name.
	std::vector<std::pair<metastore::UserRecord, std::vector<std::string>>> Users() const;
	std::vector<metastore::RowPolicyRecord> Policies() const;
	std::vector<metastore::ColumnMaskRecord> Masks() const;

	struct Model;

private:
	std::shared_ptr<const Model> Current() const;
	void Change(const std::function<void(metastore::Transaction &)> &body);

	metastore::Metastore &metastore;
	Clock clock;
	mutable std::mutex lock;
	mutable std::shared_ptr<const Model> model;
	mutable std::chrono::steady_clock::time_point checked_at;
};

} // namespace akko::authz
