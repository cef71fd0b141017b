#include "engine/duckdb_internal.hpp"
#include "engine/lake_delete_filter.hpp"
#include "engine/function_gate.hpp"

#include "engine/lake_catalog.hpp"
#include "engine/lake_types.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace akko::engine {

using namespace duckdb;

namespace {

// Delete files hold little; this many are kept before the cache starts over.
constexpr size_t kCachedDeleteFiles = 1024;

// parquet_scan's `schema` parameter: columns by field id, named c0, c1, ... in `columns` order.
Value FieldIdSchema(const std::vector<EqualityColumn> &columns) {
	vector<Value> ids;
	vector<Value> definitions;
	for (size_t i = 0; i < columns.size(); i++) {
		ids.push_back(Value::INTEGER(columns[i].field_id));
		definitions.push_back(Value::STRUCT({{"name", Value("c" + std::to_string(i))},
		                                     {"type", Value(columns[i].type.ToString())},
		                                     {"default_value", Value(LogicalType::VARCHAR)}}));
	}
	if (definitions.empty()) {
		// A writer's equality delete file must name its columns (the spec requires equality_ids).
		ThrowAsDuck(akko::Error(ErrorCode::InvalidInput, "an equality delete file has no equality_ids"));
	}
	auto struct_type = definitions.front().type();
	return Value::MAP(LogicalType::INTEGER, struct_type, std::move(ids), std::move(definitions));
}

// One row's equality columns as one string; null equals null, as equality deletes compare.
std::string EqualityKey(DataChunk &chunk, idx_t row, idx_t columns) {
	std::string key;
	for (idx_t col = 0; col < columns; col++) {
		auto value = chunk.GetValue(col, row);
		key += value.IsNull() ? std::string("\x01") : "\x02" + value.ToString();
		key += '\x1f';
	}
	return key;
}

} // namespace

std::shared_ptr<const EqualityKeys> DeleteFileCache::Keys(ClientContext &context, LakeCatalog &catalog,
                                                          const iceberg::DataFile &delete_file,
                                                          const std::vector<EqualityColumn> &columns) {
	auto cache_key = delete_file.file_path;
	for (auto &column : columns) {
		cache_key += "\x1f" + std::to_string(column.field_id) + ":" + column.type.ToString();
	}
	{
		std::lock_guard<std::mutex> guard(lock);
		auto found = keys.find(cache_key);
		if (found != keys.end()) {
			return found->second;
		}
	}
	auto result = std::make_shared<EqualityKeys>();
	named_parameter_map_t parameters;
	parameters["schema"] = FieldIdSchema(columns);
	ReadParquetFile(context, catalog.EnginePath(delete_file.file_path), [&](DataChunk &chunk, const std::vector<std::string> &) {
		for (idx_t row = 0; row < chunk.size(); row++) {
			result->insert(EqualityKey(chunk, row, columns.size()));
		}
	}, std::move(parameters));
	std::lock_guard<std::mutex> guard(lock);
	if (keys.size() >= kCachedDeleteFiles) {
		keys.clear();
	}
	keys.emplace(cache_key, result);
	return result;
}

std::vector<int64_t> EqualityDeletedPositions(ClientContext &context, const std::string &local_path,
                                              const std::vector<EqualityColumn> &columns, const EqualityKeys &keys) {
	std::vector<int64_t> positions;
	named_parameter_map_t parameters;
	parameters["schema"] = FieldIdSchema(columns);
	parameters["file_row_number"] = Value::BOOLEAN(true);
	ReadParquetFile(context, local_path, [&](DataChunk &chunk, const std::vector<std::string> &names) {
		auto row_number = std::find(names.begin(), names.end(), "file_row_number") - names.begin();
		for (idx_t row = 0; row < chunk.size(); row++) {
			if (keys.count(EqualityKey(chunk, row, columns.size()))) {
				positions.push_back(chunk.GetValue(row_number, row).GetValue<int64_t>());
			}
		}
	}, std::move(parameters));
	return positions;
}

