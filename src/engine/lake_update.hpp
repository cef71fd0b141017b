#pragma once
// Private to engine/: UPDATE as merge-on-read: position deletes for the old rows and new data
// files for the new ones. One input stream feeds two sinks, which DuckDB pipelines cannot do, so
// LakeUpdate drives a COPY and a LakeDelete by hand, then drains the COPY into a LakeInsert.
#include "engine/duckdb_internal.hpp"

namespace akko::engine {

class LakeDelete;
class LakeInsert;
class LakeTableEntry;

class LakeUpdate : public duckdb::PhysicalOperator {
public:
	LakeUpdate(duckdb::PhysicalPlan &plan, LakeTableEntry &table_p,
	           duckdb::vector<duckdb::unique_ptr<duckdb::Expression>> row_expressions_p,
	           duckdb::vector<duckdb::unique_ptr<duckdb::Expression>> copy_expressions_p, duckdb::PhysicalCopyToFile &copy_p,
	           duckdb::optional_ptr<LakeDelete> delete_op_p, LakeInsert &insert_p);

	duckdb::unique_ptr<duckdb::GlobalSinkState> GetGlobalSinkState(duckdb::ClientContext &context) const override;
	duckdb::unique_ptr<duckdb::LocalSinkState> GetLocalSinkState(duckdb::ExecutionContext &context) const override;
	duckdb::SinkResultType Sink(duckdb::ExecutionContext &context, duckdb::DataChunk &chunk,
	                            duckdb::OperatorSinkInput &input) const override;
	duckdb::SinkCombineResultType Combine(duckdb::ExecutionContext &context,
	                                      duckdb::OperatorSinkCombineInput &input) const override;
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
		return true;
	}
	std::string GetName() const override {
		return "ICEBERG_UPDATE";
	}

private:
	LakeTableEntry &table;
	// The new row, in table column order, from the input chunk; empty for MERGE's INSERT action,
	// whose input already is the new row.
	duckdb::vector<duckdb::unique_ptr<duckdb::Expression>> row_expressions;
	// The COPY's input (columns, then partition values) from the new row.
	duckdb::vector<duckdb::unique_ptr<duckdb::Expression>> copy_expressions;
	duckdb::PhysicalCopyToFile &copy;
	// Null for MERGE's INSERT action, which deletes nothing.
	duckdb::optional_ptr<LakeDelete> delete_op;
	LakeInsert &insert;
};

// Plans UPDATE (and MERGE ... UPDATE): new values at `expressions` for `columns`, the row id at
// `row_id_index` and `row_id_index + 1` of the input.
duckdb::PhysicalOperator &PlanLakeUpdate(duckdb::ClientContext &context, duckdb::PhysicalPlanGenerator &planner,
                                         LakeTableEntry &table, const duckdb::vector<duckdb::PhysicalIndex> &columns,
                                         duckdb::vector<duckdb::unique_ptr<duckdb::Expression>> &expressions,
                                         duckdb::idx_t row_id_index);
// Plans MERGE ... INSERT: the input rows are the new rows.
duckdb::PhysicalOperator &PlanLakeMergeInsert(duckdb::ClientContext &context, duckdb::PhysicalPlanGenerator &planner,
                                              LakeTableEntry &table);

} // namespace akko::engine
