#include "adapters/s3_api/table_locator.hpp"

#include "common/error.hpp"
#include "objstore/store.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace akko::s3_api {

namespace {

constexpr std::chrono::seconds kMinRescanInterval {1};
constexpr std::chrono::seconds kMaxCacheAge {30};

std::string_view StripSlashes(std::string_view path) {
	while (path.ends_with('/')) {
		path.remove_suffix(1);
	}
	return path;
}

std::vector<std::string> Split(std::string_view path) {
	std::vector<std::string> parts;
	size_t start = 0;
	while (true) {
		auto slash = path.find('/', start);
		parts.emplace_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
		if (slash == std::string_view::npos) {
			return parts;
		}
		start = slash + 1;
	}
}

// "customers-0123...ef" (NewTableLocation's last level) -> "customers".
std::optional<std::string> TableNameOf(const std::string &level) {
	constexpr size_t kUuidHex = 32;
	if (level.size() < kUuidHex + 2 || level[level.size() - kUuidHex - 1] != '-') {
		return std::nullopt;
	}
	auto hex = std::string_view(level).substr(level.size() - kUuidHex);
	if (!std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c); })) {
		return std::nullopt;
	}
	return level.substr(0, level.size() - kUuidHex - 1);
}

std::optional<std::string> LocationKey(const catalog::LoadedTable &table) {
	try {
		return std::string(StripSlashes(objstore::KeyFromUri(table.metadata->location)));
	} catch (const Error &) {
		return std::nullopt; // a location outside any bucket holds no key
	}
}

} // namespace

TableLocator::TableLocator(catalog::CatalogService &catalog_p, Clock clock_p)
    : catalog(catalog_p), clock(std::move(clock_p)) {
	if (!clock) {
		clock = [] { return std::chrono::steady_clock::now(); };
	}
}

std::optional<catalog::TableIdentifier> TableLocator::Find(const std::string &path) {
	std::lock_guard guard(lock);
	auto now = clock();
	if (scanned_at && now - *scanned_at > kMaxCacheAge) {
		Rescan();
	}
	if (auto found = Cached(path)) {
		return found;
	}
	if (auto guessed = Guess(path)) {
		return guessed;
	}
	if (!scanned_at || now - *scanned_at >= kMinRescanInterval) {
		Rescan();
		return Cached(path);
	}
	return std::nullopt;
}

std::optional<catalog::TableIdentifier> TableLocator::Cached(const std::string &path) const {
	auto candidate = StripSlashes(path);
	while (!candidate.empty()) {
		if (auto found = tables.find(std::string(candidate)); found != tables.end()) {
			return found->second;
		}
		auto slash = candidate.rfind('/');
		if (slash == std::string_view::npos) {
			break;
		}
		candidate = candidate.substr(0, slash);
	}
	return std::nullopt;
}

std::optional<catalog::TableIdentifier> TableLocator::Guess(const std::string &path) {
	auto parts = Split(StripSlashes(path));
	std::string location = parts[0];
	for (size_t i = 1; i < parts.size(); i++) {
		location += "/" + parts[i];
		auto name = TableNameOf(parts[i]);
		if (!name) {
			continue;
		}
		// The warehouse may sit below the bucket's root: any run of levels before the table's
		// may be its namespace.
		for (size_t first = 1; first < i; first++) {
			catalog::TableIdentifier id {{parts.begin() + first, parts.begin() + i}, *name};
			auto table = catalog.FindTable(id);
			if (table && LocationKey(*table) == location) {
				tables[location] = id;
				return id;
			}
		}
	}
	return std::nullopt;
}

void TableLocator::Rescan() {
	std::unordered_map<std::string, catalog::TableIdentifier> found;
	ScanNamespace({}, found);
	tables = std::move(found);
	scanned_at = clock();
}

void TableLocator::ScanNamespace(const catalog::NamespaceName &name,
                                 std::unordered_map<std::string, catalog::TableIdentifier> &into) {
	if (!name.empty()) {
		std::vector<catalog::TableIdentifier> ids;
		try {
			ids = catalog.ListTables(name);
		} catch (const Error &) {
			return; // dropped while we looked
		}
		for (auto &id : ids) {
			auto table = catalog.FindTable(id);
			if (auto key = table ? LocationKey(*table) : std::nullopt) {
				into[*key] = id;
			}
		}
	}
	for (auto &child : catalog.ListNamespaces(name)) {
		ScanNamespace(child, into);
	}
}

} // namespace akko::s3_api
