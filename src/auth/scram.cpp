#include "auth/scram.hpp"

#include "common/base64.hpp"
#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/random.hpp"

#include <charconv>
#include <cstdint>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace akko::auth {

namespace {

constexpr size_t kKeyLength = SHA256_DIGEST_LENGTH;
constexpr size_t kSaltLength = 16;
constexpr size_t kServerNonceBytes = 18;
constexpr int kMockIterations = 4096;
constexpr std::string_view kVerifierPrefix = "SCRAM-SHA-256$";

std::string Sha256(std::string_view data) {
	unsigned char out[SHA256_DIGEST_LENGTH];
	SHA256(reinterpret_cast<const unsigned char *>(data.data()), data.size(), out);
	return std::string(reinterpret_cast<const char *>(out), sizeof(out));
}

// Hi() of RFC 5802. The password goes in as raw bytes, without SASLprep: PostgreSQL
// falls back to the raw bytes whenever a password is not valid for SASLprep, and clients
// do the same, so raw bytes agree with both for every password a client can send.
std::string SaltedPassword(std::string_view password, std::string_view salt, int iterations) {
	unsigned char out[kKeyLength];
	if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
	                      reinterpret_cast<const unsigned char *>(salt.data()), static_cast<int>(salt.size()),
	                      iterations, EVP_sha256(), sizeof(out), out) != 1) {
		throw Error(ErrorCode::Internal, "PBKDF2-HMAC-SHA-256 failed");
	}
	return std::string(reinterpret_cast<const char *>(out), sizeof(out));
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
	return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<int> ParsePositive(std::string_view text) {
	int value = 0;
	auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
	if (error != std::errc() || end != text.data() + text.size() || value <= 0) {
		return std::nullopt;
	}
	return value;
}

// Takes "<name>=<value>" off the front of `input`, with the ',' that ends it.
std::optional<std::string_view> TakeAttribute(std::string_view &input, char name) {
	if (input.size() < 2 || input[0] != name || input[1] != '=') {
		return std::nullopt;
	}
	auto end = input.find(',');
	auto value = input.substr(2, end == std::string_view::npos ? std::string_view::npos : end - 2);
	input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
	return value;
}

// RFC 5802: printable ASCII except ','.
bool ValidNonce(std::string_view nonce) {
	if (nonce.empty()) {
		return false;
	}
	for (char c : nonce) {
		if (c < 0x21 || c > 0x7e || c == ',') {
			return false;
		}
	}
	return true;
}

// Stands in for a missing user's verifier. Its salt is stable per name for the life of the
// process, so asking twice about a missing user shows the same salt, as a real user would;
// it is keyed by a per-process secret, so nobody outside can compute it.
ScramVerifier MockVerifier(std::string_view user) {
	static const std::string secret = RandomBytes(kKeyLength);
	ScramVerifier mock;
	mock.salt = HmacSha256(secret, user).substr(0, kSaltLength);
	mock.iterations = kMockIterations;
	mock.stored_key.assign(kKeyLength, '\0');
	mock.server_key.assign(kKeyLength, '\0');
	return mock;
}

} // namespace

std::string ScramVerifier::ToString() const {
	return std::string(kVerifierPrefix) + std::to_string(iterations) + ":" + Base64Encode(salt) + "$" +
	       Base64Encode(stored_key) + ":" + Base64Encode(server_key);
}

std::optional<ScramVerifier> ScramVerifier::Parse(const std::string &text) {
	std::string_view rest(text);
	if (!rest.starts_with(kVerifierPrefix)) {
		return std::nullopt;
	}
	rest.remove_prefix(kVerifierPrefix.size());
	auto dollar = rest.find('$');
	if (dollar == std::string_view::npos) {
		return std::nullopt;
	}
	auto parameters = rest.substr(0, dollar);
	auto keys = rest.substr(dollar + 1);
	auto parameters_colon = parameters.find(':');
	auto keys_colon = keys.find(':');
	if (parameters_colon == std::string_view::npos || keys_colon == std::string_view::npos) {
		return std::nullopt;
	}
	auto iterations = ParsePositive(parameters.substr(0, parameters_colon));
	auto salt = Base64Decode(parameters.substr(parameters_colon + 1));
	auto stored_key = Base64Decode(keys.substr(0, keys_colon));
	auto server_key = Base64Decode(keys.substr(keys_colon + 1));
	if (!iterations || !salt || salt->empty() || !stored_key || stored_key->size() != kKeyLength || !server_key ||
	    server_key->size() != kKeyLength) {
		return std::nullopt;
	}
	return ScramVerifier {std::move(*salt), *iterations, std::move(*stored_key), std::move(*server_key)};
}

