#pragma once
// An HTTP/1.1 server on Boost.Beast. Network threads only parse and write; handlers run on
// the worker pool (or inline, for cheap ones); request bodies arrive whole or, on servers
// that ask, streamed; responses go out whole or streamed (chunked, or raw with a declared
// Content-Length) under backpressure. Keep-alive, body and header limits, per-request
// metrics (aden_http_*) and debug log lines, graceful Stop.
#include "net/http_message.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace akko {
class WorkerPool;
}

namespace akko::net {

struct HttpServerOptions {
	std::string address = "127.0.0.1";
	uint16_t port = 0; // 0: an ephemeral port, see HttpServer::Port
	int io_threads = 2;
	size_t max_body_bytes = 16 * 1024 * 1024;        // larger bodies get 413
	// Every request is dispatched once its header is in, its body left to `body_stream`
	// (which Worker handlers read; Inline ones cannot). "Expect: 100-continue" is answered
	// at the handler's first Read. max_body_bytes does not apply, this does:
	bool stream_request_bodies = false;
	uint64_t max_streamed_body_bytes = uint64_t(5) << 40;
	size_t max_header_bytes = 16 * 1024;             // larger headers get 431
	std::chrono::milliseconds read_timeout {30000};  // for a request once it started, for each body piece
	std::chrono::milliseconds idle_timeout {60000};  // between keep-alive requests
	std::chrono::milliseconds write_timeout {60000}; // for each write to a stalled client
	std::chrono::milliseconds stop_grace {5000};     // Stop lets requests finish this long
	// Set: every connection is TLS (see net/tls.hpp).
	std::shared_ptr<boost::asio::ssl::context> tls;
	std::string protocol = "http"; // the aden_connections label
};

enum class Dispatch {
	Worker, // the handler may block: it runs on the worker pool
	Inline, // the handler is quick and never blocks: it runs on the network thread, whole responses only
};

class HttpServer {
public:
	HttpServer(HttpServerOptions options, WorkerPool &workers);
	// Stops if still running.
	~HttpServer();
	HttpServer(const HttpServer &) = delete;
	HttpServer &operator=(const HttpServer &) = delete;

	// Routes are registered before Start. `method` empty matches any method. An exact path
	// wins over prefixes; the longest prefix wins among them.
	void Route(std::string method, std::string path, HttpHandler handler, Dispatch dispatch = Dispatch::Worker);
	void RoutePrefix(std::string method, std::string prefix, HttpHandler handler, Dispatch dispatch = Dispatch::Worker);

	// Binds, listens and starts the network threads. Throws akko::Error.
	void Start();
	// The bound port, after Start.
	uint16_t Port() const;
	// Whether it serves HTTPS.
	bool Secure() const;
	// Stops accepting, closes idle connections, lets running requests finish for
	// `stop_grace`, then closes the rest (their cancel hooks run) and waits for the
	// handlers to return. Idempotent; not from a network or worker thread.
	void Stop();

	struct State;

private:
	std::unique_ptr<State> state;
};

} // namespace akko::net
