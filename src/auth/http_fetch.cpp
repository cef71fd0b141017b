#include "auth/http_fetch.hpp"

#include "common/error.hpp"
#include "objstore/s3_client.hpp"

#include <fmt/format.h>

namespace akko::auth {

namespace {

// The client's path is /<bucket>/<key>, so the URL's first path segment plays the bucket.
HttpAnswer Send(const std::string &method, const std::string &url, const std::string &body,
                const std::vector<std::pair<std::string, std::string>> &headers, int attempts) {
	auto scheme_end = url.find("://");
	auto path_start = scheme_end == std::string::npos ? scheme_end : url.find('/', scheme_end + 3);
	if (scheme_end == std::string::npos || url.find('?') != std::string::npos) {
		throw Error(ErrorCode::InvalidInput, fmt::format("cannot fetch \"{}\": not an http(s) URL without a query", url));
	}
	objstore::S3ClientOptions options;
	options.endpoint = url.substr(0, path_start);
	options.max_attempts = attempts;
	options.timeout = std::chrono::seconds(10);
	objstore::S3Client client(options);
	objstore::S3Request request;
	request.method = method;
	auto path = path_start == std::string::npos ? std::string() : url.substr(path_start + 1);
	auto slash = path.find('/');
	request.bucket = path.substr(0, slash);
	request.key = slash == std::string::npos ? std::string() : path.substr(slash + 1);
	request.headers = headers;
	request.body = body;
	auto response = client.Send(request);
	return {response.status, std::move(response.body)};
}

} // namespace

std::string HttpGet(const std::string &url) {
	auto answer = Send("GET", url, "", {}, 2);
	if (answer.status != 200) {
		throw Error(ErrorCode::Internal, fmt::format("GET {} answered {}", url, answer.status));
	}
	return std::move(answer.body);
}

HttpAnswer HttpPostForm(const std::string &url, const std::string &form) {
	// Once: an authorization code is single-use, and a provider may take a second try as an
	// attack and revoke what the first one issued.
	return Send("POST", url, form,
	            {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}}, 1);
}

} // namespace akko::auth
