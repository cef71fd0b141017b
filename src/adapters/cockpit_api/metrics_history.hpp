#pragma once
// The cockpit's short memory of the server's own metrics: samples of the cumulative statement
// counters and latency histogram, open connections and storage use, kept for a few hours, and
// what the monitoring charts and the SLO alerts compute from them. Thread-safe.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace akko::cockpit_api {

struct MetricsSample {
	int64_t time_ms = 0;         // milliseconds since the Unix epoch
	double queries = 0;          // statements finished, ever
	double errors = 0;           // of those, the ones the server failed (see slo_alerts.hpp)
	std::vector<double> buckets; // statement seconds, cumulative: one count per bound, then +Inf
	double connections = 0;      // client connections open now
	std::optional<double> storage_bytes; // the warehouse's size, as last measured
};

// What happened between two samples.
struct WindowCounts {
	double seconds = 0;
	double queries = 0;
	double errors = 0;
	std::vector<double> buckets; // cumulative, as in MetricsSample
};

// Prometheus' histogram_quantile: linear interpolation within the bucket that holds the rank,
// the highest finite bound when that is +Inf; nullopt without observations.
std::optional<double> HistogramQuantile(double quantile, const std::vector<double> &bounds,
                                        const std::vector<double> &cumulative);

class MetricsHistory {
public:
	// `bounds`: the histogram's finite upper bounds, ascending.
	explicit MetricsHistory(std::vector<double> bounds_p, std::chrono::milliseconds keep_p = std::chrono::hours(6));

	const std::vector<double> &Bounds() const {
		return bounds;
	}
	// Samples come in time order; those older than `keep` before the newest are forgotten.
	void Add(MetricsSample sample);
	// From the oldest sample at most `window` before the newest one to the newest; nullopt
	// with fewer than two samples there.
	std::optional<WindowCounts> Over(std::chrono::milliseconds window) const;
	// The newest `window` as columns of points at least `step` apart (see docs/cockpit-api.md):
	// {"step_seconds", "time_ms": [...], "queries_per_second": [...], "error_ratio": [...],
	//  "p50_ms": [...], "p95_ms": [...], "connections": [...], "storage_bytes": [...]}.
	nlohmann::json Series(std::chrono::milliseconds window, std::chrono::milliseconds step) const;

private:
	std::vector<double> bounds;
	std::chrono::milliseconds keep;
	mutable std::mutex lock;
	std::deque<MetricsSample> samples;
};

} // namespace akko::cockpit_api
