#pragma once
// The part of Transaction written once, in SQL that SQLite and PostgreSQL both run: users,
// tokens, settings, the access model with its cascades and version counter, and the
// cockpit's saved queries and dashboards. Each backend
// derives from it, supplies Run, and keeps what differs (access keys, the catalog), calling
// the cascade helpers below when catalog objects go or move. Internal to the metastore library.
//
// As on PostgreSQL a failed statement aborts the transaction, expected conflicts are answered
// by checks and ON CONFLICT, never by a constraint error, so a body may catch them and go on.
#include "metastore/metastore.hpp"

#include <string_view>

namespace akko::metastore {

struct SqlRows {
	std::vector<std::vector<std::string>> rows; // NULL reads as ""
	int64_t affected = 0;                       // rows an INSERT, UPDATE or DELETE touched
};

class PortableTransaction : public Transaction {
public:
	std::optional<UserRecord> FindUser(const std::string &name) override;
	std::vector<UserRecord> ListUsers() override;
	void CreateUser(const UserRecord &user) override;
	void SetUserVerifier(const std::string &name, const std::string &scram_verifier) override;
	bool DropUser(const std::string &name) override;
	void SetUserPasswordHash(const std::string &name, const std::string &password_hash) override;

	void CreateToken(const TokenRecord &token) override;
	std::optional<TokenRecord> FindToken(const std::string &sha256_hex) override;
	bool DropToken(const std::string &sha256_hex) override;
	int64_t DropExpiredTokens(int64_t now) override;

	std::optional<std::string> FindSetting(const std::string &name) override;
	void PutSetting(const std::string &name, const std::string &value) override;

	AccessModel LoadAccessModel() override;
	int64_t AccessVersion() override;
	void CreateRole(const RoleRecord &role) override;
	bool DropRole(const std::string &name) override;
	void PutRoleMembership(const RoleMembershipRecord &membership) override;
	bool DropRoleMembership(const RoleMembershipRecord &membership) override;
	void PutGrant(const GrantRecord &grant) override;
	bool DropGrant(const GrantRecord &grant) override;
	void CreateRowPolicy(const RowPolicyRecord &policy) override;
	bool DropRowPolicy(const NamespaceName &namespace_name, const std::string &table, const std::string &name) override;
	void CreateColumnMask(const ColumnMaskRecord &mask) override;
	bool DropColumnMask(const NamespaceName &namespace_name, const std::string &table, const std::string &name) override;
	void SetUserAttribute(const std::string &user, const std::string &key,
	                      const std::optional<std::string> &value) override;

	void CreateCockpitItem(const CockpitItemRecord &item) override;
	std::optional<CockpitItemRecord> FindCockpitItem(const std::string &kind, const std::string &id) override;
	std::vector<CockpitItemRecord> ListCockpitItems(const std::string &kind,
	                                                const std::optional<std::string> &viewer) override;
	bool UpdateCockpitItem(const CockpitItemRecord &item) override;
	bool DropCockpitItem(const std::string &kind, const std::string &id) override;

protected:
	// One statement with text parameters $1, $2, ...
	virtual SqlRows Run(std::string_view sql, const std::vector<std::string> &params = {}) = 0;

	// Grants, policies and masks on a dropped table or view go with it.
	void ForgetObject(const NamespaceName &namespace_name, const std::string &name);
	// ... and follow it to its new name.
	void MoveObject(const NamespaceName &from_namespace, const std::string &from_name,
	                const NamespaceName &to_namespace, const std::string &to_name);
	// Grants, policies and masks within a dropped namespace go with it.
	void ForgetNamespace(const NamespaceName &name);

private:
	// "user", "role", or empty when no principal has the name.
	std::string PrincipalKind(const std::string &name);
	void RequireUser(const std::string &name);
	void RequirePrincipal(const std::string &name);
	// The cascade of DropUser and DropRole.
	void ForgetPrincipal(const std::string &name);
	void RemoveFromRoleLists(const char *table, const std::string &name);
	void BumpAccessVersion();
};

} // namespace akko::metastore
