#pragma once
// Deleting a dropped table's files (DROP TABLE ... PURGE, purgeRequested in the REST API).
#include "iceberg/table_metadata.hpp"
#include "objstore/store.hpp"

#include <string>

namespace akko::catalog {

// Deletes every file `metadata` references: data and delete files of every snapshot, manifests,
// manifest lists, statistics files, earlier metadata files and the current one at
// `metadata_location`. Files outside the store's warehouse URIs, or already gone, are skipped.
// Returns how many files were deleted.
size_t PurgeTableFiles(objstore::Store &store, const iceberg::TableMetadata &metadata,
                       const std::string &metadata_location);

} // namespace akko::catalog
