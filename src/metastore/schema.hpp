#pragma once
// The tables both backends keep and how a record is stored in them, shared so that a SQLite
// and a PostgreSQL metastore hold the same rows and migrate through the same versions.
// Internal to the metastore library.
#include "metastore/metastore.hpp"

#include <map>
#include <span>
#include <string>

namespace akko::metastore {

struct Migration {
	const char *name;
	const char *sql; // portable between SQLite and PostgreSQL; may hold several statements
};

// Append only: a migration's version is its position (1-based), and an applied migration is
// never edited. A step that cannot be written portably gets a second, per-backend text.
std::span<const Migration> Migrations();

// The migration bookkeeping table, created before anything else.
extern const char *const kSchemaMigrationsTable;

// A namespace's key: its levels joined by U+001F, which names may not contain.
std::string NamespaceKey(const NamespaceName &name);
NamespaceName NamespaceFromKey(const std::string &key);
// "sales.eu", for messages.
std::string DisplayName(const NamespaceName &name);

std::string PropertiesJson(const std::map<std::string, std::string> &properties);
std::map<std::string, std::string> PropertiesFromJson(const std::string &text);

const char *KindName(ObjectKind kind);
ObjectKind KindFromName(const std::string &name);

} // namespace akko::metastore
