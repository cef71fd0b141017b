#pragma once
// The HTTP API on a net::HttpServer:
//   POST /api/v1/query   SQL with $n parameters, results streamed as JSON or CSV
//   POST /api/v1/tokens  a bearer token for the basic-auth caller
//   GET  /health         200 while the process serves
//   GET  /ready          200 or 503 with each readiness check
//   GET  /metrics        Prometheus text
// The /api routes take HTTP basic auth or a bearer token; the others are open.
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
