#pragma once
// Burn-rate alerts on the statement SLOs, multi-window as in Google's SRE workbook
// ("Alerting on SLOs", alert 5): a rule fires when the error budget burns faster than its rate
// over both its long and its short window. Two SLOs over aden_query_total and
// aden_query_duration_seconds: availability (99% of statements not failed by the server)
// and latency (99% of statements within 1 s). Evaluated in-process on MetricsHistory, and
// exported as a Prometheus rules file that says the same.
#include "adapters/cockpit_api/metrics_history.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace akko::cockpit_api {

inline constexpr double kSloObjective = 0.99;
inline constexpr double kLatencyThresholdSeconds = 1;

enum class Slo { Availability, Latency };

struct SloRule {
	std::string alert; // the Prometheus alert name
	Slo slo;
	std::string severity; // "page" or "ticket"
	std::chrono::minutes long_window;
	std::chrono::minutes short_window;
	double burn_rate; // the budget's burn-rate factor both windows must exceed
};

const std::vector<SloRule> &SloRules();

// A statement status (aden_query_total's label: "ok" or the error's stable name) that spends
// the availability budget: the server's failures (HTTP 500 and 503 in the error table), not
// the caller's mistakes (bad SQL, denied access, cancels) nor declined features.
bool IsServerFailure(const std::string &status);

struct AlertState {
	const SloRule *rule = nullptr;
	// The budget's burn rate over each window: the bad fraction over (1 - objective); nullopt
	// while the history holds no statement in the window.
	std::optional<double> long_burn;
	std::optional<double> short_burn;
	bool firing = false;
};

std::vector<AlertState> EvaluateAlerts(const MetricsHistory &history);

// The rules as a Prometheus rules file: recording rules for each SLO's bad ratio over every
// window, and one alerting rule per SloRule. `bounds` are the latency histogram's.
std::string PrometheusRules(const std::vector<double> &bounds);

} // namespace akko::cockpit_api
