// JWTs checked against independent sources: RFC 7515 appendix A.1's HS256 example (key and
// token from the RFC), an HMAC computed by the openssl CLI, and RS256 signatures made by the
// openssl CLI with a key it generated.
#include "auth/jwt.hpp"
#include "common/error.hpp"
#include "shell_output.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <random>

using namespace akko::auth;

using akko::test::ShellOutput;

namespace {

constexpr const char *kRfcKey =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
constexpr const char *kRfcToken =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

std::string Unhex(std::string hex) {
	std::string bytes;
	for (size_t i = 0; i + 1 < hex.size(); i += 2) {
		bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
	}
	return bytes;
}

TEST(JwtTest, VerifiesRfc7515Hs256Example) {
	auto jwt = ParseJwt(kRfcToken);
	ASSERT_TRUE(jwt);
	EXPECT_EQ(jwt->claims["iss"], "joe");
	EXPECT_EQ(jwt->claims["exp"], 1300819380);
	EXPECT_EQ(jwt->claims["http://example.com/is_root"], true);
	auto key = Base64UrlDecode(kRfcKey);
	ASSERT_TRUE(key);
	EXPECT_TRUE(VerifyHs256(*jwt, *key));
	EXPECT_FALSE(VerifyHs256(*jwt, "another key"));
}

TEST(JwtTest, SignHs256MatchesOpensslHmac) {
	auto token = SignHs256({{"sub", "alice"}, {"iat", 1}}, "secret-key");
	auto last = token.rfind('.');
	auto input = token.substr(0, last);
	auto expected = ShellOutput("printf '%s' '" + input + "' | openssl dgst -sha256 -mac HMAC -macopt key:secret-key -hex");
	expected = expected.substr(expected.rfind(' ') + 1, 64);
	EXPECT_EQ(Base64UrlDecode(token.substr(last + 1)), Unhex(expected));
	auto jwt = ParseJwt(token);
	ASSERT_TRUE(jwt);
	EXPECT_EQ(jwt->header["alg"], "HS256");
	EXPECT_TRUE(VerifyHs256(*jwt, "secret-key"));
}

TEST(JwtTest, RejectsMalformedTokens) {
	EXPECT_FALSE(ParseJwt("a.b"));
	EXPECT_FALSE(ParseJwt("a.b.c.d"));
	EXPECT_FALSE(ParseJwt("eyJhbGciOiJub25lIn0.bm90IGpzb24.")); // payload is not JSON
	EXPECT_FALSE(ParseJwt("eyJhbGciOiJub25lIn0.W10.")); // payload is an array
	EXPECT_FALSE(Base64UrlDecode("ab+/"));
	EXPECT_EQ(Base64UrlDecode("_-8"), std::string("\xff\xef", 2));
}

TEST(JwtTest, AlgNoneIsNeverVerified) {
	auto token = Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(R"({"sub":"x"})") + ".";
	auto jwt = ParseJwt(token);
	ASSERT_TRUE(jwt);
	EXPECT_FALSE(VerifyHs256(*jwt, ""));
}

TEST(JwtTest, VerifiesRs256SignedByOpenssl) {
	auto dir = std::filesystem::temp_directory_path() / ("akko_jwt_test_" + std::to_string(std::random_device()()));
	std::filesystem::create_directories(dir);
	auto key = (dir / "key.pem").string();
	ShellOutput("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + key + " 2>/dev/null");
	auto modulus = ShellOutput("openssl rsa -in " + key + " -noout -modulus");
	modulus = modulus.substr(modulus.find('=') + 1);
	modulus.erase(modulus.find_last_not_of("\n") + 1);
	nlohmann::json jwk = {{"kty", "RSA"}, {"n", Base64UrlEncode(Unhex(modulus))}, {"e", "AQAB"}};
	auto public_key = RsaPublicKey::FromJwk(jwk);

	auto input = Base64UrlEncode(R"({"alg":"RS256","kid":"k1"})") + "." + Base64UrlEncode(R"({"sub":"bob"})");
	std::ofstream((dir / "input").string()) << input;
	auto signature = ShellOutput("openssl dgst -sha256 -sign " + key + " " + (dir / "input").string());
	auto jwt = ParseJwt(input + "." + Base64UrlEncode(signature));
	ASSERT_TRUE(jwt);
	EXPECT_TRUE(VerifyRs256(*jwt, public_key));
	// The valid signature under a header naming another algorithm is refused.
	auto hs = ParseJwt(input + "." + Base64UrlEncode(signature));
	hs->header["alg"] = "HS256";
	EXPECT_FALSE(VerifyRs256(*hs, public_key));
	signature[10] ^= 1;
	auto tampered = ParseJwt(input + "." + Base64UrlEncode(signature));
	EXPECT_FALSE(VerifyRs256(*tampered, public_key));
	std::filesystem::remove_all(dir);
}

TEST(JwtTest, RefusesShortOrMalformedRsaKeys) {
	EXPECT_THROW(RsaPublicKey::FromJwk({{"kty", "RSA"}, {"n", "AQAB"}, {"e", "AQAB"}}), akko::Error);
	EXPECT_THROW(RsaPublicKey::FromJwk({{"kty", "EC"}}), akko::Error);
	EXPECT_THROW(RsaPublicKey::FromJwk({{"kty", "RSA"}, {"e", "AQAB"}}), akko::Error);
}

} // namespace
