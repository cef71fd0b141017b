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
