#include "provision/banking_dashboard.hpp"

#include "metastore/metastore.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace akko::provision {

const char *const kBankingDashboardId = "banking-overview";

namespace {

using nlohmann::json;

constexpr const char *kOwner = "admin";

struct DemoQuery {
	const char *id;
	const char *name;
	const char *description;
	const char *sql;
	json chart;
	// The tile on a 12-column grid.
	int x, y, w, h;
};

// Purchases carry a merchant category; transfers and ATM withdrawals carry their type there.
// Ties are broken by name so that every run, and every second source, sees the same top 10.
const std::vector<DemoQuery> &DemoQueries() {
	static const std::vector<DemoQuery> queries = {
	    {"banking-daily-volume", "Daily transaction volume",
	     "Sum of the amounts of all transactions booked each day (CHF and EUR together).",
	     "SELECT booked_on AS day, count(*) AS transactions, sum(amount) AS volume\n"
	     "FROM analytics.fact_transaction\nGROUP BY booked_on\nORDER BY day",
	     {{"type", "area"}, {"x", "day"}, {"y", {"volume"}}}, 0, 0, 8, 4},
	    {"banking-accounts-by-status", "Accounts by status", "Open, closed and frozen accounts.",
	     "SELECT status, count(*) AS accounts\nFROM analytics.dim_account\nGROUP BY status\nORDER BY accounts DESC, "
	     "status",
	     {{"type", "pie"}, {"x", "status"}, {"y", {"accounts"}}}, 8, 0, 4, 4},
	    {"banking-amount-by-category", "Purchase amount by merchant category",
	     "Sum of the purchase amounts per merchant category.",
	     "SELECT category, sum(amount) AS amount, count(*) AS purchases\nFROM analytics.fact_transaction\n"
	     "WHERE transaction_type = 'purchase'\nGROUP BY category\nORDER BY amount DESC, category",
	     {{"type", "bar"}, {"x", "category"}, {"y", {"amount"}}}, 0, 4, 6, 4},
	    {"banking-top-merchants", "Top 10 merchants by volume", "The ten merchants with the largest purchase volume.",
	     "SELECT m.name AS merchant, sum(f.amount) AS volume, count(*) AS purchases\n"
	     "FROM analytics.fact_transaction f\nJOIN analytics.dim_merchant m USING (merchant_id)\n"
	     "GROUP BY m.name\nORDER BY volume DESC, merchant\nLIMIT 10",
	     {{"type", "bar"}, {"x", "merchant"}, {"y", {"volume"}}}, 6, 4, 6, 4},
	    {"banking-monthly-fraud-rate", "Monthly fraud rate",
	     "Share of purchases flagged as fraud each month, in percent.",
	     "SELECT strftime(month, '%Y-%m') AS month, sum(transactions) AS purchases,\n"
	     "       sum(fraud_transactions) AS fraud_purchases,\n"
	     "       round(100.0 * sum(fraud_transactions) / sum(transactions), 3) AS fraud_rate_pct\n"
	     "FROM analytics.fraud_summary\nGROUP BY month\nORDER BY month",
	     {{"type", "line"}, {"x", "month"}, {"y", {"fraud_rate_pct"}}}, 0, 8, 8, 4},
	    {"banking-transactions-by-channel", "Transactions by channel",
	     "Point of sale, online, ATM and transfers.",
	     "SELECT channel, count(*) AS transactions\nFROM analytics.fact_transaction\nGROUP BY channel\n"
	     "ORDER BY transactions DESC, channel",
	     {{"type", "pie"}, {"x", "channel"}, {"y", {"transactions"}}}, 8, 8, 4, 4},
	    {"banking-balance-by-region", "Balance by region", "Current balance of the accounts of each region.",
	     "SELECT region, sum(current_balance) AS balance, count(*) AS accounts\nFROM analytics.dim_account\n"
	     "GROUP BY region\nORDER BY region",
	     {{"type", "bar"}, {"x", "region"}, {"y", {"balance"}}}, 0, 12, 6, 4},
	    // The age band is computed from the full date of birth when the model is built, so it
	    // stays exact for users who see that date masked to its year.
	    {"banking-customers-by-age-band", "Customers by age band", "Customers per age band on 2026-01-01.",
	     "SELECT age_band, count(*) AS customers\nFROM analytics.dim_customer\nGROUP BY age_band\nORDER BY age_band",
	     {{"type", "bar"}, {"x", "age_band"}, {"y", {"customers"}}}, 6, 12, 6, 4},
	};
	return queries;
}

json DashboardDocument() {
	auto tiles = json::array();
	for (auto &query : DemoQueries()) {
		tiles.push_back({{"saved_query_id", query.id},
		                 {"title", query.name},
		                 {"chart", json::object()},
		                 {"x", query.x},
		                 {"y", query.y},
		                 {"w", query.w},
		                 {"h", query.h}});
	}
	// Both filters narrow the tiles whose result has the column: region the balances, day the
	// daily volume.
	auto filters = json::array({
	    {{"column", "region"}, {"label", "Region"}, {"values", json::array()}},
	    {{"column", "day"}, {"label", "Day"}, {"type", "range"}, {"from", ""}, {"to", ""}},
	});
	return {{"description", "The demo bank at a glance: volumes, merchants, fraud, balances and customers, as "
	                        "the viewing user may see them."},
	        {"refresh_seconds", 0},
	        {"filters", filters},
	        {"tiles", tiles}};
}

metastore::CockpitItemRecord Item(const char *kind, const char *id, const char *name, const json &document,
                                  int64_t now_ms) {
	metastore::CockpitItemRecord item;
	item.kind = kind;
	item.id = id;
	item.owner = kOwner;
	item.name = name;
	item.shared = true;
	item.document = document.dump();
	item.created_at = item.updated_at = now_ms;
	return item;
}

} // namespace

BankingDashboardState EnsureBankingDashboard(metastore::Transaction &transaction, int64_t now_ms) {
	BankingDashboardState state;
	for (auto &query : DemoQueries()) {
		if (transaction.FindCockpitItem("saved_query", query.id)) {
			state.queries_present++;
			continue;
		}
		json document = {{"sql", query.sql}, {"description", query.description}, {"chart", query.chart}};
		transaction.CreateCockpitItem(Item("saved_query", query.id, query.name, document, now_ms));
		state.queries_created++;
	}
	if (!transaction.FindCockpitItem("dashboard", kBankingDashboardId)) {
		transaction.CreateCockpitItem(
		    Item("dashboard", kBankingDashboardId, "Banking overview", DashboardDocument(), now_ms));
		state.dashboard_created = true;
	}
	return state;
}

} // namespace akko::provision
