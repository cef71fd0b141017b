// The OIDC verifier with a provider faked in memory (discovery and JWKS answered by the fetch
// hook, time by the clock hook) and keys and signatures made by the openssl CLI: rotation,
// the refetch budget for unknown kids, and the mapping of groups and realm roles to roles.
#include "auth/oidc_verifier.hpp"
#include "common/error.hpp"
#include "shell_output.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <random>

using namespace akko::auth;

using akko::test::ShellOutput;

namespace {

constexpr const char *kIssuer = "https://idp.example/realms/test";
constexpr const char *kJwksUri = "https://idp.example/realms/test/certs";

std::string Unhex(const std::string &hex) {
	std::string bytes;
	for (size_t i = 0; i + 1 < hex.size(); i += 2) {
		bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
	}
	return bytes;
}

struct OpensslKey {
	std::string kid;
	std::string path;
	nlohmann::json jwk;
};

class OidcVerifierTest : public testing::Test {
protected:
	void SetUp() override {
		dir = std::filesystem::temp_directory_path() / ("akko_oidc_test_" + std::to_string(std::random_device()()));
		std::filesystem::create_directories(dir);
		published.push_back(MakeKey("k1"));
	}
	void TearDown() override {
		std::filesystem::remove_all(dir);
	}

	OpensslKey MakeKey(const std::string &kid) {
		auto path = (dir / (kid + ".pem")).string();
		ShellOutput("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " + path + " 2>/dev/null");
		auto modulus = ShellOutput("openssl rsa -in " + path + " -noout -modulus");
		modulus = modulus.substr(modulus.find('=') + 1);
		modulus.erase(modulus.find_last_not_of('\n') + 1);
		return {kid, path, {{"kty", "RSA"}, {"use", "sig"}, {"kid", kid}, {"n", Base64UrlEncode(Unhex(modulus))},
		                    {"e", "AQAB"}}};
	}

	std::string Token(const OpensslKey &key, nlohmann::json claims) {
		auto input = Base64UrlEncode(nlohmann::json({{"alg", "RS256"}, {"kid", key.kid}}).dump()) + "." +
		             Base64UrlEncode(claims.dump());
		auto input_path = (dir / "input").string();
		std::ofstream(input_path) << input;
		return input + "." + Base64UrlEncode(ShellOutput("openssl dgst -sha256 -sign " + key.path + " " + input_path));
	}

	nlohmann::json Claims(const std::string &user) {
		return {{"iss", kIssuer}, {"aud", "akko"}, {"preferred_username", user}, {"exp", clock + 300}};
	}

	OidcVerifier Verifier(std::string role_map = "") {
		OidcOptions options {kIssuer, "akko", "preferred_username", "groups", std::move(role_map)};
		return OidcVerifier(
		    options, [](const std::string &name) { return name == "akko-analyst" || name == "akko-viewer"; },
		    [this](const std::string &url) -> std::string {
			    if (url == std::string(kIssuer) + "/.well-known/openid-configuration") {
				    return nlohmann::json({{"issuer", kIssuer}, {"jwks_uri", kJwksUri}}).dump();
			    }
			    EXPECT_EQ(url, kJwksUri);
			    jwks_fetches++;
			    nlohmann::json keys = nlohmann::json::array();
			    for (auto &key : published) {
				    keys.push_back(key.jwk);
			    }
			    return nlohmann::json({{"keys", keys}}).dump();
		    },
		    [this] { return clock; });
	}

	std::filesystem::path dir;
	std::vector<OpensslKey> published;
	int jwks_fetches = 0;
	int64_t clock = 1'700'000'000;
};

TEST_F(OidcVerifierTest, RotationIsPickedUpAndRemovedKeysStopWorking) {
	auto verifier = Verifier();
	auto old_key = published[0];
	EXPECT_EQ(verifier.Verify(Token(old_key, Claims("ann"))).user, "ann");
	EXPECT_EQ(verifier.Verify(Token(old_key, Claims("ann"))).user, "ann");
	EXPECT_EQ(jwks_fetches, 1);
	published = {MakeKey("k2")};
	EXPECT_EQ(verifier.Verify(Token(published[0], Claims("bob"))).user, "bob");
	EXPECT_EQ(jwks_fetches, 2);
	EXPECT_THROW(verifier.Verify(Token(old_key, Claims("ann"))), akko::Error);
}

TEST_F(OidcVerifierTest, UnknownKidsCannotMakeItHammerTheProvider) {
	auto verifier = Verifier();
	auto stranger = MakeKey("made-up");
	auto token = Token(stranger, Claims("eve"));
	for (int i = 0; i < 20; i++) {
		EXPECT_THROW(verifier.Verify(token), akko::Error);
	}
	EXPECT_EQ(jwks_fetches, 5);
	// The budget comes back as time passes.
	clock += 61;
	EXPECT_THROW(verifier.Verify(Token(stranger, Claims("eve"))), akko::Error);
	EXPECT_EQ(jwks_fetches, 6);
}

TEST_F(OidcVerifierTest, MapsGroupsAndRealmRoles) {
	auto verifier = Verifier("data-team=akko-analyst, auditors = akko-viewer");
	auto claims = Claims("cai");
	claims["groups"] = {"/data-team", "unrelated", "akko-viewer"};
	claims["realm_access"] = {{"roles", {"akko-analyst", "offline_access"}}};
	auto caller = verifier.Verify(Token(published[0], claims));
	EXPECT_EQ(caller.roles, (std::vector<std::string> {"akko-analyst", "akko-viewer"}));
	claims["groups"] = "auditors"; // a single string, as some providers send
	claims.erase("realm_access");
	EXPECT_EQ(verifier.Verify(Token(published[0], claims)).roles, (std::vector<std::string> {"akko-viewer"}));
}

TEST_F(OidcVerifierTest, ClockChecksAllowOneMinuteOfSkew) {
	auto verifier = Verifier();
	auto claims = Claims("dee");
	claims["exp"] = clock - 59;
	EXPECT_EQ(verifier.Verify(Token(published[0], claims)).user, "dee");
	claims["exp"] = clock - 60;
	EXPECT_THROW(verifier.Verify(Token(published[0], claims)), akko::Error);
	claims["exp"] = clock + 300;
	claims["nbf"] = clock + 60;
	EXPECT_EQ(verifier.Verify(Token(published[0], claims)).user, "dee");
	claims["nbf"] = clock + 61;
	EXPECT_THROW(verifier.Verify(Token(published[0], claims)), akko::Error);
}

TEST_F(OidcVerifierTest, BadRoleMapIsAConfigurationError) {
	EXPECT_THROW(Verifier("data-team"), akko::Error);
	EXPECT_THROW(Verifier("=akko-analyst"), akko::Error);
}

} // namespace
