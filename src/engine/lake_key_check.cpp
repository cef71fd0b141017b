#include "engine/duckdb_internal.hpp"
#include "engine/lake_key_check.hpp"

#include "engine/lake_scan.hpp"
#include "engine/lake_table_entry.hpp"

#include <unordered_set>

namespace akko::engine {

using namespace duckdb;

void CheckPrimaryKey(ClientContext &context, LakeTableEntry &table) {
	auto &shape = table.Shape();
	if (shape.schema.identifier_field_ids.empty()) {
		return;
	}
	vector<column_t> column_ids;
	vector<string> names;
	vector<LogicalType> types;
	for (auto id : shape.schema.identifier_field_ids) {
		for (idx_t i = 0; i < shape.schema.fields.size(); i++) {
			if (shape.schema.fields[i].id == id) {
				column_ids.push_back(i);
				names.push_back(shape.schema.fields[i].name);
				types.push_back(table.GetColumn(LogicalIndex(i)).Type());
			}
		}
	}
	// The table's own scan, driven by hand: field ids, deletes and this transaction's files.
	unique_ptr<FunctionData> bind_data;
	auto scan = LakeScanFunction(context, table, bind_data, nullptr);
	ThreadContext thread(context);
	ExecutionContext execution(context, thread, nullptr);
	TableFunctionInitInput init_input(bind_data.get(), column_ids, vector<idx_t>(), nullptr);
	auto global_state = scan.init_global(context, init_input);
	auto local_state = scan.init_local(execution, init_input, global_state.get());
	DataChunk chunk;
	chunk.Initialize(context, types);
	std::unordered_set<std::string> keys;
	while (true) {
		chunk.Reset();
		TableFunctionInput input(bind_data.get(), local_state.get(), global_state.get());
		scan.function(context, input, chunk);
		if (chunk.size() == 0) {
			return;
		}
		for (idx_t row = 0; row < chunk.size(); row++) {
			std::string key;
			for (idx_t col = 0; col < chunk.ColumnCount(); col++) {
				auto value = chunk.GetValue(col, row);
				key += value.IsNull() ? std::string("\x01") : value.ToString();
				key += '\x1f';
			}
			if (!keys.insert(key).second) {
				string shown;
				for (idx_t col = 0; col < chunk.ColumnCount(); col++) {
					shown += (col ? ", " : "") + names[col] + ": " + chunk.GetValue(col, row).ToString();
				}
				throw ConstraintException("Duplicate key \"%s\" violates primary key constraint.", shown);
			}
		}
	}
}

} // namespace akko::engine
