#pragma once
// Which table a warehouse key belongs to, for authorizing S3 requests by table: table
// locations live in table metadata, so they are learned from the catalog and cached.
#include "catalog/catalog_service.hpp"

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace akko::s3_api {

// Thread-safe. A miss first tries the catalog's own layout (".../<namespace>/<name>-<uuid>/...",
// one lookup) and then rescans every table, at most once a second; the whole cache is rescanned
// when older than 30 seconds, so a renamed table is known by its new name within that.
class TableLocator {
public:
	using Clock = std::function<std::chrono::steady_clock::time_point()>;

	explicit TableLocator(catalog::CatalogService &catalog_p, Clock clock_p = {});

	// The table whose location is `path` ("bucket/key", or a listing's prefix) or holds it.
	std::optional<catalog::TableIdentifier> Find(const std::string &path);

private:
	std::optional<catalog::TableIdentifier> Cached(const std::string &path) const;
	std::optional<catalog::TableIdentifier> Guess(const std::string &path);
	void Rescan();
	void ScanNamespace(const catalog::NamespaceName &name, std::unordered_map<std::string, catalog::TableIdentifier> &into);

	catalog::CatalogService &catalog;
	Clock clock;
	std::mutex lock;
	std::unordered_map<std::string, catalog::TableIdentifier> tables; // location as "bucket/key" -> table
	std::optional<std::chrono::steady_clock::time_point> scanned_at;
};

} // namespace akko::s3_api
