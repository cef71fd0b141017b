#include "adapters/http_api/authenticator.hpp"

#include "auth/user_directory.hpp"
#include "common/base64.hpp"
#include "common/error.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <strings.h>

namespace akko::http_api {

namespace {

bool HasScheme(std::string_view header, std::string_view scheme) {
	return header.size() > scheme.size() && strncasecmp(header.data(), scheme.data(), scheme.size()) == 0 &&
	       header[scheme.size()] == ' ';
}

std::string_view Trim(std::string_view text) {
	while (!text.empty() && text.front() == ' ') {
		text.remove_prefix(1);
	}
	while (!text.empty() && text.back() == ' ') {
		text.remove_suffix(1);
	}
	return text;
}

} // namespace

std::string Authenticate(const net::HttpRequest &request, auth::UserDirectory &users, Credentials accepted) {
	auto header = request.Header("authorization");
	if (HasScheme(header, "Basic")) {
		auto decoded = Base64Decode(Trim(header.substr(6)));
		auto colon = decoded ? decoded->find(':') : std::string::npos;
		if (colon == std::string::npos) {
			throw akko::Error(ErrorCode::InvalidAuthorization, "malformed basic authorization header");
		}
		auto user = decoded->substr(0, colon);
		if (!users.CheckPassword(user, decoded->substr(colon + 1))) {
			throw akko::Error(ErrorCode::InvalidPassword,
			                  fmt::format("password authentication failed for user \"{}\"", user));
		}
		return user;
	}
	if (accepted == Credentials::BasicOrBearer && HasScheme(header, "Bearer")) {
		if (auto user = users.UserForToken(std::string(Trim(header.substr(7))))) {
			return *user;
		}
		throw akko::Error(ErrorCode::InvalidAuthorization, "the bearer token is not valid");
	}
	throw akko::Error(ErrorCode::InvalidAuthorization,
	                  accepted == Credentials::BasicOnly
	                      ? "authentication required: use HTTP basic auth"
	                      : "authentication required: use HTTP basic auth or a bearer token");
}

net::HttpResponse Unauthorized(const akko::Error &error) {
	auto response = net::ErrorResponse(error, 401);
	response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"akko\", charset=\"UTF-8\"");
	return response;
}

} // namespace akko::http_api
