#include "cockpit/cockpit_site.hpp"

#include <gtest/gtest.h>
#include <regex>
#include <set>

using namespace akko;
using namespace akko::cockpit;

namespace {

constexpr Asset kFake[] = {
    {"/index.html", "text/html; charset=utf-8", "<html>app</html>", "GZ-INDEX"},
    {"/assets/index-abc123.js", "text/javascript; charset=utf-8", "console.log(1)", "GZ-JS"},
    {"/favicon.svg", "image/svg+xml", "<svg/>", ""},
};

net::HttpRequest Get(std::string path, std::string method = "GET") {
	net::HttpRequest request;
	request.method = std::move(method);
	request.path = std::move(path);
	request.target = request.path;
	return request;
}

std::string HeaderOf(const net::HttpResponse &response, std::string_view name) {
	for (auto &[key, value] : response.headers) {
		if (key == name) {
			return value;
		}
	}
	return "";
}

} // namespace

TEST(CockpitSite, ServesFilesWithTheirTypeAndCacheRule) {
	CockpitSite site(kFake);
	auto script = site.Answer(Get("/assets/index-abc123.js"));
	EXPECT_EQ(script.status, 200);
	EXPECT_EQ(script.body, "console.log(1)");
	EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
	EXPECT_EQ(HeaderOf(script, "Cache-Control"), "public, max-age=31536000, immutable");
	EXPECT_EQ(HeaderOf(script, "Vary"), "Accept-Encoding");
	EXPECT_EQ(HeaderOf(script, "Content-Security-Policy"), "");

	auto icon = site.Answer(Get("/favicon.svg"));
	EXPECT_EQ(icon.body, "<svg/>");
	EXPECT_EQ(HeaderOf(icon, "Cache-Control"), "no-cache");
	EXPECT_EQ(HeaderOf(icon, "Vary"), "");
}

TEST(CockpitSite, GzipOnlyForClientsThatAcceptIt) {
	CockpitSite site(kFake);
	auto request = Get("/assets/index-abc123.js");
	request.headers.emplace_back("accept-encoding", "gzip, deflate, br");
	auto packed = site.Answer(request);
	EXPECT_EQ(packed.body, "GZ-JS");
	EXPECT_EQ(HeaderOf(packed, "Content-Encoding"), "gzip");
	// Without a compressed copy the plain bytes go, whatever the client accepts.
	request.path = "/favicon.svg";
	auto plain = site.Answer(request);
	EXPECT_EQ(plain.body, "<svg/>");
	EXPECT_EQ(HeaderOf(plain, "Content-Encoding"), "");
}

TEST(CockpitSite, PagePathsFallBackToIndex) {
	CockpitSite site(kFake);
	for (auto path : {"/", "/index.html", "/workbench", "/catalog/banking/accounts"}) {
		auto page = site.Answer(Get(path));
		EXPECT_EQ(page.status, 200) << path;
		EXPECT_EQ(page.body, "<html>app</html>") << path;
		EXPECT_EQ(HeaderOf(page, "Cache-Control"), "no-cache") << path;
		EXPECT_NE(HeaderOf(page, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
	}
	EXPECT_EQ(site.Answer(Get("/missing.js")).status, 404);
	EXPECT_EQ(site.Answer(Get("/assets/gone-123.css")).status, 404);
}

TEST(CockpitSite, ApiPathsAreNeverThePage) {
	CockpitSite site(kFake);
	for (auto path : {"/api", "/api/v1/nothing", "/iceberg/v1/x", "/metrics", "/health", "/ready"}) {
		auto answer = site.Answer(Get(path));
		EXPECT_EQ(answer.status, 404) << path;
		EXPECT_EQ(answer.content_type, "application/json") << path;
	}
	// Only whole segments: a page may be called "apis".
	EXPECT_EQ(site.Answer(Get("/apis")).status, 200);
}

TEST(CockpitSite, HeadAndOtherMethods) {
	CockpitSite site(kFake);
	auto head = site.Answer(Get("/", "HEAD"));
	EXPECT_EQ(head.status, 200);
	EXPECT_EQ(head.body, "");
	EXPECT_EQ(HeaderOf(head, "Content-Length"), std::to_string(std::string_view("<html>app</html>").size()));
	auto post = site.Answer(Get("/workbench", "POST"));
	EXPECT_EQ(post.status, 405);
	EXPECT_EQ(HeaderOf(post, "Allow"), "GET, HEAD");
}

// The real build: index.html and every file it links are in the binary, compressed where
// that helps.
TEST(CockpitSite, EmbeddedBuildIsWhole) {
	auto assets = EmbeddedAssets();
	std::set<std::string_view> paths;
	const Asset *index = nullptr;
	for (auto &asset : assets) {
		paths.insert(asset.path);
		if (asset.path == "/index.html") {
			index = &asset;
		}
		EXPECT_LT(asset.gzip.size(), asset.bytes.size()) << asset.path;
	}
	ASSERT_NE(index, nullptr);
	std::string html(index->bytes);
	std::regex linked(R"re((?:src|href)="(/[^"]+)")re");
	int links = 0;
	for (std::sregex_iterator it(html.begin(), html.end(), linked), end; it != end; ++it) {
		EXPECT_TRUE(paths.count((*it)[1].str())) << (*it)[1].str();
		links++;
	}
	EXPECT_GE(links, 2); // the script and the style sheet at least
	EXPECT_EQ(html.find("http://"), std::string::npos);
	EXPECT_EQ(html.find("https://"), std::string::npos);
}
