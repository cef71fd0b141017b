#pragma once
// SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it: the stored verifier in
// pg_authid's format, and the server side of the SASL exchange.
#include <optional>
#include <string>
#include <string_view>

namespace akko::auth {

struct ScramVerifier {
	std::string salt; // raw bytes
	int iterations = 0;
	std::string stored_key; // raw 32 bytes: SHA-256(ClientKey)
	std::string server_key; // raw 32 bytes

	// "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", base64 fields, as
	// PostgreSQL keeps it in pg_authid.rolpassword.
	std::string ToString() const;
	// Nullopt for anything that is not a well-formed verifier.
	static std::optional<ScramVerifier> Parse(const std::string &text);
	// With a fresh 16-byte random salt.
	static ScramVerifier FromPassword(const std::string &password, int iterations = 4096);
	static ScramVerifier FromPassword(const std::string &password, const std::string &salt, int iterations);

	// Constant-time comparison of the password's StoredKey with ours.
	bool CheckPassword(const std::string &password) const;
};

// One SASL exchange: ClientFirst, then ClientFinal, each called once. Malformed or
// out-of-order messages get nullopt and end the exchange; nothing here throws on client
// input.
class ScramServer {
public:
	// `user` is the name from the startup message (PostgreSQL ignores SCRAM's own n=).
	// With no verifier (an unknown user) the exchange runs to the end with a made-up
	// verifier whose salt is stable per user name, then fails like a wrong password, so a
	// client cannot tell a missing user from a bad password.
	ScramServer(std::string_view user, std::optional<ScramVerifier> verifier_p);
	// For tests: fixes the server's part of the nonce instead of drawing 18 random bytes.
	ScramServer(std::string_view user, std::optional<ScramVerifier> verifier_p, std::string server_nonce_p);

	// client-first-message in, server-first-message out.
	std::optional<std::string> ClientFirst(std::string_view message);
	// client-final-message in, server-final-message ("v=...") out when the proof is right.
	std::optional<std::string> ClientFinal(std::string_view message);

private:
	enum class State { ExpectClientFirst, ExpectClientFinal, Done };

	ScramVerifier verifier;
	bool known_user;
	std::string server_nonce;
	State state = State::ExpectClientFirst;
	// Kept from the first round for the AuthMessage and the final checks.
	std::string gs2_header;
	std::string client_first_bare;
	std::string server_first;
	std::string nonce; // client nonce + server nonce
};

} // namespace akko::auth
