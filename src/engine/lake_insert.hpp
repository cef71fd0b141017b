#pragma once
// Private to engine/: writing a lake table. DuckDB's parquet COPY writes the files (field ids,
// RETURN_STATS, hive directories per partition); LakeInsert, on top of it, turns each written
// file into an Iceberg DataFile and hands them to the transaction, which commits them at COMMIT.
#include "engine/duckdb_internal.hpp"

#include "engine/lake_stats.hpp"
#include "iceberg/partition_spec.hpp"
#include "iceberg/schema.hpp"

namespace akko::engine {

class LakeCatalog;
class LakeSchemaEntry;
class LakeTableEntry;
struct LakeTableState;

struct LakeCopyPlan {
	duckdb::PhysicalCopyToFile &copy;
	// One per copy input column: the table's columns, then the partition values.
	duckdb::vector<duckdb::unique_ptr<duckdb::Expression>> input_expressions;
	WriteLocation location;
};

// A COPY of rows with the table's columns (in schema order) into `<table location>/data/`.
// With a child, the partition values are computed by a projection under it; without one (UPDATE
// and MERGE feed it by hand), the caller evaluates input_expressions.
LakeCopyPlan PlanLakeCopy(duckdb::ClientContext &context, duckdb::PhysicalPlanGenerator &planner, LakeCatalog &catalog,
                          const std::string &table_location, const iceberg::Schema &schema,
                          const iceberg::PartitionSpec &spec, duckdb::optional_ptr<duckdb::PhysicalOperator> child);

// What a CREATE TABLE AS creates when it starts executing.
struct LakeCreateTarget {
	LakeSchemaEntry *schema = nullptr;
	duckdb::unique_ptr<duckdb::CreateTableInfo> info;
	std::string location;
	iceberg::Schema iceberg_schema; // with the ids the new table will assign
};

class LakeInsert : public duckdb::PhysicalOperator {
public:
	LakeInsert(duckdb::PhysicalPlan &plan, LakeTableEntry &table_p, WriteLocation location_p);
	LakeInsert(duckdb::PhysicalPlan &plan, LakeCreateTarget create_p, WriteLocation location_p);

	duckdb::unique_ptr<duckdb::GlobalSinkState> GetGlobalSinkState(duckdb::ClientContext &context) const override;
	duckdb::SinkResultType Sink(duckdb::ExecutionContext &context, duckdb::DataChunk &chunk,
	                            duckdb::OperatorSinkInput &input) const override;
	duckdb::SinkFinalizeType Finalize(duckdb::Pipeline &pipeline, duckdb::Event &event, duckdb::ClientContext &context,
	                                  duckdb::OperatorSinkFinalizeInput &input) const override;
	duckdb::SourceResultType GetData(duckdb::ExecutionContext &context, duckdb::DataChunk &chunk,
	                                 duckdb::OperatorSourceInput &input) const override;
	bool IsSink() const override {
		return true;
	}
	bool IsSource() const override {
		return true;
	}
	bool ParallelSink() const override {
		return false;
	}
	std::string GetName() const override;
	duckdb::InsertionOrderPreservingMap<std::string> ParamsToString() const override;

private:
	duckdb::optional_ptr<LakeTableEntry> table;
	LakeCreateTarget create;
	WriteLocation location;
};

} // namespace akko::engine
