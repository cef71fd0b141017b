#pragma once
// The PostgreSQL wire protocol (v3) server. One thread per connection, as PostgreSQL has
// one process per connection: the thread reads, runs statements and writes with blocking
// calls, which gives natural backpressure. Cancel requests and shutdown reach a connection
// through the registry here.
#include <cstdint>
#include <memory>
#include <string>

namespace akko::sql {
class SqlService;
}
namespace akko::auth {
class UserDirectory;
}

namespace akko::pgwire {

struct PgServerOptions {
	std::string listen_address = "127.0.0.1";
	int port = 5432;
	std::string tls_cert; // PEM files; empty: TLS refused (SSLRequest answered 'N')
	std::string tls_key;
	// Refuse (FATAL 28000) a startup packet that did not come over TLS, as a pg_hba.conf of
	// hostssl lines only does; needs tls_cert.
	bool require_tls = false;
	int max_connections = 256;
	uint32_t max_message_bytes = 64 * 1024 * 1024;
};

class PgServer {
public:
	PgServer(const PgServerOptions &options, sql::SqlService &service, auth::UserDirectory &users);
	~PgServer();
	void Start();
	int Port() const;
	// Stops accepting, cancels running statements, tells clients and closes every connection.
	void Stop();

	struct State;

private:
	std::unique_ptr<State> state;
};

} // namespace akko::pgwire
