#pragma once
// One file of the cockpit's Vite build, compiled into the binary by embed_assets.py.
#include <span>
#include <string_view>

namespace akko::cockpit {

struct Asset {
	std::string_view path;         // "/index.html", "/assets/index-3f2a1b.js"
	std::string_view content_type; // with "; charset=utf-8" for text
	std::string_view bytes;
	std::string_view gzip; // the bytes gzip-compressed; empty when that would not be smaller
};

// The files of web/dist, from the generated source of this build.
std::span<const Asset> EmbeddedAssets();

} // namespace akko::cockpit
