// GET /v1/config and POST /v1/oauth/tokens.
#include "adapters/iceberg_rest/rest_context.hpp"

#include "adapters/http_api/authenticator.hpp"

#include "auth/user_directory.hpp"
#include "common/error.hpp"
#include "common/url.hpp"

#include <fmt/format.h>

namespace akko::iceberg_rest {

namespace {

constexpr const char *kAccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

// RFC 6749 5.2: {"error": code, "error_description": ...}, with no-store as 5.1 asks of tokens.
net::HttpResponse OAuthError(int status, const char *code, const std::string &description) {
	auto response = JsonResponse(status, {{"error", code}, {"error_description", description}});
	response.headers.emplace_back("Cache-Control", "no-store");
	return response;
}

std::string Bracketed(const std::string &host) {
	return host.find(':') != std::string::npos && host.front() != '[' ? fmt::format("[{}]", host) : host;
}

} // namespace

net::HttpResponse GetConfig(RestContext &context, const RestCall &call) {
	auto &options = context.options;
	nlohmann::json overrides = {
	    {"s3.endpoint", fmt::format("{}://{}:{}", options.s3_tls ? "https" : "http", Bracketed(options.s3_host),
	                                options.s3_port)},
	    {"s3.path-style-access", "true"},
	    {"client.region", options.s3_region},
	};
	return JsonResponse(200,
	                    {{"defaults", nlohmann::json::object()}, {"overrides", overrides}, {"endpoints", Endpoints()}});
}

net::HttpResponse GetToken(RestContext &context, const RestCall &call) {
	std::map<std::string, std::string> form;
	try {
		form = ParseQuery(call.http.body);
	} catch (const Error &error) {
		return OAuthError(400, "invalid_request", error.message);
	}
	auto field = [&](const char *name) {
		auto found = form.find(name);
		return found == form.end() ? std::string() : found->second;
	};
	auto grant = field("grant_type");
	std::string user;
	if (grant == "client_credentials") {
		auto id = field("client_id");
		auto secret = field("client_secret");
		try {
			if (id.empty() && !call.http.Header("authorization").empty()) {
				// RFC 6749 2.3.1 prefers the client's id and secret as HTTP basic credentials.
				user = http_api::Authenticate(call.http, context.users, http_api::Credentials::BasicOnly, "iceberg_rest")
				           .user;
			} else if (id.empty() || secret.empty()) {
				return OAuthError(400, "invalid_request", "client_credentials needs client_id and client_secret");
			} else {
				http_api::CheckPassword(context.users, id, secret, http_api::ClientAddress(call.http), "iceberg_rest");
				user = id;
			}
		} catch (const http_api::Throttled &error) {
			auto response = OAuthError(429, "invalid_client", error.message);
			response.headers.emplace_back("Retry-After", std::to_string(error.retry_after.count()));
			return response;
		} catch (const Error &error) {
			if (error.code != ErrorCode::InvalidAuthorization && error.code != ErrorCode::InvalidPassword) {
				throw;
			}
			return OAuthError(401, "invalid_client", id.empty() ? error.message
			                                                    : fmt::format("wrong client_id or client_secret for \"{}\"", id));
		}
	} else if (grant == "urn:ietf:params:oauth:grant-type:token-exchange") {
		// A client refreshing its token before it expires: the subject token is the old one.
		auto subject = field("subject_token");
		if (subject.empty()) {
			return OAuthError(400, "invalid_request", "token exchange needs subject_token");
		}
		auto owner = context.users.UserForToken(subject);
		if (!owner) {
			owner = context.users.Tokens().UserForAccessToken(subject);
		}
		if (!owner) {
			return OAuthError(400, "invalid_grant", "the subject token is not valid");
		}
		user = *owner;
	} else if (grant.empty()) {
		return OAuthError(400, "invalid_request", "grant_type is missing");
	} else {
		return OAuthError(400, "unsupported_grant_type",
		                  fmt::format("grant_type \"{}\" is not supported: use client_credentials", grant));
	}
	auto response = JsonResponse(200, {{"access_token", context.users.IssueToken(user)},
	                                   {"token_type", "bearer"},
	                                   {"issued_token_type", kAccessTokenType}});
	response.headers.emplace_back("Cache-Control", "no-store");
	return response;
}

} // namespace akko::iceberg_rest
