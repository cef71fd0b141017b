#include "engine/duckdb_internal.hpp"
#include "engine/lake_delete.hpp"

#include "common/random.hpp"
#include "engine/lake_catalog.hpp"
#include "engine/lake_table_entry.hpp"
#include "engine/lake_transaction.hpp"
#include "engine/lake_types.hpp"

#include <fmt/format.h>
#include <set>

namespace akko::engine {

using namespace duckdb;

namespace {

// The reserved field ids of a position delete file's columns (table spec, "Reserved Field IDs").
constexpr int32_t kFilePathFieldId = 2147483546;
constexpr int32_t kPosFieldId = 2147483545;

class LakeDeleteGlobalState : public GlobalSinkState {
public:
	std::mutex lock;
	std::map<std::string, std::set<int64_t>> positions; // by local path
	int64_t deleted = 0;
};

struct DeleteGroup {
	int32_t spec_id = 0;
	std::vector<iceberg::Literal> partition;
	std::map<std::string, const std::set<int64_t> *> files; // by URI, so rows come sorted by path
};

// Writes (file_path, pos) rows with the reserved field ids; returns the file's size.
int64_t WritePositionDeletes(ClientContext &context, const std::string &local_path, const DeleteGroup &group) {
	CopyInfo info;
	info.file_path = local_path;
	info.format = "parquet";
	info.is_from = false;
	info.options["field_ids"].push_back(Value::STRUCT(
	    {{"file_path", Value::INTEGER(kFilePathFieldId)}, {"pos", Value::INTEGER(kPosFieldId)}}));
	info.options["compression"].push_back(Value("zstd"));
	vector<string> names {"file_path", "pos"};
	vector<LogicalType> types {LogicalType::VARCHAR, LogicalType::BIGINT};
	auto &system = Catalog::GetSystemCatalog(context);
	auto &parquet = system.GetEntry<CopyFunctionCatalogEntry>(context, DEFAULT_SCHEMA, "parquet").function;
	CopyFunctionBindInput bind_input(info);
	auto bind_data = parquet.copy_to_bind(context, bind_input, names, types);
	ThreadContext thread(context);
	ExecutionContext execution(context, thread, nullptr);
	auto global_state = parquet.copy_to_initialize_global(context, *bind_data, local_path);
	auto local_state = parquet.copy_to_initialize_local(execution, *bind_data);
	DataChunk chunk;
	chunk.Initialize(context, types);
	auto flush = [&] {
		if (chunk.size() > 0) {
			parquet.copy_to_sink(execution, *bind_data, *global_state, *local_state, chunk);
			chunk.Reset();
		}
	};
	for (auto &[uri, positions] : group.files) {
		for (auto position : *positions) {
			auto row = chunk.size();
			FlatVector::GetData<string_t>(chunk.data[0])[row] = StringVector::AddString(chunk.data[0], uri);
			FlatVector::GetData<int64_t>(chunk.data[1])[row] = position;
			chunk.SetCardinality(row + 1);
			if (chunk.size() == STANDARD_VECTOR_SIZE) {
				flush();
			}
		}
	}
	flush();
	parquet.copy_to_combine(execution, *bind_data, *global_state, *local_state);
	parquet.copy_to_finalize(context, *bind_data, *global_state);
	auto &fs = FileSystem::GetFileSystem(context);
	auto handle = fs.OpenFile(local_path, FileFlags::FILE_FLAGS_READ);
	return handle->GetFileSize();
}

} // namespace

LakeDelete::LakeDelete(PhysicalPlan &plan, LakeTableEntry &table_p, idx_t filename_index_p, idx_t position_index_p)
    : PhysicalOperator(plan, PhysicalOperatorType::EXTENSION, {LogicalType::BIGINT}, 1), table(table_p),
      filename_index(filename_index_p), position_index(position_index_p) {
}

unique_ptr<GlobalSinkState> LakeDelete::GetGlobalSinkState(ClientContext &context) const {
	return make_uniq<LakeDeleteGlobalState>();
}

SinkResultType LakeDelete::Sink(ExecutionContext &context, DataChunk &chunk, OperatorSinkInput &input) const {
	auto &state = input.global_state.Cast<LakeDeleteGlobalState>();
	UnifiedVectorFormat names;
	UnifiedVectorFormat positions;
	chunk.data[filename_index].ToUnifiedFormat(chunk.size(), names);
	chunk.data[position_index].ToUnifiedFormat(chunk.size(), positions);
	auto name_data = UnifiedVectorFormat::GetData<string_t>(names);
	auto position_data = UnifiedVectorFormat::GetData<int64_t>(positions);
	std::lock_guard<std::mutex> guard(state.lock);
	for (idx_t i = 0; i < chunk.size(); i++) {
		auto name = name_data[names.sel->get_index(i)].GetString();
		state.positions[name].insert(position_data[positions.sel->get_index(i)]);
	}
	return SinkResultType::NEED_MORE_INPUT;
}

SinkFinalizeType LakeDelete::Finalize(Pipeline &pipeline, Event &event, ClientContext &context,
                                      OperatorSinkFinalizeInput &input) const {
	auto &state = input.global_state.Cast<LakeDeleteGlobalState>();
	if (state.positions.empty()) {
		return SinkFinalizeType::READY;
	}
	auto &catalog = table.ParentCatalog().Cast<LakeCatalog>();
	auto &transaction = LakeTransaction::Get(context, catalog);
	auto *table_state = transaction.FindTable(table.schema.name, table.name);
	if (!table_state) {
		throw CatalogException("Table \"%s\" no longer exists", table.name);
	}
	// A position delete file belongs to the partition (and spec) of the data files it names.
	std::vector<DeleteGroup> groups;
	for (auto &[local_path, positions] : state.positions) {
		auto *scanned = transaction.FindScannedFile(local_path);
		if (!scanned) {
			throw InternalException("DELETE: \"%s\" is not a file this transaction scanned", local_path);
		}
		state.deleted += static_cast<int64_t>(positions.size());
		DeleteGroup *group = nullptr;
		for (auto &candidate : groups) {
			if (candidate.spec_id == scanned->spec_id && candidate.partition == scanned->partition) {
				group = &candidate;
			}
		}
		if (!group) {
			groups.push_back(DeleteGroup {scanned->spec_id, scanned->partition, {}});
			group = &groups.back();
		}
		group->files[scanned->uri] = &positions;
	}
	std::vector<iceberg::AddedFile> added;
	auto data_uri = table.Shape().location + "/data";
	for (auto &group : groups) {
		auto uri = fmt::format("{}/delete-{}.parquet", data_uri, NewUuid());
		auto local_path = Lake([&] { return catalog.EnginePath(uri); });
		FileSystem::GetFileSystem(context).CreateDirectoriesRecursive(catalog.EnginePath(data_uri));
		iceberg::DataFile file;
		file.content = iceberg::FileContent::PositionDeletes;
		file.file_path = uri;
		file.partition = group.partition;
		int64_t count = 0;
		int64_t lowest = std::numeric_limits<int64_t>::max();
		int64_t highest = std::numeric_limits<int64_t>::min();
		for (auto &[path, positions] : group.files) {
			count += static_cast<int64_t>(positions->size());
			lowest = std::min(lowest, *positions->begin());
			highest = std::max(highest, *positions->rbegin());
		}
		file.record_count = count;
		iceberg::PrimitiveType string_type {iceberg::TypeKind::String};
		iceberg::PrimitiveType long_type {iceberg::TypeKind::Long};
		file.lower_bounds[kFilePathFieldId] = iceberg::SerializeBinary(group.files.begin()->first, string_type);
		file.upper_bounds[kFilePathFieldId] = iceberg::SerializeBinary(group.files.rbegin()->first, string_type);
		file.lower_bounds[kPosFieldId] = iceberg::SerializeBinary(lowest, long_type);
		file.upper_bounds[kPosFieldId] = iceberg::SerializeBinary(highest, long_type);
		file.value_counts[kFilePathFieldId] = count;
		file.value_counts[kPosFieldId] = count;
		file.null_value_counts[kFilePathFieldId] = 0;
		file.null_value_counts[kPosFieldId] = 0;
		if (group.files.size() == 1) {
			file.referenced_data_file = group.files.begin()->first;
		}
		file.file_size_in_bytes = WritePositionDeletes(context, local_path, group);
		added.push_back(iceberg::AddedFile {std::move(file), group.spec_id});
	}
	transaction.AddFiles(*table_state, std::move(added));
	return SinkFinalizeType::READY;
}

SourceResultType LakeDelete::GetData(ExecutionContext &context, DataChunk &chunk, OperatorSourceInput &input) const {
	auto &state = sink_state->Cast<LakeDeleteGlobalState>();
	chunk.SetCardinality(1);
	chunk.SetValue(0, 0, Value::BIGINT(state.deleted));
	return SourceResultType::FINISHED;
}

InsertionOrderPreservingMap<string> LakeDelete::ParamsToString() const {
	InsertionOrderPreservingMap<string> result;
	result["Table"] = table.name;
	return result;
}

} // namespace akko::engine
