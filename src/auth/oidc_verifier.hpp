#pragma once
// Bearer tokens from an OpenID Connect provider (Keycloak, Entra ID, Dex, ...): RS256 JWTs
// checked against the provider's JWKS, found through its discovery document. The caller's
// user comes from a configured claim, and the provider's groups and realm roles become akko
// roles: through oidc_role_map, or as themselves when they already name an akko role.
#include "auth/caller.hpp"
#include "auth/jwt.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace akko::auth {

struct OidcOptions {
	std::string issuer; // empty: OIDC is off
	std::string audience; // empty: "aud" is not checked
	std::string username_claim = "preferred_username";
	std::string groups_claim = "groups";
	std::string role_map; // "idp-group=akko-role,..."
};

// Where a browser logs in and where its authorization code is exchanged (from discovery).
struct OidcEndpoints {
	std::string authorization;
	std::string token;
};

class OidcVerifier {
public:
	// The body of a GET of the URL; throws when there is no 200 answer.
	using Fetch = std::function<std::string(const std::string &url)>;
	using Now = std::function<int64_t()>; // seconds since the Unix epoch
	using IsRole = std::function<bool(const std::string &name)>;

	// Empty `fetch_p`: plain HTTP(S) GETs. Throws akko::Error (configuration_error) for a bad
	// role map.
	OidcVerifier(OidcOptions options_p, IsRole is_role_p, Fetch fetch_p = {}, Now now_p = {});

	// Throws akko::Error (invalid_authorization) saying why a token is refused.
	Caller Verify(std::string_view token);

	// Throws akko::Error (invalid_authorization) when the provider cannot say.
	OidcEndpoints Endpoints();
	const std::string &Issuer() const {
		return options.issuer;
	}

	// Seconds of clock skew tolerated for "exp" and "nbf".
	static constexpr int64_t kLeeway = 60;

private:
	// Refetches the JWKS for a kid it does not know, within the fetch budget.
	const RsaPublicKey *FindKey(const std::string &kid);
	bool MayFetch();
	void LoadKeys();
	// Under `lock`.
	void LoadDiscovery();
	std::vector<std::string> Roles(const nlohmann::json &claims) const;

	OidcOptions options;
	IsRole is_role;
	Fetch fetch;
	Now now;
	std::map<std::string, std::string> role_map;
	std::mutex lock;
	nlohmann::json discovery; // null until fetched
	std::map<std::string, RsaPublicKey> keys; // by kid ("" for a key without one)
	std::deque<int64_t> fetches; // when the JWKS was fetched lately
};

} // namespace akko::auth
