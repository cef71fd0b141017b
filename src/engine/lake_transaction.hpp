#pragma once
// Private to engine/: what one DuckDB transaction knows of the lake. DDL commits at once through
// the CatalogService; data changes (new data files, position delete files) wait here and commit
// at COMMIT in one CommitTables call for every table written, all or nothing. Each table is read
// at the metadata pinned when the transaction first touched it, plus the transaction's own
// uncommitted files.
#include "engine/duckdb_internal.hpp"

#include "catalog/catalog_service.hpp"
#include "iceberg/snapshot_producer.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace akko::engine {

class LakeCatalog;

struct LakeTableState {
	catalog::TableIdentifier id;
	catalog::LoadedTable base;
	// The snapshot this transaction first read. Conflicts at commit are judged from here, also
	// after the transaction's own DDL re-pinned `base` to the table's newest metadata.
	std::optional<int64_t> read_snapshot_id;
	// Data files and position delete files written by this transaction, not yet committed.
	std::vector<iceberg::AddedFile> added;
	bool has_deletes = false;
	// Created by this transaction's CREATE TABLE AS: dropped again if the transaction fails.
	bool created_here = false;
};

// A data file some scan of this transaction listed, by the local path DuckDB read it from: a
// DELETE or UPDATE turns those paths back into the file's URI and partition.
struct ScannedFile {
	std::string uri;
	int32_t spec_id = 0;
	std::vector<iceberg::Literal> partition;
};

class LakeTransaction : public duckdb::Transaction {
public:
	LakeTransaction(LakeCatalog &catalog_p, duckdb::TransactionManager &manager, duckdb::ClientContext &context);

	static LakeTransaction &Get(duckdb::ClientContext &context, duckdb::Catalog &catalog);

	// DuckDB schema names are namespaces with their levels joined by '.'.
	bool NamespaceExists(const std::string &schema);
	std::vector<std::string> Namespaces();
	// Forgets what was cached about namespaces and missing tables (after this transaction's DDL).
	void Invalidate();

	// The views of a namespace: name -> the CREATE VIEW statement DuckDB binds (see
	// LakeSchemaEntry::CreateView).
	const std::map<std::string, std::string> &Views(const std::string &schema);

	// The table as pinned for this transaction; null when it does not exist.
	LakeTableState *FindTable(const std::string &schema, const std::string &name);
	// Replaces the pinned metadata after this transaction's DDL changed the table (keeping its
	// uncommitted files), or pins a table it created.
	LakeTableState &Repin(const std::string &schema, const std::string &name, catalog::LoadedTable table);
	void Forget(const std::string &schema, const std::string &name);

	void AddFiles(LakeTableState &table, std::vector<iceberg::AddedFile> files);
	void RememberScannedFile(const std::string &local_path, ScannedFile file);
	const ScannedFile *FindScannedFile(const std::string &local_path) const;

	void Commit();
	void Rollback();
	uint64_t LocalChanges() const {
		return local_changes;
	}

private:
	// Builds the CommitTables changes for `writes` on top of `bases`.
	std::vector<catalog::TableChange> BuildChanges(const std::vector<LakeTableState *> &writes,
	                                               const std::vector<catalog::LoadedTable> &bases);

	LakeCatalog &catalog;
	std::map<std::string, std::unique_ptr<LakeTableState>> tables;
	std::optional<std::set<std::string>> namespaces;
	std::map<std::string, std::map<std::string, std::string>> views;
	std::map<std::string, ScannedFile> scanned_files;
	// Manifests of each written table's new files: written once, kept over commit retries.
	std::map<std::string, std::pair<int64_t, std::vector<iceberg::ManifestFile>>> written_manifests;
	uint64_t local_changes = 0;
};

std::string TableKey(const std::string &schema, const std::string &name);
// Views are Iceberg views whose SQL representation has this dialect.
constexpr const char *kViewDialect = "duckdb";
metastore::NamespaceName NamespaceOf(const std::string &schema);
std::string SchemaNameOf(const metastore::NamespaceName &name);

} // namespace akko::engine
