#include "auth/token_service.hpp"

#include "auth/jwt.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/random.hpp"
#include "metastore/metastore.hpp"

#include <chrono>

namespace akko::auth {

namespace {

constexpr const char *kSigningKeySetting = "jwt_signing_key";
constexpr const char *kRefreshKind = "refresh";
constexpr std::string_view kRefreshPrefix = "akkor_";
constexpr size_t kSigningKeyBytes = 32;
constexpr size_t kRefreshBytes = 32;

} // namespace

TokenService::TokenService(metastore::Metastore &metastore_p, TokenOptions options_p, Now now_p)
    : metastore(metastore_p), options(options_p), now(std::move(now_p)) {
	if (!now) {
		now = [] {
			return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
			    .count();
		};
	}
}

TokenPair TokenService::Issue(const std::string &user) {
	auto at = now();
	return Pair(user, Store(user, at), at);
}

std::optional<TokenPair> TokenService::Refresh(const std::string &refresh_token) {
	if (!refresh_token.starts_with(kRefreshPrefix)) {
		return std::nullopt;
	}
	auto at = now();
	auto hash = Sha256Hex(refresh_token);
	std::optional<std::string> user;
	std::string replacement;
	// Find, revoke and replace in one transaction: two refreshes racing with one token cannot
	// both succeed.
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		user.reset();
		auto record = transaction.FindToken(hash);
		if (!record || record->kind != kRefreshKind) {
			return;
		}
		transaction.DropToken(hash);
		if (record->expires_at != 0 && record->expires_at <= at) {
			return;
		}
		user = record->user;
		replacement = std::string(kRefreshPrefix) + Hex(RandomBytes(kRefreshBytes));
		transaction.CreateToken({Sha256Hex(replacement), record->user, at, at + options.refresh_ttl_seconds, kRefreshKind});
	});
	if (!user) {
		return std::nullopt;
	}
	return Pair(*user, std::move(replacement), at);
}

std::optional<std::string> TokenService::UserForAccessToken(std::string_view token) {
	auto jwt = ParseJwt(token);
	if (!jwt || !VerifyHs256(*jwt, SigningKey()) || StringMember(jwt->claims, "iss") != kIssuer) {
		return std::nullopt;
	}
	auto exp = jwt->claims.find("exp");
	auto user = StringMember(jwt->claims, "sub");
	if (exp == jwt->claims.end() || !exp->is_number_integer() || exp->get<int64_t>() <= now() || user.empty()) {
		return std::nullopt;
	}
	return user;
}

std::string TokenService::Store(const std::string &user, int64_t at) {
	auto token = std::string(kRefreshPrefix) + Hex(RandomBytes(kRefreshBytes));
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		transaction.CreateToken({Sha256Hex(token), user, at, at + options.refresh_ttl_seconds, kRefreshKind});
	});
	return token;
}

TokenPair TokenService::Pair(const std::string &user, std::string refresh_token, int64_t at) {
	nlohmann::json claims = {{"iss", kIssuer},
	                         {"sub", user},
	                         {"iat", at},
	                         {"exp", at + options.access_ttl_seconds},
	                         {"jti", Hex(RandomBytes(16))}};
	return {SignHs256(claims, SigningKey()), options.access_ttl_seconds, std::move(refresh_token)};
}

const std::string &TokenService::SigningKey() {
	std::lock_guard<std::mutex> guard(key_lock);
	if (signing_key.empty()) {
		std::string key;
		// Read and, when missing, write in one transaction, so servers sharing a metastore that
		// start together end up with one key.
		metastore.RunInTransaction([&](metastore::Transaction &transaction) {
			auto stored = transaction.FindSetting(kSigningKeySetting);
			if (stored) {
				key = *stored;
				return;
			}
			key = Hex(RandomBytes(kSigningKeyBytes));
			transaction.PutSetting(kSigningKeySetting, key);
		});
		auto bytes = Unhex(key);
		if (!bytes || bytes->size() < kSigningKeyBytes) {
			throw Error(ErrorCode::Internal, "the stored jwt_signing_key is malformed");
		}
		signing_key = std::move(*bytes);
	}
	return signing_key;
}

} // namespace akko::auth
