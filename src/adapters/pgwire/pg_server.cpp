#include "adapters/pgwire/pg_server.hpp"

#include "adapters/pgwire/pg_connection.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "net/tls.hpp"
#include "obs/metrics.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <random>

namespace akko::pgwire {

using boost::asio::ip::tcp;

void PgServer::State::Cancel(int32_t pid, int32_t secret) {
	std::shared_ptr<PgConnection> target;
	{
		std::lock_guard<std::mutex> guard(lock);
		auto found = connections.find(pid);
		if (found != connections.end() && found->second->Secret() == secret) {
			target = found->second;
		}
	}
	if (target) {
		target->CancelStatement();
		log::Info("statement_cancel_requested", {{"pid", pid}});
	}
}

void PgServer::State::Remove(int32_t pid) {
	std::lock_guard<std::mutex> guard(lock);
	connections.erase(pid);
	if (connections.empty()) {
		all_closed.notify_all();
	}
}

PgServer::PgServer(const PgServerOptions &options, sql::SqlService &service, auth::UserDirectory &users)
    : state(std::make_unique<State>(options, service, users)) {
	if (!options.tls_cert.empty()) {
		state->tls = net::MakeServerTlsContext(options.tls_cert, options.tls_key);
	}
	if (options.require_tls && !state->tls) {
		throw Error(ErrorCode::ConfigurationError, "require_tls: the PostgreSQL listener has no TLS certificate");
	}
}

PgServer::~PgServer() {
	Stop();
}

void PgServer::Start() {
	boost::system::error_code error;
	auto address = boost::asio::ip::make_address(state->options.listen_address, error);
	if (error) {
		throw Error(ErrorCode::ConfigurationError, fmt::format("listen_address: \"{}\" is not an IP address", state->options.listen_address));
	}
	tcp::endpoint endpoint(address, static_cast<unsigned short>(state->options.port));
	state->acceptor = std::make_unique<tcp::acceptor>(state->io);
	state->acceptor->open(endpoint.protocol(), error);
	if (!error) {
		state->acceptor->set_option(tcp::acceptor::reuse_address(true), error);
		state->acceptor->bind(endpoint, error);
	}
	if (!error) {
		state->acceptor->listen(boost::asio::socket_base::max_listen_connections, error);
	}
	if (error) {
		throw Error(ErrorCode::ConfigurationError,
		            fmt::format("cannot listen for PostgreSQL clients on {}:{}: {}", state->options.listen_address,
		                        state->options.port, error.message()));
	}
	state->bound_port = state->acceptor->local_endpoint().port();
	state->accept_thread = std::thread([state = state.get()] {
		std::random_device random;
		auto &open_connections =
		    obs::DefaultRegistry().AddGauge("aden_connections", "Open client connections", {"protocol"}).Labels({"pgwire"});
		auto &accepted = obs::DefaultRegistry()
		                     .AddCounter("aden_connections_total", "Client connections accepted", {"protocol"})
		                     .Labels({"pgwire"});
		while (!state->stopping) {
			boost::system::error_code accept_error;
			tcp::socket socket(state->io);
			state->acceptor->accept(socket, accept_error);
			if (accept_error) {
				if (state->stopping) {
					break;
				}
				continue;
			}
			accepted.Increment();
			std::shared_ptr<PgConnection> connection;
			int32_t pid;
			{
				std::lock_guard<std::mutex> guard(state->lock);
				pid = state->next_pid++;
				connection = std::make_shared<PgConnection>(*state, std::move(socket), pid, static_cast<int32_t>(random()));
				state->connections[pid] = connection;
			}
			std::thread([state, connection, pid, &open_connections] {
				open_connections.Add(1);
				try {
					connection->Run();
				} catch (const std::exception &error) {
					// A bug in one connection must not take the server down with it.
					log::Error("connection_failed", {{"pid", pid}, {"error", error.what()}});
				}
				open_connections.Add(-1);
				state->Remove(pid);
			}).detach();
		}
	});
}

int PgServer::Port() const {
	return state->bound_port;
}

void PgServer::Stop() {
	if (!state->acceptor || state->stopping.exchange(true)) {
		return;
	}
	boost::system::error_code ignored;
	// Closing a listening socket does not wake a blocked accept(); shutting it down does.
	::shutdown(state->acceptor->native_handle(), SHUT_RDWR);
	state->acceptor->close(ignored);
	if (state->accept_thread.joinable()) {
		state->accept_thread.join();
	}
	std::unique_lock<std::mutex> guard(state->lock);
	for (auto &[pid, connection] : state->connections) {
		connection->Terminate();
	}
	state->all_closed.wait_for(guard, std::chrono::seconds(10), [&] { return state->connections.empty(); });
}

} // namespace akko::pgwire
