#pragma once
// A bounded cache of remote object ranges on local disk: fixed-size blocks in one unlinked
// file, evicted least recently used first. Misses next to each other are fetched with one
// ranged GET, so a scan of a large column chunk costs one request, not one per block.
#include "objstore/store.hpp"

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace akko::objstore {

class BlockCache {
public:
	// `directory` holds the cache file (created when missing); `capacity_bytes` is rounded down
	// to whole blocks, and 0 turns caching off (every read is a ranged GET).
	BlockCache(Store &store_p, const std::string &directory, uint64_t capacity_bytes,
	           uint64_t block_size_p = uint64_t(1) << 20);
	~BlockCache();
	BlockCache(const BlockCache &) = delete;
	BlockCache &operator=(const BlockCache &) = delete;

	// Copies bytes [offset, offset + length) of object `key` into `out`. `object_size` is the
	// object's size (part of the cache key, so a rewritten object is never served stale bytes
	// unless its size is unchanged). Throws akko::Error.
	void Read(std::string_view key, uint64_t object_size, uint64_t offset, uint64_t length, char *out);

	struct Counters {
		uint64_t hits = 0;         // blocks served from disk
		uint64_t misses = 0;       // blocks fetched
		uint64_t requests = 0;     // ranged GETs sent
		uint64_t fetched_bytes = 0;
	};
	Counters Snapshot() const;

private:
	struct Entry {
		uint64_t slot = 0;
		uint64_t length = 0;
		uint32_t pins = 0;
		std::list<std::string>::iterator recent;
	};

	bool Contains(const std::string &block_key);
	// Copies the cached block's bytes [from, from + length) into `out`; false on a miss.
	bool ReadCached(const std::string &block_key, uint64_t from, uint64_t length, char *out);
	void Insert(const std::string &block_key, std::string_view data);

	Store &store;
	uint64_t block_size;
	uint64_t slots = 0;
	int fd = -1;

	mutable std::mutex lock;
	std::unordered_map<std::string, Entry> entries;
	std::list<std::string> recent; // most recently used first
	std::vector<uint64_t> free_slots;
	Counters counters;
};

} // namespace akko::objstore
