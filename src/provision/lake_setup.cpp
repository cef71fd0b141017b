#include "provision/lake_setup.hpp"

#include "authz/access_control.hpp"
#include "catalog/catalog_service.hpp"
#include "common/error.hpp"
#include "common/sql_lexer.hpp"
#include "metastore/metastore.hpp"
#include "objstore/bucket_store.hpp"
#include "provision/banking_dashboard.hpp"
#include "sql/session.hpp"
#include "sql/value_text.hpp"

#include <chrono>
#include <fmt/format.h>

namespace akko::provision {

namespace {

// Beside the warehouse, one bucket per service that keeps files outside tables.
constexpr const char *kServiceBuckets[] = {"akko-landing", "akko-exports", "akko-models", "akko-backups"};
constexpr const char *kNamespaces[] = {"banking", "raw", "staging", "analytics"};
// Engineers build the pipeline (DDL and DML where it writes); viewers read its curated end.
constexpr const char *kGrants[] = {
    "GRANT ALL ON SCHEMA raw TO \"akko-engineer\"",
    "GRANT ALL ON SCHEMA staging TO \"akko-engineer\"",
    "GRANT ALL ON SCHEMA analytics TO \"akko-engineer\"",
    "GRANT SELECT ON SCHEMA analytics TO \"akko-viewer\"",
};
// Which data the demo tables hold, kept in the metastore: the data is made again only when it
// differs from what was asked (or a table is missing).
constexpr const char *kDemoDataSetting = "demo_data";
constexpr int kDemoDataVersion = 1;

std::pair<std::string, std::string> SplitQualified(const std::string &qualified) {
	auto dot = qualified.find('.');
	return {qualified.substr(0, dot), qualified.substr(dot + 1)};
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// "CREATE TABLE banking.customers AS ..." -> "banking.customers"; "" for other statements.
std::string CreatedTable(const std::string &statement) {
	auto tokens = Tokenize(statement, 5);
	if (tokens.size() == 5 && tokens[0].kind == Token::Kind::Word && tokens[0].text == "CREATE" &&
	    tokens[1].kind == Token::Kind::Word && tokens[1].text == "TABLE" && tokens[3].text == ".") {
		return ToLower(tokens[2].text + "." + tokens[4].text);
	}
	return "";
}

} // namespace

LakeSetup::LakeSetup(SetupServices services_p, std::function<void(const std::string &)> progress_p)
    : services(std::move(services_p)), progress(std::move(progress_p)) {
	if (!services.sql.access || !services.sql.users) {
		throw Error(ErrorCode::Internal, "setting up a lake needs its access control and user directory");
	}
	sql::SessionIdentity identity;
	identity.user = "admin";
	identity.protocol = "init";
	identity.client = "local";
	session = std::make_unique<sql::Session>(services.sql, identity);
}

LakeSetup::~LakeSetup() = default;

void LakeSetup::Run(const SetupOptions &options) {
	// Made first, so a bad scale fails before anything changes.
	auto demo_statements = options.demo ? BankingDemoStatements(options.data) : std::vector<std::string> {};
	EnsureBuckets();
	EnsureNamespaces();
	EnsureGrants();
	if (!options.demo) {
		return;
	}
	EnsureDemoUsers();
	EnsureDemoData(options.data, demo_statements);
	EnsureDemoProtections();
	EnsureDemoDashboard();
}

void LakeSetup::EnsureBuckets() {
	if (!services.buckets) {
		progress(fmt::format("buckets: the warehouse is on an external S3 service; its buckets are not made here"));
		return;
	}
	std::vector<std::string> names {services.warehouse_bucket};
	names.insert(names.end(), std::begin(kServiceBuckets), std::end(kServiceBuckets));
	std::vector<std::string> states;
	for (auto &name : names) {
		states.push_back(fmt::format("{} ({})", name, services.buckets->CreateBucket(name) ? "created" : "present"));
	}
	progress(fmt::format("buckets: {}", fmt::join(states, ", ")));
}

void LakeSetup::EnsureNamespaces() {
	std::vector<std::string> states;
	for (auto *name : kNamespaces) {
		bool present = services.catalog.NamespaceExists({name});
		if (!present) {
			Execute(fmt::format("CREATE SCHEMA IF NOT EXISTS {}", name));
		}
		states.push_back(fmt::format("{} ({})", name, present ? "present" : "created"));
	}
	progress(fmt::format("namespaces: {}", fmt::join(states, ", ")));
}

void LakeSetup::EnsureGrants() {
	services.sql.access->EnsureBuiltinRoles();
	for (auto *grant : kGrants) {
		Execute(grant);
	}
	progress("roles: akko-admin, akko-engineer, akko-analyst, akko-user, akko-viewer; akko-engineer may change raw, "
	         "staging and analytics, akko-viewer reads analytics");
	progress(fmt::format("admin user: {}", services.sql.access->UserExists("admin") ? "present" : "missing"));
}

void LakeSetup::EnsureDemoUsers() {
	std::vector<std::string> states;
	for (auto &user : kBankingDemoUsers) {
		bool present = services.sql.access->UserExists(user.name);
		if (present) {
			Execute(fmt::format("GRANT {} TO {}", QuoteIdentifier(user.role), user.name));
		} else {
			Execute(fmt::format("CREATE USER {} PASSWORD {} IN ROLE {}", user.name, QuoteLiteral(user.Password()),
			                    QuoteIdentifier(user.role)));
		}
		for (auto &[key, value] : user.attributes) {
			Execute(fmt::format("ALTER USER {} SET ATTRIBUTE {} = {}", user.name, key, QuoteLiteral(value)));
		}
		states.push_back(fmt::format("{} ({}, {})", user.name, user.role, present ? "present" : "created"));
	}
	progress(fmt::format("demo users: {}", fmt::join(states, ", ")));
	progress("!!! DEMO ONLY: the demo users' passwords are <name>123 (alice123, bob123, ...). Never use --demo on a "
	         "server that holds real data. !!!");
}

void LakeSetup::EnsureDemoData(const BankingDemoOptions &options, const std::vector<std::string> &statements) {
	auto wanted = fmt::format("seed={} scale={} version={}", options.seed, options.scale, kDemoDataVersion);
	std::optional<std::string> made;
	services.metastore.RunInTransaction(
	    [&](metastore::Transaction &transaction) { made = transaction.FindSetting(kDemoDataSetting); });
	// The tables are the ones the statements create.
	std::vector<std::string> tables;
	for (auto &statement : statements) {
		if (auto table = CreatedTable(statement); !table.empty()) {
			tables.push_back(std::move(table));
		}
	}
	bool complete = true;
	for (auto &table : tables) {
		complete = complete && TableExists(table);
	}
	if (made == wanted && complete) {
		progress(fmt::format("banking data: present ({} tables, seed {}, scale {})", tables.size(),
		                     options.seed, options.scale));
		return;
	}
	progress(fmt::format("banking data: generating {} tables (seed {}, scale {})", tables.size(),
	                     options.seed, options.scale));
	auto started = std::chrono::steady_clock::now();
	size_t built = 0;
	for (auto &statement : statements) {
		auto table = CreatedTable(statement);
		auto step_started = std::chrono::steady_clock::now();
		Execute(statement);
		if (!table.empty()) {
			// At once: dropping the table dropped its masks and policies, and until they are back
			// its PII is open to every reader with SELECT.
			EnsureProtectionsOn(table);
			built++;
			auto rows = FirstValue(fmt::format("SELECT count(*) FROM {}", table));
			progress(fmt::format("  [{:>2}/{}] {:<28} {:>10} rows  {:5.1f} s", built, tables.size(), table,
			                     rows, SecondsSince(step_started)));
		}
	}
	services.metastore.RunInTransaction(
	    [&](metastore::Transaction &transaction) { transaction.PutSetting(kDemoDataSetting, wanted); });
	progress(fmt::format("banking data: done in {:.1f} s", SecondsSince(started)));
}

void LakeSetup::EnsureDemoProtections() {
	auto [created, present] = EnsureProtectionsOn("");
	progress(fmt::format("masks and row policies: {} created, {} present (PII masked for akko-user and akko-viewer; "
	                     "akko-viewer sees the active accounts of its region)",
	                     created, present));
}

std::pair<size_t, size_t> LakeSetup::EnsureProtectionsOn(const std::string &table) {
	auto policies = services.sql.access->Policies();
	auto masks = services.sql.access->Masks();
	auto exists = [&](const DemoProtection &protection) {
		auto same = [&](const auto &record) {
			return record.name == protection.name && record.namespace_name == metastore::NamespaceName {protection.table[0]} &&
			       record.table == protection.table[1];
		};
		return protection.policy ? std::any_of(policies.begin(), policies.end(), same)
		                         : std::any_of(masks.begin(), masks.end(), same);
	};
	size_t created = 0;
	size_t present = 0;
	for (auto &protection : BankingDemoProtections()) {
		if (!table.empty() && protection.table[0] + "." + protection.table[1] != table) {
			continue;
		}
		if (exists(protection)) {
			present++;
		} else {
			Execute(protection.sql);
			created++;
		}
	}
	return {created, present};
}

void LakeSetup::EnsureDemoDashboard() {
	auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	                  .count();
	BankingDashboardState state;
	services.metastore.RunInTransaction(
	    [&](metastore::Transaction &transaction) { state = EnsureBankingDashboard(transaction, now_ms); });
	progress(fmt::format("dashboard: \"Banking overview\" ({}) with its saved queries ({} created, {} present), shared, "
	                     "owned by admin",
	                     state.dashboard_created ? "created" : "present", state.queries_created, state.queries_present));
}

bool LakeSetup::TableExists(const std::string &qualified) {
	auto [namespace_name, name] = SplitQualified(qualified);
	if (!services.catalog.NamespaceExists({namespace_name})) {
		return false;
	}
	for (auto &id : services.catalog.ListTables({namespace_name})) {
		if (id.name == name) {
			return true;
		}
	}
	return false;
}

uint64_t LakeSetup::Execute(const std::string &statement) {
	auto outcome = session->Run(statement);
	if (outcome.kind != sql::Outcome::Kind::Rows) {
		return outcome.changed_rows;
	}
	auto count = outcome.Source()->Read(0, [](const engine::ResultChunk &, uint64_t) {});
	outcome.record->Done(sql::CommandTag(outcome.tag, count), count);
	return count;
}

std::string LakeSetup::FirstValue(const std::string &query) {
	auto outcome = session->Run(query);
	std::string value;
	if (outcome.kind == sql::Outcome::Kind::Rows) {
		auto count = outcome.Source()->Read(0, [&](const engine::ResultChunk &chunk, uint64_t row) {
			if (value.empty()) {
				sql::AppendValueText(value, chunk.Columns()[0], row);
			}
		});
		outcome.record->Done(sql::CommandTag(outcome.tag, count), count);
	}
	return value;
}

} // namespace akko::provision
