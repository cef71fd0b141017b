// Single sign-on's bookkeeping (auth::OidcLogin) with a provider that is only a discovery
// document and a token endpoint that records what it was sent: the login URL carries RFC 7636's
// S256 challenge of the verifier later sent with the code; a state is good once and for ten
// minutes; the provider's refusal is reported. The whole flow against a provider that signs
// real tokens is in tests/integration/test_oidc.py.
#include "auth/jwt.hpp"
#include "auth/oidc_login.hpp"
#include "auth/oidc_verifier.hpp"
#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/url.hpp"
#include "error_of.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace akko::auth {
namespace {

using akko::test::CodeOf;
using akko::test::MessageOf;

constexpr const char *kIssuer = "https://idp.example/realms/bank";

struct Harness {
	std::chrono::steady_clock::time_point now {};
	std::vector<std::pair<std::string, std::string>> posts; // url, form
	HttpAnswer answer {400, R"({"error":"invalid_grant","error_description":"code expired"})"};
	OidcVerifier verifier {OidcOptions {kIssuer}, [](const std::string &) { return false; },
	                       [](const std::string &url) -> std::string {
		                       EXPECT_EQ(url, std::string(kIssuer) + "/.well-known/openid-configuration");
		                       return nlohmann::json {{"issuer", kIssuer},
		                                              {"jwks_uri", std::string(kIssuer) + "/certs"},
		                                              {"authorization_endpoint", std::string(kIssuer) + "/auth"},
		                                              {"token_endpoint", std::string(kIssuer) + "/token"}}
		                           .dump();
	                       }};
	OidcLogin login {verifier, OidcLoginOptions {"cockpit", "", "openid profile"},
	                 [this](const std::string &url, const std::string &form) {
		                 posts.emplace_back(url, form);
		                 return answer;
	                 },
	                 [this] { return now; }};
};

std::map<std::string, std::string> QueryOf(const std::string &url) {
	return ParseQuery(url.substr(url.find('?') + 1));
}

TEST(OidcLogin, LoginUrlCarriesTheS256ChallengeOfTheVerifierSentWithTheCode) {
	Harness harness;
	auto start = harness.login.Start("https://akko.example/api/v1/auth/sso/callback");
	auto &url = start.url;
	ASSERT_EQ(url.rfind(std::string(kIssuer) + "/auth?", 0), 0u) << url;
	auto query = QueryOf(url);
	EXPECT_EQ(query["response_type"], "code");
	EXPECT_EQ(query["client_id"], "cockpit");
	EXPECT_EQ(query["scope"], "openid profile");
	EXPECT_EQ(query["redirect_uri"], "https://akko.example/api/v1/auth/sso/callback");
	EXPECT_EQ(query["code_challenge_method"], "S256");

	EXPECT_EQ(CodeOf([&] { harness.login.Finish(query["state"], "the-code", start.browser_key); }),
	          ErrorCode::InvalidAuthorization);
	ASSERT_EQ(harness.posts.size(), 1u);
	EXPECT_EQ(harness.posts[0].first, std::string(kIssuer) + "/token");
	auto form = ParseQuery(harness.posts[0].second);
	EXPECT_EQ(form["grant_type"], "authorization_code");
	EXPECT_EQ(form["code"], "the-code");
	EXPECT_EQ(form["redirect_uri"], "https://akko.example/api/v1/auth/sso/callback");
	// RFC 7636 4.1 and 4.2: 43 to 128 unreserved characters; challenge = BASE64URL(SHA256(verifier)).
	auto verifier = form["code_verifier"];
	EXPECT_GE(verifier.size(), 43u);
	EXPECT_EQ(verifier.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"),
	          std::string::npos);
	Digest digest(Digest::Algorithm::Sha256);
	digest.Update(verifier);
	EXPECT_EQ(Base64UrlEncode(digest.Finish()), query["code_challenge"]);
}

TEST(OidcLogin, TheProvidersRefusalIsReported) {
	Harness harness;
	auto start = harness.login.Start("https://akko.example/cb");
	auto message = MessageOf([&] { harness.login.Finish(QueryOf(start.url)["state"], "code", start.browser_key); });
	EXPECT_NE(message.find("code expired"), std::string::npos) << message;
}

TEST(OidcLogin, AStateIsGoodOnceAndForTenMinutes) {
	Harness harness;
	auto first = harness.login.Start("https://akko.example/cb");
	auto second = harness.login.Start("https://akko.example/cb");
	auto first_state = QueryOf(first.url)["state"];
	EXPECT_NE(first_state, QueryOf(second.url)["state"]);
	EXPECT_NE(first.browser_key, second.browser_key);
	EXPECT_EQ(CodeOf([&] { harness.login.Finish(first_state, "code", first.browser_key); }),
	          ErrorCode::InvalidAuthorization);
	EXPECT_EQ(harness.posts.size(), 1u);
	// Used: refused before the provider is asked again.
	EXPECT_EQ(CodeOf([&] { harness.login.Finish(first_state, "code", first.browser_key); }),
	          ErrorCode::InvalidAuthorization);
	EXPECT_EQ(harness.posts.size(), 1u);
	harness.now += OidcLogin::kPendingFor + std::chrono::seconds(1);
	EXPECT_EQ(CodeOf([&] { harness.login.Finish(QueryOf(second.url)["state"], "code", second.browser_key); }),
	          ErrorCode::InvalidAuthorization);
	EXPECT_EQ(harness.posts.size(), 1u);
	EXPECT_EQ(CodeOf([&] { harness.login.Finish("made-up", "code", first.browser_key); }),
	          ErrorCode::InvalidAuthorization);
}

// Login CSRF: a callback link with another browser's state does not log this browser in.
TEST(OidcLogin, OnlyTheBrowserThatStartedALoginFinishesIt) {
	Harness harness;
	auto start = harness.login.Start("https://akko.example/cb");
	auto state = QueryOf(start.url)["state"];
	for (auto *key : {"", "someone-else"}) {
		auto victim = harness.login.Start("https://akko.example/cb");
		auto message = MessageOf([&] { harness.login.Finish(QueryOf(victim.url)["state"], "code", key); });
		EXPECT_NE(message.find("another browser"), std::string::npos) << message;
	}
	EXPECT_TRUE(harness.posts.empty());
	EXPECT_NE(MessageOf([&] { harness.login.Finish(state, "code", start.browser_key); }).find("code expired"),
	          std::string::npos);
}

TEST(OidcLogin, PendingLoginsAreBounded) {
	Harness harness;
	auto oldest = harness.login.Start("https://akko.example/cb");
	for (size_t i = 0; i < OidcLogin::kMaxPending; i++) {
		harness.now += std::chrono::milliseconds(1);
		harness.login.Start("https://akko.example/cb");
	}
	// The oldest went to make room: it is unknown now, and the provider is not asked.
	EXPECT_NE(MessageOf([&] { harness.login.Finish(QueryOf(oldest.url)["state"], "code", oldest.browser_key); })
	              .find("unknown"),
	          std::string::npos);
	EXPECT_TRUE(harness.posts.empty());
}

} // namespace
} // namespace akko::auth
