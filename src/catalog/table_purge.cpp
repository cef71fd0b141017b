#include "catalog/table_purge.hpp"

#include "common/error.hpp"
#include "iceberg/scan_planner.hpp"

#include <set>

namespace akko::catalog {

size_t PurgeTableFiles(objstore::Store &store, const iceberg::TableMetadata &metadata,
                       const std::string &metadata_location) {
	iceberg::ManifestCache cache;
	iceberg::FileReader read = [&](const std::string &uri) { return store.Get(objstore::KeyFromUri(uri)); };
	std::set<std::string> files;
	for (auto &snapshot : metadata.snapshots) {
		if (snapshot.manifest_list.empty()) {
			continue;
		}
		try {
			auto manifests = cache.ManifestList(snapshot.manifest_list, read);
			for (auto &manifest : *manifests) {
				auto entries = cache.Entries(manifest, read);
				for (auto &entry : *entries) {
					files.insert(entry.data_file.file_path);
				}
				files.insert(manifest.manifest_path);
			}
		} catch (const Error &) {
			// A manifest already gone (an earlier, interrupted purge) leaves nothing more to find.
		}
		files.insert(snapshot.manifest_list);
	}
	for (auto &statistics : metadata.statistics) {
		files.insert(statistics.statistics_path);
	}
	for (auto &statistics : metadata.partition_statistics) {
		files.insert(statistics.statistics_path);
	}
	for (auto &entry : metadata.metadata_log) {
		files.insert(entry.metadata_file);
	}
	// The metadata file last, so an interrupted purge can be run again from it.
	files.erase(metadata_location);
	size_t deleted = 0;
	auto remove = [&](const std::string &uri) {
		try {
			deleted += store.Delete(objstore::KeyFromUri(uri)) ? 1 : 0;
		} catch (const Error &) {
			// Not one of the store's URIs: a file another system owns.
		}
	};
	for (auto &uri : files) {
		remove(uri);
	}
	remove(metadata_location);
	return deleted;
}

} // namespace akko::catalog
