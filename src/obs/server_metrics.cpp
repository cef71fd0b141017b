#include "obs/server_metrics.hpp"

namespace akko::obs {

namespace {
// Statements range from sub-millisecond lookups to minutes-long scans.
const std::vector<double> kQueryBuckets {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
} // namespace

const ServerMetrics &Server() {
	static const ServerMetrics metrics = [] {
		auto &registry = DefaultRegistry();
		return ServerMetrics {
		    registry.AddHistogram("aden_query_duration_seconds", "Statement execution time in seconds.",
		                          {"protocol", "status"}, kQueryBuckets),
		    registry.AddCounter("aden_query_total", "Statements executed.", {"protocol", "status"}),
		    registry.AddGauge("aden_connections", "Open client connections.", {"protocol"}),
		    registry.AddCounter("aden_connections_total", "Client connections accepted.", {"protocol"}),
		    registry.AddCounter("aden_http_requests_total", "HTTP requests served.", {"method", "route", "status"}),
		    registry.AddHistogram("aden_http_request_duration_seconds",
		                          "HTTP request time in seconds, from its header to the end of its response.",
		                          {"route"}),
		};
	}();
	return metrics;
}

void RecordStatement(const std::string &protocol, const std::string &status, double seconds) {
	auto &metrics = Server();
	metrics.query_duration.Labels({protocol, status}).Observe(seconds);
	metrics.queries.Labels({protocol, status}).Increment();
}

ConnectionMetric::ConnectionMetric(const std::string &protocol) : open(Server().connections.Labels({protocol})) {
	Server().connections_total.Labels({protocol}).Increment();
	open.Add(1);
}

ConnectionMetric::~ConnectionMetric() {
	open.Add(-1);
}

} // namespace akko::obs
