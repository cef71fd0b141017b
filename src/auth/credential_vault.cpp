#include "auth/credential_vault.hpp"

#include "common/random.hpp"

namespace akko::auth {

namespace {

// `count` characters of `alphabet` (whose size divides 256, so every one is equally likely).
std::string RandomText(size_t count, std::string_view alphabet) {
	auto bytes = RandomBytes(count);
	std::string text;
	text.reserve(count);
	for (unsigned char byte : bytes) {
		text.push_back(alphabet[byte % alphabet.size()]);
	}
	return text;
}

constexpr std::string_view kKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::string_view kSecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

} // namespace

CredentialVault::CredentialVault(size_t capacity_p, Clock clock_p) : capacity(capacity_p), clock(std::move(clock_p)) {
}

int64_t CredentialVault::Now() const {
	if (clock) {
		return clock();
	}
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

void CredentialVault::DropExpired(int64_t now, size_t keep) {
	while (!by_expiry.empty() && (by_expiry.begin()->first <= now || by_key.size() > keep)) {
		by_key.erase(by_expiry.begin()->second);
		by_expiry.erase(by_expiry.begin());
	}
}

TemporaryCredential CredentialVault::Issue(const std::string &user, const std::string &prefix,
                                           std::chrono::seconds lifetime) {
	TemporaryCredential credential;
	credential.user = user;
	credential.prefix = prefix;
	credential.secret_access_key = RandomText(40, kSecretAlphabet);
	credential.session_token = RandomText(64, kSecretAlphabet);
	std::lock_guard<std::mutex> guard(lock);
	auto now = Now();
	DropExpired(now, capacity > 0 ? capacity - 1 : 0);
	do {
		credential.access_key_id = "ASIA" + RandomText(16, kKeyAlphabet);
	} while (by_key.count(credential.access_key_id));
	credential.expires_at_ms = now + std::chrono::duration_cast<std::chrono::milliseconds>(lifetime).count();
	by_key.emplace(credential.access_key_id, credential);
	by_expiry.emplace(credential.expires_at_ms, credential.access_key_id);
	return credential;
}

std::optional<TemporaryCredential> CredentialVault::Find(const std::string &access_key_id) {
	std::lock_guard<std::mutex> guard(lock);
	auto found = by_key.find(access_key_id);
	if (found == by_key.end() || found->second.expires_at_ms <= Now()) {
		return std::nullopt;
	}
	return found->second;
}

size_t CredentialVault::Size() {
	std::lock_guard<std::mutex> guard(lock);
	DropExpired(Now(), capacity);
	return by_key.size();
}

} // namespace akko::auth
