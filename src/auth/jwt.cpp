#include "auth/jwt.hpp"

#include "common/base64.hpp"
#include "common/digest.hpp"
#include "common/error.hpp"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

namespace akko::auth {

namespace {

std::optional<nlohmann::json> DecodeObject(std::string_view part) {
	auto text = Base64UrlDecode(part);
	if (!text) {
		return std::nullopt;
	}
	auto parsed = nlohmann::json::parse(*text, nullptr, false);
	if (parsed.is_discarded() || !parsed.is_object()) {
		return std::nullopt;
	}
	return parsed;
}

std::string JwkNumber(const nlohmann::json &jwk, const char *name) {
	auto found = jwk.find(name);
	std::optional<std::string> bytes;
	if (found != jwk.end() && found->is_string()) {
		bytes = Base64UrlDecode(found->get<std::string>());
	}
	if (!bytes || bytes->empty()) {
		throw Error(ErrorCode::InvalidInput, fmt::format("the JWK has no valid \"{}\"", name));
	}
	return *bytes;
}

} // namespace

std::string Base64UrlEncode(std::string_view data) {
	auto text = Base64Encode(data);
	while (!text.empty() && text.back() == '=') {
		text.pop_back();
	}
	for (auto &c : text) {
		c = c == '+' ? '-' : c == '/' ? '_' : c;
	}
	return text;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
	if (text.size() % 4 == 1) {
		return std::nullopt;
	}
	std::string standard;
	standard.reserve(text.size() + 2);
	for (char c : text) {
		// The standard alphabet's '+' and '/' (and padding) are not base64url.
		if (c == '+' || c == '/' || c == '=') {
			return std::nullopt;
		}
		standard += c == '-' ? '+' : c == '_' ? '/' : c;
	}
	standard.append((4 - standard.size() % 4) % 4, '=');
	return Base64Decode(standard);
}

std::string StringMember(const nlohmann::json &object, const char *name) {
	auto found = object.find(name);
	return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::optional<Jwt> ParseJwt(std::string_view token) {
	auto first = token.find('.');
	auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
	if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
		return std::nullopt;
	}
	auto header = DecodeObject(token.substr(0, first));
	auto claims = DecodeObject(token.substr(first + 1, second - first - 1));
	auto signature = Base64UrlDecode(token.substr(second + 1));
	if (!header || !claims || !signature) {
		return std::nullopt;
	}
	return Jwt {std::move(*header), std::move(*claims), std::string(token.substr(0, second)), std::move(*signature)};
}

std::string SignHs256(const nlohmann::json &claims, std::string_view key) {
	nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
	auto input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
	return input + "." + Base64UrlEncode(HmacSha256(key, input));
}

bool VerifyHs256(const Jwt &jwt, std::string_view key) {
	if (StringMember(jwt.header, "alg") != "HS256") {
		return false;
	}
	auto expected = HmacSha256(key, jwt.signing_input);
	return expected.size() == jwt.signature.size() &&
	       CRYPTO_memcmp(expected.data(), jwt.signature.data(), expected.size()) == 0;
}

struct RsaPublicKey::Key {
	EVP_PKEY *pkey = nullptr;
	~Key() {
		EVP_PKEY_free(pkey);
	}
};

RsaPublicKey::RsaPublicKey(std::unique_ptr<Key> key_p) : key(std::move(key_p)) {
}
RsaPublicKey::~RsaPublicKey() = default;
RsaPublicKey::RsaPublicKey(RsaPublicKey &&other) noexcept = default;
RsaPublicKey &RsaPublicKey::operator=(RsaPublicKey &&other) noexcept = default;

RsaPublicKey RsaPublicKey::FromJwk(const nlohmann::json &jwk) {
	if (!jwk.is_object() || StringMember(jwk, "kty") != "RSA") {
		throw Error(ErrorCode::InvalidInput, "the JWK is not an RSA key");
	}
	auto n = JwkNumber(jwk, "n");
	auto e = JwkNumber(jwk, "e");
	// JWK numbers are big-endian; OpenSSL's BIGNUM parameters are native-endian.
	auto *modulus = BN_bin2bn(reinterpret_cast<const unsigned char *>(n.data()), static_cast<int>(n.size()), nullptr);
	auto *exponent = BN_bin2bn(reinterpret_cast<const unsigned char *>(e.data()), static_cast<int>(e.size()), nullptr);
	auto *builder = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = nullptr;
	auto key = std::make_unique<Key>();
	EVP_PKEY_CTX *context = nullptr;
	bool built = modulus && exponent && builder && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, modulus) &&
	             OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, exponent) &&
	             (params = OSSL_PARAM_BLD_to_param(builder)) &&
	             (context = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) && EVP_PKEY_fromdata_init(context) > 0 &&
	             EVP_PKEY_fromdata(context, &key->pkey, EVP_PKEY_PUBLIC_KEY, params) > 0;
	EVP_PKEY_CTX_free(context);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(builder);
	BN_free(modulus);
	BN_free(exponent);
	// Short moduli are forgeable; RFC 7518 3.3 asks for 2048 bits or more.
	if (!built || EVP_PKEY_get_bits(key->pkey) < 2048) {
		throw Error(ErrorCode::InvalidInput, "the JWK is not a usable RSA key of 2048 bits or more");
	}
	return RsaPublicKey(std::move(key));
}

bool RsaPublicKey::VerifySha256(std::string_view data, std::string_view signature) const {
	auto *context = EVP_MD_CTX_new();
	bool ok = context && EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key->pkey) > 0 &&
	          EVP_DigestVerify(context, reinterpret_cast<const unsigned char *>(signature.data()), signature.size(),
	                           reinterpret_cast<const unsigned char *>(data.data()), data.size()) == 1;
	EVP_MD_CTX_free(context);
	return ok;
}

bool VerifyRs256(const Jwt &jwt, const RsaPublicKey &key) {
	return StringMember(jwt.header, "alg") == "RS256" && key.VerifySha256(jwt.signing_input, jwt.signature);
}

} // namespace akko::auth
