#include "common/error.hpp"
#include "obs/metrics.hpp"
#include "obs/readiness.hpp"
#include "obs/server_metrics.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <stdexcept>
#include <thread>

using namespace akko::obs;

TEST(Metrics, CounterExpositionWithEscapedLabels) {
	MetricRegistry registry;
	auto &family =
	    registry.AddCounter("test_requests_total", "Requests, by path.\nWith a \\ in the help.", {"method", "path"});
	family.Labels({"GET", "/a\"b\\c\nd"}).Increment(2);
	family.Labels({"POST", "/x"}).Increment();
	EXPECT_EQ(registry.Expose(), "# HELP test_requests_total Requests, by path.\\nWith a \\\\ in the help.\n"
	                             "# TYPE test_requests_total counter\n"
	                             "test_requests_total{method=\"GET\",path=\"/a\\\"b\\\\c\\nd\"} 2\n"
	                             "test_requests_total{method=\"POST\",path=\"/x\"} 1\n");
}

TEST(Metrics, UnlabelledFamiliesShowFromTheStart) {
	MetricRegistry registry;
	auto &gauge = registry.AddGauge("test_open", "Open things.");
	registry.AddCounter("test_done_total", "Done things.");
	EXPECT_EQ(registry.Expose(), "# HELP test_done_total Done things.\n"
	                             "# TYPE test_done_total counter\n"
	                             "test_done_total 0\n"
	                             "# HELP test_open Open things.\n"
	                             "# TYPE test_open gauge\n"
	                             "test_open 0\n");
	gauge.Labels({}).Add(3);
	gauge.Labels({}).Add(-1.5);
	EXPECT_EQ(gauge.Labels({}).Value(), 1.5);
}

TEST(Metrics, HistogramExposition) {
	MetricRegistry registry;
	auto &family = registry.AddHistogram("test_seconds", "Time taken.", {"route"}, {0.1, 1, 5});
	auto &histogram = family.Labels({"/q"});
	// Bounds are inclusive: 0.1 falls in le="0.1"; 10 only in +Inf.
	for (double value : {0.05, 0.1, 3.0, 10.0}) {
		histogram.Observe(value);
	}
	EXPECT_EQ(registry.Expose(), "# HELP test_seconds Time taken.\n"
	                             "# TYPE test_seconds histogram\n"
	                             "test_seconds_bucket{route=\"/q\",le=\"0.1\"} 2\n"
	                             "test_seconds_bucket{route=\"/q\",le=\"1\"} 2\n"
	                             "test_seconds_bucket{route=\"/q\",le=\"5\"} 3\n"
	                             "test_seconds_bucket{route=\"/q\",le=\"+Inf\"} 4\n"
	                             "test_seconds_sum{route=\"/q\"} 13.15\n"
	                             "test_seconds_count{route=\"/q\"} 4\n");
}

TEST(Metrics, NumbersInGoFormat) {
	MetricRegistry registry;
	auto &family = registry.AddGauge("test_value", "A value.", {"case"});
	family.Labels({"a"}).Set(0.5);
	family.Labels({"b"}).Set(1e21);
	family.Labels({"c"}).Set(INFINITY);
	family.Labels({"d"}).Set(-INFINITY);
	family.Labels({"e"}).Set(NAN);
	family.Labels({"f"}).Set(123456789);
	auto text = registry.Expose();
	EXPECT_NE(text.find("test_value{case=\"a\"} 0.5\n"), std::string::npos) << text;
	EXPECT_NE(text.find("test_value{case=\"b\"} 1e+21\n"), std::string::npos) << text;
	EXPECT_NE(text.find("test_value{case=\"c\"} +Inf\n"), std::string::npos) << text;
	EXPECT_NE(text.find("test_value{case=\"d\"} -Inf\n"), std::string::npos) << text;
	EXPECT_NE(text.find("test_value{case=\"e\"} NaN\n"), std::string::npos) << text;
	EXPECT_NE(text.find("test_value{case=\"f\"} 123456789\n"), std::string::npos) << text;
}

TEST(Metrics, RegistrationRules) {
	MetricRegistry registry;
	auto &first = registry.AddCounter("test_total", "Things.", {"kind"});
	EXPECT_EQ(&registry.AddCounter("test_total", "Things.", {"kind"}), &first);
	EXPECT_THROW(registry.AddGauge("test_total", "Things.", {"kind"}), akko::Error);
	EXPECT_THROW(registry.AddCounter("test_total", "Things.", {"other"}), akko::Error);
	EXPECT_THROW(first.Labels({"a", "b"}), akko::Error);
	EXPECT_THROW(registry.AddCounter("0bad", "Bad name."), akko::Error);
	EXPECT_THROW(registry.AddCounter("test_bad", "Bad label.", {"le"}), akko::Error);
	EXPECT_THROW(registry.AddHistogram("test_h", "Unsorted.", {}, {1, 0.5}), akko::Error);
	EXPECT_EQ(&first.Labels({"x"}), &first.Labels({"x"}));
}

