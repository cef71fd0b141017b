#pragma once
// Who may connect: users with SCRAM-SHA-256 verifiers (never plain passwords), API tokens
// and S3 access keys, kept in the metastore.
#include "auth/scram.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace akko::metastore {
class Metastore;
}

namespace akko::auth {

// An S3 access key's owner and secret (the HMAC key of AWS Signature V4).
struct AccessKey {
	std::string user;
	std::string secret;
};

class UserDirectory {
public:
	using Clock = std::function<std::chrono::steady_clock::time_point()>;

	// `clock_p` times the access key cache; empty for the steady clock.
	explicit UserDirectory(metastore::Metastore &metastore_p, Clock clock_p = {});

	// Makes sure user "admin" exists. With a configured password, its verifier is set to
	// it; without one, a password is generated on the first start only and returned so the
	// caller can print it once. Returns nullopt when nothing was generated. A password set
	// here also becomes the secret of access key "admin", so a configured one keeps the key
	// in step with it on every start.
	std::optional<std::string> EnsureBootstrapAdmin(const std::string &configured_password);

	bool Exists(const std::string &user) const;
	std::optional<ScramVerifier> Verifier(const std::string &user) const;
	// Constant-time check of a plain password against the stored verifier (HTTP basic auth).
	bool CheckPassword(const std::string &user, const std::string &password) const;
	// Also sets the user's access key: id the user's name, secret the password.
	void SetPassword(const std::string &user, const std::string &password);

	// The S3 API asks this on every request, so answers are kept for up to a second: a key
	// changed through another UserDirectory (another server on the same metastore) may be
	// honoured with its old secret that long. Changes made through this one apply at once.
	std::optional<AccessKey> FindAccessKey(const std::string &access_key_id) const;

	// Opaque bearer tokens for the HTTP API; only their SHA-256 is stored.
	std::string IssueToken(const std::string &user);
	std::optional<std::string> UserForToken(const std::string &token) const;

private:
	struct CachedKey {
		AccessKey key;
		std::chrono::steady_clock::time_point expires_at;
	};

	void ForgetAccessKey(const std::string &access_key_id);

	metastore::Metastore &metastore;
	Clock clock;
	mutable std::mutex cache_lock;
	mutable std::unordered_map<std::string, CachedKey> key_cache;
	// Moves on with every change, so a read that raced one is not cached.
	uint64_t key_changes = 0;
};

} // namespace akko::auth
