#pragma once
// Counters, gauges and histograms with label sets, exposed in the Prometheus text format
// 0.0.4. Look a labelled series up once and keep the reference: updates are lock-free
// atomics, and a series lives as long as its registry.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace akko::obs {

class Counter {
public:
	void Increment(double amount = 1) {
		value.fetch_add(amount, std::memory_order_relaxed);
	}
	double Value() const {
		return value.load(std::memory_order_relaxed);
	}

private:
	std::atomic<double> value {0};
};

class Gauge {
public:
	void Set(double amount) {
		value.store(amount, std::memory_order_relaxed);
	}
	void Add(double amount) {
		value.fetch_add(amount, std::memory_order_relaxed);
	}
	double Value() const {
		return value.load(std::memory_order_relaxed);
	}

private:
	std::atomic<double> value {0};
};

class Histogram {
public:
	// `bounds`: ascending upper bounds, without +Inf; must outlive the histogram.
	explicit Histogram(const std::vector<double> &bounds_p);
	void Observe(double value);

	struct Snapshot {
		std::vector<uint64_t> cumulative; // one per bound, then +Inf (the count)
		double sum = 0;
	};
	Snapshot Read() const;
	const std::vector<double> &Bounds() const {
		return bounds;
	}

private:
	const std::vector<double> &bounds;
	// Per bucket, not cumulative, so an observation touches one counter.
	std::unique_ptr<std::atomic<uint64_t>[]> buckets;
	std::atomic<double> sum {0};
};

// One metric name with its help text, label names and series.
class MetricFamily {
public:
	MetricFamily(std::string name_p, std::string help_p, std::vector<std::string> label_names_p);
	virtual ~MetricFamily() = default;
	const std::string &Name() const {
		return name;
	}
	const std::vector<std::string> &LabelNames() const {
		return label_names;
	}
	virtual const char *Type() const = 0;
	virtual void Expose(std::string &out) const = 0;

protected:
	std::string name;
	std::string help;
	std::vector<std::string> label_names;
};

template <class T>
class Family : public MetricFamily {
public:
	Family(std::string name_p, std::string help_p, std::vector<std::string> label_names_p,
	       std::vector<double> bounds_p = {});
	// The series with these label values, one per label name in order; created on first
	// use. Throws akko::Error when the count is wrong.
	T &Labels(const std::vector<std::string> &values);
	const char *Type() const override;
	void Expose(std::string &out) const override;
	const std::vector<double> &Bounds() const {
		return bounds;
	}
	// Visits every series with its label values, under the family's read lock.
	void ForEach(const std::function<void(const std::vector<std::string> &values, const T &series)> &visit) const;

private:
	mutable std::shared_mutex lock;
	std::map<std::vector<std::string>, std::unique_ptr<T>> series;
	std::vector<double> bounds; // histograms only
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;
using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Prometheus' default buckets, 5 ms to 10 s.
const std::vector<double> &DefaultBuckets();

class MetricRegistry {
public:
	// Registering a name again returns the same family when the type, label names (and
	// buckets) match, and throws akko::Error otherwise.
	CounterFamily &AddCounter(const std::string &name, const std::string &help, std::vector<std::string> labels = {});
	GaugeFamily &AddGauge(const std::string &name, const std::string &help, std::vector<std::string> labels = {});
	HistogramFamily &AddHistogram(const std::string &name, const std::string &help,
	                              std::vector<std::string> labels = {}, std::vector<double> bounds = DefaultBuckets());
	// Text for values read at scrape time (process figures, pool sizes), appended after
	// the families; see obs/exposition.hpp for the helpers.
	void AddCollector(std::function<void(std::string &out)> collect);

	// The whole registry in the text format 0.0.4, families in name order.
	std::string Expose() const;

private:
	template <class F>
	F &Add(const std::string &name, std::unique_ptr<F> family);

	mutable std::mutex lock;
	std::map<std::string, std::unique_ptr<MetricFamily>> families;
	std::vector<std::function<void(std::string &)>> collectors;
};

// The process-wide registry, with the process_* metrics; what /metrics serves.
MetricRegistry &DefaultRegistry();

} // namespace akko::obs