ScramVerifier ScramVerifier::FromPassword(const std::string &password, int iterations) {
	return FromPassword(password, RandomBytes(kSaltLength), iterations);
}

ScramVerifier ScramVerifier::FromPassword(const std::string &password, const std::string &salt, int iterations) {
	auto salted = SaltedPassword(password, salt, iterations);
	return ScramVerifier {salt, iterations, Sha256(HmacSha256(salted, "Client Key")), HmacSha256(salted, "Server Key")};
}

bool ScramVerifier::CheckPassword(const std::string &password) const {
	auto client_key = HmacSha256(SaltedPassword(password, salt, iterations), "Client Key");
	return ConstantTimeEqual(Sha256(client_key), stored_key);
}

ScramServer::ScramServer(std::string_view user, std::optional<ScramVerifier> verifier_p)
    : ScramServer(user, std::move(verifier_p), Base64Encode(RandomBytes(kServerNonceBytes))) {
}

ScramServer::ScramServer(std::string_view user, std::optional<ScramVerifier> verifier_p, std::string server_nonce_p)
    : known_user(verifier_p.has_value()), server_nonce(std::move(server_nonce_p)) {
	verifier = known_user ? std::move(*verifier_p) : MockVerifier(user);
}

std::optional<std::string> ScramServer::ClientFirst(std::string_view message) {
	if (state != State::ExpectClientFirst) {
		state = State::Done;
		return std::nullopt;
	}
	state = State::Done;
	// gs2-header: "n" (client cannot bind) or "y" (client could, thinks we cannot), then an
	// empty authzid. "p=..." asks for channel binding, which only SCRAM-SHA-256-PLUS has
	// and we do not offer; an authzid PostgreSQL refuses too.
	if (message.size() < 3 || (message[0] != 'n' && message[0] != 'y') || message[1] != ',' || message[2] != ',') {
		return std::nullopt;
	}
	std::string_view bare = message.substr(3);
	std::string_view input = bare;
	// "m=" marks a mandatory extension, and we know none.
	if (input.starts_with("m=")) {
		return std::nullopt;
	}
	// The n= user name is ignored: the startup message named the user, as in PostgreSQL.
	auto user_name = TakeAttribute(input, 'n');
	auto client_nonce = TakeAttribute(input, 'r');
	if (!user_name || !client_nonce || !ValidNonce(*client_nonce)) {
		return std::nullopt;
	}
	gs2_header = std::string(message.substr(0, 3));
	client_first_bare = std::string(bare);
	nonce = std::string(*client_nonce) + server_nonce;
	server_first = "r=" + nonce + ",s=" + Base64Encode(verifier.salt) + ",i=" + std::to_string(verifier.iterations);
	state = State::ExpectClientFinal;
	return server_first;
}

std::optional<std::string> ScramServer::ClientFinal(std::string_view message) {
	if (state != State::ExpectClientFinal) {
		state = State::Done;
		return std::nullopt;
	}
	state = State::Done;
	// The proof comes last and no attribute value holds a ',', so the last ",p=" starts it.
	auto proof_at = message.rfind(",p=");
	if (proof_at == std::string_view::npos) {
		return std::nullopt;
	}
	auto without_proof = message.substr(0, proof_at);
	auto proof = Base64Decode(message.substr(proof_at + 3));
	if (!proof || proof->size() != kKeyLength) {
		return std::nullopt;
	}
	std::string_view input = without_proof;
	auto binding = TakeAttribute(input, 'c');
	if (!binding || *binding != Base64Encode(gs2_header)) {
		return std::nullopt;
	}
	auto final_nonce = TakeAttribute(input, 'r');
	if (!final_nonce || *final_nonce != nonce) {
		return std::nullopt;
	}

	auto auth_message = client_first_bare + "," + server_first + "," + std::string(without_proof);
	auto client_signature = HmacSha256(verifier.stored_key, auth_message);
	std::string client_key(kKeyLength, '\0');
	for (size_t i = 0; i < kKeyLength; i++) {
		client_key[i] = char((*proof)[i] ^ client_signature[i]);
	}
	// A missing user goes through the same work and fails here, like a wrong password.
	if (!ConstantTimeEqual(Sha256(client_key), verifier.stored_key) || !known_user) {
		return std::nullopt;
	}
	return "v=" + Base64Encode(HmacSha256(verifier.server_key, auth_message));
}

} // namespace akko::auth
