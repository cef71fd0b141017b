#pragma once
// Plain HTTP(S) requests to an identity provider (discovery, JWKS, the token endpoint), made
// with the objstore's client: without credentials it signs nothing.
#include <string>

namespace akko::auth {

struct HttpAnswer {
	unsigned status = 0;
	std::string body;
};

// GET `url` (no query); throws akko::Error when there is no 200 answer.
std::string HttpGet(const std::string &url);
// POST an application/x-www-form-urlencoded body to `url` (no query); any status is answered.
// Throws akko::Error when the server cannot be reached.
HttpAnswer HttpPostForm(const std::string &url, const std::string &form);

} // namespace akko::auth
