#include "common/error.hpp"
#include "obs/metrics.hpp"
#include "obs/process_metrics.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace akko::obs {

namespace {
bool ValidName(const std::string &name, bool metric) {
	if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) {
		return false;
	}
	return std::all_of(name.begin(), name.end(), [metric](char c) {
		return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (metric && c == ':');
	});
}

void CheckNames(const std::string &name, const std::vector<std::string> &labels) {
	if (!ValidName(name, true)) {
		throw akko::Error(ErrorCode::Internal, fmt::format("metric name \"{}\" is not valid", name));
	}
	for (auto &label : labels) {
		if (!ValidName(label, false) || label.starts_with("__") || label == "le") {
			throw akko::Error(ErrorCode::Internal,
			                  fmt::format("metric {}: label name \"{}\" is not valid", name, label));
		}
	}
}
} // namespace

const std::vector<double> &DefaultBuckets() {
	static const std::vector<double> buckets {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
	return buckets;
}

template <class F>
F &MetricRegistry::Add(const std::string &name, std::unique_ptr<F> family) {
	std::lock_guard<std::mutex> guard(lock);
	auto &slot = families[name];
	if (!slot) {
		slot = std::move(family);
		return static_cast<F &>(*slot);
	}
	auto existing = dynamic_cast<F *>(slot.get());
	if (!existing || existing->LabelNames() != family->LabelNames() || existing->Bounds() != family->Bounds()) {
		throw akko::Error(ErrorCode::Internal,
		                  fmt::format("metric {} is already registered with another type or labels", name));
	}
	return *existing;
}

CounterFamily &MetricRegistry::AddCounter(const std::string &name, const std::string &help,
                                          std::vector<std::string> labels) {
	CheckNames(name, labels);
	return Add(name, std::make_unique<CounterFamily>(name, help, std::move(labels)));
}

GaugeFamily &MetricRegistry::AddGauge(const std::string &name, const std::string &help,
                                      std::vector<std::string> labels) {
	CheckNames(name, labels);
	return Add(name, std::make_unique<GaugeFamily>(name, help, std::move(labels)));
}

HistogramFamily &MetricRegistry::AddHistogram(const std::string &name, const std::string &help,
                                              std::vector<std::string> labels, std::vector<double> bounds) {
	CheckNames(name, labels);
	if (bounds.empty() || !std::is_sorted(bounds.begin(), bounds.end()) ||
	    std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end()) {
		throw akko::Error(ErrorCode::Internal, fmt::format("metric {}: buckets must be ascending and distinct", name));
	}
	return Add(name, std::make_unique<HistogramFamily>(name, help, std::move(labels), std::move(bounds)));
}

void MetricRegistry::AddCollector(std::function<void(std::string &out)> collect) {
	std::lock_guard<std::mutex> guard(lock);
	collectors.push_back(std::move(collect));
}

std::string MetricRegistry::Expose() const {
	std::string out;
	std::lock_guard<std::mutex> guard(lock);
	for (auto &[name, family] : families) {
		family->Expose(out);
	}
	for (auto &collect : collectors) {
		collect(out);
	}
	return out;
}

MetricRegistry &DefaultRegistry() {
	static MetricRegistry *registry = [] {
		// Never destroyed: threads may still count while the process exits.
		auto created = new MetricRegistry();
		AddProcessMetrics(*created);
		return created;
	}();
	return *registry;
}

} // namespace akko::obs