TEST(Metrics, ConcurrentUpdatesAreExact) {
	MetricRegistry registry;
	auto &counters = registry.AddCounter("test_total", "Things.", {"thread"});
	auto &histogram = registry.AddHistogram("test_seconds", "Time.", {}, {0.5}).Labels({});
	constexpr int kThreads = 8;
	constexpr int kIterations = 100000;
	std::vector<std::thread> threads;
	for (int t = 0; t < kThreads; t++) {
		threads.emplace_back([&, t] {
			// Half the threads share one series, the others look theirs up each time.
			auto &shared = counters.Labels({"shared"});
			for (int i = 0; i < kIterations; i++) {
				shared.Increment();
				counters.Labels({std::to_string(t % 2)}).Increment();
				histogram.Observe(i % 2 ? 0.25 : 1);
			}
		});
	}
	// Scrapes while the threads count must not disturb them.
	for (int i = 0; i < 20; i++) {
		registry.Expose();
	}
	for (auto &thread : threads) {
		thread.join();
	}
	EXPECT_EQ(counters.Labels({"shared"}).Value(), kThreads * kIterations);
	EXPECT_EQ(counters.Labels({"0"}).Value() + counters.Labels({"1"}).Value(), kThreads * kIterations);
	auto snapshot = histogram.Read();
	EXPECT_EQ(snapshot.cumulative[0], kThreads * kIterations / 2);
	EXPECT_EQ(snapshot.cumulative[1], kThreads * kIterations);
	EXPECT_DOUBLE_EQ(snapshot.sum, kThreads * kIterations / 2 * 1.25);
}

TEST(Metrics, ProcessMetricsInTheDefaultRegistry) {
	auto text = DefaultRegistry().Expose();
	for (auto name : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
	                  "process_open_fds", "process_max_fds", "process_start_time_seconds"}) {
		auto line = text.find(std::string("\n") + name + " ");
		ASSERT_NE(line, std::string::npos) << name << " missing in\n" << text;
		EXPECT_NE(text.find(std::string("# TYPE ") + name), std::string::npos);
		auto value = std::stod(text.substr(line + strlen(name) + 2));
		if (std::string(name) != "process_cpu_seconds_total") {
			EXPECT_GT(value, 0) << name;
		}
	}
	auto start = std::stod(text.substr(text.find("\nprocess_start_time_seconds ") + 28));
	EXPECT_NEAR(start, static_cast<double>(time(nullptr)), 3600);
}

TEST(Metrics, ServerFamilies) {
	RecordStatement("http", "ok", 0.002);
	RecordStatement("http", "undefined_table", 0.5);
	{
		ConnectionMetric connection("pgwire");
		EXPECT_EQ(Server().connections.Labels({"pgwire"}).Value(), 1);
	}
	EXPECT_EQ(Server().connections.Labels({"pgwire"}).Value(), 0);
	auto text = DefaultRegistry().Expose();
	for (auto expected :
	     {"aden_query_total{protocol=\"http\",status=\"ok\"} 1\n",
	      "aden_query_total{protocol=\"http\",status=\"undefined_table\"} 1\n",
	      "aden_query_duration_seconds_bucket{protocol=\"http\",status=\"ok\",le=\"0.005\"} 1\n",
	      "aden_query_duration_seconds_count{protocol=\"http\",status=\"undefined_table\"} 1\n",
	      "aden_connections{protocol=\"pgwire\"} 0\n", "aden_connections_total{protocol=\"pgwire\"} 1\n",
	      "# TYPE aden_http_requests_total counter\n", "# TYPE aden_http_request_duration_seconds histogram\n"}) {
		EXPECT_NE(text.find(expected), std::string::npos) << expected << " missing in\n" << text;
	}
}

TEST(Readiness, ChecksReportEachResult) {
	ReadinessChecks checks;
	checks.Add("engine", [] {});
	checks.Add("metastore", [] { throw std::runtime_error("database is locked"); });
	checks.Add("engine", [] {}); // replaces, keeps its place
	auto results = checks.Run();
	ASSERT_EQ(results.size(), 2u);
	EXPECT_EQ(results[0].name, "engine");
	EXPECT_TRUE(results[0].ok);
	EXPECT_EQ(results[1].name, "metastore");
	EXPECT_FALSE(results[1].ok);
	EXPECT_EQ(results[1].error, "database is locked");
	EXPECT_GE(results[1].latency_ms, 0);
}
