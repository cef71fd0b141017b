#pragma once
// The JSON API of the cockpit on a net::HttpServer (docs/cockpit-api.md):
//   GET /api/v1/me                     the caller, their roles, whether superuser
//   GET /api/v1/status                 a probe of each subsystem
//   GET /api/v1/architecture           components, endpoints and edges of the running server
//   GET /api/v1/logs                   recent server log lines (superusers)
//   GET /api/v1/metrics/history        queries/s, errors, latency, connections, storage
//   GET /api/v1/alerts[/rules]         SLO burn-rate alerts, and the same as Prometheus rules
//   /api/v1/saved-queries[/{id}], /api/v1/dashboards[/{id}]: GET, POST, PUT, DELETE
// Every route takes HTTP basic auth or a bearer token, as /api/v1/query does.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace akko {
struct Config;
}
namespace akko::net {
class HttpServer;
}
namespace akko::auth {
class UserDirectory;
}
namespace akko::authz {
class AccessControl;
}
namespace akko::metastore {
class Metastore;
}
namespace akko::catalog {
class CatalogService;
}
namespace akko::objstore {
class Store;
}
namespace akko::obs {
class ReadinessChecks;
}

namespace akko::cockpit_api {

struct CockpitApiOptions {
	const Config *config = nullptr; // listen address, TLS, metastore kind, OIDC issuer
	auth::UserDirectory *users = nullptr;
	authz::AccessControl *access = nullptr;
	metastore::Metastore *metastore = nullptr; // saved queries and dashboards
	catalog::CatalogService *catalog = nullptr;
	objstore::Store *store = nullptr; // the warehouse's
	std::string warehouse_uri;
	// Its "engine" and "metastore" checks are the status probes of those subsystems.
	obs::ReadinessChecks *readiness = nullptr;
	std::string engine_version;
	// The ports bound, asked when needed (the S3 API starts after the routes are registered);
	// 0 when the listener does not run.
	std::function<uint16_t()> http_port;
	std::function<uint16_t()> pg_port;
	std::function<uint16_t()> s3_port;
};

class CockpitApi;

// Adds the routes and starts sampling the metrics history; before server.Start(). The
// returned object and everything `options` points at must outlive server.Stop().
std::unique_ptr<CockpitApi> RegisterCockpitApi(net::HttpServer &server, CockpitApiOptions options);

// Holds the metrics history and its sampler thread, which stops when this is destroyed.
class CockpitApi {
public:
	~CockpitApi();
	struct State;

private:
	friend std::unique_ptr<CockpitApi> RegisterCockpitApi(net::HttpServer &, CockpitApiOptions);
	explicit CockpitApi(std::unique_ptr<State> state_p);
	std::unique_ptr<State> state;
};

} // namespace akko::cockpit_api
