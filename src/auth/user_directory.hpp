#pragma once
// Who may connect: users with SCRAM-SHA-256 verifiers (never plain passwords) and API
// tokens, kept in the metastore.
#include "auth/scram.hpp"

#include <optional>
#include <string>

namespace akko::metastore {
class Metastore;
}

namespace akko::auth {

class UserDirectory {
public:
	explicit UserDirectory(metastore::Metastore &metastore_p);

	// Makes sure user "admin" exists. With a configured password, its verifier is set to
	// it; without one, a password is generated on the first start only and returned so the
	// caller can print it once. Returns nullopt when nothing was generated.
	std::optional<std::string> EnsureBootstrapAdmin(const std::string &configured_password);

	bool Exists(const std::string &user) const;
	std::optional<ScramVerifier> Verifier(const std::string &user) const;
	// Constant-time check of a plain password against the stored verifier (HTTP basic auth).
	bool CheckPassword(const std::string &user, const std::string &password) const;
	void SetPassword(const std::string &user, const std::string &password);

	// Opaque bearer tokens for the HTTP API; only their SHA-256 is stored.
	std::string IssueToken(const std::string &user);
	std::optional<std::string> UserForToken(const std::string &token) const;

private:
	metastore::Metastore &metastore;
};

} // namespace akko::auth
