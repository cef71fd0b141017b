#pragma once
// The metastore keeps AKKO's own state (users, tokens, later the catalog) in a relational
// database: SQLite when embedded, PostgreSQL in production, behind this one interface.
// Every read and write happens inside a transaction, so a multi-step change (a catalog
// commit's compare-and-swap of a metadata pointer, a bootstrap check-then-create) is atomic.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace akko::metastore {

struct UserRecord {
	std::string name;
	std::string scram_verifier; // pg_authid format, see auth::ScramVerifier
	bool is_superuser = false;
	int64_t created_at = 0; // seconds since the Unix epoch
	// PHC string of an argon2id hash of the password ("$argon2id$v=19$..."); empty when the
	// user was made before passwords were hashed that way (HTTP logins then use the verifier).
	std::string password_hash;
};

struct TokenRecord {
	std::string sha256_hex; // of the whole token; the token itself is never stored
	std::string user;
	int64_t created_at = 0; // seconds since the Unix epoch
	int64_t expires_at = 0; // seconds since the Unix epoch; 0: never
	std::string kind = "api"; // "api" (API tokens of service accounts) or "refresh" (HTTP login)
};

// An S3 access key of an akko principal. The secret is stored in the clear, unlike passwords
// and tokens: verifying an AWS Signature V4 needs it as the HMAC key.
struct AccessKeyRecord {
	std::string access_key_id;
	std::string user;
	std::string secret;
	int64_t created_at = 0; // seconds since the Unix epoch
};

// A namespace's levels, outermost first: {"sales", "eu"} for sales.eu.
using NamespaceName = std::vector<std::string>;

// The access model (see docs/access-control.md). Users and roles share one name space;
// names are kept as given (the SQL layer folds unquoted names to lower case).
struct RoleRecord {
	std::string name;
	bool builtin = false;
	int64_t created_at = 0; // seconds since the Unix epoch
};

// `member` (a user or a role) is a member of `role`.
struct RoleMembershipRecord {
	std::string member;
	std::string role;
	auto operator<=>(const RoleMembershipRecord &) const = default;
};

// `grantee` (a user or a role) holds `privilege` on an object: a table (namespace_name and
// name), a namespace (name empty), or the whole catalog (namespace_name and name empty).
struct GrantRecord {
	std::string grantee;
	std::string privilege; // "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "CREATE", "USAGE"
	NamespaceName namespace_name;
	std::string name;
	auto operator<=>(const GrantRecord &) const = default;
};

// A row filter: rows of the table for which `predicate` (SQL) holds are what `roles` see.
struct RowPolicyRecord {
	std::string name; // unique per table
	NamespaceName namespace_name;
	std::string table;
	std::vector<std::string> roles; // users or roles the policy applies to
	std::string predicate;
	int64_t created_at = 0;
};

// A column mask: `roles` see `expression` (SQL over the table's columns) in place of `column`.
struct ColumnMaskRecord {
	std::string name; // unique per table
	NamespaceName namespace_name;
	std::string table;
	std::string column;
	std::vector<std::string> roles;
	std::string expression;
	int64_t created_at = 0;
};

struct UserAttributeRecord {
	std::string user;
	std::string key;
	std::string value;
	auto operator<=>(const UserAttributeRecord &) const = default;
};

// The whole access model, read in one transaction. `version` moves on with every change to
// it (by any server sharing the metastore), so a cached copy can tell it is stale.
struct AccessModel {
	int64_t version = 0;
	std::vector<UserRecord> users; // without verifiers and password hashes
	std::vector<RoleRecord> roles;
	std::vector<RoleMembershipRecord> memberships;
	std::vector<GrantRecord> grants;
	std::vector<RowPolicyRecord> row_policies; // in creation order
	std::vector<ColumnMaskRecord> column_masks; // in creation order
	std::vector<UserAttributeRecord> user_attributes;
};

struct NamespaceRecord {
	NamespaceName name;
	std::map<std::string, std::string> properties;
};

// Tables and views share one name space within a namespace, as in the Iceberg REST catalog.
enum class ObjectKind { Table, View };

// A catalog object is a pointer to its current Iceberg metadata file; the file holds the rest.
struct CatalogObjectRecord {
	NamespaceName namespace_name;
	std::string name;
	ObjectKind kind = ObjectKind::Table;
	std::string metadata_location;
};

