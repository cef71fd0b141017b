#pragma once
// The cockpit's banking dashboard, shipped by `akko init --demo`: eight shared saved queries
// over the analytics models, each with a chart, and the shared dashboard "Banking overview"
// whose tiles show them (docs/init.md). They are cockpit items (docs/cockpit-api.md) owned by
// admin, in the JSON shape the cockpit API stores, under stable ids, so a later run finds them
// instead of adding copies. Their SQL runs as the user viewing the dashboard: it reads only the
// analytics models (which akko-viewer may read) and columns that masks leave usable.
#include <cstddef>
#include <cstdint>

namespace akko::metastore {
class Transaction;
}

namespace akko::provision {

// The dashboard's id; each saved query's is "banking-<what it shows>".
extern const char *const kBankingDashboardId;

struct BankingDashboardState {
	bool dashboard_created = false;
	size_t queries_created = 0;
	size_t queries_present = 0;
};

// Creates the saved queries and the dashboard that are missing; leaves the ones present as they
// are (a user may have edited them). `now_ms`: their created and updated time.
BankingDashboardState EnsureBankingDashboard(metastore::Transaction &transaction, int64_t now_ms);

} // namespace akko::provision
