#pragma once
// The engine's AccessGuard for one principal, answered from authz. Immutable: the session
// makes a new one when the access model changes.
#include "authz/access_control.hpp"
#include "engine/access_guard.hpp"

namespace akko::sql {

class SessionAccessGuard : public engine::AccessGuard {
public:
	SessionAccessGuard(const authz::AccessControl &access_p, authz::Principal principal_p);

	const authz::Principal &Principal() const {
		return principal;
	}

	bool Unrestricted() const override;
	void CheckTable(const engine::LakeObjectName &table, engine::TableAction action) const override;
	void CheckNamespaceDdl(const std::vector<std::string> &namespace_name) const override;
	void CheckCatalogDdl() const override;
	void CheckCapability(engine::Capability capability, const std::string &what) const override;
	engine::TableRestriction RestrictionOn(const engine::LakeObjectName &table) const override;
	std::optional<std::string> Attribute(const std::string &key) const override;
	std::vector<std::string> Roles() const override;

private:
	const authz::AccessControl &access;
	authz::Principal principal;
};

} // namespace akko::sql
