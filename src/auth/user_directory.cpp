#include "auth/user_directory.hpp"

#include "auth/password_hash.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/random.hpp"
#include "metastore/metastore.hpp"

#include <chrono>
#include <fmt/format.h>
#include <openssl/crypto.h>

namespace akko::auth {

namespace {

constexpr const char *kAdminUser = "admin";
constexpr std::string_view kTokenPrefix = "akko_";
constexpr size_t kTokenBytes = 32;
constexpr size_t kGeneratedPasswordLength = 20;
constexpr std::chrono::seconds kAccessKeyCacheLifetime {1};
constexpr std::chrono::seconds kPasswordCacheLifetime {30};
// 64 symbols, so one random byte masked to 6 bits picks one without bias.
constexpr char kPasswordAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static_assert(sizeof(kPasswordAlphabet) - 1 == 64);

std::string GeneratePassword() {
	std::string password;
	for (unsigned char byte : RandomBytes(kGeneratedPasswordLength)) {
		password += kPasswordAlphabet[byte & 63];
	}
	return password;
}

int64_t Now() {
	return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

} // namespace

AuthOptions AuthOptions::FromConfig(const Config &config) {
	AuthOptions options;
	options.tokens.access_ttl_seconds = config.access_token_ttl_seconds;
	options.tokens.refresh_ttl_seconds = config.refresh_token_ttl_seconds;
	options.oidc.issuer = config.oidc_issuer;
	options.oidc.audience = config.oidc_audience;
	options.oidc.username_claim = config.oidc_username_claim;
	options.oidc.groups_claim = config.oidc_groups_claim;
	options.oidc.role_map = config.oidc_role_map;
	options.sso.client_id = config.oidc_client_id;
	options.sso.client_secret = config.oidc_client_secret;
	return options;
}

UserDirectory::UserDirectory(metastore::Metastore &metastore_p, Clock clock_p, AuthOptions options_p)
    : metastore(metastore_p), clock(std::move(clock_p)), throttle(clock) {
	if (!clock) {
		clock = [] { return std::chrono::steady_clock::now(); };
	}
	tokens = std::make_unique<TokenService>(metastore, options_p.tokens);
	if (!options_p.oidc.issuer.empty()) {
		auto is_role = [this](const std::string &name) {
			bool found = false;
			metastore.RunInTransaction([&](metastore::Transaction &transaction) {
				for (auto &role : transaction.LoadAccessModel().roles) {
					found = found || role.name == name;
				}
			});
			return found;
		};
		oidc = std::make_unique<OidcVerifier>(std::move(options_p.oidc), is_role);
		if (!options_p.sso.client_id.empty()) {
			sso = std::make_unique<OidcLogin>(*oidc, std::move(options_p.sso));
		}
	}
}

UserDirectory::~UserDirectory() = default;

std::optional<std::string> UserDirectory::EnsureBootstrapAdmin(const std::string &configured_password) {
	std::optional<std::string> generated;
	// Check and write in one transaction, so two servers starting on one metastore cannot
	// both generate (and print) a password.
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		generated.reset();
		bool exists = transaction.FindUser(kAdminUser).has_value();
		if (exists && configured_password.empty()) {
			return;
		}
		auto password = configured_password.empty() ? GeneratePassword() : configured_password;
		auto verifier = ScramVerifier::FromPassword(password).ToString();
		auto hash = HashPassword(password);
		if (exists) {
			transaction.SetUserVerifier(kAdminUser, verifier);
			transaction.SetUserPasswordHash(kAdminUser, hash);
		} else {
			transaction.CreateUser({kAdminUser, verifier, true, Now(), hash});
		}
		transaction.PutAccessKey({kAdminUser, kAdminUser, password, Now()});
		if (configured_password.empty()) {
			generated = std::move(password);
		}
	});
	ForgetAccessKey(kAdminUser);
	ForgetPassword(kAdminUser);
	return generated;
}

bool UserDirectory::Exists(const std::string &user) const {
	bool found = false;
	metastore.RunInTransaction(
	    [&](metastore::Transaction &transaction) { found = transaction.FindUser(user).has_value(); });
	return found;
}

std::optional<ScramVerifier> UserDirectory::Verifier(const std::string &user) const {
	std::optional<metastore::UserRecord> record;
	metastore.RunInTransaction([&](metastore::Transaction &transaction) { record = transaction.FindUser(user); });
	if (!record) {
		return std::nullopt;
	}
	auto verifier = ScramVerifier::Parse(record->scram_verifier);
	if (!verifier) {
		throw Error(ErrorCode::Internal, fmt::format("the stored verifier of user \"{}\" is malformed", user));
	}
	return verifier;
}

