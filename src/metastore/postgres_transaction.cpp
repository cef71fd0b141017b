#include "metastore/postgres_transaction.hpp"

#include "common/error.hpp"
#include "metastore/schema.hpp"

#include <fmt/format.h>

namespace akko::metastore {

namespace {

constexpr const char *kObjectColumns = "SELECT namespace, name, kind, metadata_location FROM catalog_objects ";
constexpr const char *kPutAccessKey =
    "INSERT INTO access_keys (access_key_id, user_name, secret, created_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (access_key_id) DO UPDATE SET user_name = excluded.user_name, secret = excluded.secret, "
    "created_at = excluded.created_at";

CatalogObjectRecord ReadObject(const PostgresResult &rows, int row) {
	return CatalogObjectRecord {NamespaceFromKey(rows.Text(row, 0)), rows.Text(row, 1),
	                            KindFromName(rows.Text(row, 2)), rows.Text(row, 3)};
}

} // namespace

void PostgresTransaction::PutAccessKey(const AccessKeyRecord &key) {
	if (connection.Exec("SELECT 1 FROM users WHERE name = $1", {key.user}).Rows() == 0) {
		throw Error(ErrorCode::UndefinedObject, fmt::format("user \"{}\" does not exist", key.user));
	}
	connection.Exec(kPutAccessKey, {key.access_key_id, key.user, key.secret, std::to_string(key.created_at)});
}

std::optional<AccessKeyRecord> PostgresTransaction::FindAccessKey(const std::string &access_key_id) {
	auto rows = connection.Exec(
	    "SELECT access_key_id, user_name, secret, created_at FROM access_keys WHERE access_key_id = $1",
	    {access_key_id});
	if (rows.Rows() == 0) {
		return std::nullopt;
	}
	return AccessKeyRecord {rows.Text(0, 0), rows.Text(0, 1), rows.Text(0, 2), rows.Integer(0, 3)};
}

bool PostgresTransaction::DropAccessKey(const std::string &access_key_id) {
	return connection.Exec("DELETE FROM access_keys WHERE access_key_id = $1", {access_key_id}).Affected() > 0;
}

void PostgresTransaction::CreateNamespace(const NamespaceRecord &record) {
	if (record.name.empty()) {
		throw Error(ErrorCode::InvalidInput, "a namespace needs at least one level");
	}
	NamespaceName parent(record.name.begin(), record.name.end() - 1);
	if (!parent.empty() && !FindNamespace(parent)) {
		throw Error(ErrorCode::InvalidSchemaName, fmt::format("namespace \"{}\" does not exist", DisplayName(parent)));
	}
	auto inserted = connection.Exec("INSERT INTO namespaces (name, parent, properties) VALUES ($1, $2, $3) "
	                                "ON CONFLICT DO NOTHING",
	                                {NamespaceKey(record.name), NamespaceKey(parent), PropertiesJson(record.properties)});
	if (inserted.Affected() == 0) {
		throw Error(ErrorCode::DuplicateSchema, fmt::format("namespace \"{}\" already exists", DisplayName(record.name)));
	}
}

std::optional<NamespaceRecord> PostgresTransaction::FindNamespace(const NamespaceName &name) {
	auto rows = connection.Exec("SELECT properties FROM namespaces WHERE name = $1", {NamespaceKey(name)});
	if (rows.Rows() == 0) {
		return std::nullopt;
	}
	return NamespaceRecord {name, PropertiesFromJson(rows.Text(0, 0))};
}

std::vector<NamespaceRecord> PostgresTransaction::ListNamespaces(const NamespaceName &parent) {
	auto rows = connection.Exec("SELECT name, properties FROM namespaces WHERE parent = $1 ORDER BY name COLLATE \"C\"",
	                            {NamespaceKey(parent)});
	std::vector<NamespaceRecord> namespaces;
	for (int row = 0; row < rows.Rows(); row++) {
		namespaces.push_back(NamespaceRecord {NamespaceFromKey(rows.Text(row, 0)), PropertiesFromJson(rows.Text(row, 1))});
	}
	return namespaces;
}

void PostgresTransaction::SetNamespaceProperties(const NamespaceName &name,
                                                 const std::map<std::string, std::string> &properties) {
	auto updated = connection.Exec("UPDATE namespaces SET properties = $1 WHERE name = $2",
	                               {PropertiesJson(properties), NamespaceKey(name)});
	if (updated.Affected() == 0) {
		throw Error(ErrorCode::InvalidSchemaName, fmt::format("namespace \"{}\" does not exist", DisplayName(name)));
	}
}

bool PostgresTransaction::DropNamespace(const NamespaceName &name) {
	auto key = NamespaceKey(name);
	auto children = connection.Exec("SELECT EXISTS (SELECT 1 FROM namespaces WHERE parent = $1) OR "
	                                "EXISTS (SELECT 1 FROM catalog_objects WHERE namespace = $1)",
	                                {key});
	if (children.Boolean(0, 0)) {
		throw Error(ErrorCode::DependentObjects, fmt::format("namespace \"{}\" is not empty", DisplayName(name)));
	}
	if (connection.Exec("DELETE FROM namespaces WHERE name = $1", {key}).Affected() == 0) {
		return false;
	}
	ForgetNamespace(name);
	return true;
}

std::optional<CatalogObjectRecord> PostgresTransaction::FindObject(const NamespaceName &namespace_name,
                                                                   const std::string &name) {
	auto rows = connection.Exec(std::string(kObjectColumns) + "WHERE namespace = $1 AND name = $2",
	                            {NamespaceKey(namespace_name), name});
	if (rows.Rows() == 0) {
		return std::nullopt;
	}
	return ReadObject(rows, 0);
}

std::vector<CatalogObjectRecord> PostgresTransaction::ListObjects(const NamespaceName &namespace_name,
                                                                  ObjectKind kind) {
	auto rows = connection.Exec(std::string(kObjectColumns) +
	                                "WHERE namespace = $1 AND kind = $2 ORDER BY name COLLATE \"C\"",
	                            {NamespaceKey(namespace_name), KindName(kind)});
	std::vector<CatalogObjectRecord> objects;
	for (int row = 0; row < rows.Rows(); row++) {
		objects.push_back(ReadObject(rows, row));
	}
	return objects;
}

void PostgresTransaction::CreateObject(const CatalogObjectRecord &record) {
	RequireNamespace(record.namespace_name);
	auto inserted = connection.Exec("INSERT INTO catalog_objects (namespace, name, kind, metadata_location) "
	                                "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
	                                {NamespaceKey(record.namespace_name), record.name, KindName(record.kind),
	                                 record.metadata_location});
	if (inserted.Affected() == 0) {
		throw Error(ErrorCode::DuplicateTable,
		            fmt::format("\"{}.{}\" already exists", DisplayName(record.namespace_name), record.name));
	}
}

bool PostgresTransaction::SwapMetadataLocation(const NamespaceName &namespace_name, const std::string &name,
                                               const std::string &expected, const std::string &next) {
	// A concurrent swap of the same row makes this wait for it, then fail with a serialization
	// failure; the retry reads the moved pointer and answers false.
	auto updated = connection.Exec("UPDATE catalog_objects SET metadata_location = $1 "
	                               "WHERE namespace = $2 AND name = $3 AND metadata_location = $4",
	                               {next, NamespaceKey(namespace_name), name, expected});
	return updated.Affected() > 0;
}

void PostgresTransaction::RenameObject(const NamespaceName &from_namespace, const std::string &from_name,
                                       const NamespaceName &to_namespace, const std::string &to_name) {
	if (!FindObject(from_namespace, from_name)) {
		throw Error(ErrorCode::UndefinedTable,
		            fmt::format("\"{}.{}\" does not exist", DisplayName(from_namespace), from_name));
	}
	RequireNamespace(to_namespace);
	bool same = from_namespace == to_namespace && from_name == to_name;
	if (!same && FindObject(to_namespace, to_name)) {
		throw Error(ErrorCode::DuplicateTable, fmt::format("\"{}.{}\" already exists", DisplayName(to_namespace), to_name));
	}
	connection.Exec("UPDATE catalog_objects SET namespace = $1, name = $2 WHERE namespace = $3 AND name = $4",
	                {NamespaceKey(to_namespace), to_name, NamespaceKey(from_namespace), from_name});
	MoveObject(from_namespace, from_name, to_namespace, to_name);
}

bool PostgresTransaction::DropObject(const NamespaceName &namespace_name, const std::string &name) {
	auto dropped = connection.Exec("DELETE FROM catalog_objects WHERE namespace = $1 AND name = $2",
	                               {NamespaceKey(namespace_name), name});
	if (dropped.Affected() == 0) {
		return false;
	}
	ForgetObject(namespace_name, name);
	return true;
}

SqlRows PostgresTransaction::Run(std::string_view sql, const std::vector<std::string> &params) {
	auto result = connection.Exec(sql, params);
	SqlRows rows;
	for (int row = 0; row < result.Rows(); row++) {
		auto &values = rows.rows.emplace_back();
		for (int column = 0; column < result.Columns(); column++) {
			values.push_back(result.Text(row, column));
		}
	}
	rows.affected = result.Affected();
	return rows;
}

void PostgresTransaction::RequireNamespace(const NamespaceName &name) {
	if (!FindNamespace(name)) {
		throw Error(ErrorCode::InvalidSchemaName, fmt::format("namespace \"{}\" does not exist", DisplayName(name)));
	}
}

} // namespace akko::metastore
