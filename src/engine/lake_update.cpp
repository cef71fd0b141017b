#include "engine/duckdb_internal.hpp"
#include "engine/lake_update.hpp"

#include "engine/lake_catalog.hpp"
#include "engine/lake_delete.hpp"
#include "engine/lake_insert.hpp"
#include "engine/lake_table_entry.hpp"

namespace akko::engine {

using namespace duckdb;

namespace {

class LakeUpdateGlobalState : public GlobalSinkState {
public:
	std::atomic<idx_t> updated {0};
};

class LakeUpdateLocalState : public LocalSinkState {
public:
	unique_ptr<LocalSinkState> copy_state;
	unique_ptr<LocalSinkState> delete_state;
	unique_ptr<ExpressionExecutor> row_executor;
	unique_ptr<ExpressionExecutor> copy_executor;
	DataChunk row_chunk;
	DataChunk copy_chunk;
};

} // namespace

LakeUpdate::LakeUpdate(PhysicalPlan &plan, LakeTableEntry &table_p, vector<unique_ptr<Expression>> row_expressions_p,
                       vector<unique_ptr<Expression>> copy_expressions_p, PhysicalCopyToFile &copy_p,
                       optional_ptr<LakeDelete> delete_op_p, LakeInsert &insert_p)
    : PhysicalOperator(plan, PhysicalOperatorType::EXTENSION, {LogicalType::BIGINT}, 1), table(table_p),
      row_expressions(std::move(row_expressions_p)), copy_expressions(std::move(copy_expressions_p)), copy(copy_p),
      delete_op(delete_op_p), insert(insert_p) {
}

unique_ptr<GlobalSinkState> LakeUpdate::GetGlobalSinkState(ClientContext &context) const {
	copy.sink_state = copy.GetGlobalSinkState(context);
	if (delete_op) {
		delete_op.get_mutable()->sink_state = delete_op->GetGlobalSinkState(context);
	}
	insert.sink_state = insert.GetGlobalSinkState(context);
	return make_uniq<LakeUpdateGlobalState>();
}

unique_ptr<LocalSinkState> LakeUpdate::GetLocalSinkState(ExecutionContext &context) const {
	auto result = make_uniq<LakeUpdateLocalState>();
	result->copy_state = copy.GetLocalSinkState(context);
	if (delete_op) {
		result->delete_state = delete_op->GetLocalSinkState(context);
	}
	if (!row_expressions.empty()) {
		result->row_executor = make_uniq<ExpressionExecutor>(context.client, row_expressions);
		result->row_chunk.Initialize(context.client, table.GetTypes());
	}
	result->copy_executor = make_uniq<ExpressionExecutor>(context.client, copy_expressions);
	result->copy_chunk.Initialize(context.client, copy.expected_types);
	return result;
}

SinkResultType LakeUpdate::Sink(ExecutionContext &context, DataChunk &chunk, OperatorSinkInput &input) const {
	auto &state = input.local_state.Cast<LakeUpdateLocalState>();
	auto *row = &chunk;
	if (state.row_executor) {
		state.row_chunk.Reset();
		state.row_executor->Execute(chunk, state.row_chunk);
		row = &state.row_chunk;
	}
	state.copy_chunk.Reset();
	state.copy_executor->Execute(*row, state.copy_chunk);
	OperatorSinkInput copy_input {*copy.sink_state, *state.copy_state, input.interrupt_state};
	copy.Sink(context, state.copy_chunk, copy_input);
	if (delete_op) {
		OperatorSinkInput delete_input {*delete_op->sink_state, *state.delete_state, input.interrupt_state};
		delete_op->Sink(context, chunk, delete_input);
	}
	input.global_state.Cast<LakeUpdateGlobalState>().updated += chunk.size();
	return SinkResultType::NEED_MORE_INPUT;
}

SinkCombineResultType LakeUpdate::Combine(ExecutionContext &context, OperatorSinkCombineInput &input) const {
	auto &state = input.local_state.Cast<LakeUpdateLocalState>();
	OperatorSinkCombineInput copy_input {*copy.sink_state, *state.copy_state, input.interrupt_state};
	copy.Combine(context, copy_input);
	if (delete_op) {
		OperatorSinkCombineInput delete_input {*delete_op->sink_state, *state.delete_state, input.interrupt_state};
		delete_op->Combine(context, delete_input);
	}
	return SinkCombineResultType::FINISHED;
}

SinkFinalizeType LakeUpdate::Finalize(Pipeline &pipeline, Event &event, ClientContext &context,
                                      OperatorSinkFinalizeInput &input) const {
	OperatorSinkFinalizeInput copy_finalize {*copy.sink_state, input.interrupt_state};
	copy.Finalize(pipeline, event, context, copy_finalize);
	if (delete_op) {
		OperatorSinkFinalizeInput delete_finalize {*delete_op->sink_state, input.interrupt_state};
		delete_op->Finalize(pipeline, event, context, delete_finalize);
	}
	ThreadContext thread(context);
	ExecutionContext execution(context, thread, nullptr);
	auto source_global = copy.GetGlobalSourceState(context);
	auto source_local = copy.GetLocalSourceState(execution, *source_global);
	auto insert_local = insert.GetLocalSinkState(execution);
	DataChunk written;
	written.Initialize(context, copy.types);
	OperatorSourceInput source_input {*source_global, *source_local, input.interrupt_state};
	OperatorSinkInput sink_input {*insert.sink_state, *insert_local, input.interrupt_state};
	while (true) {
		written.Reset();
		auto result = copy.GetData(execution, written, source_input);
		if (written.size() > 0) {
			insert.Sink(execution, written, sink_input);
		}
		if (result != SourceResultType::HAVE_MORE_OUTPUT) {
			break;
		}
	}
	OperatorSinkFinalizeInput insert_finalize {*insert.sink_state, input.interrupt_state};
	insert.Finalize(pipeline, event, context, insert_finalize);
	return SinkFinalizeType::READY;
}

SourceResultType LakeUpdate::GetData(ExecutionContext &context, DataChunk &chunk, OperatorSourceInput &input) const {
	auto &state = sink_state->Cast<LakeUpdateGlobalState>();
	chunk.SetCardinality(1);
	chunk.SetValue(0, 0, Value::BIGINT(NumericCast<int64_t>(state.updated.load())));
	return SourceResultType::FINISHED;
}

PhysicalOperator &PlanLakeUpdate(ClientContext &context, PhysicalPlanGenerator &planner, LakeTableEntry &table,
                                 const vector<PhysicalIndex> &columns, vector<unique_ptr<Expression>> &expressions,
                                 idx_t row_id_index) {
	for (auto &expression : expressions) {
		if (expression->GetExpressionType() == ExpressionType::VALUE_DEFAULT) {
			throw NotImplementedException("UPDATE ... SET column = DEFAULT on an Iceberg table");
		}
	}
	vector<unique_ptr<Expression>> row_expressions(table.GetColumns().PhysicalColumnCount());
	for (idx_t i = 0; i < columns.size(); i++) {
		row_expressions[columns[i].index] = expressions[i]->Copy();
	}
	auto &catalog = table.ParentCatalog().Cast<LakeCatalog>();
	auto &shape = table.Shape();
	auto copy = PlanLakeCopy(context, planner, catalog, shape.location, shape.schema, shape.spec, nullptr);
	auto &delete_op = planner.Make<LakeDelete>(table, row_id_index, row_id_index + 1).Cast<LakeDelete>();
	auto &insert = planner.Make<LakeInsert>(table, copy.location).Cast<LakeInsert>();
	return planner.Make<LakeUpdate>(table, std::move(row_expressions), std::move(copy.input_expressions), copy.copy,
	                                &delete_op, insert);
}

PhysicalOperator &PlanLakeMergeInsert(ClientContext &context, PhysicalPlanGenerator &planner, LakeTableEntry &table) {
	auto &catalog = table.ParentCatalog().Cast<LakeCatalog>();
	auto &shape = table.Shape();
	auto copy = PlanLakeCopy(context, planner, catalog, shape.location, shape.schema, shape.spec, nullptr);
	auto &insert = planner.Make<LakeInsert>(table, copy.location).Cast<LakeInsert>();
	auto &result = planner.Make<LakeUpdate>(table, vector<unique_ptr<Expression>>(), std::move(copy.input_expressions),
	                                        copy.copy, nullptr, insert);
	return result;
}

} // namespace akko::engine
