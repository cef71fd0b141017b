#include "adapters/cockpit_api/metrics_history.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace akko::cockpit_api {

namespace {

WindowCounts Between(const MetricsSample &from, const MetricsSample &to) {
	WindowCounts counts;
	counts.seconds = static_cast<double>(to.time_ms - from.time_ms) / 1000;
	counts.queries = to.queries - from.queries;
	counts.errors = to.errors - from.errors;
	counts.buckets.resize(to.buckets.size());
	for (size_t i = 0; i < to.buckets.size(); i++) {
		counts.buckets[i] = to.buckets[i] - (i < from.buckets.size() ? from.buckets[i] : 0);
	}
	return counts;
}

nlohmann::json Milliseconds(std::optional<double> seconds) {
	return seconds ? nlohmann::json(*seconds * 1000) : nlohmann::json(nullptr);
}

} // namespace

std::optional<double> HistogramQuantile(double quantile, const std::vector<double> &bounds,
                                        const std::vector<double> &cumulative) {
	if (cumulative.empty() || cumulative.back() <= 0) {
		return std::nullopt;
	}
	auto rank = quantile * cumulative.back();
	size_t bucket = std::lower_bound(cumulative.begin(), cumulative.end() - 1, rank) - cumulative.begin();
	if (bucket >= bounds.size()) {
		return bounds.empty() ? std::nullopt : std::optional<double>(bounds.back());
	}
	double lower = bucket == 0 ? 0 : bounds[bucket - 1];
	double below = bucket == 0 ? 0 : cumulative[bucket - 1];
	double inside = cumulative[bucket] - below;
	if (inside <= 0) {
		return bounds[bucket];
	}
	return lower + (bounds[bucket] - lower) * (rank - below) / inside;
}

MetricsHistory::MetricsHistory(std::vector<double> bounds_p, std::chrono::milliseconds keep_p)
    : bounds(std::move(bounds_p)), keep(keep_p) {
}

void MetricsHistory::Add(MetricsSample sample) {
	std::lock_guard<std::mutex> guard(lock);
	samples.push_back(std::move(sample));
	auto oldest = samples.back().time_ms - keep.count();
	while (samples.front().time_ms < oldest) {
		samples.pop_front();
	}
}

std::optional<WindowCounts> MetricsHistory::Over(std::chrono::milliseconds window) const {
	std::lock_guard<std::mutex> guard(lock);
	if (samples.size() < 2) {
		return std::nullopt;
	}
	auto start = samples.back().time_ms - window.count();
	auto from = std::find_if(samples.begin(), samples.end(), [start](const auto &s) { return s.time_ms >= start; });
	if (from == samples.end() - 1) {
		return std::nullopt;
	}
	return Between(*from, samples.back());
}

nlohmann::json MetricsHistory::Series(std::chrono::milliseconds window, std::chrono::milliseconds step) const {
	nlohmann::json times = nlohmann::json::array(), rates = nlohmann::json::array(), ratios = nlohmann::json::array(),
	               p50 = nlohmann::json::array(), p95 = nlohmann::json::array(),
	               connections = nlohmann::json::array(), storage = nlohmann::json::array();
	{
		std::lock_guard<std::mutex> guard(lock);
		if (!samples.empty()) {
			auto start = samples.back().time_ms - window.count();
			// A tenth of a step's slack, so a sampler running a little late does not skip points.
			auto spacing = step.count() - step.count() / 10;
			const MetricsSample *previous = nullptr;
			for (auto &sample : samples) {
				if (sample.time_ms < start || (previous && sample.time_ms - previous->time_ms < spacing)) {
					continue;
				}
				if (previous) {
					auto counts = Between(*previous, sample);
					times.push_back(sample.time_ms);
					rates.push_back(counts.seconds > 0 ? counts.queries / counts.seconds : 0);
					ratios.push_back(counts.queries > 0 ? nlohmann::json(counts.errors / counts.queries)
					                                    : nlohmann::json(nullptr));
					p50.push_back(Milliseconds(HistogramQuantile(0.5, bounds, counts.buckets)));
					p95.push_back(Milliseconds(HistogramQuantile(0.95, bounds, counts.buckets)));
					connections.push_back(sample.connections);
					storage.push_back(sample.storage_bytes ? nlohmann::json(*sample.storage_bytes)
					                                       : nlohmann::json(nullptr));
				}
				previous = &sample;
			}
		}
	}
	return {{"window_seconds", window.count() / 1000},
	        {"step_seconds", step.count() / 1000},
	        {"time_ms", times},
	        {"queries_per_second", rates},
	        {"error_ratio", ratios},
	        {"p50_ms", p50},
	        {"p95_ms", p95},
	        {"connections", connections},
	        {"storage_bytes", storage}};
}

} // namespace akko::cockpit_api
