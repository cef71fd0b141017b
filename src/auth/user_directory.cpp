#include "auth/user_directory.hpp"

#include "common/error.hpp"
#include "common/hex.hpp"
#include "common/random.hpp"
#include "metastore/metastore.hpp"

#include <chrono>
#include <fmt/format.h>

namespace akko::auth {

namespace {

constexpr const char *kAdminUser = "admin";
constexpr std::string_view kTokenPrefix = "akko_";
constexpr size_t kTokenBytes = 32;
constexpr size_t kGeneratedPasswordLength = 20;
constexpr std::chrono::seconds kAccessKeyCacheLifetime {1};
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

UserDirectory::UserDirectory(metastore::Metastore &metastore_p, Clock clock_p)
    : metastore(metastore_p), clock(std::move(clock_p)) {
	if (!clock) {
		clock = [] { return std::chrono::steady_clock::now(); };
	}
}

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
		if (exists) {
			transaction.SetUserVerifier(kAdminUser, verifier);
		} else {
			transaction.CreateUser({kAdminUser, verifier, true, Now()});
		}
		transaction.PutAccessKey({kAdminUser, kAdminUser, password, Now()});
		if (configured_password.empty()) {
			generated = std::move(password);
		}
	});
	ForgetAccessKey(kAdminUser);
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
	auto verifier = Verifier(user);
	if (!verifier) {
		// Spend the same PBKDF2 time as for a real user, so the answer's timing does not
		// tell who exists.
		ScramVerifier::FromPassword(password);
		return false;
	}
	return verifier->CheckPassword(password);
}

// Creates the user (not a superuser) when missing: this is how users come to exist.
void UserDirectory::SetPassword(const std::string &user, const std::string &password) {
	// PBKDF2 runs outside the transaction: it takes milliseconds and the metastore is shared.
	auto verifier = ScramVerifier::FromPassword(password).ToString();
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		if (transaction.FindUser(user)) {
			transaction.SetUserVerifier(user, verifier);
		} else {
			transaction.CreateUser({user, verifier, false, Now()});
		}
		transaction.PutAccessKey({user, user, password, Now()});
	});
	ForgetAccessKey(user);
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

std::string UserDirectory::IssueToken(const std::string &user) {
	auto token = std::string(kTokenPrefix) + Hex(RandomBytes(kTokenBytes));
	metastore.RunInTransaction([&](metastore::Transaction &transaction) {
		transaction.CreateToken({Sha256Hex(token), user, Now()});
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
	if (!record) {
		return std::nullopt;
	}
	return record->user;
}

} // namespace akko::auth
