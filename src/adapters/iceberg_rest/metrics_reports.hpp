#pragma once
// The scan and commit reports clients send to .../tables/{table}/metrics, kept in memory: the
// newest `per_table` of each table, for at most `tables` tables (the table reported on least
// recently goes first). Every accepted report also counts in
// aden_iceberg_metrics_reports_total{report_type}. A restart forgets them.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace akko::iceberg_rest {

class MetricsReports {
public:
	explicit MetricsReports(size_t per_table_p = 100, size_t tables_p = 10000);

	// `table` is the table's full name; `report` a ReportMetricsRequest, already checked.
	void Add(const std::string &table, nlohmann::json report);
	// Oldest first.
	std::vector<nlohmann::json> Reports(const std::string &table);

private:
	struct Ring {
		std::deque<nlohmann::json> reports;
		std::list<std::string>::iterator recency;
	};

	size_t per_table;
	size_t tables;
	std::mutex lock;
	std::map<std::string, Ring> by_table;
	std::list<std::string> recency; // most recently reported first
};

// Throws akko::Error (invalid_input) unless `report` is a ReportMetricsRequest: an object
// with a string "report-type", and for "scan-report" and "commit-report" the fields the spec
// requires of them.
void ValidateMetricsReport(const nlohmann::json &report);

} // namespace akko::iceberg_rest
