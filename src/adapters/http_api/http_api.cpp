#include "adapters/http_api/http_api.hpp"

#include "adapters/http_api/authenticator.hpp"
#include "adapters/http_api/query_handler.hpp"
#include "auth/user_directory.hpp"
#include "common/error.hpp"
#include "net/http_server.hpp"
#include "obs/metrics.hpp"
#include "obs/readiness.hpp"

#include <nlohmann/json.hpp>

namespace akko::http_api {

namespace {

net::HttpResponse Json(int status, const nlohmann::json &body) {
	return net::HttpResponse {
	    status, "application/json", {}, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

// Runs `handle` for an authenticated caller; answers 401 otherwise.
template <class F>
net::HttpHandler Authenticated(auth::UserDirectory &users, Credentials accepted, F handle) {
	return [&users, accepted, handle](net::HttpRequest &request, net::HttpResponder &responder) {
		std::string user;
		try {
			user = Authenticate(request, users, accepted);
		} catch (const akko::Error &error) {
			if (error.code != ErrorCode::InvalidAuthorization && error.code != ErrorCode::InvalidPassword) {
				throw;
			}
			responder.Send(Unauthorized(error));
			return;
		}
		handle(user, request, responder);
	};
}

nlohmann::json ReadinessBody(const std::vector<obs::ReadinessChecks::Result> &results, bool &ready) {
	ready = true;
	auto checks = nlohmann::json::object();
	for (auto &result : results) {
		nlohmann::json check = {{"ok", result.ok}, {"latency_ms", result.latency_ms}};
		if (!result.ok) {
			check["error"] = result.error;
			ready = false;
		}
		checks[result.name] = check;
	}
	return {{"status", ready ? "ready" : "not_ready"}, {"checks", checks}};
}

} // namespace

void RegisterHttpApi(net::HttpServer &server, sql::SqlService &sql, auth::UserDirectory &users,
                     obs::ReadinessChecks &readiness) {
	server.Route(
	    "GET", "/health",
	    [](net::HttpRequest &, net::HttpResponder &responder) {
		    responder.Send(Json(200, {{"status", "ok"}}));
	    },
	    net::Dispatch::Inline);
	server.Route(
	    "GET", "/metrics",
	    [](net::HttpRequest &, net::HttpResponder &responder) {
		    responder.Send(net::HttpResponse {
		        200, "text/plain; version=0.0.4; charset=utf-8", {}, obs::DefaultRegistry().Expose()});
	    },
	    net::Dispatch::Inline);
	// Checks may touch the engine or the metastore, so they run on a worker.
	server.Route("GET", "/ready", [&readiness](net::HttpRequest &, net::HttpResponder &responder) {
		bool ready;
		auto body = ReadinessBody(readiness.Run(), ready);
		responder.Send(Json(ready ? 200 : 503, body));
	});
	server.Route("POST", "/api/v1/query",
	             Authenticated(users, Credentials::BasicOrBearer,
	                           [&sql](const std::string &user, net::HttpRequest &request,
	                                  net::HttpResponder &responder) { HandleQuery(sql, user, request, responder); }));
	// A token is had for a password, not for another token.
	server.Route(
	    "POST", "/api/v1/tokens",
	    Authenticated(users, Credentials::BasicOnly,
	                  [&users](const std::string &user, net::HttpRequest &, net::HttpResponder &responder) {
		                  responder.Send(
		                      Json(200, {{"token", users.IssueToken(user)}, {"token_type", "Bearer"}, {"user", user}}));
	                  }));
}

} // namespace akko::http_api
