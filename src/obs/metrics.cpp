#include "obs/metrics.hpp"

#include "common/error.hpp"
#include "obs/exposition.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace akko::obs {

Histogram::Histogram(const std::vector<double> &bounds_p)
    : bounds(bounds_p), buckets(new std::atomic<uint64_t>[bounds_p.size() + 1]) {
	for (size_t i = 0; i <= bounds.size(); i++) {
		buckets[i].store(0, std::memory_order_relaxed);
	}
}

void Histogram::Observe(double value) {
	// Buckets are upper-inclusive (le); a value above every bound lands in +Inf.
	auto index = std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin();
	buckets[index].fetch_add(1, std::memory_order_relaxed);
	sum.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
	Snapshot snapshot;
	snapshot.cumulative.reserve(bounds.size() + 1);
	uint64_t total = 0;
	for (size_t i = 0; i <= bounds.size(); i++) {
		total += buckets[i].load(std::memory_order_relaxed);
		snapshot.cumulative.push_back(total);
	}
	snapshot.sum = sum.load(std::memory_order_relaxed);
	return snapshot;
}

MetricFamily::MetricFamily(std::string name_p, std::string help_p, std::vector<std::string> label_names_p)
    : name(std::move(name_p)), help(std::move(help_p)), label_names(std::move(label_names_p)) {
}

template <class T>
Family<T>::Family(std::string name_p, std::string help_p, std::vector<std::string> label_names_p,
                  std::vector<double> bounds_p)
    : MetricFamily(std::move(name_p), std::move(help_p), std::move(label_names_p)), bounds(std::move(bounds_p)) {
	// A family without labels has exactly one series: create it so it shows from the start.
	if (label_names.empty()) {
		Labels({});
	}
}

template <class T>
T &Family<T>::Labels(const std::vector<std::string> &values) {
	if (values.size() != label_names.size()) {
		throw akko::Error(ErrorCode::Internal, fmt::format("metric {}: {} label values given for {} labels", name,
		                                                   values.size(), label_names.size()));
	}
	{
		std::shared_lock<std::shared_mutex> guard(lock);
		auto found = series.find(values);
		if (found != series.end()) {
			return *found->second;
		}
	}
	std::unique_lock<std::shared_mutex> guard(lock);
	auto &slot = series[values];
	if (!slot) {
		if constexpr (std::is_same_v<T, Histogram>) {
			slot = std::make_unique<Histogram>(bounds);
		} else {
			slot = std::make_unique<T>();
		}
	}
	return *slot;
}

template <class T>
const char *Family<T>::Type() const {
	if constexpr (std::is_same_v<T, Counter>) {
		return "counter";
	} else if constexpr (std::is_same_v<T, Gauge>) {
		return "gauge";
	} else {
		return "histogram";
	}
}

template <class T>
void Family<T>::Expose(std::string &out) const {
	AppendHeader(out, name, help, Type());
	std::shared_lock<std::shared_mutex> guard(lock);
	std::string labels;
	for (auto &[values, metric] : series) {
		labels.clear();
		if constexpr (std::is_same_v<T, Histogram>) {
			auto snapshot = metric->Read();
			auto bucket_name = name + "_bucket";
			for (size_t i = 0; i <= bounds.size(); i++) {
				std::string le;
				if (i < bounds.size()) {
					AppendNumber(le, bounds[i]);
				} else {
					le = "+Inf";
				}
				std::pair<std::string_view, std::string_view> extra {"le", le};
				labels.clear();
				AppendLabels(labels, label_names, values, &extra);
				AppendSample(out, bucket_name, labels, static_cast<double>(snapshot.cumulative[i]));
			}
			labels.clear();
			AppendLabels(labels, label_names, values);
			AppendSample(out, name + "_sum", labels, snapshot.sum);
			AppendSample(out, name + "_count", labels, static_cast<double>(snapshot.cumulative.back()));
		} else {
			AppendLabels(labels, label_names, values);
			AppendSample(out, name, labels, metric->Value());
		}
	}
}

template <class T>
void Family<T>::ForEach(const std::function<void(const std::vector<std::string> &, const T &)> &visit) const {
	std::shared_lock<std::shared_mutex> guard(lock);
	for (auto &[values, metric] : series) {
		visit(values, *metric);
	}
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

} // namespace akko::obs
