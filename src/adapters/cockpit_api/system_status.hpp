#pragma once
// What the cockpit's home and architecture pages show: a cheap real probe of each subsystem,
// and the running components with their endpoints, drawn from the live configuration.
#include "adapters/cockpit_api/cockpit_api.hpp"

#include <nlohmann/json_fwd.hpp>

namespace akko::cockpit_api {

class SystemStatus {
public:
	explicit SystemStatus(const CockpitApiOptions &options_p);

	// [{"name", "status": "ok"|"down"|"not_configured", "latency_ms", "detail", "endpoint"}],
	// one per subsystem: sql_engine, catalog, metastore, object_store, s3_api, pgwire, ai_backend.
	nlohmann::json Probe() const;
	// {"components": [{"id", "name", "layer", "endpoint", "details": {...}}],
	//  "edges": [{"from", "to", "protocol"}]}
	nlohmann::json Architecture() const;
	// The size of every object under the warehouse: a whole listing, so seldom.
	double WarehouseBytes() const;

private:
	const CockpitApiOptions &options;
};

} // namespace akko::cockpit_api
