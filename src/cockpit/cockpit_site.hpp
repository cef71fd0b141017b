#pragma once
// The cockpit, a single-page app, served from files compiled into the binary: "/" and every
// path without a file extension answer index.html (the app routes them itself), hashed
// assets are cached for a year, and the paths of the APIs stay theirs.
#include "cockpit/asset.hpp"
#include "net/http_message.hpp"

#include <unordered_map>

namespace akko::net {
class HttpServer;
}

namespace akko::cockpit {

class CockpitSite {
public:
	explicit CockpitSite(std::span<const Asset> assets);

	// The answer to any request that reached the cockpit's catch-all route.
	net::HttpResponse Answer(const net::HttpRequest &request) const;

private:
	std::unordered_map<std::string_view, const Asset *> files;
	const Asset *index = nullptr;
};

// Routes every path no other route takes to the embedded cockpit; before server.Start().
void RegisterCockpit(net::HttpServer &server);

} // namespace akko::cockpit