// A saved query or a dashboard of the cockpit (docs/cockpit-api.md): what the store selects
// on as columns, the rest as the JSON document the cockpit reads and writes.
struct CockpitItemRecord {
	std::string kind; // "saved_query" or "dashboard"
	std::string id;
	std::string owner; // a user name; OIDC users have no row in users, so no foreign key
	std::string name;
	bool shared = false; // visible to every user, not only the owner
	std::string document; // a JSON object
	int64_t created_at = 0; // milliseconds since the Unix epoch
	int64_t updated_at = 0;
};

// Valid only inside the RunInTransaction body it is passed to. Methods throw akko::Error;
// an exception leaving the body rolls back everything the body did.
class Transaction {
public:
	virtual ~Transaction() = default;

	virtual std::optional<UserRecord> FindUser(const std::string &name) = 0;
	virtual std::vector<UserRecord> ListUsers() = 0;
	// Throws DuplicateObject when the user exists.
	virtual void CreateUser(const UserRecord &user) = 0;
	// Throws UndefinedObject when the user does not exist.
	virtual void SetUserVerifier(const std::string &name, const std::string &scram_verifier) = 0;
	// Drops the user's tokens, access keys, memberships, grants and attributes with it, and
	// takes the user out of the roles lists of policies and masks. Returns false when there
	// was no such user.
	virtual bool DropUser(const std::string &name) = 0;
	// Throws UndefinedObject when the user does not exist.
	virtual void SetUserPasswordHash(const std::string &name, const std::string &password_hash) = 0;

	// Throws UndefinedObject when the user does not exist, DuplicateObject on a hash collision.
	virtual void CreateToken(const TokenRecord &token) = 0;
	virtual std::optional<TokenRecord> FindToken(const std::string &sha256_hex) = 0;
	virtual bool DropToken(const std::string &sha256_hex) = 0;
	// Drops the tokens that expired before `now` (seconds since the epoch); returns how many.
	virtual int64_t DropExpiredTokens(int64_t now) = 0;

	// Server-wide values every server sharing the metastore must agree on (the key that signs
	// access tokens). PutSetting inserts or replaces.
	virtual std::optional<std::string> FindSetting(const std::string &name) = 0;
	virtual void PutSetting(const std::string &name, const std::string &value) = 0;

	// The access model. Every change below moves AccessModel::version on.
	virtual AccessModel LoadAccessModel() = 0;
	virtual int64_t AccessVersion() = 0;
	// Throws DuplicateObject when a role or a user has the name.
	virtual void CreateRole(const RoleRecord &role) = 0;
	// Drops its memberships (both ways) and grants, and takes it out of the roles lists of
	// policies and masks. False when there was no such role.
	virtual bool DropRole(const std::string &name) = 0;
	// Idempotent. Throws UndefinedObject when the member or the role does not exist.
	virtual void PutRoleMembership(const RoleMembershipRecord &membership) = 0;
	virtual bool DropRoleMembership(const RoleMembershipRecord &membership) = 0;
	// Idempotent. Throws UndefinedObject when the grantee does not exist.
	virtual void PutGrant(const GrantRecord &grant) = 0;
	virtual bool DropGrant(const GrantRecord &grant) = 0;
	// Throws DuplicateObject when the table has a policy (a mask) of that name.
	virtual void CreateRowPolicy(const RowPolicyRecord &policy) = 0;
	virtual bool DropRowPolicy(const NamespaceName &namespace_name, const std::string &table, const std::string &name) = 0;
	virtual void CreateColumnMask(const ColumnMaskRecord &mask) = 0;
	virtual bool DropColumnMask(const NamespaceName &namespace_name, const std::string &table, const std::string &name) = 0;
	// Sets (or, with nullopt, removes) one attribute. Throws UndefinedObject for a missing user.
	virtual void SetUserAttribute(const std::string &user, const std::string &key,
	                              const std::optional<std::string> &value) = 0;

	// Inserts the key, or replaces the one with its id. Throws UndefinedObject when the user does not exist.
	virtual void PutAccessKey(const AccessKeyRecord &key) = 0;
	virtual std::optional<AccessKeyRecord> FindAccessKey(const std::string &access_key_id) = 0;
	virtual bool DropAccessKey(const std::string &access_key_id) = 0;

