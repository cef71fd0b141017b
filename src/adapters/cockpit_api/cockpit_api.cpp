#include "adapters/cockpit_api/cockpit_api.hpp"

#include "adapters/cockpit_api/cockpit_items.hpp"
#include "adapters/cockpit_api/metrics_history.hpp"
#include "adapters/cockpit_api/metrics_sampler.hpp"
#include "adapters/cockpit_api/slo_alerts.hpp"
#include "adapters/cockpit_api/system_status.hpp"
#include "adapters/http_api/authenticator.hpp"
#include "authz/access_control.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/url.hpp"
#include "net/http_server.hpp"
#include "obs/server_metrics.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace akko::cockpit_api {

struct CockpitApi::State {
	explicit State(CockpitApiOptions options_p)
	    : options(std::move(options_p)), status(options), items(*options.metastore),
	      history(obs::Server().query_duration.Bounds()) {
	}

	CockpitApiOptions options;
	SystemStatus status;
	CockpitItems items;
	MetricsHistory history;
	// Last: it samples into `history` and measures through `status` until destroyed.
	std::unique_ptr<MetricsSampler> sampler;
};

CockpitApi::CockpitApi(std::unique_ptr<State> state_p) : state(std::move(state_p)) {
}

CockpitApi::~CockpitApi() = default;

