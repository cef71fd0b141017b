#pragma once
// Private to engine/: the lake as a DuckDB catalog (attached as `iceberg`, the default catalog).
// Namespaces are schemas, Iceberg tables are tables; reads and writes are DuckDB's parquet
// scan and COPY over the warehouse files, planned and committed through the CatalogService.
#include "engine/duckdb_internal.hpp"

#include "catalog/catalog_service.hpp"
#include "iceberg/scan_planner.hpp"
#include "iceberg/snapshot_producer.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace akko::engine {

class LakeSchemaEntry;
class LakeTableEntry;
class DeleteFileCache;

class LakeCatalog : public duckdb::Catalog {
public:
	LakeCatalog(duckdb::AttachedDatabase &db, catalog::CatalogService &service_p, std::string warehouse_p);
	~LakeCatalog() override;

	catalog::CatalogService &Service() {
		return service;
	}
	iceberg::ManifestCache &Manifests() {
		return manifests;
	}
	DeleteFileCache &Deletes() {
		return *deletes;
	}
	// The path DuckDB reads and writes the file at `uri` by: its place on this machine when the
	// store keeps files locally, else the URI itself, served by LakeFileSystem.
	std::string EnginePath(const std::string &uri);
	iceberg::FileReader Reader();
	iceberg::FileWriter Writer();
	// A fresh location for a new table, as the CatalogService would pick one.
	std::string NewTableLocation(const catalog::TableIdentifier &id);
	// Counts commits and DDL made through this catalog, so prepared statements re-bind.
	void Changed() {
		version++;
	}

	LakeSchemaEntry &SchemaEntry(const std::string &name);
	// Entries are immutable views of one table at one schema version; they live as long as the
	// catalog so bound plans and prepared statements can hold them.
	LakeTableEntry &TableEntry(LakeSchemaEntry &schema, const std::string &name, const iceberg::TableMetadata &metadata,
	                           int32_t schema_id);

	// A view from its CREATE VIEW statement, bound once per statement text.
	duckdb::ViewCatalogEntry &ViewEntry(duckdb::ClientContext &context, LakeSchemaEntry &schema, const std::string &name,
	                                    const std::string &sql);

	void Initialize(bool load_builtin) override {
	}
	std::string GetCatalogType() override {
		return "iceberg";
	}
	duckdb::optional_ptr<duckdb::CatalogEntry> CreateSchema(duckdb::CatalogTransaction transaction,
	                                                        duckdb::CreateSchemaInfo &info) override;
	duckdb::optional_ptr<duckdb::SchemaCatalogEntry> LookupSchema(duckdb::CatalogTransaction transaction,
	                                                              const duckdb::EntryLookupInfo &schema_lookup,
	                                                              duckdb::OnEntryNotFound if_not_found) override;
	void ScanSchemas(duckdb::ClientContext &context, std::function<void(duckdb::SchemaCatalogEntry &)> callback) override;

	duckdb::PhysicalOperator &PlanCreateTableAs(duckdb::ClientContext &context, duckdb::PhysicalPlanGenerator &planner,
	                                            duckdb::LogicalCreateTable &op, duckdb::PhysicalOperator &plan) override;
	duckdb::PhysicalOperator &PlanInsert(duckdb::ClientContext &context, duckdb::PhysicalPlanGenerator &planner,
	                                     duckdb::LogicalInsert &op, duckdb::optional_ptr<duckdb::PhysicalOperator> plan) override;
	duckdb::PhysicalOperator &PlanDelete(duckdb::ClientContext &context, duckdb::PhysicalPlanGenerator &planner,
	                                     duckdb::LogicalDelete &op, duckdb::PhysicalOperator &plan) override;
	duckdb::PhysicalOperator &PlanUpdate(duckdb::ClientContext &context, duckdb::PhysicalPlanGenerator &planner,
	                                     duckdb::LogicalUpdate &op, duckdb::PhysicalOperator &plan) override;
	duckdb::PhysicalOperator &PlanMergeInto(duckdb::ClientContext &context, duckdb::PhysicalPlanGenerator &planner,
	                                        duckdb::LogicalMergeInto &op, duckdb::PhysicalOperator &plan) override;

	duckdb::DatabaseSize GetDatabaseSize(duckdb::ClientContext &context) override {
		return duckdb::DatabaseSize();
	}
	bool InMemory() override {
		return false;
	}
	std::string GetDBPath() override {
		return warehouse;
	}
	bool SupportsTimeTravel() const override {
		return true;
	}
	duckdb::optional_idx GetCatalogVersion(duckdb::ClientContext &context) override;

private:
	void DropSchema(duckdb::ClientContext &context, duckdb::DropInfo &info) override;

	catalog::CatalogService &service;
	std::string warehouse;
	iceberg::ManifestCache manifests;
	std::unique_ptr<DeleteFileCache> deletes;
	std::atomic<uint64_t> version {1};

	std::mutex entry_lock;
	std::map<std::string, std::unique_ptr<LakeSchemaEntry>> schema_entries;
	std::map<std::string, std::unique_ptr<LakeTableEntry>> table_entries;
	std::map<std::string, std::unique_ptr<duckdb::ViewCatalogEntry>> view_entries;
};

} // namespace akko::engine
