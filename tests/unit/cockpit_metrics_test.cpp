// The cockpit's metrics history and SLO burn-rate alerts, on synthetic histories whose
// expected figures are worked out by hand in the comments (burn rate = bad fraction / (1 - 0.99),
// as in the SRE workbook's "Alerting on SLOs").
#include "adapters/cockpit_api/metrics_history.hpp"
#include "adapters/cockpit_api/slo_alerts.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace akko::cockpit_api;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const std::vector<double> kBounds {0.1, 1, 10};
constexpr int64_t kMinute = 60 * 1000;

// One sample a minute from `from_minute` to `to_minute` (a first call samples the start too),
// each adding a minute of statements: `fast` statements within
// 0.1 s, `slow` ones between 1 and 10 s, `errors` (server failures, counted among the fast).
struct Rates {
	double fast = 0;
	double slow = 0;
	double errors = 0;
};

void Fill(MetricsHistory &history, int64_t from_minute, int64_t to_minute, Rates rates, MetricsSample &running) {
	auto minute = from_minute;
	if (running.buckets.empty()) {
		running.buckets.assign(kBounds.size() + 1, 0);
		running.time_ms = minute++ * kMinute;
		history.Add(running);
	}
	for (; minute <= to_minute; minute++) {
		running.queries += rates.fast + rates.slow;
		running.errors += rates.errors;
		running.buckets[0] += rates.fast;
		running.buckets[1] += rates.fast;
		running.buckets[2] += rates.fast + rates.slow;
		running.buckets[3] += rates.fast + rates.slow;
		running.time_ms = minute * kMinute;
		history.Add(running);
	}
}

const AlertState &Rule(const std::vector<AlertState> &states, const std::string &alert) {
	for (auto &state : states) {
		if (state.rule->alert == alert) {
			return state;
		}
	}
	throw std::runtime_error("no rule " + alert);
}

} // namespace

TEST(HistogramQuantile, InterpolatesAsPrometheusDoes) {
	std::vector<double> bounds {1, 2, 4};
	// 40 observations: 10 <= 1, 20 in (1, 2], 10 in (2, 4].
	std::vector<double> cumulative {10, 30, 40, 40};
	// p50: rank 20 falls in (1, 2] with 10 below it: 1 + (2 - 1) * (20 - 10) / 20 = 1.5.
	EXPECT_DOUBLE_EQ(*HistogramQuantile(0.5, bounds, cumulative), 1.5);
	// p95: rank 38 falls in (2, 4] with 30 below it: 2 + (4 - 2) * (38 - 30) / 10 = 3.6.
	EXPECT_DOUBLE_EQ(*HistogramQuantile(0.95, bounds, cumulative), 3.6);
	// p10: rank 4 in the first bucket, from 0: 1 * 4 / 10 = 0.4.
	EXPECT_DOUBLE_EQ(*HistogramQuantile(0.1, bounds, cumulative), 0.4);
	// Everything above the last bound: the last bound.
	EXPECT_DOUBLE_EQ(*HistogramQuantile(0.5, bounds, {0, 0, 0, 10}), 4);
	EXPECT_FALSE(HistogramQuantile(0.5, bounds, {0, 0, 0, 0}));
}

TEST(MetricsHistory, WindowsStartAtTheOldestSampleWithin) {
	MetricsHistory history(kBounds);
	EXPECT_FALSE(history.Over(minutes(5)));
	MetricsSample running;
	Fill(history, 0, 10, {100, 0, 1}, running);
	// Minutes 5 to 10: 5 minutes of 100 statements, 1 error each.
	auto counts = *history.Over(minutes(5));
	EXPECT_DOUBLE_EQ(counts.seconds, 300);
	EXPECT_DOUBLE_EQ(counts.queries, 500);
	EXPECT_DOUBLE_EQ(counts.errors, 5);
	// A window longer than the history: all of it, 10 minutes.
	EXPECT_DOUBLE_EQ(history.Over(minutes(60))->queries, 1000);
}

TEST(MetricsHistory, ForgetsWhatIsOlderThanItKeeps) {
	MetricsHistory history(kBounds, minutes(30));
	MetricsSample running;
	Fill(history, 0, 100, {10, 0, 0}, running);
	// Kept: minutes 70 to 100.
	EXPECT_DOUBLE_EQ(history.Over(minutes(600))->seconds, 30 * 60);
	EXPECT_DOUBLE_EQ(history.Over(minutes(600))->queries, 300);
}

