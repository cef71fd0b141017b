#include "authz/access_control.hpp"

#include "common/error.hpp"
#include "common/sql_lexer.hpp"

#include <algorithm>
#include <ctime>
#include <deque>
#include <fmt/format.h>
#include <map>
#include <set>

namespace akko::authz {

namespace {

constexpr std::chrono::seconds kRecheckInterval {1};

struct PrivilegeSpelling {
	Privilege privilege;
	const char *name;
};

constexpr PrivilegeSpelling kPrivileges[] = {
    {Privilege::Select, "SELECT"}, {Privilege::Insert, "INSERT"},     {Privilege::Update, "UPDATE"},
    {Privilege::Delete, "DELETE"}, {Privilege::Truncate, "TRUNCATE"}, {Privilege::Create, "CREATE"},
    {Privilege::Usage, "USAGE"},
};

// Roles whose members read tables without row filters and column masks.
constexpr const char *kBypassRoles[] = {kAdminRole, kEngineerRole, kAnalystRole};
// Roles that read every table.
constexpr const char *kReadEverywhereRoles[] = {kEngineerRole, kAnalystRole, kUserRole};
constexpr const char *kBuiltinRoles[] = {kAdminRole,  kEngineerRole,  kAnalystRole,   kUserRole,
                                         kViewerRole, kReadFilesRole, kWriteFilesRole};

// Names compare as the engine resolves them: case-insensitively.
std::string Folded(const std::vector<std::string> &namespace_name, const std::string &name) {
	std::string key;
	for (auto &level : namespace_name) {
		key += ToLower(level) + '\x1f';
	}
	return key + ToLower(name);
}

int64_t Now() {
	return static_cast<int64_t>(std::time(nullptr));
}

bool IsPrefix(const std::vector<std::string> &prefix, const std::vector<std::string> &of) {
	if (prefix.size() > of.size()) {
		return false;
	}
	for (size_t i = 0; i < prefix.size(); i++) {
		if (ToLower(prefix[i]) != ToLower(of[i])) {
			return false;
		}
	}
	return true;
}

// Whether a grant's object (the catalog, a namespace and what is below it, or one table) holds `table`.
bool Covers(const metastore::GrantRecord &grant, const Securable &table) {
	if (!IsPrefix(grant.namespace_name, table.namespace_name)) {
		return false;
	}
	return grant.name.empty() ||
	       (grant.namespace_name.size() == table.namespace_name.size() && ToLower(grant.name) == ToLower(table.name));
}

} // namespace

struct AccessControl::Model {
	metastore::AccessModel raw;
	std::set<std::string> users;
	std::set<std::string> superusers;
	std::set<std::string> roles;
	std::set<std::string> builtin_roles;
	std::map<std::string, std::vector<std::string>> member_of;
	std::map<std::string, std::vector<metastore::GrantRecord>> grants;
	std::map<std::string, std::vector<const metastore::RowPolicyRecord *>> policies; // by Folded table
	std::map<std::string, std::vector<const metastore::ColumnMaskRecord *>> masks;
	std::map<std::string, std::map<std::string, std::string>> attributes;

	explicit Model(metastore::AccessModel raw_p) : raw(std::move(raw_p)) {
		for (auto &user : raw.users) {
			users.insert(user.name);
			if (user.is_superuser) {
				superusers.insert(user.name);
			}
		}
		for (auto &role : raw.roles) {
			roles.insert(role.name);
			if (role.builtin) {
				builtin_roles.insert(role.name);
			}
		}
		for (auto &membership : raw.memberships) {
			member_of[membership.member].push_back(membership.role);
		}
		for (auto &grant : raw.grants) {
			grants[grant.grantee].push_back(grant);
		}
		for (auto &policy : raw.row_policies) {
			policies[Folded(policy.namespace_name, policy.table)].push_back(&policy);
		}
		for (auto &mask : raw.column_masks) {
			masks[Folded(mask.namespace_name, mask.table)].push_back(&mask);
		}
		for (auto &attribute : raw.user_attributes) {
			attributes[attribute.user][attribute.key] = attribute.value;
		}
	}

