#pragma once
// Private to pgwire: what the server and its connections share.
#include "adapters/pgwire/pg_server.hpp"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace akko::pgwire {

class PgConnection;

struct PgServer::State {
	PgServerOptions options;
	sql::SqlService &service;
	auth::UserDirectory &users;
	std::shared_ptr<boost::asio::ssl::context> tls;
	boost::asio::io_context io;
	std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;
	std::thread accept_thread;
	std::atomic<bool> stopping {false};
	int bound_port = 0;

	mutable std::mutex lock;
	std::condition_variable all_closed;
	std::map<int32_t, std::shared_ptr<PgConnection>> connections; // by backend pid
	int32_t next_pid = 1000;

	State(const PgServerOptions &options_p, sql::SqlService &service_p, auth::UserDirectory &users_p)
	    : options(options_p), service(service_p), users(users_p) {
	}
	// CancelRequest: interrupts the statement of the connection with this pid and secret.
	void Cancel(int32_t pid, int32_t secret);
	void Remove(int32_t pid);
};

} // namespace akko::pgwire
