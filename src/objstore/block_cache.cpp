#include "objstore/block_cache.hpp"

#include "common/error.hpp"
#include "common/random.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <unistd.h>

namespace akko::objstore {

namespace {

std::string BlockKey(std::string_view key, uint64_t object_size, uint64_t block) {
	return fmt::format("{}\x1f{}\x1f{}", key, object_size, block);
}

} // namespace

BlockCache::BlockCache(Store &store_p, const std::string &directory, uint64_t capacity_bytes, uint64_t block_size_p)
    : store(store_p), block_size(block_size_p), slots(capacity_bytes / block_size_p) {
	if (slots == 0) {
		return;
	}
	std::error_code error;
	std::filesystem::create_directories(directory, error);
	auto path = std::filesystem::path(directory) / fmt::format("lake-cache-{}", NewUuid());
	fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("cannot create the remote file cache \"{}\": {}", path.string(), std::strerror(errno)));
	}
	// Unlinked at once: the cache lives as long as the process and leaves nothing behind.
	::unlink(path.c_str());
	free_slots.reserve(slots);
	for (uint64_t slot = slots; slot > 0; slot--) {
		free_slots.push_back(slot - 1);
	}
}

BlockCache::~BlockCache() {
	if (fd >= 0) {
		::close(fd);
	}
}

BlockCache::Counters BlockCache::Snapshot() const {
	std::lock_guard<std::mutex> guard(lock);
	return counters;
}

bool BlockCache::Contains(const std::string &block_key) {
	std::lock_guard<std::mutex> guard(lock);
	return entries.count(block_key) > 0;
}

bool BlockCache::ReadCached(const std::string &block_key, uint64_t from, uint64_t length, char *out) {
	Entry *entry;
	{
		std::lock_guard<std::mutex> guard(lock);
		auto found = entries.find(block_key);
		if (found == entries.end()) {
			return false;
		}
		entry = &found->second;
		entry->pins++;
		recent.splice(recent.begin(), recent, entry->recent);
		counters.hits++;
	}
	// Pinned, the slot is not reused while it is read outside the lock.
	uint64_t done = 0;
	int error = 0;
	while (done < length) {
		auto n = ::pread(fd, out + done, length - done, static_cast<off_t>(entry->slot * block_size + from + done));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			error = n == 0 ? EIO : errno;
			break;
		}
		done += static_cast<uint64_t>(n);
	}
	std::lock_guard<std::mutex> guard(lock);
	entry->pins--;
	if (error) {
		throw Error(ErrorCode::Internal, fmt::format("cannot read the remote file cache: {}", std::strerror(error)));
	}
	return true;
}

void BlockCache::Insert(const std::string &block_key, std::string_view data) {
	std::lock_guard<std::mutex> guard(lock);
	if (entries.count(block_key)) {
		return;
	}
	uint64_t slot;
	if (!free_slots.empty()) {
		slot = free_slots.back();
		free_slots.pop_back();
	} else {
		auto victim = recent.end();
		for (auto it = recent.rbegin(); it != recent.rend(); ++it) {
			if (entries[*it].pins == 0) {
				victim = std::prev(it.base());
				break;
			}
		}
		if (victim == recent.end()) {
			return; // every block is being read: this one is simply not kept
		}
		slot = entries[*victim].slot;
		entries.erase(*victim);
		recent.erase(victim);
	}
	// Written under the lock, so no reader finds the entry before its bytes are there.
	size_t done = 0;
	while (done < data.size()) {
		auto n = ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(slot * block_size + done));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			free_slots.push_back(slot);
			return; // a full disk costs cache hits, not the query
		}
		done += static_cast<size_t>(n);
	}
	recent.push_front(block_key);
	entries[block_key] = Entry {slot, data.size(), 0, recent.begin()};
}

void BlockCache::Read(std::string_view key, uint64_t object_size, uint64_t offset, uint64_t length, char *out) {
	if (length == 0) {
		return;
	}
	if (offset + length > object_size) {
		throw Error(ErrorCode::Internal, fmt::format("read of bytes {}..{} past the end of \"{}\" ({} bytes)", offset,
		                                             offset + length, key, object_size));
	}
	auto fetch = [&](uint64_t from, uint64_t size) {
		auto data = store.Get(key, ByteRange {from, size});
		if (data.size() != size) {
			throw Error(ErrorCode::Internal, fmt::format("\"{}\" changed while it was read: asked for {} bytes at {}, got {}",
			                                             key, size, from, data.size()));
		}
		std::lock_guard<std::mutex> guard(lock);
		counters.requests++;
		counters.fetched_bytes += size;
		return data;
	};
	if (slots == 0) {
		auto data = fetch(offset, length);
		std::memcpy(out, data.data(), length);
		return;
	}
	auto end = offset + length;
	auto first = offset / block_size;
	auto last = (end - 1) / block_size;
	// The part of block `block` the caller wants: [from, to) within the block.
	auto wanted = [&](uint64_t block, uint64_t &from, uint64_t &to) {
		auto start = block * block_size;
		from = std::max(offset, start) - start;
		to = std::min(end, start + block_size) - start;
	};
	auto block = first;
	while (block <= last) {
		uint64_t from, to;
		wanted(block, from, to);
		auto block_key = BlockKey(key, object_size, block);
		if (ReadCached(block_key, from, to - from, out + (block * block_size + from - offset))) {
			block++;
			continue;
		}
		auto run_end = block;
		while (run_end < last && !Contains(BlockKey(key, object_size, run_end + 1))) {
			run_end++;
		}
		auto run_start_byte = block * block_size;
		auto run_end_byte = std::min((run_end + 1) * block_size, object_size);
		auto data = fetch(run_start_byte, run_end_byte - run_start_byte);
		for (auto b = block; b <= run_end; b++) {
			auto start = b * block_size - run_start_byte;
			auto size = std::min(block_size, data.size() - start);
			std::string_view bytes(data.data() + start, size);
			Insert(BlockKey(key, object_size, b), bytes);
			wanted(b, from, to);
			std::memcpy(out + (b * block_size + from - offset), bytes.data() + from, to - from);
		}
		{
			std::lock_guard<std::mutex> guard(lock);
			counters.misses += run_end - block + 1;
		}
		block = run_end + 1;
	}
}

} // namespace akko::objstore
