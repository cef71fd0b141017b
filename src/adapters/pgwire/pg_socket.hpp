#pragma once
// A client socket with blocking reads and writes, upgraded to TLS when the client asks.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace akko::pgwire {

class PgSocket {
public:
	explicit PgSocket(boost::asio::ip::tcp::socket socket_p);
	// Runs the server side of the TLS handshake; false when it fails.
	bool StartTls(boost::asio::ssl::context &context);
	// Reads what is there (at least one byte); 0 at end of stream or on error.
	size_t ReadSome(char *buffer, size_t size);
	bool WriteAll(std::string_view data);
	// Safe from any thread: wakes a blocked read so the connection can end.
	void ShutdownRead();
	void Close();
	std::string PeerAddress() const;
	bool IsTls() const {
		return tls != nullptr;
	}

private:
	boost::asio::ip::tcp::socket socket;
	std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket &>> tls;
};

} // namespace akko::pgwire
