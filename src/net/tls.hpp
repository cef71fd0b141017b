#pragma once
// TLS material for every listener (HTTP, PostgreSQL wire): a self-signed certificate made
// once into the data directory when none is configured, and server contexts for Asio.
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace akko::net {

struct TlsFiles {
	std::string certificate; // PEM
	std::string key;         // PEM, mode 0600
};

// `dir`/tls/server.crt and server.key: an EC P-256 key and a certificate for CN=localhost,
// SAN DNS:localhost, IP:127.0.0.1, IP:::1, valid ten years. Made on the first call;
// later calls return the same files. Throws akko::Error.
TlsFiles EnsureSelfSignedCertificate(const std::string &dir);

// A server context for TLS 1.2 and later with this certificate chain and key. Throws
// akko::Error (configuration_error) when they cannot be loaded or do not match.
std::shared_ptr<boost::asio::ssl::context> MakeServerTlsContext(const std::string &certificate, const std::string &key);

} // namespace akko::net
