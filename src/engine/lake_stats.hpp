#pragma once
// Private to engine/: the Iceberg DataFile for a Parquet file DuckDB's COPY wrote, from the row
// it returns with RETURN_STATS (path, counts, per-column min/max/null counts, partition keys).
#include "engine/duckdb_internal.hpp"
#include "iceberg/manifest.hpp"
#include "iceberg/partition_spec.hpp"
#include "iceberg/schema.hpp"

#include <string>

namespace akko::engine {

// Where a COPY writes (a local directory) and the warehouse URI that directory is.
struct WriteLocation {
	std::string local_dir;
	std::string uri_dir;

	// The URI of a file under local_dir.
	std::string UriOf(const std::string &local_path) const;
};

// Bounds follow Java's default metrics mode, truncate(16): strings keep their first 16 code
// points and binary its first 16 bytes; a truncated upper bound is incremented so it still
// bounds the column. Floating-point columns holding NaN get no bounds.
iceberg::DataFile DataFileFromWrittenRow(duckdb::DataChunk &chunk, duckdb::idx_t row, const iceberg::Schema &schema,
                                         const iceberg::PartitionSpec &spec, const WriteLocation &location);

// Java's UnicodeUtil.truncateStringMin / truncateStringMax, and their binary counterparts.
std::string TruncateLowerBound(const std::string &utf8, size_t code_points);
std::optional<std::string> TruncateUpperBound(const std::string &utf8, size_t code_points);
std::string TruncateBinaryLower(const std::string &bytes, size_t length);
std::optional<std::string> TruncateBinaryUpper(const std::string &bytes, size_t length);

} // namespace akko::engine