	// `start` and every role reachable from it through memberships.
	std::set<std::string> Closure(const std::vector<std::string> &start) const {
		std::set<std::string> seen;
		std::deque<std::string> pending(start.begin(), start.end());
		while (!pending.empty()) {
			auto next = pending.front();
			pending.pop_front();
			if (!seen.insert(next).second) {
				continue;
			}
			if (auto found = member_of.find(next); found != member_of.end()) {
				pending.insert(pending.end(), found->second.begin(), found->second.end());
			}
		}
		return seen;
	}

	template <class F>
	bool AnyGrant(const Principal &principal, F matches) const {
		auto check = [&](const std::string &grantee) {
			auto found = grants.find(grantee);
			return found != grants.end() && std::any_of(found->second.begin(), found->second.end(), matches);
		};
		return check(principal.user) || std::any_of(principal.roles.begin(), principal.roles.end(), check);
	}

	bool Applies(const std::vector<std::string> &targets, const Principal &principal) const {
		return std::any_of(targets.begin(), targets.end(), [&](const std::string &target) {
			return target == principal.user || principal.Holds(target);
		});
	}
};

const char *PrivilegeName(Privilege privilege) {
	for (auto &spelling : kPrivileges) {
		if (spelling.privilege == privilege) {
			return spelling.name;
		}
	}
	return "?";
}

std::optional<Privilege> PrivilegeFromName(std::string_view name) {
	for (auto &spelling : kPrivileges) {
		if (ToLower(name) == ToLower(spelling.name)) {
			return spelling.privilege;
		}
	}
	return std::nullopt;
}

std::string Securable::ToString() const {
	if (namespace_name.empty() && name.empty()) {
		return "catalog";
	}
	auto text = fmt::format("{}", fmt::join(namespace_name, "."));
	return name.empty() ? text : text + "." + name;
}

AccessControl::AccessControl(metastore::Metastore &metastore_p, Clock clock_p)
    : metastore(metastore_p), clock(std::move(clock_p)) {
	if (!clock) {
		clock = [] { return std::chrono::steady_clock::now(); };
	}
}

AccessControl::~AccessControl() = default;

std::shared_ptr<const AccessControl::Model> AccessControl::Current() const {
	std::lock_guard guard(lock);
	auto now = clock();
	if (model && now - checked_at < kRecheckInterval) {
		return model;
	}
	int64_t version = 0;
	metastore.RunInTransaction([&](metastore::Transaction &transaction) { version = transaction.AccessVersion(); });
	if (!model || model->raw.version != version) {
		metastore::AccessModel raw;
		metastore.RunInTransaction([&](metastore::Transaction &transaction) { raw = transaction.LoadAccessModel(); });
		model = std::make_shared<const Model>(std::move(raw));
	}
	checked_at = now;
	return model;
}

void AccessControl::Invalidate() {
	std::lock_guard guard(lock);
	model.reset();
}

void AccessControl::Change(const std::function<void(metastore::Transaction &)> &body) {
	metastore.RunInTransaction(body);
	Invalidate();
}

void AccessControl::EnsureBuiltinRoles() {
	Change([&](metastore::Transaction &transaction) {
		auto existing = transaction.LoadAccessModel();
		std::set<std::string> roles;
		for (auto &role : existing.roles) {
			roles.insert(role.name);
		}
		for (auto *name : kBuiltinRoles) {
			if (!roles.count(name)) {
				transaction.CreateRole({name, true, Now()});
			}
		}
		std::set<metastore::GrantRecord> grants(existing.grants.begin(), existing.grants.end());
		for (auto *name : kReadEverywhereRoles) {
			metastore::GrantRecord grant {name, "SELECT", {}, ""};
			if (!grants.count(grant)) {
				transaction.PutGrant(grant);
			}
		}
		std::set<metastore::RoleMembershipRecord> memberships(existing.memberships.begin(), existing.memberships.end());
		for (auto &user : existing.users) {
			metastore::RoleMembershipRecord membership {user.name, kAdminRole};
			if (user.is_superuser && !memberships.count(membership)) {
				transaction.PutRoleMembership(membership);
			}
		}
	});
}

Principal AccessControl::Resolve(const std::string &user, const std::vector<std::string> &idp_roles) const {
	auto current = Current();
	std::vector<std::string> start {user, kPublicRole};
	for (auto &role : idp_roles) {
		if (current->roles.count(role)) {
			start.push_back(role);
		}
	}
	Principal principal;
	principal.user = user;
	principal.roles = current->Closure(start);
	principal.roles.erase(user);
	principal.roles.insert(kPublicRole);
	principal.superuser = current->superusers.count(user) > 0 || principal.Holds(kAdminRole);
	principal.bypass_policies = principal.superuser || std::any_of(std::begin(kBypassRoles), std::end(kBypassRoles),
	                                                                [&](const char *role) { return principal.Holds(role); });
	if (auto found = current->attributes.find(user); found != current->attributes.end()) {
		principal.attributes = found->second;
	}
	principal.model_version = current->raw.version;
	return principal;
}

int64_t AccessControl::Version() const {
	return Current()->raw.version;
}

bool AccessControl::MayOnTable(const Principal &principal, Privilege privilege, const Securable &table) const {
	if (principal.superuser) {
		return true;
	}
	auto name = PrivilegeName(privilege);
	return Current()->AnyGrant(principal, [&](const metastore::GrantRecord &grant) {
		return grant.privilege == name && Covers(grant, table);
	});
}

bool AccessControl::MayReference(const Principal &principal, const Securable &table) const {
	if (principal.superuser) {
		return true;
	}
	return Current()->AnyGrant(principal, [&](const metastore::GrantRecord &grant) {
		return grant.privilege != "CREATE" && grant.privilege != "USAGE" && Covers(grant, table);
	});
}

bool AccessControl::MayCreateIn(const Principal &principal, const std::vector<std::string> &namespace_name) const {
	if (principal.superuser) {
		return true;
	}
	return Current()->AnyGrant(principal, [&](const metastore::GrantRecord &grant) {
		return grant.privilege == "CREATE" && grant.name.empty() && IsPrefix(grant.namespace_name, namespace_name);
	});
}

Restriction AccessControl::RestrictionOn(const Principal &principal, const Securable &table) const {
	Restriction restriction;
	if (principal.bypass_policies) {
		return restriction;
	}
	auto current = Current();
	auto key = Folded(table.namespace_name, table.name);
	if (auto found = current->policies.find(key); found != current->policies.end()) {
		for (auto *policy : found->second) {
			if (current->Applies(policy->roles, principal)) {
				restriction.row_filter += (restriction.row_filter.empty() ? "(" : " OR (") + policy->predicate + ")";
				restriction.applied.push_back(policy->name);
			}
		}
	}
	if (auto found = current->masks.find(key); found != current->masks.end()) {
		for (auto *mask : found->second) {
			bool masked = std::any_of(restriction.column_masks.begin(), restriction.column_masks.end(),
			                          [&](auto &entry) { return ToLower(entry.first) == ToLower(mask->column); });
			if (!masked && current->Applies(mask->roles, principal)) {
				restriction.column_masks.emplace_back(mask->column, mask->expression);
				restriction.applied.push_back(mask->name);
			}
		}
	}
	return restriction;
}

bool AccessControl::UserExists(const std::string &name) const {
	return Current()->users.count(name) > 0;
}

bool AccessControl::RoleExists(const std::string &name) const {
	return Current()->roles.count(name) > 0;
}

bool AccessControl::IsBuiltinRole(const std::string &name) const {
	return Current()->builtin_roles.count(name) > 0 || name == kPublicRole;
}

void AccessControl::CreateRole(const std::string &name) {
	if (name == kPublicRole) {
		throw akko::Error(ErrorCode::DuplicateObject, "role \"public\" is reserved");
	}
	Change([&](metastore::Transaction &transaction) { transaction.CreateRole({name, false, Now()}); });
}

bool AccessControl::DropRole(const std::string &name) {
	if (IsBuiltinRole(name)) {
		throw akko::Error(ErrorCode::PermissionDenied, fmt::format("built-in role \"{}\" cannot be dropped", name));
	}
	bool dropped = false;
	Change([&](metastore::Transaction &transaction) { dropped = transaction.DropRole(name); });
	return dropped;
}

void AccessControl::GrantRole(const std::string &role, const std::string &member) {
	if (role == member || Current()->Closure({role}).count(member)) {
		throw akko::Error(ErrorCode::InvalidInput,
		                  fmt::format("role \"{}\" is a member of role \"{}\"", role, member));
	}
	Change([&](metastore::Transaction &transaction) { transaction.PutRoleMembership({member, role}); });
}

bool AccessControl::RevokeRole(const std::string &role, const std::string &member) {
	bool dropped = false;
	Change([&](metastore::Transaction &transaction) { dropped = transaction.DropRoleMembership({member, role}); });
	return dropped;
}

void AccessControl::Grant(const std::string &grantee, Privilege privilege, const Securable &object) {
	Change([&](metastore::Transaction &transaction) {
		transaction.PutGrant({grantee, PrivilegeName(privilege), object.namespace_name, object.name});
	});
}

bool AccessControl::Revoke(const std::string &grantee, Privilege privilege, const Securable &object) {
	bool dropped = false;
	Change([&](metastore::Transaction &transaction) {
		dropped = transaction.DropGrant({grantee, PrivilegeName(privilege), object.namespace_name, object.name});
	});
	return dropped;
}

void AccessControl::CreatePolicy(const metastore::RowPolicyRecord &policy) {
	Change([&](metastore::Transaction &transaction) { transaction.CreateRowPolicy(policy); });
}

bool AccessControl::DropPolicy(const Securable &table, const std::string &name) {
	bool dropped = false;
	Change([&](metastore::Transaction &transaction) {
		dropped = transaction.DropRowPolicy(table.namespace_name, table.name, name);
	});
	return dropped;
}

void AccessControl::CreateMask(const metastore::ColumnMaskRecord &mask) {
	Change([&](metastore::Transaction &transaction) { transaction.CreateColumnMask(mask); });
}

bool AccessControl::DropMask(const Securable &table, const std::string &name) {
	bool dropped = false;
	Change([&](metastore::Transaction &transaction) {
		dropped = transaction.DropColumnMask(table.namespace_name, table.name, name);
	});
	return dropped;
}

void AccessControl::SetAttribute(const std::string &user, const std::string &key, const std::optional<std::string> &value) {
	Change([&](metastore::Transaction &transaction) { transaction.SetUserAttribute(user, key, value); });
}

std::vector<GrantRow> AccessControl::ShowGrants(const std::optional<std::string> &name) const {
	auto current = Current();
	std::vector<GrantRow> rows;
	auto add_grants = [&](const std::string &grantee) {
		if (auto found = current->grants.find(grantee); found != current->grants.end()) {
			for (auto &grant : found->second) {
				Securable object {grant.namespace_name, grant.name};
				auto type = grant.name.empty() ? (grant.namespace_name.empty() ? "catalog" : "schema") : "table";
				rows.push_back({grantee, grant.privilege, type, object.ToString()});
			}
		}
		if (auto found = current->member_of.find(grantee); found != current->member_of.end()) {
			for (auto &role : found->second) {
				rows.push_back({grantee, "MEMBER", "role", role});
			}
		}
	};
	if (name) {
		for (auto &grantee : current->Closure({*name})) {
			add_grants(grantee);
		}
	} else {
		std::set<std::string> grantees;
		for (auto &[grantee, grants] : current->grants) {
			grantees.insert(grantee);
		}
		for (auto &[member, roles] : current->member_of) {
			grantees.insert(member);
		}
		for (auto &grantee : grantees) {
			add_grants(grantee);
		}
	}
	std::sort(rows.begin(), rows.end(), [](const GrantRow &a, const GrantRow &b) {
		return std::tie(a.grantee, a.object_type, a.object_name, a.privilege) <
		       std::tie(b.grantee, b.object_type, b.object_name, b.privilege);
	});
	return rows;
}

std::vector<std::pair<metastore::UserRecord, std::vector<std::string>>> AccessControl::Users() const {
	auto current = Current();
	std::vector<std::pair<metastore::UserRecord, std::vector<std::string>>> users;
	for (auto &user : current->raw.users) {
		std::vector<std::string> roles;
		for (auto &membership : current->raw.memberships) {
			if (membership.member == user.name) {
				roles.push_back(membership.role);
			}
		}
		std::sort(roles.begin(), roles.end());
		users.emplace_back(user, std::move(roles));
	}
	std::sort(users.begin(), users.end(), [](const auto &a, const auto &b) { return a.first.name < b.first.name; });
	return users;
}

std::vector<metastore::RowPolicyRecord> AccessControl::Policies() const {
	return Current()->raw.row_policies;
}

std::vector<metastore::ColumnMaskRecord> AccessControl::Masks() const {
	return Current()->raw.column_masks;
}

} // namespace akko::authz
