#include "adapters/pgwire/pg_socket.hpp"

#include <boost/asio/write.hpp>
#include <sys/socket.h>

namespace akko::pgwire {

PgSocket::PgSocket(boost::asio::ip::tcp::socket socket_p) : socket(std::move(socket_p)) {
	boost::system::error_code ignored;
	socket.set_option(boost::asio::ip::tcp::no_delay(true), ignored);
}

bool PgSocket::StartTls(boost::asio::ssl::context &context) {
	tls = std::make_unique<boost::asio::ssl::stream<boost::asio::ip::tcp::socket &>>(socket, context);
	boost::system::error_code error;
	tls->handshake(boost::asio::ssl::stream_base::server, error);
	return !error;
}

size_t PgSocket::ReadSome(char *buffer, size_t size) {
	boost::system::error_code error;
	size_t n = tls ? tls->read_some(boost::asio::buffer(buffer, size), error)
	               : socket.read_some(boost::asio::buffer(buffer, size), error);
	return error ? 0 : n;
}

bool PgSocket::WriteAll(std::string_view data) {
	boost::system::error_code error;
	if (tls) {
		boost::asio::write(*tls, boost::asio::buffer(data.data(), data.size()), error);
	} else {
		boost::asio::write(socket, boost::asio::buffer(data.data(), data.size()), error);
	}
	return !error;
}

void PgSocket::ShutdownRead() {
	::shutdown(socket.native_handle(), SHUT_RD);
}

void PgSocket::Close() {
	boost::system::error_code ignored;
	if (tls) {
		tls->shutdown(ignored);
	}
	socket.close(ignored);
}

std::string PgSocket::PeerAddress() const {
	boost::system::error_code error;
	auto endpoint = socket.remote_endpoint(error);
	return error ? std::string("unknown") : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

} // namespace akko::pgwire
