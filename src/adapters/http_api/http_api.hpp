#pragma once
// The HTTP API on a net::HttpServer:
//   POST /api/v1/query   SQL with $n parameters, results streamed as JSON or CSV
//   POST /api/v1/tokens  an API token for the basic-auth caller, {"expires_in": s} optional
//   POST /api/v1/auth/login    {"user","password"}: a JWT access token and a refresh token
//   POST /api/v1/auth/refresh  {"refresh_token"}: a new pair; the old refresh token is spent
//   GET  /health         200 while the process serves
//   GET  /ready          200 or 503 with each readiness check
//   GET  /metrics        Prometheus text
// The other /api routes take HTTP basic auth or a bearer token; the rest are open.
namespace akko::net {
class HttpServer;
}
namespace akko::sql {
class SqlService;
}
namespace akko::auth {
class UserDirectory;
}
namespace akko::obs {
class ReadinessChecks;
}

namespace akko::http_api {

// Adds the routes; before server.Start(). The arguments must outlive server.Stop().
void RegisterHttpApi(net::HttpServer &server, sql::SqlService &sql, auth::UserDirectory &users,
                     obs::ReadinessChecks &readiness);

} // namespace akko::http_api
