#include "sql/session_access_guard.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace akko::sql {

namespace {

authz::Securable SecurableOf(const engine::LakeObjectName &table) {
	return {table.namespace_name, table.name};
}

[[noreturn]] void Denied(const std::string &message) {
	throw akko::Error(ErrorCode::PermissionDenied, message);
}

} // namespace

SessionAccessGuard::SessionAccessGuard(const authz::AccessControl &access_p, authz::Principal principal_p)
    : access(access_p), principal(std::move(principal_p)) {
}

bool SessionAccessGuard::Unrestricted() const {
	return principal.superuser;
}

void SessionAccessGuard::CheckTable(const engine::LakeObjectName &table, engine::TableAction action) const {
	if (principal.superuser) {
		return;
	}
	auto securable = SecurableOf(table);
	bool allowed = false;
	switch (action) {
	case engine::TableAction::Reference:
		allowed = access.MayReference(principal, securable);
		break;
	case engine::TableAction::Select:
		allowed = access.MayOnTable(principal, authz::Privilege::Select, securable);
		break;
	case engine::TableAction::Insert:
		allowed = access.MayOnTable(principal, authz::Privilege::Insert, securable);
		break;
	case engine::TableAction::Update:
		allowed = access.MayOnTable(principal, authz::Privilege::Update, securable);
		break;
	case engine::TableAction::Delete:
		allowed = access.MayOnTable(principal, authz::Privilege::Delete, securable);
		break;
	case engine::TableAction::Truncate:
		allowed = access.MayOnTable(principal, authz::Privilege::Truncate, securable);
		break;
	}
	if (!allowed) {
		Denied(fmt::format("permission denied for table {}", table.ToString()));
	}
}

void SessionAccessGuard::CheckNamespaceDdl(const std::vector<std::string> &namespace_name) const {
	if (!access.MayCreateIn(principal, namespace_name)) {
		Denied(fmt::format("permission denied for schema {}", fmt::join(namespace_name, ".")));
	}
}

void SessionAccessGuard::CheckCatalogDdl() const {
	if (!access.MayCreateIn(principal, {})) {
		Denied("permission denied to create or drop schemas: it requires CREATE on the database");
	}
}

void SessionAccessGuard::CheckCapability(engine::Capability capability, const std::string &what) const {
	if (principal.superuser) {
		return;
	}
	switch (capability) {
	case engine::Capability::ReadFiles:
		if (!principal.Holds(authz::kReadFilesRole)) {
			Denied(fmt::format("permission denied: {} reads server files; it requires {}", what, authz::kReadFilesRole));
		}
		return;
	case engine::Capability::WriteFiles:
		if (!principal.Holds(authz::kWriteFilesRole)) {
			Denied(fmt::format("permission denied: {} writes server files; it requires {}", what, authz::kWriteFilesRole));
		}
		return;
	case engine::Capability::EngineAdmin:
		Denied(fmt::format("permission denied: {} requires superuser ({})", what, authz::kAdminRole));
	}
}

engine::TableRestriction SessionAccessGuard::RestrictionOn(const engine::LakeObjectName &table) const {
	auto restriction = access.RestrictionOn(principal, SecurableOf(table));
	return {std::move(restriction.row_filter), std::move(restriction.column_masks), std::move(restriction.applied)};
}

std::optional<std::string> SessionAccessGuard::Attribute(const std::string &key) const {
	auto found = principal.attributes.find(key);
	if (found == principal.attributes.end()) {
		return std::nullopt;
	}
	return found->second;
}

std::vector<std::string> SessionAccessGuard::Roles() const {
	return {principal.roles.begin(), principal.roles.end()};
}

} // namespace akko::sql
