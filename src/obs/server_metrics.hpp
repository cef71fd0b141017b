#pragma once
// The metric families every AKKO server exposes (names fixed by the spec), in the default
// registry.
#include "obs/metrics.hpp"

#include <string>

namespace akko::obs {

struct ServerMetrics {
	HistogramFamily &query_duration;  // aden_query_duration_seconds{protocol,status}
	CounterFamily &queries;           // aden_query_total{protocol,status}
	GaugeFamily &connections;         // aden_connections{protocol}: open now
	CounterFamily &connections_total; // aden_connections_total{protocol}
	CounterFamily &http_requests;     // aden_http_requests_total{method,route,status}
	HistogramFamily &http_duration;   // aden_http_request_duration_seconds{route}
};

const ServerMetrics &Server();

// A finished statement: `status` is "ok" or the error's stable name.
void RecordStatement(const std::string &protocol, const std::string &status, double seconds);

// Counts one open connection of a protocol (aden_connections, aden_connections_total)
// for as long as it lives.
class ConnectionMetric {
public:
	explicit ConnectionMetric(const std::string &protocol);
	~ConnectionMetric();
	ConnectionMetric(const ConnectionMetric &) = delete;
	ConnectionMetric &operator=(const ConnectionMetric &) = delete;

private:
	Gauge &open;
};

} // namespace akko::obs
