#include "provision/banking_demo.hpp"

#include "common/error.hpp"
#include "common/sql_lexer.hpp"

#include <cmath>
#include <fmt/format.h>

namespace akko::provision {

namespace {

// Randomness is hash(seed, row, tag): DuckDB's hash is the same on every run and every thread,
// so the rows are too, however the engine parallelizes. Distributions: log-normal amounts per
// merchant category, Zipf-like merchant and account activity, a seasonal calendar (summer
// high, December peak, busy Saturdays, quiet Sundays) and a fraud flag on ~0.2% of purchases,
// likelier for large amounts and late online ones.
constexpr const char *kScript = R"sql(
CREATE OR REPLACE TEMP MACRO demo_u(i, tag) AS (hash({seed}, i, tag) % 1000000007)::DOUBLE / 1000000007;
CREATE OR REPLACE TEMP MACRO demo_pick(list, i, tag) AS list[1 + floor(demo_u(i, tag) * len(list))::INTEGER];
CREATE OR REPLACE TEMP MACRO demo_digits(i, tag, n) AS lpad((hash({seed}, i, tag) % (10 ** n)::UBIGINT)::VARCHAR, n, '0');
CREATE OR REPLACE TEMP MACRO demo_normal(i, tag) AS sqrt(-2 * ln(1 - demo_u(i, tag || '.1'))) * cos(2 * pi() * demo_u(i, tag || '.2'));
DROP TABLE IF EXISTS banking.branches;
CREATE TABLE banking.branches AS
SELECT i AS branch_id,
       city || ' ' || (['Main', 'Station', 'Old Town', 'Lake', 'Market'])[1 + (i - 1) // 10] AS name,
       city, region
FROM (SELECT i, (i - 1) % 10 + 1 AS c FROM range(1, 51) t(i)) b
JOIN (VALUES (1, 'Zurich', 'Zurich'), (2, 'Winterthur', 'Zurich'), (3, 'Geneva', 'Lake Geneva'),
             (4, 'Lausanne', 'Lake Geneva'), (5, 'Basel', 'Northwest'), (6, 'Liestal', 'Northwest'),
             (7, 'Bern', 'Mittelland'), (8, 'Thun', 'Mittelland'), (9, 'Lugano', 'Ticino'),
             (10, 'Bellinzona', 'Ticino')) AS cities(c, city, region) USING (c)
ORDER BY branch_id;
DROP TABLE IF EXISTS banking.customers;
CREATE TABLE banking.customers AS
WITH people AS (
  SELECT i AS customer_id,
         demo_pick(['Anna','Luca','Sofia','Noah','Mia','Leon','Emma','Elias','Lea','Nico','Laura','David','Sara',
                    'Marco','Julia','Jan','Chiara','Samuel','Nina','Matteo','Elena','Tim','Lara','Fabio','Zoe',
                    'Yannick','Alina','Simon','Giulia','Louis'], i, 'first') AS first_name,
         demo_pick(['Muller','Meier','Schmid','Keller','Weber','Huber','Schneider','Meyer','Steiner','Fischer',
                    'Gerber','Brunner','Baumann','Frei','Zimmermann','Moser','Widmer','Wyss','Graf','Roth',
                    'Rossi','Bianchi','Favre','Rochat','Bonvin','Dubois','Pittet','Ferrari','Bernasconi','Sutter'],
                   i, 'last') AS last_name,
         1 + floor(demo_u(i, 'branch') * 50)::INTEGER AS home_branch_id
  FROM range(1, {customers} + 1) t(i))
SELECT customer_id,
       first_name || ' ' || last_name AS full_name,
       lower(first_name || '.' || last_name) || customer_id || '@' ||
         demo_pick(['bluewin.ch','gmail.com','protonmail.ch','sunrise.ch','outlook.com'], customer_id, 'domain') AS email,
       '+41 7' || demo_pick(['5','6','7','8','9'], customer_id, 'mobile') || ' ' || demo_digits(customer_id, 'p1', 3) || ' ' ||
         demo_digits(customer_id, 'p2', 2) || ' ' || demo_digits(customer_id, 'p3', 2) AS phone,
       '756.' || demo_digits(customer_id, 'n1', 4) || '.' || demo_digits(customer_id, 'n2', 4) || '.' ||
         demo_digits(customer_id, 'n3', 2) AS national_id,
       (DATE '1940-01-01' + floor(demo_u(customer_id, 'dob') * 23500)::INTEGER) AS date_of_birth,
       (1 + floor(demo_u(customer_id, 'house') * 120)::INTEGER)::VARCHAR || ' ' ||
         demo_pick(['Bahnhofstrasse','Hauptstrasse','Dorfstrasse','Rue du Lac','Via Nassa','Seestrasse',
                    'Kirchweg','Rue de Geneve','Schulstrasse','Bergstrasse'], customer_id, 'street') || ', ' || b.city AS address,
       home_branch_id,
       CASE WHEN demo_u(customer_id, 'segment') < 0.85 THEN 'retail'
            WHEN demo_u(customer_id, 'segment') < 0.97 THEN 'premium' ELSE 'business' END AS segment,
       (DATE '2005-01-01' + floor(demo_u(customer_id, 'since') * 7300)::INTEGER) AS customer_since
FROM people p JOIN banking.branches b ON b.branch_id = p.home_branch_id
ORDER BY customer_id;
DROP TABLE IF EXISTS banking.accounts;
CREATE TABLE banking.accounts AS
SELECT a.account_id, c.customer_id,
       CASE WHEN demo_u(a.account_id, 'type') < 0.6 THEN 'checking'
            WHEN demo_u(a.account_id, 'type') < 0.9 THEN 'savings' ELSE 'business' END AS account_type,
       CASE WHEN demo_u(a.account_id, 'status') < 0.85 THEN 'active'
            WHEN demo_u(a.account_id, 'status') < 0.95 THEN 'closed' ELSE 'frozen' END AS status,
       CASE WHEN demo_u(a.account_id, 'currency') < 0.9 THEN 'CHF' ELSE 'EUR' END AS currency,
       c.home_branch_id AS branch_id, b.region,
       greatest(c.customer_since, DATE '2005-01-01' + floor(demo_u(a.account_id, 'opened') * 7300)::INTEGER) AS opened_on,
       round(exp(7 + 1.2 * sqrt(-2 * ln(1 - demo_u(a.account_id, 'b1'))) * cos(2 * pi() * demo_u(a.account_id, 'b2'))), 2)::DECIMAL(14, 2) AS opening_balance
FROM (SELECT i AS account_id, 1 + floor(demo_u(i, 'owner') * {customers})::INTEGER AS customer_id FROM range(1, {accounts} + 1) t(i)) a
JOIN banking.customers c USING (customer_id)
JOIN banking.branches b ON b.branch_id = c.home_branch_id
ORDER BY account_id;
DROP TABLE IF EXISTS banking.merchants;
CREATE TABLE banking.merchants AS
WITH categories(k, category, label, mcc, mu, sigma, weight) AS (VALUES
  (1, 'groceries', 'Market', 5411, 3.6, 0.7, 0.26), (2, 'restaurants', 'Bistro', 5812, 3.5, 0.6, 0.16),
  (3, 'fuel', 'Fuel', 5541, 4.1, 0.4, 0.10), (4, 'clothing', 'Fashion', 5651, 4.4, 0.8, 0.08),
  (5, 'electronics', 'Electronics', 5732, 5.3, 1.0, 0.05), (6, 'travel', 'Travel', 4722, 6.2, 0.9, 0.04),
  (7, 'health', 'Pharmacy', 5912, 3.9, 0.7, 0.07), (8, 'entertainment', 'Cinema', 7832, 3.4, 0.6, 0.08),
  (9, 'utilities', 'Energy', 4900, 4.7, 0.5, 0.06), (10, 'online_services', 'Online', 5818, 3.0, 0.8, 0.10)),
cumulative AS (SELECT *, sum(weight) OVER (ORDER BY k) - weight AS lo FROM categories),
picked AS (SELECT i AS merchant_id, demo_u(i, 'category') AS u FROM range(1, {merchants} + 1) t(i))
SELECT p.merchant_id,
       demo_pick(['Alpen','Helvetia','Lakeside','Migros Point','Coop Corner','Swiss','Edelweiss','Matterhorn',
                  'Rhine','Jura','Aare','Urban','City','Central','Golden'], p.merchant_id, 'name') || ' ' || c.label || ' ' || p.merchant_id AS name,
       c.category, c.mcc,
       demo_pick(['Zurich','Winterthur','Geneva','Lausanne','Basel','Liestal','Bern','Thun','Lugano','Bellinzona'],
                 p.merchant_id, 'city') AS city,
       c.mu AS amount_mu, c.sigma AS amount_sigma
FROM picked p ASOF JOIN cumulative c ON p.u >= c.lo
ORDER BY merchant_id;
DROP TABLE IF EXISTS banking.cards;
CREATE TABLE banking.cards AS
SELECT i AS card_id, 1 + floor(demo_u(i, 'account') * {accounts})::INTEGER AS account_id,
       '4' || demo_digits(i, 'c1', 7) || demo_digits(i, 'c2', 8) AS card_number,
       CASE WHEN demo_u(i, 'type') < 0.7 THEN 'debit' ELSE 'credit' END AS card_type,
       CASE WHEN demo_u(i, 'status') < 0.92 THEN 'active' WHEN demo_u(i, 'status') < 0.97 THEN 'blocked' ELSE 'expired' END AS status,
       (DATE '2020-01-01' + floor(demo_u(i, 'issued') * 2000)::INTEGER) AS issued_on
FROM range(1, {cards} + 1) t(i) ORDER BY card_id;
DROP TABLE IF EXISTS banking.loans;
CREATE TABLE banking.loans AS
SELECT i AS loan_id, 1 + floor(demo_u(i, 'customer') * {customers})::INTEGER AS customer_id,
       demo_pick(['mortgage','personal','car','business'], i, 'kind') AS loan_type,
       round(exp(10.5 + 0.9 * demo_normal(i, 'principal')), -2)::DECIMAL(14, 2) AS principal,
       round(0.9 + demo_u(i, 'rate') * 5.5, 2)::DECIMAL(5, 2) AS interest_rate,
       demo_pick([12, 24, 36, 60, 120, 240, 300], i, 'term') AS term_months,
       (DATE '2015-01-01' + floor(demo_u(i, 'start') * 3900)::INTEGER) AS start_date,
       CASE WHEN demo_u(i, 'status') < 0.9 THEN 'current' WHEN demo_u(i, 'status') < 0.97 THEN 'late' ELSE 'default' END AS status
FROM range(1, {loans} + 1) t(i) ORDER BY loan_id;
DROP TABLE IF EXISTS banking.transactions;
CREATE TABLE banking.transactions AS
WITH days AS (
  SELECT d, DATE '2025-01-01' + d::INTEGER AS day,
         (1 + 0.25 * sin(2 * pi() * (d - 80) / 365.0)
            + CASE WHEN d >= 333 AND d <= 358 THEN 0.8 ELSE 0 END
            + CASE WHEN dayofweek(DATE '2025-01-01' + d::INTEGER) = 6 THEN 0.35 WHEN dayofweek(DATE '2025-01-01' + d::INTEGER) = 0 THEN -0.45 ELSE 0 END) AS w
  FROM range(0, 365) t(d)),
cumulative AS (SELECT day, (sum(w) OVER (ORDER BY d) - w) / sum(w) OVER () AS lo FROM days),
base AS (
  SELECT i AS transaction_id, demo_u(i, 'day') AS u_day, demo_u(i, 'kind') AS u_kind,
         1 + floor(pow(demo_u(i, 'account'), 1.4) * {accounts})::INTEGER AS account_id,
         1 + floor(pow(demo_u(i, 'merchant'), 2.2) * {merchants})::INTEGER AS merchant_id,
         demo_u(i, 'hour') AS u_hour
  FROM range(1, {transactions} + 1) t(i)),
shaped AS (
  SELECT b.*, c.day,
         CASE WHEN u_kind < 0.85 THEN 'purchase' WHEN u_kind < 0.95 THEN 'transfer_in' ELSE 'atm_withdrawal' END AS transaction_type
  FROM base b ASOF JOIN cumulative c ON b.u_day >= c.lo),
priced AS (
  SELECT s.transaction_id, s.account_id, s.transaction_type,
         CASE WHEN s.transaction_type = 'purchase' THEN s.merchant_id END AS merchant_id,
         s.day + to_seconds(floor((6 + 17 * pow(s.u_hour, 1.2)) * 3600)::BIGINT) AS booked_at,
         CASE WHEN s.transaction_type = 'purchase' THEN
                CASE WHEN demo_u(s.transaction_id, 'channel') < 0.65 THEN 'pos' ELSE 'online' END
              WHEN s.transaction_type = 'atm_withdrawal' THEN 'atm' ELSE 'transfer' END AS channel,
         round(CASE s.transaction_type
                 WHEN 'purchase' THEN exp(m.amount_mu + m.amount_sigma * demo_normal(s.transaction_id, 'amount'))
                 WHEN 'transfer_in' THEN exp(7.4 + 0.6 * demo_normal(s.transaction_id, 'amount'))
                 ELSE 20 * (1 + floor(demo_u(s.transaction_id, 'atm') * 25)) END, 2)::DECIMAL(12, 2) AS amount
  FROM shaped s JOIN banking.merchants m ON m.merchant_id = s.merchant_id)
SELECT transaction_id, account_id, merchant_id, booked_at, transaction_type, channel, amount,
       CASE WHEN transaction_type = 'transfer_in' THEN amount ELSE -amount END AS signed_amount,
       (transaction_type = 'purchase' AND demo_u(transaction_id, 'fraud') <
          0.002 + CASE WHEN amount > 1000 THEN 0.04 ELSE 0 END
                + CASE WHEN channel = 'online' AND hour(booked_at) >= 22 THEN 0.01 ELSE 0 END) AS is_fraud
FROM priced ORDER BY transaction_id;
DROP TABLE IF EXISTS raw.customers;
CREATE TABLE raw.customers AS
SELECT customer_id,
       CASE WHEN demo_u(customer_id, 'raw.name') < 0.1 THEN upper(full_name)
            WHEN demo_u(customer_id, 'raw.name') < 0.15 THEN '  ' || full_name || ' ' ELSE full_name END AS full_name,
       CASE WHEN demo_u(customer_id, 'raw.email') < 0.15 THEN upper(email)
            WHEN demo_u(customer_id, 'raw.email') < 0.2 THEN ' ' || email || '  ' ELSE email END AS email,
       CASE WHEN demo_u(customer_id, 'raw.phone') < 0.3 THEN '0041' || substr(phone, 4)
            WHEN demo_u(customer_id, 'raw.phone') < 0.5 THEN '0' || substr(phone, 5)
            WHEN demo_u(customer_id, 'raw.phone') < 0.6 THEN replace(phone, ' ', '') ELSE phone END AS phone,
       national_id,
       strftime(date_of_birth, '%d.%m.%Y') AS date_of_birth,
       address, home_branch_id,
       CASE WHEN demo_u(customer_id, 'raw.segment') < 0.2 THEN upper(segment) ELSE segment END AS segment,
       strftime(customer_since, '%Y-%m-%d') AS customer_since,
       'core-banking/customers/extract-2026-01-01.csv' AS _source_file
FROM banking.customers;
DROP TABLE IF EXISTS raw.accounts;
CREATE TABLE raw.accounts AS
SELECT account_id, customer_id, account_type,
       CASE WHEN demo_u(account_id, 'raw.status') < 0.25 THEN upper(status) ELSE status END AS status,
       currency, branch_id, opened_on, opening_balance::VARCHAR AS opening_balance,
       'core-banking/accounts/extract-2026-01-01.csv' AS _source_file
FROM banking.accounts;
DROP TABLE IF EXISTS raw.transactions;
CREATE TABLE raw.transactions AS
SELECT transaction_id, account_id, merchant_id, strftime(booked_at, '%Y-%m-%dT%H:%M:%S') AS booked_at,
       transaction_type, channel, amount::VARCHAR AS amount, is_fraud,
       'payments/transactions/' || strftime(booked_at, '%Y-%m') || '.jsonl' AS _source_file
FROM banking.transactions
UNION ALL
SELECT transaction_id, account_id, merchant_id, strftime(booked_at, '%Y-%m-%dT%H:%M:%S'), transaction_type, channel,
       amount::VARCHAR, is_fraud, 'payments/transactions/replay-' || strftime(booked_at, '%Y-%m') || '.jsonl'
FROM banking.transactions WHERE demo_u(transaction_id, 'raw.duplicate') < 0.002;
DROP TABLE IF EXISTS raw.branches;
CREATE TABLE raw.branches AS SELECT *, 'reference/branches.csv' AS _source_file FROM banking.branches;
DROP TABLE IF EXISTS raw.merchants;
CREATE TABLE raw.merchants AS SELECT merchant_id, name, category, mcc, city, 'reference/merchants.csv' AS _source_file FROM banking.merchants;
DROP TABLE IF EXISTS raw.cards;
CREATE TABLE raw.cards AS SELECT *, 'cards/extract-2026-01-01.csv' AS _source_file FROM banking.cards;
DROP TABLE IF EXISTS raw.loans;
CREATE TABLE raw.loans AS SELECT *, 'lending/loans.csv' AS _source_file FROM banking.loans;
DROP TABLE IF EXISTS staging.customers;
CREATE TABLE staging.customers AS
WITH digits AS (
  SELECT *, regexp_replace(phone, '[^0-9]', '', 'g') AS phone_digits FROM raw.customers),
national AS (
  SELECT *, CASE WHEN phone_digits LIKE '0041%' THEN substr(phone_digits, 5)
                 WHEN phone_digits LIKE '41%' THEN substr(phone_digits, 3)
                 ELSE ltrim(phone_digits, '0') END AS subscriber FROM digits)
SELECT customer_id,
       array_to_string(list_transform(string_split(lower(trim(full_name)), ' '), w -> upper(w[1]) || w[2:]), ' ') AS full_name,
       lower(trim(email)) AS email,
       '+41 ' || subscriber[1:2] || ' ' || subscriber[3:5] || ' ' || subscriber[6:7] || ' ' || subscriber[8:9] AS phone,
       national_id,
       strptime(date_of_birth, '%d.%m.%Y')::DATE AS date_of_birth,
       address, home_branch_id, lower(segment) AS segment, customer_since::DATE AS customer_since
FROM national;
DROP TABLE IF EXISTS staging.accounts;
CREATE TABLE staging.accounts AS
SELECT a.account_id, a.customer_id, a.account_type, lower(a.status) AS status, a.currency, a.branch_id, b.region,
       a.opened_on, a.opening_balance::DECIMAL(14, 2) AS opening_balance
FROM raw.accounts a JOIN raw.branches b USING (branch_id);
DROP TABLE IF EXISTS staging.transactions;
CREATE TABLE staging.transactions AS
SELECT transaction_id, account_id, merchant_id, booked_at::TIMESTAMP AS booked_at, transaction_type, channel,
       amount::DECIMAL(12, 2) AS amount,
       CASE WHEN transaction_type = 'transfer_in' THEN amount::DECIMAL(12, 2) ELSE -amount::DECIMAL(12, 2) END AS signed_amount,
       is_fraud
FROM raw.transactions
QUALIFY row_number() OVER (PARTITION BY transaction_id ORDER BY _source_file) = 1;
DROP TABLE IF EXISTS staging.branches;
CREATE TABLE staging.branches AS SELECT branch_id, name, city, region FROM raw.branches;
DROP TABLE IF EXISTS staging.merchants;
CREATE TABLE staging.merchants AS SELECT merchant_id, name, category, mcc, city FROM raw.merchants;
DROP TABLE IF EXISTS staging.cards;
CREATE TABLE staging.cards AS SELECT card_id, account_id, card_number, card_type, status, issued_on FROM raw.cards;
DROP TABLE IF EXISTS staging.loans;
CREATE TABLE staging.loans AS SELECT loan_id, customer_id, loan_type, principal, interest_rate, term_months, start_date, status FROM raw.loans;
DROP TABLE IF EXISTS analytics.dim_customer;
CREATE TABLE analytics.dim_customer AS
SELECT c.customer_id, c.full_name, c.email, c.phone, c.national_id, c.date_of_birth,
       CASE WHEN date_diff('year', c.date_of_birth, DATE '2026-01-01') < 30 THEN '18-29'
            WHEN date_diff('year', c.date_of_birth, DATE '2026-01-01') < 45 THEN '30-44'
            WHEN date_diff('year', c.date_of_birth, DATE '2026-01-01') < 65 THEN '45-64' ELSE '65+' END AS age_band,
       c.address, b.city, b.region, c.segment, c.customer_since,
       (SELECT count(*) FROM staging.accounts a WHERE a.customer_id = c.customer_id) AS accounts,
       (SELECT count(*) FROM staging.loans l WHERE l.customer_id = c.customer_id) AS loans
FROM staging.customers c JOIN staging.branches b ON b.branch_id = c.home_branch_id;
DROP TABLE IF EXISTS analytics.dim_account;
CREATE TABLE analytics.dim_account AS
SELECT a.account_id, a.customer_id, a.account_type, a.status, a.currency, a.branch_id, b.name AS branch_name, b.city,
       a.region, a.opened_on, a.opening_balance,
       a.opening_balance + coalesce(t.net, 0) AS current_balance, coalesce(t.transactions, 0) AS transactions
FROM staging.accounts a JOIN staging.branches b USING (branch_id)
LEFT JOIN (SELECT account_id, sum(signed_amount) AS net, count(*) AS transactions FROM staging.transactions GROUP BY account_id) t
  USING (account_id);
DROP TABLE IF EXISTS analytics.dim_merchant;
CREATE TABLE analytics.dim_merchant AS SELECT merchant_id, name, category, mcc, city FROM staging.merchants;
DROP TABLE IF EXISTS analytics.fact_transaction;
CREATE TABLE analytics.fact_transaction AS
SELECT t.transaction_id, t.booked_at, t.booked_at::DATE AS booked_on, t.account_id, a.customer_id, t.merchant_id,
       coalesce(m.category, t.transaction_type) AS category, t.channel, t.transaction_type, t.amount, t.signed_amount,
       t.is_fraud, a.region, a.status AS account_status
FROM staging.transactions t JOIN staging.accounts a USING (account_id) LEFT JOIN staging.merchants m USING (merchant_id);
DROP TABLE IF EXISTS analytics.daily_balances;
CREATE TABLE analytics.daily_balances AS
SELECT d.account_id, d.booked_on, a.region, a.status AS account_status, d.net_amount, d.transactions,
       a.opening_balance + sum(d.net_amount) OVER (PARTITION BY d.account_id ORDER BY d.booked_on) AS balance
FROM (SELECT account_id, booked_at::DATE AS booked_on, sum(signed_amount) AS net_amount, count(*) AS transactions
      FROM staging.transactions GROUP BY ALL) d
JOIN staging.accounts a USING (account_id);
DROP TABLE IF EXISTS analytics.fraud_summary;
CREATE TABLE analytics.fraud_summary AS
SELECT date_trunc('month', booked_at)::DATE AS month, region, category, count(*) AS transactions,
       count(*) FILTER (WHERE is_fraud) AS fraud_transactions,
       coalesce(sum(amount) FILTER (WHERE is_fraud), 0) AS fraud_amount, sum(amount) AS amount,
       round(count(*) FILTER (WHERE is_fraud)::DOUBLE / count(*), 6) AS fraud_rate
FROM analytics.fact_transaction WHERE transaction_type = 'purchase'
GROUP BY ALL;
)sql";

} // namespace

const std::vector<DemoUser> kBankingDemoUsers = {
    {"alice", "akko-admin", {}},
    {"bob", "akko-engineer", {}},
    {"carol", "akko-analyst", {}},
    {"eve", "akko-user", {}},
    {"dave", "akko-viewer", {{"region", "Lake Geneva"}}},
};

std::vector<std::string> BankingDemoStatements(const BankingDemoOptions &options) {
	if (!(options.scale > 0 && options.scale <= 100)) {
		throw Error(ErrorCode::InvalidInput, fmt::format("the demo's scale must be in (0, 100], not {}", options.scale));
	}
	auto count = [&](double base, int64_t minimum) {
		return std::max<int64_t>(minimum, std::llround(base * options.scale));
	};
	auto script = fmt::format(fmt::runtime(kScript), fmt::arg("seed", options.seed),
	                          fmt::arg("customers", count(50000, 10)), fmt::arg("accounts", count(80000, 10)),
	                          fmt::arg("merchants", count(5000, 20)), fmt::arg("cards", count(60000, 10)),
	                          fmt::arg("loans", count(10000, 10)), fmt::arg("transactions", count(1000000, 100)));
	return SplitStatements(script);
}

std::vector<DemoProtection> BankingDemoProtections() {
	std::vector<DemoProtection> protections;
	const std::string masked_roles = "\"akko-user\", \"akko-viewer\"";
	for (auto *table : {"banking.customers", "raw.customers", "staging.customers", "analytics.dim_customer"}) {
		std::string name(table);
		auto dot = name.find('.');
		bool text_dates = name.starts_with("raw.");
		std::vector<std::pair<std::string, std::string>> masks = {
		    {"full_name", "mask_full(full_name)"},
		    {"email", "mask_email(email)"},
		    {"phone", "mask_phone(phone)"},
		    {"national_id", "mask_full(national_id)"},
		    // The year of birth stays: age bands still work on masked data.
		    {"date_of_birth", text_dates ? "right(date_of_birth, 4)" : "date_trunc('year', date_of_birth)::DATE"},
		    {"address", "mask_full(address)"},
		};
		for (auto &[column, expression] : masks) {
			protections.push_back({false, column + "_mask", {name.substr(0, dot), name.substr(dot + 1)},
			                       fmt::format("CREATE MASK {}_mask ON {} ({}) TO {} USING ({})", column, name, column,
			                                   masked_roles, expression)});
		}
	}
	for (auto *table : {"banking.cards", "raw.cards", "staging.cards"}) {
		std::string name(table);
		auto dot = name.find('.');
		protections.push_back({false, "card_number_mask", {name.substr(0, dot), name.substr(dot + 1)},
		                       fmt::format("CREATE MASK card_number_mask ON {} (card_number) TO {} USING "
		                                   "('************' || right(card_number, 4))",
		                                   name, masked_roles)});
	}
	// The viewer sees the active accounts of its own region (attribute "region") and nothing of
	// other regions; without the attribute, nothing.
	std::vector<std::pair<std::string, std::string>> policies = {
	    {"dim_account", "status = 'active' AND region = current_user_attribute('region')"},
	    {"fact_transaction", "account_status = 'active' AND region = current_user_attribute('region')"},
	    {"daily_balances", "account_status = 'active' AND region = current_user_attribute('region')"},
	    {"dim_customer", "region = current_user_attribute('region')"},
	    {"fraud_summary", "region = current_user_attribute('region')"},
	};
	for (auto &[table, predicate] : policies) {
		protections.push_back({true, "viewer_region", {"analytics", table},
		                       fmt::format("CREATE POLICY viewer_region ON analytics.{} TO \"akko-viewer\" USING ({})",
		                                   table, predicate)});
	}
	return protections;
}

} // namespace akko::provision
