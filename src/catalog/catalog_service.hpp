#pragma once
// The catalog: namespaces, tables and views, and the commit protocol every writer goes through
// (the engine's SQL, the Iceberg REST API). A table is a metastore row pointing at its current
// metadata file in the warehouse; a commit writes a new metadata file, then swaps the pointer in
// one metastore transaction if it still points where the writer started. A crash at any instant
// leaves every table at its old or its new metadata; a lost race re-reads and tries again.
#include "iceberg/table_metadata.hpp"
#include "iceberg/table_requirement.hpp"
#include "iceberg/table_update.hpp"
#include "iceberg/view_metadata.hpp"
#include "iceberg/view_update.hpp"
#include "metastore/metastore.hpp"
#include "objstore/store.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace akko::catalog {

using metastore::NamespaceName;

struct TableIdentifier {
	NamespaceName namespace_name;
	std::string name;
};

std::string ToString(const TableIdentifier &id);

struct LoadedTable {
	TableIdentifier id;
	std::string metadata_location;
	std::shared_ptr<const iceberg::TableMetadata> metadata;
};

struct LoadedView {
	TableIdentifier id;
	std::string metadata_location;
	std::shared_ptr<const iceberg::ViewMetadata> metadata;
};

struct CreateTableRequest {
	TableIdentifier id;
	iceberg::Schema schema;
	iceberg::PartitionSpec spec;
	iceberg::SortOrder sort_order;
	// A warehouse URI; empty: a fresh one under the namespace's location.
	std::string location;
	std::map<std::string, std::string> properties;
};

// What a writer wants to change, given the table as it is now. Requirements are checked
// against that state, then the updates are applied to it.
struct TableChange {
	std::vector<iceberg::TableRequirement> requirements;
	std::vector<iceberg::TableUpdate> updates;
};

// Builds the changes from the current state of every table involved (in the order they were
// named). Called again after a lost race, with the newer state; throws to give up (a writer whose
// work conflicts throws SerializationFailure).
using ChangeBuilder = std::function<std::vector<TableChange>(const std::vector<LoadedTable> &bases)>;

class CatalogService {
public:
	// `warehouse` is the URI new tables go under, e.g. "s3://akko-warehouse/".
	CatalogService(metastore::Metastore &metastore_p, objstore::Store &store_p, std::string warehouse_p);

	void CreateNamespace(const NamespaceName &name, const std::map<std::string, std::string> &properties);
	bool NamespaceExists(const NamespaceName &name);
	// The direct children of `parent` (the top level when empty).
	std::vector<NamespaceName> ListNamespaces(const NamespaceName &parent);
	std::map<std::string, std::string> LoadNamespaceProperties(const NamespaceName &name);
	// Removes `removals`, then sets `updates`; a key in both is refused. Returns the removed keys
	// that were not there.
	std::vector<std::string> UpdateNamespaceProperties(const NamespaceName &name,
	                                                   const std::vector<std::string> &removals,
	                                                   const std::map<std::string, std::string> &updates);
	// Throws DependentObjects when it is not empty.
	void DropNamespace(const NamespaceName &name);

	std::vector<TableIdentifier> ListTables(const NamespaceName &namespace_name);
	// Throws UndefinedTable.
	LoadedTable LoadTable(const TableIdentifier &id);
	std::optional<LoadedTable> FindTable(const TableIdentifier &id);
	LoadedTable CreateTable(const CreateTableRequest &request);
	// Adopts an existing metadata file (written by us or another engine) as a new table.
	LoadedTable RegisterTable(const TableIdentifier &id, const std::string &metadata_location);
	void RenameTable(const TableIdentifier &from, const TableIdentifier &to);
	// With `purge`, also deletes every file the table's metadata references.
	void DropTable(const TableIdentifier &id, bool purge);

	// One table's requirements and updates, retried over concurrent commits while the
	// requirements still hold. Throws SerializationFailure when one does not.
	LoadedTable CommitTable(const TableIdentifier &id, const TableChange &change);
	// Changes to several tables, all committed or none.
	std::vector<LoadedTable> CommitTables(const std::vector<TableIdentifier> &ids, const ChangeBuilder &build);

	// The metadata file at `location`, parsed; files never change once written, so this caches.
	std::shared_ptr<const iceberg::TableMetadata> ReadMetadata(const std::string &location);

	std::vector<TableIdentifier> ListViews(const NamespaceName &namespace_name);
	std::optional<LoadedView> FindView(const TableIdentifier &id);
	// Throws UndefinedTable (a view is a relation, as in PostgreSQL).
	LoadedView LoadView(const TableIdentifier &id);
	// A new view whose first version is `version` over `schema`; with `replace`, an existing view
	// of that name gets `version` as a new current version instead.
	LoadedView CreateView(const TableIdentifier &id, const iceberg::Schema &schema, const iceberg::ViewVersion &version,
	                      const std::map<std::string, std::string> &properties, bool replace);
	// The REST API's view commit: requirements checked, updates applied, pointer swapped.
	LoadedView CommitView(const TableIdentifier &id, const std::vector<iceberg::ViewRequirement> &requirements,
	                      const std::vector<iceberg::ViewUpdate> &updates);
	void RenameView(const TableIdentifier &from, const TableIdentifier &to);
	void DropView(const TableIdentifier &id);

	// Where a new table of that name goes: under the warehouse, with a fresh suffix, as Trino's
	// unique-table-location does, so a re-created table never meets a dropped one's files.
	std::string NewTableLocation(const TableIdentifier &id);

	objstore::Store &Store() {
		return store;
	}

private:
	// Tables and views alike, by kind.
	std::vector<TableIdentifier> ListObjects(const NamespaceName &namespace_name, metastore::ObjectKind kind);
	std::optional<std::string> FindMetadataLocation(const TableIdentifier &id, metastore::ObjectKind kind);
	void RenameObject(const TableIdentifier &from, const TableIdentifier &to, metastore::ObjectKind kind);
	// Writes a new object's first metadata file, then names it in the metastore (the file is
	// deleted again when the name is taken).
	void PublishNew(const TableIdentifier &id, metastore::ObjectKind kind, const std::string &metadata_location,
	                const std::string &metadata_json);
	// Returns the dropped object's metadata location.
	std::string DropObject(const TableIdentifier &id, metastore::ObjectKind kind);
	std::string NewMetadataLocation(const std::string &table_location, const std::string &previous_location);
	void WriteMetadata(const std::string &location, const iceberg::TableMetadata &metadata);
	std::shared_ptr<const iceberg::ViewMetadata> ReadViewMetadata(const std::string &location);
	// Writes `metadata` as the next file after `previous_location` and swaps the view's pointer.
	LoadedView SwapView(const LoadedView &base, const iceberg::ViewMetadata &metadata);

	metastore::Metastore &metastore;
	objstore::Store &store;
	std::string warehouse;

	// Commits to one table from this process queue here instead of racing each other: the
	// optimistic protocol then only retries against other processes.
	std::vector<std::unique_lock<std::mutex>> LockTables(const std::vector<TableIdentifier> &ids);
	std::mutex table_locks_lock;
	std::map<std::string, std::unique_ptr<std::mutex>> table_locks;

	std::mutex cache_lock;
	std::map<std::string, std::shared_ptr<const iceberg::TableMetadata>> metadata_cache;
	std::map<std::string, std::shared_ptr<const iceberg::ViewMetadata>> view_cache;
};

// Refuses names that are empty, over 255 bytes, hold control characters or path separators,
// or are "." or ".." (they become parts of warehouse paths). Throws InvalidName.
void ValidateName(const std::string &name, const char *what);

} // namespace akko::catalog
