#include "net/http_server.hpp"

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/worker_pool.hpp"
#include "net/http_server_state.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pthread.h>

namespace akko::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

void Accept(HttpServer::State &state);

void OnAccept(HttpServer::State &state, boost::system::error_code error, tcp::socket socket) {
	if (error == asio::error::operation_aborted || state.stopping) {
		return;
	}
	if (error) {
		// Typically out of file descriptors: wait a little rather than spin.
		log::Warn("http_accept_failed", {{"error", error.message()}});
		state.accept_retry->expires_after(std::chrono::milliseconds(100));
		state.accept_retry->async_wait([&state](boost::system::error_code error) {
			if (!error && !state.stopping) {
				Accept(state);
			}
		});
		return;
	}
	ServeConnection(std::move(socket), state);
	Accept(state);
}

void Accept(HttpServer::State &state) {
	// Each connection gets its own strand: its handlers never run concurrently.
	state.acceptor->async_accept(
	    asio::make_strand(state.io),
	    [&state](boost::system::error_code error, tcp::socket socket) { OnAccept(state, error, std::move(socket)); });
}

template <class F>
void ForEachConnection(HttpServer::State &state, F &&action) {
	std::vector<std::weak_ptr<HttpConnection>> current;
	{
		std::lock_guard<std::mutex> guard(state.lock);
		for (auto &[id, connection] : state.connections) {
			current.push_back(connection);
		}
	}
	for (auto &weak : current) {
		if (auto connection = weak.lock()) {
			action(*connection);
		}
	}
}

} // namespace

HttpServer::State::State(HttpServerOptions options_p, WorkerPool &workers_p)
    : options(std::move(options_p)), workers(workers_p), metrics(obs::Server()) {
}

const HttpRoute *HttpServer::State::Match(std::string_view method, std::string_view path, int &status,
                                          std::string &allowed) const {
	auto allows = [&](const HttpRoute &route) {
		return route.method.empty() || route.method == method;
	};
	const HttpRoute *best = nullptr;
	bool path_known = false;
	for (auto &route : routes) {
		if (!route.prefix && route.path == path) {
			if (allows(route)) {
				return &route;
			}
			path_known = true;
			allowed += (allowed.empty() ? "" : ", ") + route.method;
		}
	}
	// An exact path wins over every prefix, also to say which methods it allows.
	if (path_known) {
		status = 405;
		return nullptr;
	}
	for (auto &route : routes) {
		if (route.prefix && path.starts_with(route.path)) {
			if (allows(route) && (!best || route.path.size() > best->path.size())) {
				best = &route;
			} else if (!allows(route)) {
				path_known = true;
				allowed += (allowed.empty() ? "" : ", ") + route.method;
			}
		}
	}
	if (!best) {
		status = path_known ? 405 : 404;
	}
	return best;
}

std::optional<uint64_t> HttpServer::State::Register(std::weak_ptr<HttpConnection> connection) {
	std::lock_guard<std::mutex> guard(lock);
	if (stopping) {
		return std::nullopt;
	}
	auto id = ++next_connection;
	connections.emplace(id, std::move(connection));
	return id;
}

void HttpServer::State::Unregister(uint64_t id) {
	std::lock_guard<std::mutex> guard(lock);
	connections.erase(id);
}

void HttpServer::State::RequestBegan() {
	std::lock_guard<std::mutex> guard(lock);
	active_requests++;
}

void HttpServer::State::RequestEnded() {
	std::lock_guard<std::mutex> guard(lock);
	active_requests--;
	changed.notify_all();
}

void HttpServer::State::HandlerBegan() {
	std::lock_guard<std::mutex> guard(lock);
	running_handlers++;
}

void HttpServer::State::HandlerEnded() {
	std::lock_guard<std::mutex> guard(lock);
	running_handlers--;
	changed.notify_all();
}

HttpServer::HttpServer(HttpServerOptions options, WorkerPool &workers)
    : state(std::make_unique<State>(std::move(options), workers)) {
}

HttpServer::~HttpServer() {
	Stop();
}

void HttpServer::Route(std::string method, std::string path, HttpHandler handler, Dispatch dispatch) {
	if (state->started) {
		throw akko::Error(ErrorCode::Internal, fmt::format("route {} {} added after the server started", method, path));
	}
	state->routes.push_back(HttpRoute {std::move(method), std::move(path), false, std::move(handler), dispatch});
}

