#pragma once
// Who calls the HTTP API (and the Iceberg REST catalog): "Authorization: Basic" (user and
// password) or "Bearer": an access token of POST /api/v1/auth/login, an API token of
// POST /api/v1/tokens, or a token of the configured OIDC provider.
#include "auth/caller.hpp"
#include "common/error.hpp"
#include "net/http_message.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace akko::auth {
class UserDirectory;
}

namespace akko::http_api {

enum class Credentials { BasicOrBearer, BasicOnly };

// Password logins refused without a check, as too many failed lately (auth::LoginThrottle).
struct Throttled : akko::Error {
	Throttled(std::string message_p, std::chrono::seconds retry_after_p)
	    : akko::Error(ErrorCode::InvalidPassword, std::move(message_p)), retry_after(retry_after_p) {
	}
	std::chrono::seconds retry_after;
};

// The peer's address without its port: what the login throttle counts per client.
std::string ClientAddress(const net::HttpRequest &request);

// Checks a user's password under the login throttle, logging failures ("login_failed").
// Throws Throttled, or akko::Error (invalid_password) for a wrong password.
void CheckPassword(auth::UserDirectory &users, const std::string &user, const std::string &password,
                   const std::string &client, std::string_view protocol);

// The caller. Throws Throttled, or akko::Error (invalid_authorization, invalid_password) when
// the credentials are missing or wrong.
auth::Caller Authenticate(const net::HttpRequest &request, auth::UserDirectory &users, Credentials accepted,
                          std::string_view protocol = "http");

// A handler that runs `handle` for an authenticated caller, and answers 401 (or 429) itself.
using AuthenticatedHandler = std::function<void(const auth::Caller &, net::HttpRequest &, net::HttpResponder &)>;
net::HttpHandler Authenticated(auth::UserDirectory &users, Credentials accepted, AuthenticatedHandler handle);

// A 401 with its JSON error and the WWW-Authenticate challenge.
net::HttpResponse Unauthorized(const akko::Error &error);
// A 429 with Retry-After.
net::HttpResponse TooManyAttempts(const Throttled &error);

} // namespace akko::http_api
