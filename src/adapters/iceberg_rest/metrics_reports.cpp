#include "adapters/iceberg_rest/metrics_reports.hpp"

#include "common/error.hpp"
#include "obs/metrics.hpp"

#include <fmt/format.h>

namespace akko::iceberg_rest {

namespace {

obs::CounterFamily &ReportsTotal() {
	static auto &family = obs::DefaultRegistry().AddCounter(
	    "aden_iceberg_metrics_reports_total", "Metrics reports accepted by the Iceberg REST catalog", {"report_type"});
	return family;
}

void Require(const nlohmann::json &report, const char *field, bool (nlohmann::json::*check)() const noexcept,
             const std::string &type) {
	auto found = report.find(field);
	if (found == report.end() || !((*found).*check)()) {
		throw Error(ErrorCode::InvalidInput, fmt::format("a {} needs \"{}\" of the right type", type, field));
	}
}

} // namespace

void ValidateMetricsReport(const nlohmann::json &report) {
	if (!report.is_object()) {
		throw Error(ErrorCode::InvalidInput, "a metrics report must be a JSON object");
	}
	Require(report, "report-type", &nlohmann::json::is_string, "metrics report");
	auto type = report["report-type"].get<std::string>();
	if (type == "scan-report") {
		Require(report, "table-name", &nlohmann::json::is_string, type);
		for (auto field : {"snapshot-id", "schema-id"}) {
			Require(report, field, &nlohmann::json::is_number_integer, type);
		}
		for (auto field : {"projected-field-ids", "projected-field-names"}) {
			Require(report, field, &nlohmann::json::is_array, type);
		}
		Require(report, "metrics", &nlohmann::json::is_object, type);
		if (!report.contains("filter")) {
			throw Error(ErrorCode::InvalidInput, "a scan-report needs \"filter\"");
		}
	} else if (type == "commit-report") {
		for (auto field : {"table-name", "operation"}) {
			Require(report, field, &nlohmann::json::is_string, type);
		}
		for (auto field : {"snapshot-id", "sequence-number"}) {
			Require(report, field, &nlohmann::json::is_number_integer, type);
		}
		Require(report, "metrics", &nlohmann::json::is_object, type);
	}
}

MetricsReports::MetricsReports(size_t per_table_p, size_t tables_p) : per_table(per_table_p), tables(tables_p) {
}

void MetricsReports::Add(const std::string &table, nlohmann::json report) {
	// Only the spec's two types get their own series, so clients cannot grow the label set.
	auto type = report.value("report-type", "");
	ReportsTotal().Labels({type == "scan-report" || type == "commit-report" ? type : "other"}).Increment();
	std::lock_guard<std::mutex> guard(lock);
	auto found = by_table.find(table);
	if (found == by_table.end()) {
		if (by_table.size() >= tables && !recency.empty()) {
			by_table.erase(recency.back());
			recency.pop_back();
		}
		recency.push_front(table);
		found = by_table.emplace(table, Ring {{}, recency.begin()}).first;
	} else {
		recency.splice(recency.begin(), recency, found->second.recency);
	}
	auto &reports = found->second.reports;
	reports.push_back(std::move(report));
	while (reports.size() > per_table) {
		reports.pop_front();
	}
}

std::vector<nlohmann::json> MetricsReports::Reports(const std::string &table) {
	std::lock_guard<std::mutex> guard(lock);
	auto found = by_table.find(table);
	if (found == by_table.end()) {
		return {};
	}
	return {found->second.reports.begin(), found->second.reports.end()};
}

} // namespace akko::iceberg_rest
