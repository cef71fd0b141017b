#pragma once
// The Transaction interface as SQL on one PostgreSQL connection inside a SERIALIZABLE
// transaction block. Internal to the metastore library.
//
// A failed statement aborts a PostgreSQL transaction, while SQLite's carries on; so that a
// body may catch "already exists" and go on as it can on SQLite, expected conflicts are
// answered by ON CONFLICT DO NOTHING and checks, never by a constraint error. Lists sort
// by byte order (COLLATE "C"), as SQLite does, whatever the database's collation.
#include "metastore/metastore.hpp"
#include "metastore/portable_transaction.hpp"
#include "metastore/postgres_connection.hpp"

namespace akko::metastore {

class PostgresTransaction : public PortableTransaction {
public:
	explicit PostgresTransaction(PostgresConnection &connection_p) : connection(connection_p) {
	}

	void PutAccessKey(const AccessKeyRecord &key) override;
	std::optional<AccessKeyRecord> FindAccessKey(const std::string &access_key_id) override;
	bool DropAccessKey(const std::string &access_key_id) override;

	void CreateNamespace(const NamespaceRecord &record) override;
	std::optional<NamespaceRecord> FindNamespace(const NamespaceName &name) override;
	std::vector<NamespaceRecord> ListNamespaces(const NamespaceName &parent) override;
	void SetNamespaceProperties(const NamespaceName &name,
	                            const std::map<std::string, std::string> &properties) override;
	bool DropNamespace(const NamespaceName &name) override;

	std::optional<CatalogObjectRecord> FindObject(const NamespaceName &namespace_name,
	                                              const std::string &name) override;
	std::vector<CatalogObjectRecord> ListObjects(const NamespaceName &namespace_name, ObjectKind kind) override;
	void CreateObject(const CatalogObjectRecord &record) override;
	bool SwapMetadataLocation(const NamespaceName &namespace_name, const std::string &name,
	                          const std::string &expected, const std::string &next) override;
	void RenameObject(const NamespaceName &from_namespace, const std::string &from_name,
	                  const NamespaceName &to_namespace, const std::string &to_name) override;
	bool DropObject(const NamespaceName &namespace_name, const std::string &name) override;

protected:
	SqlRows Run(std::string_view sql, const std::vector<std::string> &params) override;

private:
	void RequireNamespace(const NamespaceName &name);

	PostgresConnection &connection;
};

} // namespace akko::metastore