void ReadParquetFile(ClientContext &context, const std::string &path,
                     const std::function<void(DataChunk &chunk, const std::vector<std::string> &names)> &consume,
                     named_parameter_map_t parameters) {
	auto scan = UnguardedTableFunction(context, "parquet_scan");
	vector<Value> inputs {Value(path)};
	vector<LogicalType> input_types;
	vector<string> input_names;
	TableFunctionRef ref;
	TableFunction caller;
	caller.name = "iceberg_delete_scan";
	TableFunctionBindInput bind_input(inputs, parameters, input_types, input_names, nullptr, nullptr, caller, ref);
	vector<LogicalType> types;
	vector<string> names;
	auto bind_data = scan.bind(context, bind_input, types, names);
	vector<column_t> column_ids;
	for (idx_t i = 0; i < types.size(); i++) {
		column_ids.push_back(i);
	}
	ThreadContext thread(context);
	ExecutionContext execution(context, thread, nullptr);
	TableFunctionInitInput init_input(bind_data.get(), column_ids, vector<idx_t>(), nullptr);
	auto global_state = scan.init_global(context, init_input);
	auto local_state = scan.init_local(execution, init_input, global_state.get());
	DataChunk chunk;
	chunk.Initialize(context, types);
	std::vector<std::string> column_names(names.begin(), names.end());
	while (true) {
		chunk.Reset();
		TableFunctionInput input(bind_data.get(), local_state.get(), global_state.get());
		scan.function(context, input, chunk);
		if (chunk.size() == 0) {
			break;
		}
		consume(chunk, column_names);
	}
}

std::shared_ptr<const PositionsByFile> DeleteFileCache::Positions(ClientContext &context, LakeCatalog &catalog,
                                                                  const iceberg::DataFile &delete_file) {
	{
		std::lock_guard<std::mutex> guard(lock);
		auto found = files.find(delete_file.file_path);
		if (found != files.end()) {
			return found->second;
		}
	}
	auto positions = std::make_shared<PositionsByFile>();
	ReadParquetFile(context, catalog.EnginePath(delete_file.file_path), [&](DataChunk &chunk, const std::vector<std::string> &names) {
		auto path_column = std::find(names.begin(), names.end(), "file_path") - names.begin();
		auto pos_column = std::find(names.begin(), names.end(), "pos") - names.begin();
		if (static_cast<size_t>(path_column) == names.size() || static_cast<size_t>(pos_column) == names.size()) {
			throw InvalidInputException("position delete file \"%s\" has no file_path and pos columns",
			                            delete_file.file_path);
		}
		chunk.Flatten();
		auto paths = FlatVector::GetData<string_t>(chunk.data[path_column]);
		auto &pos_vector = chunk.data[pos_column];
		Vector pos_cast(LogicalType::BIGINT, chunk.size());
		VectorOperations::Cast(context, pos_vector, pos_cast, chunk.size());
		pos_cast.Flatten(chunk.size());
		auto pos = FlatVector::GetData<int64_t>(pos_cast);
		for (idx_t i = 0; i < chunk.size(); i++) {
			(*positions)[paths[i].GetString()].push_back(pos[i]);
		}
	});
	for (auto &entry : *positions) {
		std::sort(entry.second.begin(), entry.second.end());
	}
	std::lock_guard<std::mutex> guard(lock);
	if (files.size() >= kCachedDeleteFiles) {
		files.clear();
	}
	files.emplace(delete_file.file_path, positions);
	return positions;
}

idx_t LakeDeleteFilter::Filter(row_t start_row_index, idx_t count, SelectionVector &result_sel) {
	auto start = static_cast<int64_t>(start_row_index);
	auto entry = std::lower_bound(deleted.begin(), deleted.end(), start);
	if (entry == deleted.end() || *entry >= start + static_cast<int64_t>(count)) {
		return count;
	}
	result_sel.Initialize(STANDARD_VECTOR_SIZE);
	idx_t kept = 0;
	for (idx_t i = 0; i < count; i++) {
		if (entry != deleted.end() && *entry == start + static_cast<int64_t>(i)) {
			++entry;
			continue;
		}
		result_sel.set_index(kept++, i);
	}
	return kept;
}

} // namespace akko::engine