TEST(MetricsHistory, SeriesPointsAreRatesBetweenSamples) {
	MetricsHistory history(kBounds);
	// Every 5 s: 10 statements (8 fast, 2 slow, 1 of the fast failed), 3 connections.
	MetricsSample sample;
	sample.buckets.assign(4, 0);
	for (int i = 0; i <= 24; i++) {
		sample.time_ms = 1'000'000 + i * 5000;
		sample.connections = 3;
		sample.storage_bytes = i >= 12 ? std::optional<double>(4096) : std::nullopt;
		history.Add(sample);
		sample.queries += 10;
		sample.errors += 1;
		sample.buckets = {sample.buckets[0] + 8, sample.buckets[1] + 8, sample.buckets[2] + 10, sample.buckets[3] + 10};
	}
	// The newest minute at 5 s steps: samples 12 to 24, 12 points; at 15 s steps, 4.
	auto series = history.Series(minutes(1), seconds(5));
	ASSERT_EQ(series["time_ms"].size(), 12u);
	EXPECT_EQ(series["time_ms"].back(), 1'000'000 + 24 * 5000);
	EXPECT_EQ(series["step_seconds"], 5);
	// 10 statements in 5 s.
	EXPECT_DOUBLE_EQ(series["queries_per_second"][0].get<double>(), 2);
	EXPECT_DOUBLE_EQ(series["error_ratio"][0].get<double>(), 0.1);
	// p50: rank 5 of 10, in (0, 0.1] holding 8: 0.1 * 5 / 8 s = 62.5 ms.
	EXPECT_DOUBLE_EQ(series["p50_ms"][0].get<double>(), 62.5);
	// p95: rank 9.5, in (1, 10] holding 2 with 8 below: 1 + 9 * 1.5 / 2 = 7.75 s.
	EXPECT_DOUBLE_EQ(series["p95_ms"][0].get<double>(), 7750);
	EXPECT_EQ(series["connections"][0], 3);
	EXPECT_EQ(series["storage_bytes"][0], 4096);
	EXPECT_EQ(history.Series(minutes(1), seconds(15))["time_ms"].size(), 4u);
	// Before storage was measured, and when nothing ran: nulls.
	auto all = history.Series(minutes(15), seconds(5));
	EXPECT_TRUE(all["storage_bytes"][0].is_null());
	EXPECT_EQ(all["time_ms"].size(), 24u);

	MetricsHistory idle(kBounds);
	MetricsSample quiet;
	quiet.buckets.assign(4, 0);
	idle.Add(quiet);
	quiet.time_ms = 5000;
	idle.Add(quiet);
	auto flat = idle.Series(minutes(15), seconds(5));
	EXPECT_EQ(flat["queries_per_second"][0], 0);
	EXPECT_TRUE(flat["error_ratio"][0].is_null());
	EXPECT_TRUE(flat["p50_ms"][0].is_null());
}

TEST(SloAlerts, ServerFailuresSpendTheAvailabilityBudget) {
	EXPECT_TRUE(IsServerFailure("internal_error"));
	EXPECT_TRUE(IsServerFailure("out_of_memory"));
	EXPECT_TRUE(IsServerFailure("too_many_connections"));
	EXPECT_FALSE(IsServerFailure("ok"));
	EXPECT_FALSE(IsServerFailure("syntax_error"));
	EXPECT_FALSE(IsServerFailure("permission_denied"));
	EXPECT_FALSE(IsServerFailure("query_canceled"));
	EXPECT_FALSE(IsServerFailure("feature_not_supported"));
}

TEST(SloAlerts, NothingFiresWithoutHistory) {
	MetricsHistory history(kBounds);
	for (auto &state : EvaluateAlerts(history)) {
		EXPECT_FALSE(state.firing);
		EXPECT_FALSE(state.long_burn);
		EXPECT_FALSE(state.short_burn);
	}
}

