#include "net/request_body_channel.hpp"

#include <algorithm>
#include <cstring>

namespace akko::net {

namespace {
// Per connection: enough to keep a fast client and a fast handler busy, small enough that
// thousands of concurrent uploads stay within a few gigabytes. The network side resumes at
// half, so it does not wake for every piece the handler takes.
constexpr size_t kQueuedBytes = 2 * 1024 * 1024;
} // namespace

RequestBodyChannel::RequestBodyChannel(std::function<void()> wake_p, bool blocking_p, bool await_first_read)
    : wake(std::move(wake_p)), blocking(blocking_p), reading(!await_first_read) {
}

size_t RequestBodyChannel::Read(char *buffer, size_t size) {
	if (!blocking) {
		throw akko::Error(ErrorCode::Internal, "a handler on a network thread cannot read a streamed body");
	}
	std::unique_lock<std::mutex> guard(lock);
	if (!reading) {
		reading = true;
		waiting = false;
		wake();
	}
	arrived.wait(guard, [this] { return !pieces.empty() || ended || failure; });
	if (failure) {
		throw *failure;
	}
	size_t copied = 0;
	while (copied < size && !pieces.empty()) {
		auto &front = pieces.front();
		auto count = std::min(size - copied, front.size() - offset);
		std::memcpy(buffer + copied, front.data() + offset, count);
		copied += count;
		offset += count;
		queued_bytes -= count;
		if (offset == front.size()) {
			pieces.pop_front();
			offset = 0;
		}
	}
	if (waiting && queued_bytes <= kQueuedBytes / 2) {
		waiting = false;
		wake();
	}
	return copied;
}

bool RequestBodyChannel::WantsMore() {
	std::lock_guard<std::mutex> guard(lock);
	if (reading && queued_bytes < kQueuedBytes && !failure) {
		return true;
	}
	waiting = true;
	return false;
}

void RequestBodyChannel::Push(std::string piece) {
	{
		std::lock_guard<std::mutex> guard(lock);
		queued_bytes += piece.size();
		pieces.push_back(std::move(piece));
	}
	arrived.notify_all();
}

void RequestBodyChannel::End() {
	{
		std::lock_guard<std::mutex> guard(lock);
		ended = true;
	}
	arrived.notify_all();
}

void RequestBodyChannel::Fail(akko::Error error) {
	{
		std::lock_guard<std::mutex> guard(lock);
		if (ended || failure) {
			return;
		}
		failure = std::move(error);
	}
	arrived.notify_all();
}

} // namespace akko::net
