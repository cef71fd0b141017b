#include "adapters/cockpit_api/metrics_sampler.hpp"

#include "adapters/cockpit_api/slo_alerts.hpp"
#include "common/log.hpp"
#include "obs/server_metrics.hpp"

#include <nlohmann/json.hpp>

namespace akko::cockpit_api {

MetricsSampler::MetricsSampler(MetricsHistory &history_p, std::function<double()> storage_bytes_p,
                               std::chrono::milliseconds interval_p, std::chrono::milliseconds storage_interval_p)
    : history(history_p), storage_bytes(std::move(storage_bytes_p)), interval(interval_p),
      storage_interval(storage_interval_p), thread([this] { Loop(); }) {
}

MetricsSampler::~MetricsSampler() {
	{
		std::lock_guard<std::mutex> guard(lock);
		stopping = true;
	}
	wake.notify_all();
	thread.join();
}

void MetricsSampler::Loop() {
	std::unique_lock<std::mutex> guard(lock);
	while (!stopping) {
		guard.unlock();
		Sample();
		guard.lock();
		wake.wait_for(guard, interval, [this] { return stopping; });
	}
}

void MetricsSampler::Sample() {
	auto &metrics = obs::Server();
	MetricsSample sample;
	sample.time_ms =
	    std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
	        .count();
	// Labels are {protocol, status}.
	metrics.queries.ForEach([&sample](const std::vector<std::string> &labels, const obs::Counter &counter) {
		sample.queries += counter.Value();
		if (IsServerFailure(labels[1])) {
			sample.errors += counter.Value();
		}
	});
	sample.buckets.assign(history.Bounds().size() + 1, 0);
	metrics.query_duration.ForEach([&sample](const std::vector<std::string> &, const obs::Histogram &histogram) {
		auto snapshot = histogram.Read();
		for (size_t i = 0; i < snapshot.cumulative.size() && i < sample.buckets.size(); i++) {
			sample.buckets[i] += static_cast<double>(snapshot.cumulative[i]);
		}
	});
	metrics.connections.ForEach(
	    [&sample](const std::vector<std::string> &, const obs::Gauge &gauge) { sample.connections += gauge.Value(); });

	auto now = std::chrono::steady_clock::now();
	if (!storage_measured || now - *storage_measured >= storage_interval) {
		storage_measured = now;
		try {
			last_storage = storage_bytes();
		} catch (const std::exception &error) {
			log::Warn("cockpit_storage_sample_failed", {{"error", error.what()}});
		}
	}
	sample.storage_bytes = last_storage;
	history.Add(std::move(sample));
}

} // namespace akko::cockpit_api
