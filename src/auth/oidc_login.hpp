#pragma once
// Single sign-on for browsers (the cockpit): OAuth 2.0 authorization code flow with PKCE
// (RFC 7636, S256) against the configured OIDC provider. Start gives the provider's login URL
// and remembers its state and code verifier; Finish exchanges the code the provider sent back
// for tokens, server to server, and verifies the access token like any bearer token, so the
// browser then calls the API with it (its groups become roles as usual).
#include "auth/caller.hpp"
#include "auth/http_fetch.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace akko::auth {

class OidcVerifier;

struct OidcLoginOptions {
	std::string client_id; // empty: single sign-on is off
	std::string client_secret; // empty: a public client (PKCE alone)
	std::string scopes = "openid profile";
};

// Where to send the browser, and the key it must bring back: a login is finished only by the
// browser that started it (the key goes in a cookie), so nobody can hand a victim a callback
// link that logs the victim in as somebody else.
struct OidcStart {
	std::string url;
	std::string browser_key;
};

struct OidcSession {
	std::string access_token;
	int64_t expires_in = 0; // seconds
	Caller caller;
};

class OidcLogin {
public:
	using PostForm = std::function<HttpAnswer(const std::string &url, const std::string &form)>;
	using Clock = std::function<std::chrono::steady_clock::time_point()>;

	// A login must come back within this long.
	static constexpr std::chrono::minutes kPendingFor {10};
	// Logins started and not finished that are remembered; the oldest go first.
	static constexpr size_t kMaxPending = 1000;

	OidcLogin(OidcVerifier &verifier_p, OidcLoginOptions options_p, PostForm post_p = {}, Clock clock_p = {});

	// The provider sends the browser back to `redirect_uri`.
	OidcStart Start(const std::string &redirect_uri);
	// Throws akko::Error (invalid_authorization) saying why the login failed. A state is good
	// for one Finish only, with the browser key its Start gave.
	OidcSession Finish(const std::string &state, const std::string &code, const std::string &browser_key);

private:
	struct Pending {
		std::string code_verifier;
		std::string browser_key;
		std::string redirect_uri;
		std::chrono::steady_clock::time_point started;
	};

	OidcVerifier &verifier;
	OidcLoginOptions options;
	PostForm post;
	Clock clock;
	std::mutex lock;
	std::map<std::string, Pending> pending; // by state
};

} // namespace akko::auth
