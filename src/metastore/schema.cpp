#include "metastore/schema.hpp"

#include <fmt/format.h>
#include <iterator>
#include <nlohmann/json.hpp>

namespace akko::metastore {

namespace {

constexpr Migration kMigrations[] = {
    {"users_and_tokens", R"sql(
CREATE TABLE users (
	name TEXT PRIMARY KEY,
	scram_verifier TEXT NOT NULL,
	is_superuser BOOLEAN NOT NULL DEFAULT FALSE,
	created_at BIGINT NOT NULL
);
CREATE TABLE api_tokens (
	sha256 TEXT PRIMARY KEY,
	user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
	created_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_user_name ON api_tokens (user_name);
)sql"},
    {"catalog", R"sql(
CREATE TABLE namespaces (
	name TEXT PRIMARY KEY,
	parent TEXT NOT NULL,
	properties TEXT NOT NULL
);
CREATE INDEX namespaces_parent ON namespaces (parent);
CREATE TABLE catalog_objects (
	namespace TEXT NOT NULL REFERENCES namespaces (name),
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('table', 'view')),
	metadata_location TEXT NOT NULL,
	PRIMARY KEY (namespace, name)
);
)sql"},
    {"access_keys", R"sql(
CREATE TABLE access_keys (
	access_key_id TEXT PRIMARY KEY,
	user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
	secret TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX access_keys_user_name ON access_keys (user_name);
)sql"},
    // Principals in grants, memberships and policy role lists are users or roles, so those
    // columns carry no foreign key; the Transaction methods do the cascades. Objects are
    // (namespace key, name) pairs without a foreign key either: a grant on a namespace has
    // an empty name, one on the catalog an empty namespace too. `creation_order` orders policies
    // and masks by creation: the access version they were created at.
    {"access_control", R"sql(
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'api';
CREATE INDEX api_tokens_expires_at ON api_tokens (expires_at);
CREATE TABLE roles (
	name TEXT PRIMARY KEY,
	builtin BOOLEAN NOT NULL DEFAULT FALSE,
	created_at BIGINT NOT NULL
);
CREATE TABLE role_members (
	member_name TEXT NOT NULL,
	role_name TEXT NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
	PRIMARY KEY (member_name, role_name)
);
CREATE INDEX role_members_role_name ON role_members (role_name);
CREATE TABLE grants (
	grantee TEXT NOT NULL,
	privilege TEXT NOT NULL,
	namespace TEXT NOT NULL,
	object_name TEXT NOT NULL,
	PRIMARY KEY (grantee, privilege, namespace, object_name)
);
CREATE INDEX grants_object ON grants (namespace, object_name);
CREATE TABLE row_policies (
	namespace TEXT NOT NULL,
	table_name TEXT NOT NULL,
	name TEXT NOT NULL,
	roles TEXT NOT NULL,
	predicate TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	creation_order BIGINT NOT NULL,
	PRIMARY KEY (namespace, table_name, name)
);
CREATE TABLE column_masks (
	namespace TEXT NOT NULL,
	table_name TEXT NOT NULL,
	name TEXT NOT NULL,
	column_name TEXT NOT NULL,
	roles TEXT NOT NULL,
	expression TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	creation_order BIGINT NOT NULL,
	PRIMARY KEY (namespace, table_name, name)
);
CREATE TABLE user_attributes (
	user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
	attribute TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (user_name, attribute)
);
CREATE TABLE server_settings (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE access_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
);
INSERT INTO access_version (id, version) VALUES (1, 1);
)sql"},
    {"cockpit_items", R"sql(
CREATE TABLE cockpit_items (
	kind TEXT NOT NULL,
	id TEXT NOT NULL,
	owner TEXT NOT NULL,
	name TEXT NOT NULL,
	shared BOOLEAN NOT NULL DEFAULT FALSE,
	document TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (kind, id)
);
CREATE INDEX cockpit_items_owner ON cockpit_items (kind, owner);
)sql"},
};

constexpr char kLevelSeparator = '\x1f';

} // namespace

std::span<const Migration> Migrations() {
	return kMigrations;
}

const char *const kSchemaMigrationsTable = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                                           "name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

std::string NamespaceKey(const NamespaceName &name) {
	std::string key;
	for (size_t i = 0; i < name.size(); i++) {
		if (i > 0) {
			key += kLevelSeparator;
		}
		key += name[i];
	}
	return key;
}

NamespaceName NamespaceFromKey(const std::string &key) {
	NamespaceName name;
	size_t start = 0;
	while (true) {
		auto end = key.find(kLevelSeparator, start);
		name.push_back(key.substr(start, end - start));
		if (end == std::string::npos) {
			return name;
		}
		start = end + 1;
	}
}

std::string DisplayName(const NamespaceName &name) {
	return fmt::format("{}", fmt::join(name, "."));
}

std::string PropertiesJson(const std::map<std::string, std::string> &properties) {
	return nlohmann::json(properties).dump();
}

std::map<std::string, std::string> PropertiesFromJson(const std::string &text) {
	return nlohmann::json::parse(text).get<std::map<std::string, std::string>>();
}

const char *KindName(ObjectKind kind) {
	return kind == ObjectKind::Table ? "table" : "view";
}

ObjectKind KindFromName(const std::string &name) {
	return name == "table" ? ObjectKind::Table : ObjectKind::View;
}

} // namespace akko::metastore
