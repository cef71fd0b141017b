#pragma once
// Table metadata as load-table sends it, serialized once per metadata file and snapshot mode:
// a metadata file never changes, so every later load of the same version copies text instead
// of rebuilding JSON. Bounded; emptied whole when full, as the catalog's parse cache is.
#include "iceberg/table_metadata.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace akko::iceberg_rest {

class TableMetadataCache {
public:
	explicit TableMetadataCache(size_t capacity_p = 256);

	// With `refs_only`, only the snapshots a branch or tag points at (load-table's snapshots=refs).
	std::shared_ptr<const std::string> Serialized(const std::string &metadata_location,
	                                              const iceberg::TableMetadata &metadata, bool refs_only);

private:
	size_t capacity;
	std::mutex lock;
	std::map<std::string, std::shared_ptr<const std::string>> entries;
};

// `metadata` keeping only the snapshots its refs point at, as Java's suppressHistoricalSnapshots.
iceberg::TableMetadata WithRefSnapshotsOnly(const iceberg::TableMetadata &metadata);

// A strong ETag (quoted) for one metadata file in one snapshot mode: distinct per version and per
// representation, as the spec asks.
std::string TableETag(const std::string &metadata_location, bool refs_only);
// Whether an If-None-Match value (a list of tags, weak or strong, or "*") names `etag`.
bool ETagMatches(std::string_view if_none_match, std::string_view etag);

} // namespace akko::iceberg_rest
