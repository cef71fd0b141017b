#pragma once
// Private to engine/: DELETE as Iceberg position deletes. The scan's row id is (file, position);
// LakeDelete collects them and, when the statement ends, writes one Parquet position delete file
// per partition of the data files hit (file_path and pos, field ids 2147483546 and 2147483545,
// sorted by path then position), which the transaction commits at COMMIT.
#include "engine/duckdb_internal.hpp"

namespace akko::engine {

class LakeTableEntry;

class LakeDelete : public duckdb::PhysicalOperator {
public:
	// `filename_index` and `position_index` are the row id's columns in the input chunks.
	LakeDelete(duckdb::PhysicalPlan &plan, LakeTableEntry &table_p, duckdb::idx_t filename_index_p,
	           duckdb::idx_t position_index_p);

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
		return true;
	}
	std::string GetName() const override {
		return "ICEBERG_DELETE";
	}
	duckdb::InsertionOrderPreservingMap<std::string> ParamsToString() const override;

private:
	LakeTableEntry &table;
	duckdb::idx_t filename_index;
	duckdb::idx_t position_index;
};

} // namespace akko::engine
