#pragma once
// Private to engine/: applying Iceberg deletes while DuckDB's parquet reader scans a data file.
// Position delete files are read once each (DuckDB's parquet scan, driven directly) and cached
// by data file; the rows of a data file they name are skipped by a DeleteFilter.
#include "engine/duckdb_internal.hpp"

#include "iceberg/manifest.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace akko::engine {

class LakeCatalog;

// Deleted positions of each data file (by URI) that one position delete file names, sorted.
using PositionsByFile = std::map<std::string, std::vector<int64_t>>;
// The rows of an equality delete file, each as EqualityKey renders it.
using EqualityKeys = std::unordered_set<std::string>;

// A column an equality delete compares, as the table's schema types it.
struct EqualityColumn {
	int32_t field_id = 0;
	duckdb::LogicalType type;
};

class DeleteFileCache {
public:
	std::shared_ptr<const PositionsByFile> Positions(duckdb::ClientContext &context, LakeCatalog &catalog,
	                                                 const iceberg::DataFile &delete_file);
	std::shared_ptr<const EqualityKeys> Keys(duckdb::ClientContext &context, LakeCatalog &catalog,
	                                         const iceberg::DataFile &delete_file,
	                                         const std::vector<EqualityColumn> &columns);

private:
	std::mutex lock;
	std::map<std::string, std::shared_ptr<const PositionsByFile>> files;
	std::map<std::string, std::shared_ptr<const EqualityKeys>> keys;
};

// The positions of the rows of the data file at `local_path` that `keys` deletes: an equality
// delete turned into positions by reading the file's equality columns (by field id).
std::vector<int64_t> EqualityDeletedPositions(duckdb::ClientContext &context, const std::string &local_path,
                                              const std::vector<EqualityColumn> &columns, const EqualityKeys &keys);

class LakeDeleteFilter : public duckdb::DeleteFilter {
public:
	explicit LakeDeleteFilter(std::vector<int64_t> deleted_p) : deleted(std::move(deleted_p)) {
	}
	duckdb::idx_t Filter(duckdb::row_t start_row_index, duckdb::idx_t count, duckdb::SelectionVector &result_sel) override;

private:
	std::vector<int64_t> deleted;
};

// Every row of the Parquet file at `path`, in chunks of its columns (all of them), with
// parquet_scan's named parameters.
void ReadParquetFile(duckdb::ClientContext &context, const std::string &path,
                     const std::function<void(duckdb::DataChunk &chunk, const std::vector<std::string> &names)> &consume,
                     duckdb::named_parameter_map_t parameters = {});

} // namespace akko::engine