TEST(SloAlerts, SteadyErrorsBurnSlowly) {
	MetricsHistory history(kBounds);
	MetricsSample running;
	// 6 h of 100 statements a minute, 8 of them failed: 8% bad, burn 0.08 / 0.01 = 8 on every
	// window. Above 6 (slow burn fires), below 14.4 (fast burn does not).
	Fill(history, 0, 360, {100, 0, 8}, running);
	auto states = EvaluateAlerts(history);
	auto &slow = Rule(states, "AkkoQueryAvailabilitySlowBurn");
	EXPECT_NEAR(*slow.long_burn, 8, 1e-9);
	EXPECT_NEAR(*slow.short_burn, 8, 1e-9);
	EXPECT_TRUE(slow.firing);
	auto &fast = Rule(states, "AkkoQueryAvailabilityFastBurn");
	EXPECT_NEAR(*fast.long_burn, 8, 1e-9);
	EXPECT_FALSE(fast.firing);
	EXPECT_NEAR(*Rule(states, "AkkoQueryLatencySlowBurn").long_burn, 0, 1e-9);
	EXPECT_FALSE(Rule(states, "AkkoQueryLatencySlowBurn").firing);
}

TEST(SloAlerts, ASpikeBurnsFast) {
	MetricsHistory history(kBounds);
	MetricsSample running;
	// 350 minutes of 100 good statements a minute, then 10 minutes with 200 failures a minute more.
	Fill(history, 0, 350, {100, 0, 0}, running);
	Fill(history, 351, 360, {300, 0, 200}, running);
	auto states = EvaluateAlerts(history);
	auto &fast = Rule(states, "AkkoQueryAvailabilityFastBurn");
	// 1 h: 2000 failed of 50 * 100 + 10 * 300 = 8000: 25% bad, burn 25.
	EXPECT_NEAR(*fast.long_burn, 25, 1e-9);
	// 5 m: 1000 failed of 1500: burn 66.7.
	EXPECT_NEAR(*fast.short_burn, 1000.0 / 1500 / 0.01, 1e-9);
	EXPECT_TRUE(fast.firing);
	auto &slow = Rule(states, "AkkoQueryAvailabilitySlowBurn");
	// 6 h: 2000 failed of 350 * 100 + 10 * 300 = 38000: burn 5.26, below 6.
	EXPECT_NEAR(*slow.long_burn, 2000.0 / 38000 / 0.01, 1e-9);
	// 30 m: 2000 of 20 * 100 + 10 * 300 = 5000: burn 40; the long window holds the alert back.
	EXPECT_NEAR(*slow.short_burn, 40, 1e-9);
	EXPECT_FALSE(slow.firing);
}

TEST(SloAlerts, SlowStatementsBurnTheLatencyBudget) {
	MetricsHistory history(kBounds);
	MetricsSample running;
	// 80 statements within 0.1 s and 20 between 1 and 10 s a minute: 20% over 1 s, burn 20:
	// above 14.4 and 6 on every window.
	Fill(history, 0, 360, {80, 20, 0}, running);
	auto states = EvaluateAlerts(history);
	for (auto name : {"AkkoQueryLatencyFastBurn", "AkkoQueryLatencySlowBurn"}) {
		auto &state = Rule(states, name);
		EXPECT_NEAR(*state.long_burn, 20, 1e-9) << name;
		EXPECT_NEAR(*state.short_burn, 20, 1e-9) << name;
		EXPECT_TRUE(state.firing) << name;
	}
	EXPECT_FALSE(Rule(states, "AkkoQueryAvailabilityFastBurn").firing);
}

TEST(SloAlerts, PrometheusRulesUseTheOneSecondBucketAndServerFailures) {
	auto rules = PrometheusRules({0.5, 1, 2.5});
	EXPECT_NE(rules.find("aden_query_duration_seconds_bucket{le=\"1\"}[1h]"), std::string::npos) << rules;
	EXPECT_NE(rules.find("status=~\"internal_error|"), std::string::npos) << rules;
	EXPECT_EQ(rules.find("syntax_error"), std::string::npos) << rules;
	for (auto &rule : SloRules()) {
		EXPECT_NE(rules.find("- alert: " + rule.alert + "\n"), std::string::npos) << rule.alert;
	}
	// Without a 1 s bound, the highest one below it.
	EXPECT_NE(PrometheusRules({0.25, 0.5, 2}).find("le=\"0.5\""), std::string::npos);
}
