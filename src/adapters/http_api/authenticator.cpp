#include "adapters/http_api/authenticator.hpp"

#include "auth/user_directory.hpp"
#include "common/base64.hpp"
#include "common/log.hpp"
#include "common/sql_lexer.hpp"

#include <fmt/format.h>
#include <strings.h>

namespace akko::http_api {

namespace {

bool HasScheme(std::string_view header, std::string_view scheme) {
	return header.size() > scheme.size() && strncasecmp(header.data(), scheme.data(), scheme.size()) == 0 &&
	       header[scheme.size()] == ' ';
}

void LogFailure(const std::string &user, const std::string &client, std::string_view protocol,
                const std::string &reason) {
	log::Warn("login_failed", {{"user", user}, {"client", client}, {"protocol", protocol}, {"reason", reason}});
}

auth::Caller Bearer(const net::HttpRequest &request, auth::UserDirectory &users, std::string_view protocol,
                    const std::string &token) {
	if (auto user = users.UserForToken(token)) {
		return {*user, {}};
	}
	// A signed access token outlives nothing: a user dropped since it was issued is refused.
	if (auto user = users.Tokens().UserForAccessToken(token)) {
		if (!users.Exists(*user)) {
			LogFailure(*user, ClientAddress(request), protocol, "the token's user no longer exists");
			throw akko::Error(ErrorCode::InvalidAuthorization, "the bearer token's user no longer exists");
		}
		return {*user, {}};
	}
	auto *oidc = users.Oidc();
	// Our own kinds of token are never tried as OIDC ones: their refusal reason is clearer.
	if (oidc && !token.starts_with("akko")) {
		try {
			return oidc->Verify(token);
		} catch (const akko::Error &error) {
			LogFailure("", ClientAddress(request), protocol, error.message);
			throw;
		}
	}
	LogFailure("", ClientAddress(request), protocol, "invalid bearer token");
	throw akko::Error(ErrorCode::InvalidAuthorization, "the bearer token is not valid");
}

} // namespace

std::string ClientAddress(const net::HttpRequest &request) {
	std::string_view remote = request.remote;
	auto colon = remote.rfind(':');
	if (colon != std::string_view::npos && remote.find(':') == colon) {
		remote = remote.substr(0, colon);
	} else if (remote.starts_with('[') && remote.find("]:") != std::string_view::npos) {
		remote = remote.substr(1, remote.find("]:") - 1);
	}
	return std::string(remote);
}

void CheckPassword(auth::UserDirectory &users, const std::string &user, const std::string &password,
                   const std::string &client, std::string_view protocol) {
	auto &throttle = users.Throttle();
	auto wait = throttle.RetryAfter(user, client);
	if (wait.count() > 0) {
		LogFailure(user, client, protocol, "throttled");
		throw Throttled(fmt::format("too many failed logins for user \"{}\": retry in {} s", user, wait.count()), wait);
	}
	if (!users.CheckPassword(user, password)) {
		throttle.Failed(user, client);
		LogFailure(user, client, protocol, "wrong password or unknown user");
		throw akko::Error(ErrorCode::InvalidPassword, fmt::format("password authentication failed for user \"{}\"", user));
	}
	throttle.Succeeded(user, client);
}

auth::Caller Authenticate(const net::HttpRequest &request, auth::UserDirectory &users, Credentials accepted,
                          std::string_view protocol) {
	auto header = request.Header("authorization");
	if (HasScheme(header, "Basic")) {
		auto decoded = Base64Decode(TrimBlanks(header.substr(6)));
		auto colon = decoded ? decoded->find(':') : std::string::npos;
		if (colon == std::string::npos) {
			throw akko::Error(ErrorCode::InvalidAuthorization, "malformed basic authorization header");
		}
		auto user = decoded->substr(0, colon);
		CheckPassword(users, user, decoded->substr(colon + 1), ClientAddress(request), protocol);
		return {user, {}};
	}
	if (accepted == Credentials::BasicOrBearer && HasScheme(header, "Bearer")) {
		return Bearer(request, users, protocol, std::string(TrimBlanks(header.substr(7))));
	}
	throw akko::Error(ErrorCode::InvalidAuthorization,
	                  accepted == Credentials::BasicOnly
	                      ? "authentication required: use HTTP basic auth"
	                      : "authentication required: use HTTP basic auth or a bearer token");
}

net::HttpHandler Authenticated(auth::UserDirectory &users, Credentials accepted, AuthenticatedHandler handle) {
	return [&users, accepted, handle = std::move(handle)](net::HttpRequest &request, net::HttpResponder &responder) {
		auth::Caller caller;
		try {
			caller = Authenticate(request, users, accepted);
		} catch (const Throttled &error) {
			responder.Send(TooManyAttempts(error));
			return;
		} catch (const akko::Error &error) {
			if (error.code != ErrorCode::InvalidAuthorization && error.code != ErrorCode::InvalidPassword) {
				throw;
			}
			responder.Send(Unauthorized(error));
			return;
		}
		handle(caller, request, responder);
	};
}

net::HttpResponse Unauthorized(const akko::Error &error) {
	auto response = net::ErrorResponse(error, 401);
	response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"akko\", charset=\"UTF-8\"");
	return response;
}

net::HttpResponse TooManyAttempts(const Throttled &error) {
	auto response = net::ErrorResponse(error, 429);
	response.headers.emplace_back("Retry-After", std::to_string(error.retry_after.count()));
	return response;
}

} // namespace akko::http_api
