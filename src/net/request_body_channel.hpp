#pragma once
// Internal to net: a streamed request body on its way from the connection (a network
// thread) to the handler (a worker thread). The network side pushes the pieces it reads
// while the queue has room and leaves the socket alone once it is full, so a slow handler
// holds the client back instead of filling memory; Read drains the queue and wakes the
// network side when room returns.
#include "common/error.hpp"
#include "net/http_message.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace akko::net {

class RequestBodyChannel : public RequestBody {
public:
	// `wake` asks the network side to read on; it is called from the handler's thread.
	// `blocking` false: the handler runs on a network thread and may not read.
	// `await_first_read`: nothing is read before the handler's first Read (the client
	// waits for "100 Continue", which goes out then).
	RequestBodyChannel(std::function<void()> wake_p, bool blocking_p, bool await_first_read);

	size_t Read(char *buffer, size_t size) override;

	// Network side.
	// Whether to read another piece now. When not, `wake` is called once it is time.
	bool WantsMore();
	void Push(std::string piece);
	void End();
	// Reads throw `error` from now on, unless the whole body already arrived.
	void Fail(akko::Error error);

private:
	std::function<void()> wake;
	const bool blocking;
	std::mutex lock;
	std::condition_variable arrived;
	std::deque<std::string> pieces;
	size_t offset = 0; // consumed from pieces.front()
	size_t queued_bytes = 0;
	bool reading = false; // the network side may read
	bool waiting = false; // the network side waits for `wake`
	bool ended = false;
	std::optional<akko::Error> failure;
};

} // namespace akko::net