void HttpServer::RoutePrefix(std::string method, std::string prefix, HttpHandler handler, Dispatch dispatch) {
	if (state->started) {
		throw akko::Error(ErrorCode::Internal,
		                  fmt::format("route {} {} added after the server started", method, prefix));
	}
	state->routes.push_back(HttpRoute {std::move(method), std::move(prefix), true, std::move(handler), dispatch});
}

void HttpServer::Start() {
	auto &s = *state;
	if (s.started) {
		throw akko::Error(ErrorCode::Internal, "the HTTP server was already started");
	}
	auto where = fmt::format("{}:{}", s.options.address, s.options.port);
	boost::system::error_code error;
	auto address = asio::ip::make_address(s.options.address, error);
	if (error) {
		throw akko::Error(ErrorCode::ConfigurationError,
		                  fmt::format("{}: \"{}\" is not an IP address", s.options.protocol, s.options.address));
	}
	tcp::endpoint endpoint(address, s.options.port);
	s.acceptor.emplace(asio::make_strand(s.io));
	auto check = [&](const char *step) {
		if (error) {
			throw akko::Error(ErrorCode::ConfigurationError,
			                  fmt::format("{}: cannot {} {}: {}", s.options.protocol, step, where, error.message()));
		}
	};
	s.acceptor->open(endpoint.protocol(), error);
	check("open a socket for");
	s.acceptor->set_option(asio::socket_base::reuse_address(true), error);
	check("set options on");
	s.acceptor->bind(endpoint, error);
	check("bind to");
	s.acceptor->listen(asio::socket_base::max_listen_connections, error);
	check("listen on");
	s.port = s.acceptor->local_endpoint().port();
	s.accept_retry.emplace(s.acceptor->get_executor());
	s.work.emplace(s.io.get_executor());
	s.started = true;
	Accept(s);
	auto count = std::max(1, s.options.io_threads);
	s.running_threads = count;
	for (int i = 0; i < count; i++) {
		s.threads.emplace_back([&s] {
			s.io.run();
			std::lock_guard<std::mutex> guard(s.lock);
			s.running_threads--;
			s.changed.notify_all();
		});
		pthread_setname_np(s.threads.back().native_handle(), (s.options.protocol + "-io").substr(0, 15).c_str());
	}
	log::Info("listening", {{"protocol", s.options.protocol},
	                        {"address", s.options.address},
	                        {"port", s.port},
	                        {"tls", static_cast<bool>(s.options.tls)}});
}

uint16_t HttpServer::Port() const {
	return state->port;
}

bool HttpServer::Secure() const {
	return state->options.tls != nullptr;
}

void HttpServer::Stop() {
	auto &s = *state;
	if (!s.started || s.stopped) {
		return;
	}
	s.stopped = true;
	{
		std::lock_guard<std::mutex> guard(s.lock);
		s.stopping = true;
	}
	asio::post(s.acceptor->get_executor(), [&s] {
		boost::system::error_code ignored;
		s.acceptor->close(ignored);
		s.accept_retry->cancel();
	});
	ForEachConnection(s, [](HttpConnection &connection) { connection.CloseIdle(); });
	{
		std::unique_lock<std::mutex> guard(s.lock);
		s.changed.wait_for(guard, s.options.stop_grace, [&s] { return s.active_requests == 0; });
	}
	ForEachConnection(s, [](HttpConnection &connection) { connection.CloseNow(); });
	{
		// Handlers hold their connection and this state: they must be done before either
		// goes. Closing their connections cancelled them, so this is short.
		std::unique_lock<std::mutex> guard(s.lock);
		while (!s.changed.wait_for(guard, std::chrono::seconds(5), [&s] { return s.running_handlers == 0; })) {
			log::Warn("stop_waiting_for_handlers",
			          {{"protocol", s.options.protocol}, {"handlers", s.running_handlers}});
		}
	}
	// With every socket closed the network threads run out of work and return; a little
	// later they are told to.
	s.work.reset();
	{
		std::unique_lock<std::mutex> guard(s.lock);
		s.changed.wait_for(guard, std::chrono::seconds(2), [&s] { return s.running_threads == 0; });
	}
	s.io.stop();
	for (auto &thread : s.threads) {
		thread.join();
	}
	log::Info("stopped", {{"protocol", s.options.protocol}, {"port", s.port}});
}

} // namespace akko::net
