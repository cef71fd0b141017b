#pragma once
// Who calls the HTTP API: "Authorization: Basic" (user and password) or "Bearer" (a token
// from POST /api/v1/tokens).
#include "net/http_message.hpp"

#include <string>

namespace akko::auth {
class UserDirectory;
}

namespace akko::http_api {

enum class Credentials { BasicOrBearer, BasicOnly };

// The caller's user name. Throws akko::Error (invalid_authorization, invalid_password) when
// the credentials are missing or wrong.
std::string Authenticate(const net::HttpRequest &request, auth::UserDirectory &users, Credentials accepted);

// A 401 with its JSON error and the WWW-Authenticate challenge.
net::HttpResponse Unauthorized(const akko::Error &error);

} // namespace akko::http_api
