#include "adapters/iceberg_rest/table_metadata_cache.hpp"

#include "common/sql_lexer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <set>

namespace akko::iceberg_rest {

namespace {

// The opaque part of an entity tag: without W/ and the quotes (weak comparison, RFC 9110 8.8.3.2).
std::string_view Opaque(std::string_view tag) {
	tag = TrimBlanks(tag);
	if (tag.starts_with("W/")) {
		tag.remove_prefix(2);
	}
	if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
		tag = tag.substr(1, tag.size() - 2);
	}
	return tag;
}

// FNV-1a, 64 bits: metadata locations hold a fresh UUID, so only distinctness matters.
uint64_t Fnv1a(std::string_view text) {
	uint64_t hash = 14695981039346656037ull;
	for (unsigned char c : text) {
		hash = (hash ^ c) * 1099511628211ull;
	}
	return hash;
}

} // namespace

TableMetadataCache::TableMetadataCache(size_t capacity_p) : capacity(capacity_p) {
}

std::shared_ptr<const std::string> TableMetadataCache::Serialized(const std::string &metadata_location,
                                                                  const iceberg::TableMetadata &metadata,
                                                                  bool refs_only) {
	auto key = fmt::format("{}{}", refs_only ? 'r' : 'a', metadata_location);
	{
		std::lock_guard<std::mutex> guard(lock);
		auto found = entries.find(key);
		if (found != entries.end()) {
			return found->second;
		}
	}
	auto json = refs_only ? iceberg::ToJson(WithRefSnapshotsOnly(metadata)) : iceberg::ToJson(metadata);
	auto text =
	    std::make_shared<const std::string>(json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
	std::lock_guard<std::mutex> guard(lock);
	if (entries.size() >= capacity) {
		entries.clear();
	}
	entries.emplace(std::move(key), text);
	return text;
}

iceberg::TableMetadata WithRefSnapshotsOnly(const iceberg::TableMetadata &metadata) {
	std::set<int64_t> referenced;
	for (auto &[name, ref] : metadata.refs) {
		referenced.insert(ref.snapshot_id);
	}
	auto result = metadata;
	std::erase_if(result.snapshots,
	              [&](const iceberg::Snapshot &snapshot) { return !referenced.count(snapshot.snapshot_id); });
	return result;
}

std::string TableETag(const std::string &metadata_location, bool refs_only) {
	return fmt::format("\"{:016x}\"",
	                   Fnv1a(fmt::format("{},snapshots={}", metadata_location, refs_only ? "refs" : "all")));
}

bool ETagMatches(std::string_view if_none_match, std::string_view etag) {
	if (TrimBlanks(if_none_match) == "*") {
		return true;
	}
	auto wanted = Opaque(etag);
	size_t start = 0;
	while (start <= if_none_match.size()) {
		auto comma = if_none_match.find(',', start);
		auto tag =
		    if_none_match.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
		if (!TrimBlanks(tag).empty() && Opaque(tag) == wanted) {
			return true;
		}
		if (comma == std::string_view::npos) {
			break;
		}
		start = comma + 1;
	}
	return false;
}

} // namespace akko::iceberg_rest