bool UserDirectory::CheckPassword(const std::string &user, const std::string &password) const {
	auto now = clock();
	auto digest = Sha256Hex(password);
	uint64_t changes_before = 0;
	{
		std::lock_guard<std::mutex> guard(cache_lock);
		auto cached = password_cache.find(user);
		if (cached != password_cache.end() && cached->second.expires_at > now &&
		    CRYPTO_memcmp(cached->second.sha256.data(), digest.data(), digest.size()) == 0) {
			return true;
		}
		changes_before = password_changes;
	}
	std::optional<metastore::UserRecord> record;
	metastore.RunInTransaction([&](metastore::Transaction &transaction) { record = transaction.FindUser(user); });
	bool ok = false;
	if (!record) {
		// Spend the same KDF time as for a real user, so the answer's timing does not tell who
		// exists.
		HashPassword(password);
	} else if (!record->password_hash.empty()) {
		ok = VerifyPasswordHash(record->password_hash, password);
	} else {
		auto verifier = ScramVerifier::Parse(record->scram_verifier);
		if (!verifier) {
			throw Error(ErrorCode::Internal, fmt::format("the stored verifier of user \"{}\" is malformed", user));
		}
		ok = verifier->CheckPassword(password);
	}
	if (ok) {
		std::lock_guard<std::mutex> guard(cache_lock);
		if (password_changes == changes_before) {
			password_cache.insert_or_assign(user, CachedPassword {digest, now + kPasswordCacheLifetime});
		}
	}
	return ok;
}

// Creates the user (not a superuser) when missing: this is how users come to exist.
void UserDirectory::SetPassword(const std::string &user, const std::string &password) {
	// The KDFs run outside the transaction: they take milliseconds and the metastore is shared.
	auto verifier = ScramVerifier::FromPassword(password).ToString();
	auto hash = HashPassword(password);
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		if (transaction.FindUser(user)) {
			transaction.SetUserVerifier(user, verifier);
			transaction.SetUserPasswordHash(user, hash);
		} else {
			transaction.CreateUser({user, verifier, false, Now(), hash});
		}
		transaction.PutAccessKey({user, user, password, Now()});
	});
	ForgetAccessKey(user);
	ForgetPassword(user);
}

std::optional<AccessKey> UserDirectory::FindAccessKey(const std::string &access_key_id) const {
	auto now = clock();
	uint64_t changes_before = 0;
	{
		std::lock_guard<std::mutex> guard(cache_lock);
		auto cached = key_cache.find(access_key_id);
		if (cached != key_cache.end() && cached->second.expires_at > now) {
			return cached->second.key;
		}
		changes_before = key_changes;
	}
	std::optional<metastore::AccessKeyRecord> record;
	metastore.RunInTransaction(
	    [&](metastore::Transaction &transaction) { record = transaction.FindAccessKey(access_key_id); });
	std::lock_guard<std::mutex> guard(cache_lock);
	if (!record) {
		// Unknown ids are not kept: whoever sends them could fill the cache.
		key_cache.erase(access_key_id);
		return std::nullopt;
	}
	AccessKey key {record->user, record->secret};
	if (key_changes == changes_before) {
		key_cache.insert_or_assign(access_key_id, CachedKey {key, now + kAccessKeyCacheLifetime});
	}
	return key;
}

void UserDirectory::ForgetAccessKey(const std::string &access_key_id) {
	std::lock_guard<std::mutex> guard(cache_lock);
	key_cache.erase(access_key_id);
	key_changes++;
}

void UserDirectory::ForgetPassword(const std::string &user) {
	std::lock_guard<std::mutex> guard(cache_lock);
	password_cache.erase(user);
	password_changes++;
}

std::string UserDirectory::IssueToken(const std::string &user, int64_t expires_in) {
	if (expires_in < 0) {
		throw Error(ErrorCode::InvalidInput, fmt::format("expires_in must not be negative, got {}", expires_in));
	}
	auto token = std::string(kTokenPrefix) + Hex(RandomBytes(kTokenBytes));
	auto now = Now();
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		transaction.CreateToken({Sha256Hex(token), user, now, expires_in == 0 ? 0 : now + expires_in, "api"});
	});
	return token;
}

std::optional<std::string> UserDirectory::UserForToken(const std::string &token) const {
	if (!token.starts_with(kTokenPrefix)) {
		return std::nullopt;
	}
	std::optional<metastore::TokenRecord> record;
	auto hash = Sha256Hex(token);
	metastore.RunInTransaction([&](metastore::Transaction &transaction) { record = transaction.FindToken(hash); });
	if (!record || record->kind != "api" || (record->expires_at != 0 && record->expires_at <= Now())) {
		return std::nullopt;
	}
	return record->user;
}

} // namespace akko::auth
