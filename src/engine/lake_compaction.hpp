#pragma once
// Private to engine/: compacting a lake table's small data files (Spark's rewrite_data_files).
// Per partition (files of one spec and one partition tuple), small files are read through the
// lake scan (so their deletes are applied), written again by DuckDB's parquet COPY with the
// table's field ids and statistics, and committed as a "replace" snapshot that removes them and
// the delete files that applied only to them. Appends committed meanwhile are kept (the commit is
// re-based over them); any other concurrent change fails the compaction with serialization_failure,
// so a row deleted meanwhile is never brought back.
#include "engine/duckdb_internal.hpp"

#include "catalog/catalog_service.hpp"

#include <cstdint>
#include <optional>

namespace akko::engine {

class LakeCatalog;

struct CompactionOptions {
	// Files smaller than this are compacted, into files of about this size. Unset: the table's
	// write.target-file-size-bytes, else Iceberg's default (512 MiB).
	std::optional<int64_t> target_file_size_bytes;
	// A partition is compacted when it has at least this many small files (or, with two or more,
	// enough bytes for a full-size file). Iceberg's default.
	int64_t min_input_files = 5;
};

// Spark's rewrite_data_files output, and the delete files that went with the rewritten files.
struct CompactionResult {
	int64_t rewritten_data_files_count = 0;
	int64_t added_data_files_count = 0;
	int64_t rewritten_bytes_count = 0;
	int64_t removed_delete_files_count = 0;
};

CompactionResult RewriteDataFiles(duckdb::DatabaseInstance &database, LakeCatalog &catalog,
                                  const catalog::TableIdentifier &id, const CompactionOptions &options);

} // namespace akko::engine
