#pragma once
// Who may connect: users with SCRAM-SHA-256 verifiers and argon2id hashes (never plain
// passwords), API tokens and S3 access keys, kept in the metastore; and the services every
// protocol shares to log in: session tokens, OIDC, the failed-login throttle.
#include "auth/login_throttle.hpp"
#include "auth/oidc_login.hpp"
#include "auth/oidc_verifier.hpp"
#include "auth/scram.hpp"
#include "auth/token_service.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace akko {
struct Config;
}
namespace akko::metastore {
class Metastore;
}

namespace akko::auth {

// An S3 access key's owner and secret (the HMAC key of AWS Signature V4).
struct AccessKey {
	std::string user;
	std::string secret;
};

struct AuthOptions {
	TokenOptions tokens;
	OidcOptions oidc;
	OidcLoginOptions sso; // needs oidc's issuer

	static AuthOptions FromConfig(const Config &config);
};

class UserDirectory {
public:
	using Clock = std::function<std::chrono::steady_clock::time_point()>;

	// `clock_p` times the caches and the throttle; empty for the steady clock.
	explicit UserDirectory(metastore::Metastore &metastore_p, Clock clock_p = {}, AuthOptions options_p = {});
	~UserDirectory();

	// Makes sure user "admin" exists. With a configured password, its verifier is set to
	// it; without one, a password is generated on the first start only and returned so the
	// caller can print it once. Returns nullopt when nothing was generated. A password set
	// here also becomes the secret of access key "admin", so a configured one keeps the key
	// in step with it on every start.
	std::optional<std::string> EnsureBootstrapAdmin(const std::string &configured_password);

	bool Exists(const std::string &user) const;
	std::optional<ScramVerifier> Verifier(const std::string &user) const;
	// Checks a plain password (HTTP logins) against the argon2id hash, or the SCRAM verifier of
	// a user made before hashes. HTTP basic auth checks on every request, so successes are
	// remembered for 30 s (as the password's SHA-256); SetPassword forgets them.
	bool CheckPassword(const std::string &user, const std::string &password) const;
	// Also sets the user's access key: id the user's name, secret the password.
	void SetPassword(const std::string &user, const std::string &password);

	// The S3 API asks this on every request, so answers are kept for up to a second: a key
	// changed through another UserDirectory (another server on the same metastore) may be
	// honoured with its old secret that long. Changes made through this one apply at once.
	std::optional<AccessKey> FindAccessKey(const std::string &access_key_id) const;

	// Opaque bearer tokens for the HTTP API; only their SHA-256 is stored. `expires_in`
	// seconds; 0: never.
	std::string IssueToken(const std::string &user, int64_t expires_in = 0);
	// The user of an unexpired API token, else nullopt.
	std::optional<std::string> UserForToken(const std::string &token) const;

	TokenService &Tokens() {
		return *tokens;
	}
	// Null when no OIDC issuer is configured.
	OidcVerifier *Oidc() {
		return oidc.get();
	}
	// Null unless an OIDC issuer and a client id for single sign-on are configured.
	OidcLogin *SingleSignOn() {
		return sso.get();
	}
	LoginThrottle &Throttle() {
		return throttle;
	}

private:
	struct CachedKey {
		AccessKey key;
		std::chrono::steady_clock::time_point expires_at;
	};

	void ForgetAccessKey(const std::string &access_key_id);
	void ForgetPassword(const std::string &user);

	metastore::Metastore &metastore;
	Clock clock;
	mutable std::mutex cache_lock;
	mutable std::unordered_map<std::string, CachedKey> key_cache;
	// Moves on with every change, so a read that raced one is not cached.
	uint64_t key_changes = 0;
	struct CachedPassword {
		std::string sha256;
		std::chrono::steady_clock::time_point expires_at;
	};
	mutable std::unordered_map<std::string, CachedPassword> password_cache;
	uint64_t password_changes = 0;
	std::unique_ptr<TokenService> tokens;
	std::unique_ptr<OidcVerifier> oidc;
	std::unique_ptr<OidcLogin> sso;
	LoginThrottle throttle;
};

} // namespace akko::auth
