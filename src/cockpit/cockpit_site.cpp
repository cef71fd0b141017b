#include "cockpit/cockpit_site.hpp"

#include "common/error.hpp"
#include "net/http_server.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <memory>

namespace akko::cockpit {

namespace {

// Paths the cockpit never answers with its page: an API client asking for a route that
// does not exist must get the API's 404, not HTML.
constexpr std::array<std::string_view, 5> kApiSegments = {"api", "iceberg", "metrics", "health", "ready"};

// Everything the page loads is its own: no CDN, no remote fonts, nothing inline but the
// styles CodeMirror and ECharts set at run time.
constexpr std::string_view kPagePolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                         "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'";

bool IsApiPath(std::string_view path) {
	if (path.empty()) {
		return false;
	}
	auto first = path.substr(1, path.find('/', 1) - 1);
	return std::find(kApiSegments.begin(), kApiSegments.end(), first) != kApiSegments.end();
}

// A file name has a dot in its last segment; an app route ("/catalog/banking") has none.
bool LooksLikeFile(std::string_view path) {
	auto last = path.substr(path.rfind('/') + 1);
	return last.find('.') != std::string_view::npos;
}

bool AcceptsGzip(const net::HttpRequest &request) {
	// Good enough for browsers, which all send gzip; q=0 opt-outs are not worth parsing.
	return request.Header("accept-encoding").find("gzip") != std::string_view::npos;
}

net::HttpResponse NotFound(const net::HttpRequest &request) {
	return net::ErrorResponse(
	    Error(ErrorCode::NotFound, fmt::format("no resource at {} {}", request.method, request.path)), 404);
}

} // namespace

CockpitSite::CockpitSite(std::span<const Asset> assets) {
	for (auto &asset : assets) {
		files.emplace(asset.path, &asset);
	}
	auto found = files.find("/index.html");
	if (found != files.end()) {
		index = found->second;
	}
}

net::HttpResponse CockpitSite::Answer(const net::HttpRequest &request) const {
	std::string_view path = request.path;
	if (IsApiPath(path)) {
		return NotFound(request);
	}
	if (request.method != "GET" && request.method != "HEAD") {
		auto response = net::ErrorResponse(
		    Error(ErrorCode::InvalidInput, fmt::format("{} is not allowed on {}", request.method, request.path)), 405);
		response.headers.emplace_back("Allow", "GET, HEAD");
		return response;
	}
	const Asset *asset = nullptr;
	auto found = files.find(path == "/" ? std::string_view("/index.html") : path);
	if (found != files.end()) {
		asset = found->second;
	} else if (!LooksLikeFile(path)) {
		asset = index;
	}
	if (!asset) {
		return NotFound(request);
	}

	net::HttpResponse response;
	response.content_type = std::string(asset->content_type);
	// Vite names what it emits under /assets/ by content hash: such a name never changes
	// meaning. index.html and the other fixed names must be revalidated to pick up a release.
	if (asset->path.starts_with("/assets/")) {
		response.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
	} else {
		response.headers.emplace_back("Cache-Control", "no-cache");
	}
	if (asset == index) {
		response.headers.emplace_back("Content-Security-Policy", std::string(kPagePolicy));
		response.headers.emplace_back("X-Frame-Options", "DENY");
		response.headers.emplace_back("Referrer-Policy", "no-referrer");
	}
	response.headers.emplace_back("X-Content-Type-Options", "nosniff");
	auto body = asset->bytes;
	if (!asset->gzip.empty()) {
		response.headers.emplace_back("Vary", "Accept-Encoding");
		if (AcceptsGzip(request)) {
			body = asset->gzip;
			response.headers.emplace_back("Content-Encoding", "gzip");
		}
	}
	if (request.method == "HEAD") {
		response.headers.emplace_back("Content-Length", std::to_string(body.size()));
	} else {
		response.body = std::string(body);
	}
	return response;
}

void RegisterCockpit(net::HttpServer &server) {
	auto site = std::make_shared<const CockpitSite>(EmbeddedAssets());
	// Inline: an answer is a copy out of memory, never a wait.
	server.RoutePrefix(
	    "", "/",
	    [site](net::HttpRequest &request, net::HttpResponder &responder) { responder.Send(site->Answer(request)); },
	    net::Dispatch::Inline);
}

} // namespace akko::cockpit
