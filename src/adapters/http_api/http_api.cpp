#include "adapters/http_api/http_api.hpp"

#include "adapters/http_api/authenticator.hpp"
#include "adapters/http_api/query_handler.hpp"
#include "auth/user_directory.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/sql_lexer.hpp"
#include "common/url.hpp"
#include "objstore/sigv4.hpp"
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

constexpr std::string_view kSsoCallback = "/api/v1/auth/sso/callback";
constexpr std::string_view kSsoCookie = "akko_sso";

// Sent back only to the callback, never readable by scripts, and along with the provider's
// top-level redirect (SameSite=Lax) but not with other sites' requests.
std::string SsoCookie(const std::string &value, int max_age, bool secure) {
	return fmt::format("{}={}; Path={}; Max-Age={}; HttpOnly; SameSite=Lax{}", kSsoCookie, value, kSsoCallback, max_age,
	                   secure ? "; Secure" : "");
}

net::HttpResponse Redirect(const std::string &location) {
	return net::HttpResponse {302, "text/plain", {{"Location", location}, {"Cache-Control", "no-store"}}, ""};
}

// Single sign-on (auth::OidcLogin): /start sends the browser to the provider, which sends it
// back to /callback with a code; the cockpit gets the verified access token in the URL's
// fragment, which browsers never send to a server, and calls the API with it.
void SingleSignOnStart(auth::OidcLogin &sso, bool secure, net::HttpRequest &request, net::HttpResponder &responder) {
	auto host = std::string(request.Header("host"));
	if (host.empty() || host.find_first_of(" /\\@?#") != std::string::npos) {
		responder.Send(net::ErrorResponse(akko::Error(ErrorCode::InvalidInput, "a Host header is needed to sign on")));
		return;
	}
	auto redirect_uri = fmt::format("{}://{}{}", secure ? "https" : "http", host, kSsoCallback);
	try {
		auto start = sso.Start(redirect_uri);
		auto response = Redirect(start.url);
		response.headers.emplace_back("Set-Cookie", SsoCookie(start.browser_key, 600, secure));
		responder.Send(std::move(response));
	} catch (const akko::Error &error) {
		responder.Send(net::ErrorResponse(error));
	}
}

// The browser key of a login (auth::OidcStart) from the request's Cookie header.
std::string SsoCookieOf(const net::HttpRequest &request) {
	auto header = request.Header("cookie");
	size_t at = 0;
	while (at < header.size()) {
		auto end = std::min(header.find(';', at), header.size());
		auto pair = TrimBlanks(header.substr(at, end - at));
		if (pair.starts_with(std::string(kSsoCookie) + "=")) {
			return std::string(pair.substr(kSsoCookie.size() + 1));
		}
		at = end + 1;
	}
	return "";
}

void SingleSignOnCallback(auth::OidcLogin &sso, bool secure, net::HttpRequest &request, net::HttpResponder &responder) {
	nlohmann::json outcome;
	try {
		auto query = ParseQuery(request.query);
		if (auto error = query.find("error"); error != query.end()) {
			throw akko::Error(ErrorCode::InvalidAuthorization,
			                  fmt::format("single sign-on failed: the provider said {} {}", error->second,
			                              query["error_description"]));
		}
		auto session = sso.Finish(query["state"], query["code"], SsoCookieOf(request));
		outcome = {{"access_token", session.access_token},
		           {"expires_in", session.expires_in},
		           {"user", session.caller.user}};
	} catch (const akko::Error &error) {
		log::Warn("login_failed",
		          {{"user", ""}, {"client", ClientAddress(request)}, {"protocol", "http"}, {"reason", error.message}});
		outcome = {{"error", error.message}};
	}
	auto response = Redirect("/#sso=" + objstore::UriEncode(outcome.dump(), false));
	response.headers.emplace_back("Set-Cookie", SsoCookie("", 0, secure));
	responder.Send(std::move(response));
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
	server.Route("GET", "/api/v1/auth/sso", [&users](net::HttpRequest &, net::HttpResponder &responder) {
		auto *oidc = users.Oidc();
		responder.Send(Json(200, {{"enabled", users.SingleSignOn() != nullptr},
		                          {"issuer", oidc ? oidc->Issuer() : std::string()}}));
	});
	if (auto *sso = users.SingleSignOn()) {
		bool secure = server.Secure();
		server.Route("GET", "/api/v1/auth/sso/start", [sso, secure](net::HttpRequest &request, net::HttpResponder &responder) {
			SingleSignOnStart(*sso, secure, request, responder);
		});
		server.Route("GET", std::string(kSsoCallback), [sso, secure](net::HttpRequest &request, net::HttpResponder &responder) {
			SingleSignOnCallback(*sso, secure, request, responder);
		});
	}
	server.Route("POST", "/api/v1/auth/refresh", [&users](net::HttpRequest &request, net::HttpResponder &responder) {
		Refresh(users, request, responder);
	});
}

} // namespace akko::http_api
