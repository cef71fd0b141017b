#include "adapters/http_api/http_api.hpp"

#include "adapters/http_api/authenticator.hpp"
#include "adapters/http_api/query_handler.hpp"
#include "auth/user_directory.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "net/http_server.hpp"
#include "obs/metrics.hpp"
#include "obs/readiness.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace akko::http_api {

namespace {

net::HttpResponse Json(int status, const nlohmann::json &body) {
	return net::HttpResponse {
	    status, "application/json", {}, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

// The JSON object body of a request, or an invalid_input error naming what is wrong.
nlohmann::json ObjectBody(const net::HttpRequest &request) {
	auto body = nlohmann::json::parse(request.body, nullptr, false);
	if (body.is_discarded() || !body.is_object()) {
		throw akko::Error(ErrorCode::InvalidInput, "the request body must be a JSON object");
	}
	return body;
}

std::string StringField(const nlohmann::json &body, const char *name) {
	auto found = body.find(name);
	if (found == body.end() || !found->is_string()) {
		throw akko::Error(ErrorCode::InvalidInput, fmt::format("the request body needs \"{}\" (a string)", name));
	}
	return found->get<std::string>();
}

// OAuth 2.0's token response (RFC 6749 5.1), which asks not to be cached.
net::HttpResponse TokenResponse(const auth::TokenPair &pair) {
	auto response = Json(200, {{"access_token", pair.access_token},
	                           {"token_type", "Bearer"},
	                           {"expires_in", pair.expires_in},
	                           {"refresh_token", pair.refresh_token}});
	response.headers.emplace_back("Cache-Control", "no-store");
	return response;
}

void Login(auth::UserDirectory &users, net::HttpRequest &request, net::HttpResponder &responder) {
	try {
		auto body = ObjectBody(request);
		auto user = StringField(body, "user");
		CheckPassword(users, user, StringField(body, "password"), ClientAddress(request), "http");
		responder.Send(TokenResponse(users.Tokens().Issue(user)));
	} catch (const Throttled &error) {
		responder.Send(TooManyAttempts(error));
	} catch (const akko::Error &error) {
		responder.Send(error.code == ErrorCode::InvalidPassword ? Unauthorized(error) : net::ErrorResponse(error));
	}
}

void Refresh(auth::UserDirectory &users, net::HttpRequest &request, net::HttpResponder &responder) {
	try {
		auto pair = users.Tokens().Refresh(StringField(ObjectBody(request), "refresh_token"));
		if (!pair) {
			log::Warn("login_failed", {{"user", ""},
			                           {"client", ClientAddress(request)},
			                           {"protocol", "http"},
			                           {"reason", "unknown, used or expired refresh token"}});
			throw akko::Error(ErrorCode::InvalidAuthorization, "the refresh token is unknown, used or expired");
		}
		responder.Send(TokenResponse(*pair));
	} catch (const akko::Error &error) {
		responder.Send(error.code == ErrorCode::InvalidAuthorization ? Unauthorized(error) : net::ErrorResponse(error));
	}
}

int64_t ExpiresIn(const net::HttpRequest &request) {
	if (request.body.empty()) {
		return 0;
	}
	auto body = ObjectBody(request);
	auto found = body.find("expires_in");
	if (found == body.end() || found->is_null()) {
		return 0;
	}
	if (!found->is_number_integer() || found->get<int64_t>() <= 0) {
		throw akko::Error(ErrorCode::InvalidInput, "expires_in must be a positive number of seconds");
	}
	return found->get<int64_t>();
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
	                           [&sql](const auth::Caller &caller, net::HttpRequest &request,
	                                  net::HttpResponder &responder) { HandleQuery(sql, caller, request, responder); }));
	// A token is had for a password, not for another token.
	server.Route(
	    "POST", "/api/v1/tokens",
	    Authenticated(users, Credentials::BasicOnly,
	                  [&users](const auth::Caller &caller, net::HttpRequest &request, net::HttpResponder &responder) {
		                  try {
			                  auto expires_in = ExpiresIn(request);
			                  nlohmann::json body = {{"token", users.IssueToken(caller.user, expires_in)},
			                                         {"token_type", "Bearer"},
			                                         {"user", caller.user}};
			                  if (expires_in > 0) {
				                  body["expires_in"] = expires_in;
			                  }
			                  responder.Send(Json(200, body));
		                  } catch (const akko::Error &error) {
			                  responder.Send(net::ErrorResponse(error));
		                  }
	                  }));
	server.Route("POST", "/api/v1/auth/login", [&users](net::HttpRequest &request, net::HttpResponder &responder) {
		Login(users, request, responder);
	});
	server.Route("POST", "/api/v1/auth/refresh", [&users](net::HttpRequest &request, net::HttpResponder &responder) {
		Refresh(users, request, responder);
	});
}

} // namespace akko::http_api
