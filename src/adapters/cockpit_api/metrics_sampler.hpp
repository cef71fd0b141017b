#pragma once
// Feeds MetricsHistory from the server's own metric families (obs/server_metrics.hpp) on a
// thread of its own: every few seconds the statement counters, the latency histogram and the
// open connections, and at most once a minute the warehouse's size, which costs a listing.
#include "adapters/cockpit_api/metrics_history.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace akko::cockpit_api {

class MetricsSampler {
public:
	// `storage_bytes` measures the warehouse; it may throw, the sample then keeps the last measure.
	MetricsSampler(MetricsHistory &history_p, std::function<double()> storage_bytes_p,
	               std::chrono::milliseconds interval_p = std::chrono::seconds(5),
	               std::chrono::milliseconds storage_interval_p = std::chrono::minutes(1));
	// Stops the thread.
	~MetricsSampler();
	MetricsSampler(const MetricsSampler &) = delete;
	MetricsSampler &operator=(const MetricsSampler &) = delete;

private:
	void Loop();
	void Sample();

	MetricsHistory &history;
	std::function<double()> storage_bytes;
	std::chrono::milliseconds interval;
	std::chrono::milliseconds storage_interval;
	std::optional<double> last_storage;
	std::optional<std::chrono::steady_clock::time_point> storage_measured;
	std::mutex lock;
	std::condition_variable wake;
	bool stopping = false;
	std::thread thread;
};

} // namespace akko::cockpit_api