	// Throws DuplicateSchema when it exists, InvalidSchemaName when its parent does not.
	virtual void CreateNamespace(const NamespaceRecord &record) = 0;
	virtual std::optional<NamespaceRecord> FindNamespace(const NamespaceName &name) = 0;
	// The direct children of `parent` (the top level when empty), in name order.
	virtual std::vector<NamespaceRecord> ListNamespaces(const NamespaceName &parent) = 0;
	// Replaces all properties. Throws InvalidSchemaName when the namespace does not exist.
	virtual void SetNamespaceProperties(const NamespaceName &name,
	                                    const std::map<std::string, std::string> &properties) = 0;
	// False when there was none; throws DependentObjects when it holds namespaces, tables or views.
	virtual bool DropNamespace(const NamespaceName &name) = 0;

	virtual std::optional<CatalogObjectRecord> FindObject(const NamespaceName &namespace_name,
	                                                      const std::string &name) = 0;
	// In name order.
	virtual std::vector<CatalogObjectRecord> ListObjects(const NamespaceName &namespace_name, ObjectKind kind) = 0;
	// Throws DuplicateTable when a table or view has the name, InvalidSchemaName when the namespace is missing.
	virtual void CreateObject(const CatalogObjectRecord &record) = 0;
	// The commit protocol's compare-and-swap: moves the pointer to `next` only if it still is
	// `expected`. False when it moved (or the object is gone): the caller lost a race.
	virtual bool SwapMetadataLocation(const NamespaceName &namespace_name, const std::string &name,
	                                  const std::string &expected, const std::string &next) = 0;
	// Throws UndefinedTable, DuplicateTable or InvalidSchemaName. Grants, policies and masks
	// on the object follow it.
	virtual void RenameObject(const NamespaceName &from_namespace, const std::string &from_name,
	                          const NamespaceName &to_namespace, const std::string &to_name) = 0;
	// Grants, policies and masks on the object go with it (as PostgreSQL drops a table's), and
	// follow it on a rename.
	virtual bool DropObject(const NamespaceName &namespace_name, const std::string &name) = 0;

	// Throws DuplicateObject when the kind has an item with the id.
	virtual void CreateCockpitItem(const CockpitItemRecord &item) = 0;
	virtual std::optional<CockpitItemRecord> FindCockpitItem(const std::string &kind, const std::string &id) = 0;
	// The items of `kind` that `viewer` owns or that are shared, or all of them when nullopt;
	// by name, then id.
	virtual std::vector<CockpitItemRecord> ListCockpitItems(const std::string &kind,
	                                                        const std::optional<std::string> &viewer) = 0;
	// Replaces the name, shared flag, document and updated_at of the item with the kind and id
	// (owner and created_at stay). False when there is none.
	virtual bool UpdateCockpitItem(const CockpitItemRecord &item) = 0;
	virtual bool DropCockpitItem(const std::string &kind, const std::string &id) = 0;
};

// Safe to call from any number of threads.
class Metastore {
public:
	virtual ~Metastore() = default;

	// Runs `body` in one transaction: commits when it returns, rolls back and rethrows
	// when it throws. Transactions do not nest; calling this from inside `body` throws.
	//
	// `body` may run more than once: when the database aborts the transaction for a conflict
	// with a concurrent one (PostgreSQL's serialization failures and deadlocks) or the
	// connection breaks before COMMIT, everything it did is rolled back and it runs again on a
	// fresh transaction. So a body must start from scratch each time: assign what it hands
	// out rather than append to it, and keep effects outside the metastore (files, messages)
	// out of it. Conflicts that outlast the retries surface as SerializationFailure.
	virtual void RunInTransaction(const std::function<void(Transaction &)> &body) = 0;

	// The newest schema migration applied, for diagnostics.
	virtual int SchemaVersion() = 0;
};

// The metastore the configuration names: empty for SQLite in `data_dir`/metastore.db,
// a postgresql:// or postgres:// URI for PostgreSQL. Throws ConfigurationError for anything
// else, or when the database cannot be opened; the message never holds a password.
std::unique_ptr<Metastore> OpenMetastore(const std::string &config_value, const std::string &data_dir);

} // namespace akko::metastore
