#include "adapters/cockpit_api/slo_alerts.hpp"

#include "common/error.hpp"
#include "obs/exposition.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace akko::cockpit_api {

namespace {

// "5m", "1h": Prometheus' duration text, also the recording rules' suffix.
std::string Duration(std::chrono::minutes window) {
	auto minutes = window.count();
	return minutes % 60 == 0 ? fmt::format("{}h", minutes / 60) : fmt::format("{}m", minutes);
}

// The histogram bound the latency SLO counts "fast enough" statements under: the threshold's,
// or the highest below it when the histogram has none there.
size_t LatencyBucket(const std::vector<double> &bounds) {
	size_t found = 0;
	for (size_t i = 0; i < bounds.size() && bounds[i] <= kLatencyThresholdSeconds; i++) {
		found = i;
	}
	return found;
}

std::string ServerFailureRegex() {
	std::string regex;
	for (auto code = 0; code <= static_cast<int>(ErrorCode::NotFound); code++) {
		auto &description = Describe(static_cast<ErrorCode>(code));
		if (IsServerFailure(std::string(description.name))) {
			regex += (regex.empty() ? "" : "|") + std::string(description.name);
		}
	}
	return regex;
}

const char *RecordName(Slo slo) {
	return slo == Slo::Availability ? "akko:query_server_errors:ratio_rate" : "akko:query_slow:ratio_rate";
}

std::optional<double> BurnRate(Slo slo, const std::optional<WindowCounts> &counts, size_t latency_bucket) {
	if (!counts || counts->queries <= 0 || counts->buckets.empty()) {
		return std::nullopt;
	}
	auto statements = counts->buckets.back();
	double bad = slo == Slo::Availability ? counts->errors / counts->queries
	                                      : (statements - counts->buckets[latency_bucket]) / statements;
	return bad / (1 - kSloObjective);
}

} // namespace

const std::vector<SloRule> &SloRules() {
	using std::chrono::minutes;
	static const std::vector<SloRule> rules {
	    {"AkkoQueryAvailabilityFastBurn", Slo::Availability, "page", minutes(60), minutes(5), 14.4},
	    {"AkkoQueryAvailabilitySlowBurn", Slo::Availability, "ticket", minutes(360), minutes(30), 6},
	    {"AkkoQueryLatencyFastBurn", Slo::Latency, "page", minutes(60), minutes(5), 14.4},
	    {"AkkoQueryLatencySlowBurn", Slo::Latency, "ticket", minutes(360), minutes(30), 6},
	};
	return rules;
}

bool IsServerFailure(const std::string &status) {
	for (auto code = 0; code <= static_cast<int>(ErrorCode::NotFound); code++) {
		auto &description = Describe(static_cast<ErrorCode>(code));
		if (description.name == status) {
			return description.http_status == 500 || description.http_status == 503;
		}
	}
	return false;
}

std::vector<AlertState> EvaluateAlerts(const MetricsHistory &history) {
	auto latency_bucket = LatencyBucket(history.Bounds());
	std::vector<AlertState> states;
	for (auto &rule : SloRules()) {
		AlertState state;
		state.rule = &rule;
		state.long_burn = BurnRate(rule.slo, history.Over(rule.long_window), latency_bucket);
		state.short_burn = BurnRate(rule.slo, history.Over(rule.short_window), latency_bucket);
		state.firing = state.long_burn && state.short_burn && *state.long_burn > rule.burn_rate &&
		               *state.short_burn > rule.burn_rate;
		states.push_back(state);
	}
	return states;
}

std::string PrometheusRules(const std::vector<double> &bounds) {
	std::string le;
	if (!bounds.empty()) {
		obs::AppendNumber(le, bounds[LatencyBucket(bounds)]);
	}
	std::vector<std::chrono::minutes> windows;
	for (auto &rule : SloRules()) {
		for (auto window : {rule.short_window, rule.long_window}) {
			if (std::find(windows.begin(), windows.end(), window) == windows.end()) {
				windows.push_back(window);
			}
		}
	}
	std::sort(windows.begin(), windows.end());

	std::string out = fmt::format("# AKKO statement SLOs: availability ({0:g}% of statements not failed by the server)\n"
	                              "# and latency ({0:g}% within {1:g} s), multi-window burn-rate alerts as in the SRE\n"
	                              "# workbook. Served by GET /api/v1/alerts/rules; see docs/cockpit-api.md.\n"
	                              "groups:\n  - name: akko-slo-recording\n    rules:\n",
	                              kSloObjective * 100, kLatencyThresholdSeconds);
	auto failures = ServerFailureRegex();
	for (auto window : windows) {
		auto range = Duration(window);
		out += fmt::format("      - record: {}{}\n        expr: sum(rate(aden_query_total{{status=~\"{}\"}}[{}]))"
		                   " / sum(rate(aden_query_total[{}]))\n",
		                   RecordName(Slo::Availability), range, failures, range, range);
		out += fmt::format("      - record: {}{}\n        expr: 1 - sum(rate(aden_query_duration_seconds_bucket"
		                   "{{le=\"{}\"}}[{}])) / sum(rate(aden_query_duration_seconds_count[{}]))\n",
		                   RecordName(Slo::Latency), range, le, range, range);
	}
	out += "  - name: akko-slo-alerts\n    rules:\n";
	for (auto &rule : SloRules()) {
		auto threshold = fmt::format("({} * (1 - {}))", rule.burn_rate, kSloObjective);
		auto what = rule.slo == Slo::Availability ? "server failures" : "slow statements";
		out += fmt::format("      - alert: {}\n        expr: {}{} > {} and {}{} > {}\n", rule.alert,
		                   RecordName(rule.slo), Duration(rule.long_window), threshold, RecordName(rule.slo),
		                   Duration(rule.short_window), threshold);
		out += fmt::format("        labels:\n          severity: {}\n          slo: {}\n", rule.severity,
		                   rule.slo == Slo::Availability ? "availability" : "latency");
		out += fmt::format("        annotations:\n          summary: \"AKKO {} burn the {} error budget {}x too "
		                   "fast\"\n          description: \"Over the last {} and {}, the share of {} is above "
		                   "{} times the budget of {:g}%.\"\n",
		                   what, rule.slo == Slo::Availability ? "availability" : "latency", rule.burn_rate,
		                   Duration(rule.long_window), Duration(rule.short_window), what, rule.burn_rate,
		                   (1 - kSloObjective) * 100);
	}
	return out;
}

} // namespace akko::cockpit_api
