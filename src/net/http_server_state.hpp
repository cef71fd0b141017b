#pragma once
// Internal to net: what the server and its connections share.
#include "net/http_server.hpp"
#include "obs/server_metrics.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace akko::net {

class HttpConnection {
public:
	virtual ~HttpConnection() = default;
	// Each posts to the connection's strand; safe from any thread.
	virtual void CloseIdle() = 0; // now if between requests, else after the current response
	virtual void CloseNow() = 0;
};

struct HttpRoute {
	std::string method;
	std::string path;
	bool prefix;
	HttpHandler handler;
	Dispatch dispatch;
};

struct HttpServer::State {
	State(HttpServerOptions options_p, WorkerPool &workers_p);

	// The route for a request; null when none, with `status` 404, or 405 and the methods
	// the path has in `allowed`.
	const HttpRoute *Match(std::string_view method, std::string_view path, int &status, std::string &allowed) const;

	// The connection's id; nullopt once Stop has begun.
	std::optional<uint64_t> Register(std::weak_ptr<HttpConnection> connection);
	void Unregister(uint64_t id);
	// Counts requests between their header and the end of their response, and handlers
	// running on workers, for Stop to wait on.
	void RequestBegan();
	void RequestEnded();
	void HandlerBegan();
	void HandlerEnded();

	const HttpServerOptions options;
	WorkerPool &workers;
	const obs::ServerMetrics &metrics;
	std::vector<HttpRoute> routes;
	std::atomic<bool> stopping {false};

	// Destroyed after the acceptor and timer below. Its destructor frees the connections
	// still held by pending handlers.
	boost::asio::io_context io;
	std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
	std::optional<boost::asio::ip::tcp::acceptor> acceptor;
	std::optional<boost::asio::steady_timer> accept_retry;
	uint16_t port = 0;
	std::vector<std::thread> threads;
	bool started = false;
	bool stopped = false;

	std::mutex lock;
	std::condition_variable changed;
	int active_requests = 0;
	int running_handlers = 0;
	int running_threads = 0;
	uint64_t next_connection = 0;
	std::unordered_map<uint64_t, std::weak_ptr<HttpConnection>> connections;
};

// Takes over an accepted socket (whose executor is a strand) and serves it.
void ServeConnection(boost::asio::ip::tcp::socket socket, HttpServer::State &server);

} // namespace akko::net
