#pragma once
// Session tokens for HTTP logins: a short-lived access token (a JWT signed with HS256, so any
// server on the metastore can check it without a lookup) and a long-lived opaque refresh token
// (only its SHA-256 is stored), which is single-use: each refresh revokes it and issues a new
// pair. The signing key is 32 random bytes kept in the metastore ("jwt_signing_key"), made by
// whichever server needs it first.
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace akko::metastore {
class Metastore;
}

namespace akko::auth {

struct TokenOptions {
	int64_t access_ttl_seconds = 900;
	int64_t refresh_ttl_seconds = 604800;
};

struct TokenPair {
	std::string access_token;
	int64_t expires_in = 0; // seconds the access token is good for
	std::string refresh_token;
};

class TokenService {
public:
	using Now = std::function<int64_t()>; // seconds since the Unix epoch

	TokenService(metastore::Metastore &metastore_p, TokenOptions options_p, Now now_p = {});

	// A new pair for `user`, whose credentials the caller has checked.
	TokenPair Issue(const std::string &user);
	// A new pair for the refresh token's user, revoking that token; nullopt when the token is
	// unknown, already used or expired.
	std::optional<TokenPair> Refresh(const std::string &refresh_token);
	// The user of a valid access token (signature, "iss" and "exp" checked), else nullopt.
	std::optional<std::string> UserForAccessToken(std::string_view token);

	static constexpr const char *kIssuer = "akko";

private:
	std::string Store(const std::string &user, int64_t now);
	TokenPair Pair(const std::string &user, std::string refresh_token, int64_t now);
	const std::string &SigningKey();

	metastore::Metastore &metastore;
	TokenOptions options;
	Now now;
	std::mutex key_lock;
	std::string signing_key;
};

} // namespace akko::auth