namespace {

using nlohmann::json;
using State = CockpitApi::State;

constexpr size_t kMaxItemBodyBytes = 1024 * 1024;
constexpr size_t kDefaultLogLines = 200;

net::HttpResponse Json(int status, const json &body) {
	return net::HttpResponse {status, "application/json", {}, body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

// Runs `handle` with the caller's principal; answers 401 (or 429) without valid credentials.
template <class F>
net::HttpHandler Authenticated(State &state, F handle) {
	return http_api::Authenticated(
	    *state.options.users, http_api::Credentials::BasicOrBearer,
	    [&state, handle](const auth::Caller &caller, net::HttpRequest &request, net::HttpResponder &responder) {
		    handle(state.options.access->Resolve(caller.user, caller.roles), request, responder);
	    });
}

void RequireSuperuser(const authz::Principal &principal, std::string_view what) {
	if (!principal.superuser) {
		throw Error(ErrorCode::PermissionDenied,
		            fmt::format("{} is for admins: user \"{}\" does not hold role {}", what, principal.user,
		                        authz::kAdminRole));
	}
}

std::string Lower(std::string text) {
	std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
	return text;
}

int LevelRank(const std::string &level) {
	static const char *levels[] = {"trace", "debug", "info", "warn", "error"};
	for (int i = 0; i < 5; i++) {
		if (level == levels[i]) {
			return i;
		}
	}
	return -1;
}

json Logs(const net::HttpRequest &request) {
	auto query = ParseQuery(request.query);
	auto needle = Lower(query["q"]);
	int min_level = 0;
	if (!query["level"].empty()) {
		min_level = LevelRank(query["level"]);
		if (min_level < 0) {
			throw Error(ErrorCode::InvalidInput, fmt::format("level \"{}\" is not one of trace, debug, info, warn, error",
			                                                 query["level"]));
		}
	}
	size_t limit = kDefaultLogLines;
	if (!query["limit"].empty()) {
		auto &text = query["limit"];
		if (text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos || std::stoul(text) < 1 ||
		    std::stoul(text) > log::kRecentLines) {
			throw Error(ErrorCode::InvalidInput,
			            fmt::format("limit \"{}\" is not a whole number from 1 to {}", text, log::kRecentLines));
		}
		limit = std::stoul(text);
	}
	auto lines = json::array();
	for (auto &text : log::Recent()) {
		if (lines.size() == limit) {
			break;
		}
		if (!needle.empty() && Lower(text).find(needle) == std::string::npos) {
			continue;
		}
		auto line = json::parse(text, nullptr, false);
		if (LevelRank(line.value("level", "")) >= min_level) {
			lines.push_back(std::move(line));
		}
	}
	return {{"lines", lines}, {"capacity", log::kRecentLines}};
}

std::chrono::minutes Window(const net::HttpRequest &request) {
	auto window = ParseQuery(request.query)["window"];
	if (window.empty() || window == "15m") {
		return std::chrono::minutes(15);
	}
	if (window == "1h") {
		return std::chrono::minutes(60);
	}
	if (window == "6h") {
		return std::chrono::minutes(360);
	}
	throw Error(ErrorCode::InvalidInput, fmt::format("window \"{}\" is not one of 15m, 1h, 6h", window));
}

// A few hundred points whatever the window.
std::chrono::seconds Step(std::chrono::minutes window) {
	return window <= std::chrono::minutes(15) ? std::chrono::seconds(5)
	       : window <= std::chrono::minutes(60) ? std::chrono::seconds(15)
	                                             : std::chrono::seconds(60);
}

std::string WindowText(std::chrono::minutes window) {
	return window.count() % 60 == 0 ? fmt::format("{}h", window.count() / 60) : fmt::format("{}m", window.count());
}

json OptionalNumber(const std::optional<double> &value) {
	return value ? json(*value) : json(nullptr);
}

json Alerts(const MetricsHistory &history) {
	auto rules = json::array();
	for (auto &state : EvaluateAlerts(history)) {
		auto &rule = *state.rule;
		rules.push_back({{"alert", rule.alert},
		                 {"slo", rule.slo == Slo::Availability ? "availability" : "latency"},
		                 {"severity", rule.severity},
		                 {"long_window", WindowText(rule.long_window)},
		                 {"short_window", WindowText(rule.short_window)},
		                 {"burn_rate_threshold", rule.burn_rate},
		                 {"long_burn_rate", OptionalNumber(state.long_burn)},
		                 {"short_burn_rate", OptionalNumber(state.short_burn)},
		                 {"state", state.firing ? "firing" : "ok"}});
	}
	json slos = json::array();
	slos.push_back({{"name", "availability"},
	                {"objective", kSloObjective},
	                {"description", "statements not failed by the server"}});
	slos.push_back({{"name", "latency"},
	                {"objective", kSloObjective},
	                {"threshold_seconds", kLatencyThresholdSeconds},
	                {"description", "statements finished within the threshold"}});
	return {{"slos", slos}, {"rules", rules}};
}

Viewer ViewerOf(const authz::Principal &principal) {
	return Viewer {principal.user, principal.superuser};
}

// Answers 413 to a body too large to be an item; true when it did.
bool RefusedLargeBody(const net::HttpRequest &request, net::HttpResponder &responder) {
	if (request.body.size() <= kMaxItemBodyBytes) {
		return false;
	}
	auto error = Error(ErrorCode::InvalidInput, fmt::format("the request body is larger than {} bytes", kMaxItemBodyBytes));
	responder.Send(net::ErrorResponse(error, 413));
	return true;
}

// The saved-queries or dashboards collection and its items under `base`.
void RouteItems(net::HttpServer &server, State &state, ItemKind kind, const std::string &base) {
	server.Route("GET", base,
	             Authenticated(state, [&state, kind](const authz::Principal &principal, net::HttpRequest &,
	                                                 net::HttpResponder &responder) {
		             responder.Send(Json(200, state.items.List(kind, ViewerOf(principal))));
	             }));
	server.Route("POST", base,
	             Authenticated(state, [&state, kind](const authz::Principal &principal, net::HttpRequest &request,
	                                                 net::HttpResponder &responder) {
		             if (RefusedLargeBody(request, responder)) {
			             return;
		             }
		             responder.Send(Json(201, state.items.Create(kind, request.body, ViewerOf(principal))));
	             }));
	auto prefix = base + "/";
	auto id_of = [prefix, kind](const net::HttpRequest &request) {
		auto id = PercentDecode(std::string_view(request.path).substr(prefix.size()), false);
		if (id.empty() || id.find('/') != std::string::npos) {
			throw Error(ErrorCode::NotFound, fmt::format("no {} at \"{}\"",
			                                             kind == ItemKind::SavedQuery ? "saved query" : "dashboard",
			                                             request.path));
		}
		return id;
	};
	server.RoutePrefix("GET", prefix,
	                   Authenticated(state, [&state, kind, id_of](const authz::Principal &principal,
	                                                              net::HttpRequest &request, net::HttpResponder &responder) {
		                   responder.Send(Json(200, state.items.Get(kind, id_of(request), ViewerOf(principal))));
	                   }));
	server.RoutePrefix("PUT", prefix,
	                   Authenticated(state, [&state, kind, id_of](const authz::Principal &principal,
	                                                              net::HttpRequest &request, net::HttpResponder &responder) {
		                   if (RefusedLargeBody(request, responder)) {
			                   return;
		                   }
		                   responder.Send(
		                       Json(200, state.items.Update(kind, id_of(request), request.body, ViewerOf(principal))));
	                   }));
	server.RoutePrefix("DELETE", prefix,
	                   Authenticated(state, [&state, kind, id_of](const authz::Principal &principal,
	                                                              net::HttpRequest &request, net::HttpResponder &responder) {
		                   state.items.Delete(kind, id_of(request), ViewerOf(principal));
		                   responder.Send(net::HttpResponse {204, "application/json", {}, ""});
	                   }));
}

} // namespace

std::unique_ptr<CockpitApi> RegisterCockpitApi(net::HttpServer &server, CockpitApiOptions options) {
	auto api = std::unique_ptr<CockpitApi>(new CockpitApi(std::make_unique<State>(std::move(options))));
	auto &state = *api->state;
	state.sampler = std::make_unique<MetricsSampler>(state.history, [&state] { return state.status.WarehouseBytes(); });

	server.Route("GET", "/api/v1/me",
	             Authenticated(state, [](const authz::Principal &principal, net::HttpRequest &,
	                                     net::HttpResponder &responder) {
		             auto roles = json::array();
		             for (auto &role : principal.roles) {
			             if (role != authz::kPublicRole) {
				             roles.push_back(role);
			             }
		             }
		             responder.Send(
		                 Json(200, {{"user", principal.user}, {"roles", roles}, {"superuser", principal.superuser}}));
	             }));
	server.Route("GET", "/api/v1/status",
	             Authenticated(state, [&state](const authz::Principal &, net::HttpRequest &,
	                                           net::HttpResponder &responder) {
		             responder.Send(Json(200, {{"subsystems", state.status.Probe()}}));
	             }));
	server.Route("GET", "/api/v1/architecture",
	             Authenticated(state, [&state](const authz::Principal &, net::HttpRequest &,
	                                           net::HttpResponder &responder) {
		             responder.Send(Json(200, state.status.Architecture()));
	             }));
	server.Route("GET", "/api/v1/logs",
	             Authenticated(state, [](const authz::Principal &principal, net::HttpRequest &request,
	                                     net::HttpResponder &responder) {
		             RequireSuperuser(principal, "the server log");
		             responder.Send(Json(200, Logs(request)));
	             }));
	server.Route("GET", "/api/v1/metrics/history",
	             Authenticated(state, [&state](const authz::Principal &, net::HttpRequest &request,
	                                           net::HttpResponder &responder) {
		             auto window = Window(request);
		             auto series = state.history.Series(window, Step(window));
		             series["window"] = WindowText(window);
		             responder.Send(Json(200, series));
	             }));
	server.Route("GET", "/api/v1/alerts",
	             Authenticated(state, [&state](const authz::Principal &, net::HttpRequest &,
	                                           net::HttpResponder &responder) {
		             responder.Send(Json(200, Alerts(state.history)));
	             }));
	server.Route("GET", "/api/v1/alerts/rules",
	             Authenticated(state, [&state](const authz::Principal &, net::HttpRequest &,
	                                           net::HttpResponder &responder) {
		             responder.Send(net::HttpResponse {200, "application/yaml; charset=utf-8", {},
		                                               PrometheusRules(state.history.Bounds())});
	             }));
	RouteItems(server, state, ItemKind::SavedQuery, "/api/v1/saved-queries");
	RouteItems(server, state, ItemKind::Dashboard, "/api/v1/dashboards");
	return api;
}

} // namespace akko::cockpit_api
