#include "net/response_channel.hpp"

#include "common/error.hpp"
#include "common/log.hpp"

#include <charconv>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <strings.h>

namespace akko::net {

namespace {
// Chunks big enough that framing costs nothing, a budget small enough that a thousand slow
// clients cost a gigabyte at most.
constexpr size_t kChunkBytes = 64 * 1024;
constexpr size_t kQueuedBytes = 1024 * 1024;
} // namespace

std::optional<uint64_t> DeclaredLength(const HttpHeaders &headers) {
	for (auto &[name, value] : headers) {
		if (strcasecmp(name.c_str(), "content-length") != 0) {
			continue;
		}
		uint64_t length = 0;
		auto end = value.data() + value.size();
		auto [stop, error] = std::from_chars(value.data(), end, length);
		if (error != std::errc() || stop != end || value.empty()) {
			throw akko::Error(ErrorCode::Internal, fmt::format("invalid Content-Length \"{}\" in a response", value));
		}
		return length;
	}
	return std::nullopt;
}

ResponseChannel::ResponseChannel(std::function<void()> wake_p, bool blocking_p)
    : wake(std::move(wake_p)), blocking(blocking_p) {
}

void ResponseChannel::Begin(int status_p) {
	if (status) {
		throw akko::Error(ErrorCode::Internal, "the response was already started");
	}
	status = status_p;
}

void ResponseChannel::Send(HttpResponse response) {
	DeclaredLength(response.headers);
	std::unique_lock<std::mutex> guard(lock);
	Begin(response.status);
	ended = true;
	Push(guard, Item {Item::Kind::Whole, std::move(response)}, false);
}

ResponseStream &ResponseChannel::Stream(int status_p, std::string content_type, HttpHeaders headers) {
	if (!blocking) {
		throw akko::Error(ErrorCode::Internal, "a handler on a network thread cannot stream");
	}
	DeclaredLength(headers);
	std::unique_lock<std::mutex> guard(lock);
	Begin(status_p);
	streaming = true;
	Push(guard, Item {Item::Kind::Head, HttpResponse {status_p, std::move(content_type), std::move(headers), {}}},
	     false);
	return *this;
}

bool ResponseChannel::Push(std::unique_lock<std::mutex> &guard, Item item, bool wait) {
	if (wait) {
		space.wait(guard, [this] { return closed || queued_bytes < kQueuedBytes; });
	}
	if (closed) {
		return false;
	}
	queued_bytes += item.kind == Item::Kind::Chunk ? item.response.body.size() : 0;
	items.push_back(std::move(item));
	wake();
	return true;
}

bool ResponseChannel::Write(std::string_view data) {
	std::unique_lock<std::mutex> guard(lock);
	if (!streaming || ended) {
		throw akko::Error(ErrorCode::Internal, "write outside a streamed response");
	}
	if (closed) {
		return false;
	}
	pending.append(data);
	if (pending.size() < kChunkBytes) {
		return true;
	}
	Item item {Item::Kind::Chunk, {}};
	item.response.body = std::move(pending);
	pending.clear();
	return Push(guard, std::move(item), true);
}

bool ResponseChannel::Finish() {
	std::unique_lock<std::mutex> guard(lock);
	if (!streaming || ended) {
		throw akko::Error(ErrorCode::Internal, "finish outside a streamed response");
	}
	ended = true;
	if (!pending.empty()) {
		Item item {Item::Kind::Chunk, {}};
		item.response.body = std::move(pending);
		pending.clear();
		if (!Push(guard, std::move(item), true)) {
			return false;
		}
	}
	return Push(guard, Item {Item::Kind::End, {}}, false);
}

void ResponseChannel::Abort() {
	std::unique_lock<std::mutex> guard(lock);
	if (!streaming || ended) {
		throw akko::Error(ErrorCode::Internal, "abort outside a streamed response");
	}
	ended = true;
	pending.clear();
	Push(guard, Item {Item::Kind::Abort, {}}, false);
}

void ResponseChannel::OnCancel(std::function<void()> cancel_p) {
	std::lock_guard<std::mutex> guard(cancel_lock);
	cancel = std::move(cancel_p);
	// A client that left before the hook was installed cancels it at once: Close has run already.
	if (cancel && !cancelled && Closed()) {
		cancelled = true;
		cancel();
	}
}

void ResponseChannel::Complete(std::exception_ptr failure) {
	OnCancel(nullptr);
	std::string reason;
	std::optional<akko::Error> error;
	if (failure) {
		try {
			std::rethrow_exception(failure);
		} catch (const akko::Error &raised) {
			error = raised;
		} catch (const std::exception &raised) {
			reason = raised.what();
		} catch (...) {
			reason = "unknown exception";
		}
		if (!error) {
			log::Error("http_handler_failed", {{"error", reason}});
			error = akko::Error(ErrorCode::Internal, "internal error: " + reason);
		}
	}
	std::unique_lock<std::mutex> guard(lock);
	if (!status) {
		guard.unlock();
		Send(ErrorResponse(error ? *error : akko::Error(ErrorCode::Internal, "the handler sent no response")));
		return;
	}
	if (ended) {
		return;
	}
	guard.unlock();
	if (failure) {
		Abort();
	} else {
		Finish();
	}
}

std::optional<ResponseChannel::Item> ResponseChannel::Next() {
	std::lock_guard<std::mutex> guard(lock);
	if (items.empty()) {
		return std::nullopt;
	}
	auto item = std::move(items.front());
	items.pop_front();
	return item;
}

void ResponseChannel::Written(size_t bytes) {
	{
		std::lock_guard<std::mutex> guard(lock);
		queued_bytes -= bytes;
	}
	space.notify_all();
}

void ResponseChannel::Close() {
	{
		std::lock_guard<std::mutex> guard(lock);
		closed = true;
	}
	space.notify_all();
	std::lock_guard<std::mutex> guard(cancel_lock);
	if (cancel && !cancelled) {
		cancelled = true;
		cancel();
	}
}

int ResponseChannel::Status() const {
	std::lock_guard<std::mutex> guard(lock);
	return status;
}

bool ResponseChannel::Closed() const {
	std::lock_guard<std::mutex> guard(lock);
	return closed;
}

} // namespace akko::net
