#include "net/tls.hpp"

#include "common/error.hpp"
#include "common/log.hpp"

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <unistd.h>

namespace akko::net {

namespace {

constexpr long kValidDays = 3650;

template <class T, void (*Free)(T *)>
struct Deleter {
	void operator()(T *pointer) const {
		Free(pointer);
	}
};
using KeyPointer = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertificatePointer = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ExtensionPointer = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using NumberPointer = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

// The reason OpenSSL recorded last, and its queue cleared.
std::string OpenSslError() {
	auto code = ERR_get_error();
	ERR_clear_error();
	if (!code) {
		return "unknown OpenSSL error";
	}
	char text[256];
	ERR_error_string_n(code, text, sizeof(text));
	return text;
}

[[noreturn]] void Fail(const std::string &what) {
	throw akko::Error(ErrorCode::ConfigurationError, fmt::format("tls: {}: {}", what, OpenSslError()));
}

void AddExtension(X509 *certificate, int nid, const char *value) {
	X509V3_CTX context;
	X509V3_set_ctx_nodb(&context);
	X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
	ExtensionPointer extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
	if (!extension || !X509_add_ext(certificate, extension.get(), -1)) {
		Fail(fmt::format("cannot add certificate extension {}", value));
	}
}

CertificatePointer MakeCertificate(EVP_PKEY *key) {
	CertificatePointer certificate(X509_new());
	if (!certificate || !X509_set_version(certificate.get(), X509_VERSION_3)) {
		Fail("cannot create a certificate");
	}
	// A random 159-bit serial: positive, unique in practice, within RFC 5280's 20 octets.
	NumberPointer serial(BN_new());
	if (!serial || !BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get()))) {
		Fail("cannot make a serial number");
	}
	// Valid from an hour ago, so a client whose clock lags a little accepts it too.
	if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600) ||
	    !X509_time_adj_ex(X509_getm_notAfter(certificate.get()), kValidDays, 0, nullptr)) {
		Fail("cannot set the validity");
	}
	auto name = X509_get_subject_name(certificate.get());
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("AKKO"), -1, -1,
	                                0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("localhost"), -1,
	                                -1, 0) ||
	    !X509_set_issuer_name(certificate.get(), name) || !X509_set_pubkey(certificate.get(), key)) {
		Fail("cannot set the names");
	}
	AddExtension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE");
	AddExtension(certificate.get(), NID_key_usage, "critical,digitalSignature");
	AddExtension(certificate.get(), NID_ext_key_usage, "serverAuth");
	AddExtension(certificate.get(), NID_subject_key_identifier, "hash");
	AddExtension(certificate.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
	if (!X509_sign(certificate.get(), key, EVP_sha256())) {
		Fail("cannot sign the certificate");
	}
	return certificate;
}

// Writes a new file with `mode` through `write`; an existing file is replaced.
template <class F>
void WriteFile(const std::string &path, mode_t mode, F &&write) {
	auto temporary = fmt::format("{}.tmp{}", path, getpid());
	int descriptor = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (descriptor < 0) {
		throw akko::Error(ErrorCode::ConfigurationError,
		                  fmt::format("tls: cannot create \"{}\": {}", temporary, std::strerror(errno)));
	}
	FILE *file = fdopen(descriptor, "w");
	if (!file) {
		close(descriptor);
		throw akko::Error(ErrorCode::ConfigurationError, fmt::format("tls: cannot open \"{}\"", temporary));
	}
	bool written = write(file) && fflush(file) == 0 && fsync(fileno(file)) == 0;
	fclose(file);
	if (!written || rename(temporary.c_str(), path.c_str()) != 0) {
		unlink(temporary.c_str());
		Fail(fmt::format("cannot write \"{}\"", path));
	}
}

KeyPointer ReadPrivateKey(const std::string &path) {
	FILE *file = fopen(path.c_str(), "r");
	if (!file) {
		throw akko::Error(ErrorCode::ConfigurationError,
		                  fmt::format("tls: cannot read the key \"{}\": {}", path, std::strerror(errno)));
	}
	// No passphrase callback: OpenSSL's default would prompt on the terminal and hang start-up.
	KeyPointer key(PEM_read_PrivateKey(file, nullptr, [](char *, int, int, void *) { return 0; }, nullptr));
	fclose(file);
	if (!key) {
		Fail(fmt::format("cannot load the key \"{}\" (an unencrypted PEM private key)", path));
	}
	return key;
}

} // namespace

TlsFiles EnsureSelfSignedCertificate(const std::string &dir) {
	namespace fs = std::filesystem;
	auto tls_dir = fs::path(dir) / "tls";
	TlsFiles files {(tls_dir / "server.crt").string(), (tls_dir / "server.key").string()};
	std::error_code error;
	if (fs::exists(files.certificate, error) && fs::exists(files.key, error)) {
		return files;
	}
	fs::create_directories(tls_dir, error);
	if (error) {
		throw akko::Error(ErrorCode::ConfigurationError,
		                  fmt::format("tls: cannot create \"{}\": {}", tls_dir.string(), error.message()));
	}
	fs::permissions(tls_dir, fs::perms::owner_all, error);

	KeyPointer key(EVP_EC_gen("P-256"));
	if (!key) {
		Fail("cannot generate an EC P-256 key");
	}
	auto certificate = MakeCertificate(key.get());
	// The key first: a certificate on disk always has its key beside it.
	WriteFile(files.key, 0600, [&](FILE *file) {
		return PEM_write_PrivateKey(file, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
	});
	WriteFile(files.certificate, 0644, [&](FILE *file) { return PEM_write_X509(file, certificate.get()) == 1; });
	log::Info("tls_certificate_created", {{"certificate", files.certificate}, {"key", files.key}});
	return files;
}

std::shared_ptr<boost::asio::ssl::context> MakeServerTlsContext(const std::string &certificate,
                                                                const std::string &key) {
	namespace ssl = boost::asio::ssl;
	auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
	context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
	                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
	auto handle = context->native_handle();
	if (!SSL_CTX_set_min_proto_version(handle, TLS1_2_VERSION) ||
	    !SSL_CTX_set_cipher_list(handle, "HIGH:!aNULL:!kRSA:!PSK:!SRP:!MD5:!RC4:!SHA1")) {
		Fail("cannot configure the protocol versions");
	}
	if (SSL_CTX_use_certificate_chain_file(handle, certificate.c_str()) != 1) {
		Fail(fmt::format("cannot load the certificate \"{}\"", certificate));
	}
	auto private_key = ReadPrivateKey(key);
	// Checked before use: OpenSSL would otherwise report a mismatch as a failure to load the key.
	if (X509_check_private_key(SSL_CTX_get0_certificate(handle), private_key.get()) != 1) {
		Fail(fmt::format("the key \"{}\" does not match the certificate \"{}\"", key, certificate));
	}
	if (SSL_CTX_use_PrivateKey(handle, private_key.get()) != 1) {
		Fail(fmt::format("cannot use the key \"{}\"", key));
	}
	return context;
}

} // namespace akko::net
