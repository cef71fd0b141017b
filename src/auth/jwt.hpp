#pragma once
// JSON Web Tokens in compact form (RFC 7519 over RFC 7515): parsing, HS256 signing and
// verification (our own access tokens), and RS256 verification (tokens of an OIDC provider,
// with RSA keys from a JWKS, RFC 7517). Claims are not judged here: callers check exp, iss, aud.
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace akko::auth {

// base64url without padding (RFC 7515 section 2).
std::string Base64UrlEncode(std::string_view data);
std::optional<std::string> Base64UrlDecode(std::string_view text);

struct Jwt {
	nlohmann::json header; // an object
	nlohmann::json claims; // an object
	std::string signing_input; // "<header>.<payload>" as received
	std::string signature;     // decoded bytes
};

// The member's value when it is a string, else empty (claims come from strangers).
std::string StringMember(const nlohmann::json &object, const char *name);

// Nullopt unless the token is three base64url parts whose first two are JSON objects.
std::optional<Jwt> ParseJwt(std::string_view token);

// A compact token with header {"alg":"HS256","typ":"JWT"}.
std::string SignHs256(const nlohmann::json &claims, std::string_view key);
// True when the header names HS256 and the signature matches (compared in constant time).
bool VerifyHs256(const Jwt &jwt, std::string_view key);

// An RSA public key from a JWK's modulus and exponent.
class RsaPublicKey {
public:
	// Throws akko::Error (invalid_input) for a JWK that is not a usable RSA key.
	static RsaPublicKey FromJwk(const nlohmann::json &jwk);
	~RsaPublicKey();
	RsaPublicKey(RsaPublicKey &&other) noexcept;
	RsaPublicKey &operator=(RsaPublicKey &&other) noexcept;

	// RSASSA-PKCS1-v1_5 with SHA-256 over `data`.
	bool VerifySha256(std::string_view data, std::string_view signature) const;

private:
	struct Key;
	explicit RsaPublicKey(std::unique_ptr<Key> key_p);
	std::unique_ptr<Key> key;
};

// True when the header names RS256 and the signature verifies with `key`.
bool VerifyRs256(const Jwt &jwt, const RsaPublicKey &key);

} // namespace akko::auth
