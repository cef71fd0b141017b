#pragma once
// The banking demo of `akko init --demo`: a deterministic generator (same seed and scale, same
// rows) of a small Swiss retail bank, written with SQL into four namespaces:
//   banking    the core-banking system's tables (customers with PII, accounts, cards,
//              merchants, branches, loans, transactions);
//   raw        the extracts as a pipeline lands them (mixed case, other phone formats, dates as
//              text, replayed duplicate transactions);
//   staging    raw cleaned and typed (equal to banking again);
//   analytics  six models: dim_customer, dim_account, dim_merchant, fact_transaction,
//              daily_balances, fraud_summary.
// Plus the demo's users and the masks and row policies that protect the PII (docs/demo.md).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace akko::provision {

struct BankingDemoOptions {
	uint64_t seed = 42;
	double scale = 1.0; // 1: 50,000 customers and 1,000,000 transactions
};

// The statements that build the data, in order; each CREATE TABLE builds one of the demo's
// tables. Throws akko::Error (invalid_input) for a scale out of (0, 100].
std::vector<std::string> BankingDemoStatements(const BankingDemoOptions &options);

struct DemoUser {
	std::string name;
	std::string role;
	std::map<std::string, std::string> attributes; // for row policies
	std::string Password() const {
		return name + "123";
	}
};
extern const std::vector<DemoUser> kBankingDemoUsers;

// A mask or row policy of the demo: its CREATE statement, and what names it.
struct DemoProtection {
	bool policy = false; // else a mask
	std::string name;
	std::vector<std::string> table; // namespace, name
	std::string sql;
};
std::vector<DemoProtection> BankingDemoProtections();

} // namespace akko::provision
