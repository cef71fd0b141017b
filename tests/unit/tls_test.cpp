#include "common/error.hpp"
#include "net/tls.hpp"

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

using namespace akko;
namespace fs = std::filesystem;

namespace {

std::string Slurp(const std::string &path) {
	std::ifstream file(path);
	return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

class TlsTest : public ::testing::Test {
protected:
	void SetUp() override {
		dir = fs::temp_directory_path() / ("akko-tls-test-" + std::to_string(getpid()));
		fs::remove_all(dir);
	}
	void TearDown() override {
		fs::remove_all(dir);
	}
	fs::path dir;
};

TEST_F(TlsTest, CertificateIsMadeOnce) {
	auto first = net::EnsureSelfSignedCertificate(dir.string());
	EXPECT_EQ(first.certificate, (dir / "tls" / "server.crt").string());
	EXPECT_EQ(first.key, (dir / "tls" / "server.key").string());
	auto certificate = Slurp(first.certificate);
	auto key = Slurp(first.key);
	EXPECT_TRUE(certificate.starts_with("-----BEGIN CERTIFICATE-----"));
	EXPECT_TRUE(key.starts_with("-----BEGIN PRIVATE KEY-----"));
	struct stat info {};
	ASSERT_EQ(stat(first.key.c_str(), &info), 0);
	EXPECT_EQ(info.st_mode & 0777, 0600u);

	auto second = net::EnsureSelfSignedCertificate(dir.string());
	EXPECT_EQ(second.certificate, first.certificate);
	EXPECT_EQ(Slurp(second.certificate), certificate);
	EXPECT_EQ(Slurp(second.key), key);
}

TEST_F(TlsTest, CertificateNamesLocalhost) {
	auto files = net::EnsureSelfSignedCertificate(dir.string());
	FILE *file = fopen(files.certificate.c_str(), "r");
	ASSERT_NE(file, nullptr);
	X509 *certificate = PEM_read_X509(file, nullptr, nullptr, nullptr);
	fclose(file);
	ASSERT_NE(certificate, nullptr);
	EXPECT_EQ(X509_check_host(certificate, "localhost", 0, 0, nullptr), 1);
	EXPECT_EQ(X509_check_ip_asc(certificate, "127.0.0.1", 0), 1);
	EXPECT_NE(X509_check_host(certificate, "example.com", 0, 0, nullptr), 1);
	// About ten years.
	int days = 0, seconds = 0;
	ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(certificate), X509_get0_notAfter(certificate)), 1);
	EXPECT_GE(days, 3650);
	EXPECT_LE(days, 3651);
	X509_free(certificate);
}

TEST_F(TlsTest, ContextLoadsTheFiles) {
	auto files = net::EnsureSelfSignedCertificate(dir.string());
	auto context = net::MakeServerTlsContext(files.certificate, files.key);
	ASSERT_NE(context, nullptr);
	EXPECT_EQ(SSL_CTX_get_min_proto_version(context->native_handle()), TLS1_2_VERSION);
}

TEST_F(TlsTest, BadFilesAreConfigurationErrors) {
	auto files = net::EnsureSelfSignedCertificate(dir.string());
	try {
		net::MakeServerTlsContext((dir / "missing.crt").string(), files.key);
		FAIL() << "no error";
	} catch (const Error &error) {
		EXPECT_EQ(error.code, ErrorCode::ConfigurationError);
		EXPECT_NE(error.message.find("missing.crt"), std::string::npos) << error.message;
	}
	// A key that is not the certificate's: named as a mismatch, not as an unreadable key.
	auto other = net::EnsureSelfSignedCertificate((dir / "other").string());
	try {
		net::MakeServerTlsContext(files.certificate, other.key);
		FAIL() << "no error";
	} catch (const Error &error) {
		EXPECT_EQ(error.code, ErrorCode::ConfigurationError);
		EXPECT_NE(error.message.find("does not match the certificate"), std::string::npos) << error.message;
	}
	try {
		net::MakeServerTlsContext(files.certificate, (dir / "missing.key").string());
		FAIL() << "no error";
	} catch (const Error &error) {
		EXPECT_NE(error.message.find("missing.key"), std::string::npos) << error.message;
	}
}

TEST_F(TlsTest, EncryptedKeyIsRefusedWithoutPrompting) {
	auto files = net::EnsureSelfSignedCertificate(dir.string());
	FILE *in = fopen(files.key.c_str(), "r");
	ASSERT_NE(in, nullptr);
	EVP_PKEY *key = PEM_read_PrivateKey(in, nullptr, nullptr, nullptr);
	fclose(in);
	ASSERT_NE(key, nullptr);
	auto encrypted = (dir / "encrypted.key").string();
	FILE *out = fopen(encrypted.c_str(), "w");
	ASSERT_NE(out, nullptr);
	char passphrase[] = "secret";
	ASSERT_EQ(PEM_write_PKCS8PrivateKey(out, key, EVP_aes_256_cbc(), passphrase, 6, nullptr, nullptr), 1);
	fclose(out);
	EVP_PKEY_free(key);
	// OpenSSL's default passphrase callback would read the terminal; the server must fail instead.
	try {
		net::MakeServerTlsContext(files.certificate, encrypted);
		FAIL() << "no error";
	} catch (const Error &error) {
		EXPECT_EQ(error.code, ErrorCode::ConfigurationError);
		EXPECT_NE(error.message.find("encrypted.key"), std::string::npos) << error.message;
	}
}

} // namespace
