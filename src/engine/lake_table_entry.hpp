#pragma once
// Private to engine/: an Iceberg table as a DuckDB table entry, at one schema version. Scans are
// DuckDB's parquet scan over the files of the snapshot the transaction reads; the row id of a
// row is (file, position), exactly what an Iceberg position delete records.
#include "engine/duckdb_internal.hpp"

#include "iceberg/partition_spec.hpp"
#include "iceberg/schema.hpp"

namespace akko::engine {

// What an entry shows: fixed for its lifetime.
struct LakeTableShape {
	std::string uuid;
	std::string location;
	int32_t format_version = 2;
	iceberg::Schema schema;
	// The default spec, which new files are written with.
	iceberg::PartitionSpec spec;
	// The "comment" property (COMMENT ON TABLE).
	std::optional<std::string> comment;
};

class LakeTableEntry : public duckdb::TableCatalogEntry {
public:
	LakeTableEntry(duckdb::Catalog &catalog, duckdb::SchemaCatalogEntry &schema, duckdb::CreateTableInfo &info,
	               LakeTableShape shape_p);

	const LakeTableShape &Shape() const {
		return shape;
	}

	duckdb::unique_ptr<duckdb::BaseStatistics> GetStatistics(duckdb::ClientContext &context,
	                                                         duckdb::column_t column_id) override;
	duckdb::TableFunction GetScanFunction(duckdb::ClientContext &context,
	                                      duckdb::unique_ptr<duckdb::FunctionData> &bind_data) override;
	duckdb::TableFunction GetScanFunction(duckdb::ClientContext &context, duckdb::unique_ptr<duckdb::FunctionData> &bind_data,
	                                      const duckdb::EntryLookupInfo &lookup_info) override;
	duckdb::TableStorageInfo GetStorageInfo(duckdb::ClientContext &context) override;
	duckdb::virtual_column_map_t GetVirtualColumns() const override;
	duckdb::vector<duckdb::column_t> GetRowIdColumns() const override;
	void BindUpdateConstraints(duckdb::Binder &binder, duckdb::LogicalGet &get, duckdb::LogicalProjection &proj,
	                           duckdb::LogicalUpdate &update, duckdb::ClientContext &context) override;

private:
	LakeTableShape shape;
};

// The CreateTableInfo DuckDB sees for `shape`: columns, write defaults, NOT NULL for required
// fields and a primary key for the identifier fields.
duckdb::unique_ptr<duckdb::CreateTableInfo> TableInfoOf(duckdb::SchemaCatalogEntry &schema, const std::string &name,
                                                        const LakeTableShape &shape);

} // namespace akko::engine
