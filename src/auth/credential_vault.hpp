#pragma once
// Temporary credentials for AKKO's S3 API, vended by the Iceberg REST catalog's /credentials
// route (and with a table load that asks for vended-credentials): an access key id, a secret
// and a session token, good for one user under one location prefix until they expire. Kept in
// memory: a restart forgets them and clients ask again. The S3 API looks them up here to
// verify a request's signature and scope; the vault lives in auth so that both adapters share
// one without depending on each other.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace akko::auth {

struct TemporaryCredential {
	std::string access_key_id; // "ASIA" and 16 upper-case letters or digits, as AWS's are
	std::string secret_access_key;
	std::string session_token;
	std::string user;
	// A warehouse URI ("s3://bucket/path"); the credential covers keys under it.
	std::string prefix;
	int64_t expires_at_ms = 0; // Unix epoch milliseconds
};

class CredentialVault {
public:
	using Clock = std::function<int64_t()>; // Unix epoch milliseconds

	// At most `capacity` live credentials: beyond it, the soonest to expire go first.
	explicit CredentialVault(size_t capacity_p = 100000, Clock clock_p = {});

	TemporaryCredential Issue(const std::string &user, const std::string &prefix, std::chrono::seconds lifetime);
	// The live credential with this access key id.
	std::optional<TemporaryCredential> Find(const std::string &access_key_id);
	size_t Size();

private:
	int64_t Now() const;
	// Drops the expired, then the soonest to expire until at most `keep` are left.
	void DropExpired(int64_t now, size_t keep);

	size_t capacity;
	Clock clock;
	std::mutex lock;
	std::map<std::string, TemporaryCredential> by_key;
	std::multimap<int64_t, std::string> by_expiry;
};

} // namespace akko::auth
