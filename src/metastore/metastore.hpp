#pragma once
// The metastore keeps AKKO's own state (users, tokens, later the catalog) in a relational
// database: SQLite when embedded, PostgreSQL in production, behind this one interface.
// Every read and write happens inside a transaction, so a multi-step change (a catalog
// commit's compare-and-swap of a metadata pointer, a bootstrap check-then-create) is atomic.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace akko::metastore {

struct UserRecord {
	std::string name;
	std::string scram_verifier; // pg_authid format, see auth::ScramVerifier
	bool is_superuser = false;
	int64_t created_at = 0; // seconds since the Unix epoch
};

struct TokenRecord {
	std::string sha256_hex; // of the whole token; the token itself is never stored
	std::string user;
	int64_t created_at = 0; // seconds since the Unix epoch
};

// Valid only inside the RunInTransaction body it is passed to. Methods throw akko::Error;
// an exception leaving the body rolls back everything the body did.
class Transaction {
public:
	virtual ~Transaction() = default;

	virtual std::optional<UserRecord> FindUser(const std::string &name) = 0;
	virtual std::vector<UserRecord> ListUsers() = 0;
	// Throws DuplicateObject when the user exists.
	virtual void CreateUser(const UserRecord &user) = 0;
	// Throws UndefinedObject when the user does not exist.
	virtual void SetUserVerifier(const std::string &name, const std::string &scram_verifier) = 0;
	// Drops the user's tokens with it. Returns false when there was no such user.
	virtual bool DropUser(const std::string &name) = 0;

	// Throws UndefinedObject when the user does not exist, DuplicateObject on a hash collision.
	virtual void CreateToken(const TokenRecord &token) = 0;
	virtual std::optional<TokenRecord> FindToken(const std::string &sha256_hex) = 0;
	virtual bool DropToken(const std::string &sha256_hex) = 0;
};

// Safe to call from any number of threads.
class Metastore {
public:
	virtual ~Metastore() = default;

	// Runs `body` in one transaction: commits when it returns, rolls back and rethrows
	// when it throws. Transactions do not nest; calling this from inside `body` throws.
	virtual void RunInTransaction(const std::function<void(Transaction &)> &body) = 0;

	// The newest schema migration applied, for diagnostics.
	virtual int SchemaVersion() = 0;
};

} // namespace akko::metastore
