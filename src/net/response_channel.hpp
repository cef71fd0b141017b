#pragma once
// Internal to net: one request's response on its way from the handler (a worker thread)
// to the connection (a network thread). The handler side queues items and blocks when the
// queued bytes exceed a budget; the network side takes items, writes them, and gives the
// budget back.
#include "net/http_message.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>

namespace akko::net {

// The value of a "Content-Length" among `headers`, named in any case; throws akko::Error
// when it is not a number.
std::optional<uint64_t> DeclaredLength(const HttpHeaders &headers);

class ResponseChannel : public HttpResponder, private ResponseStream {
public:
	struct Item {
		enum class Kind { Whole, Head, Chunk, End, Abort } kind;
		HttpResponse response; // Whole: all of it; Head: status, type, headers; Chunk: body
	};

	// `wake` asks the network side to take items; it is called from any thread.
	// `blocking` false: the handler runs on a network thread and may not stream.
	ResponseChannel(std::function<void()> wake_p, bool blocking_p);

	void Send(HttpResponse response) override;
	ResponseStream &Stream(int status, std::string content_type, HttpHeaders headers) override;
	void OnCancel(std::function<void()> cancel) override;

	// The handler returned (`failure` set when it threw): completes what it left undone.
	void Complete(std::exception_ptr failure);

	// Network side.
	std::optional<Item> Next();
	void Written(size_t bytes);
	// The connection is gone: writers stop waiting and the cancel hook runs.
	void Close();
	// The status sent, 0 before the response started.
	int Status() const;
	bool Closed() const;

private:
	bool Write(std::string_view data) override;
	bool Finish() override;
	void Abort() override;
	// Queues under `lock`, waiting for budget when `wait`; false when closed.
	bool Push(std::unique_lock<std::mutex> &guard, Item item, bool wait);
	void Begin(int status);

	std::function<void()> wake;
	const bool blocking;
	mutable std::mutex lock;
	std::condition_variable space;
	std::deque<Item> items;
	size_t queued_bytes = 0;
	std::string pending; // written but not yet a chunk
	int status = 0;
	bool streaming = false;
	bool ended = false;
	bool closed = false;

	std::mutex cancel_lock;
	std::function<void()> cancel;
	bool cancelled = false;
};

} // namespace akko::net
