#include "auth/oidc_verifier.hpp"

#include "common/error.hpp"
#include "auth/http_fetch.hpp"

#include <algorithm>
#include <chrono>
#include <fmt/format.h>

namespace akko::auth {

namespace {

// A provider rotating its keys is asked again for an unknown kid at once, but no more than
// kMaxFetches times in any kFetchWindow seconds, so tokens with made-up kids cannot make us
// hammer it (nor an unreachable provider slow every request down).
constexpr size_t kMaxFetches = 5;
constexpr int64_t kFetchWindow = 60;

Error Refused(std::string message) {
	return Error(ErrorCode::InvalidAuthorization, fmt::format("the OIDC token is refused: {}", message));
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

std::map<std::string, std::string> ParseRoleMap(std::string_view text) {
	std::map<std::string, std::string> map;
	while (!text.empty()) {
		auto comma = text.find(',');
		auto item = Trim(text.substr(0, comma));
		text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
		if (item.empty()) {
			continue;
		}
		auto equals = item.find('=');
		if (equals == std::string_view::npos || Trim(item.substr(0, equals)).empty() ||
		    Trim(item.substr(equals + 1)).empty()) {
			throw Error(ErrorCode::ConfigurationError,
			            fmt::format("oidc_role_map: \"{}\" is not of the form idp-group=akko-role", item));
		}
		map.emplace(Trim(item.substr(0, equals)), Trim(item.substr(equals + 1)));
	}
	return map;
}

nlohmann::json FetchJson(const OidcVerifier::Fetch &fetch, const std::string &url) {
	auto parsed = nlohmann::json::parse(fetch(url), nullptr, false);
	if (parsed.is_discarded() || !parsed.is_object()) {
		throw Error(ErrorCode::Internal, fmt::format("{} did not answer a JSON object", url));
	}
	return parsed;
}

void AddNames(const nlohmann::json &value, std::vector<std::string> &names) {
	if (value.is_array()) {
		for (auto &item : value) {
			if (item.is_string()) {
				names.push_back(item.get<std::string>());
			}
		}
	} else if (value.is_string()) {
		names.push_back(value.get<std::string>());
	}
}

} // namespace

OidcVerifier::OidcVerifier(OidcOptions options_p, IsRole is_role_p, Fetch fetch_p, Now now_p)
    : options(std::move(options_p)), is_role(std::move(is_role_p)), fetch(std::move(fetch_p)), now(std::move(now_p)),
      role_map(ParseRoleMap(options.role_map)) {
	if (!fetch) {
		fetch = HttpGet;
	}
	if (!now) {
		now = [] {
			return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
			    .count();
		};
	}
	while (options.issuer.size() > 1 && options.issuer.back() == '/') {
		options.issuer.pop_back();
	}
}

Caller OidcVerifier::Verify(std::string_view token) {
	auto jwt = ParseJwt(token);
	if (!jwt) {
		throw Refused("it is not a JWT");
	}
	// The algorithm is ours to choose, never the token's: "none" and HS256 (with the public
	// key as the HMAC secret) are classic forgeries.
	if (StringMember(jwt->header, "alg") != "RS256") {
		throw Refused(fmt::format("algorithm \"{}\" is not RS256", StringMember(jwt->header, "alg")));
	}
	auto &claims = jwt->claims;
	auto issuer = StringMember(claims, "iss");
	while (issuer.size() > 1 && issuer.back() == '/') {
		issuer.pop_back();
	}
	if (issuer != options.issuer) {
		throw Refused(fmt::format("issuer \"{}\" is not the configured one", StringMember(claims, "iss")));
	}
	{
		std::lock_guard<std::mutex> guard(lock);
		auto kid = StringMember(jwt->header, "kid");
		auto *key = FindKey(kid);
		if (!key) {
			throw Refused(fmt::format("the provider has no key \"{}\"", kid));
		}
		if (!VerifyRs256(*jwt, *key)) {
			throw Refused("the signature does not verify");
		}
	}
	auto at = now();
	auto exp = claims.find("exp");
	if (exp == claims.end() || !exp->is_number() || exp->get<double>() + kLeeway <= at) {
		throw Refused("it has expired");
	}
	auto nbf = claims.find("nbf");
	if (nbf != claims.end() && (!nbf->is_number() || nbf->get<double>() - kLeeway > at)) {
		throw Refused("it is not valid yet");
	}
	if (!options.audience.empty()) {
		std::vector<std::string> audiences;
		if (auto aud = claims.find("aud"); aud != claims.end()) {
			AddNames(*aud, audiences);
		}
		if (std::find(audiences.begin(), audiences.end(), options.audience) == audiences.end()) {
			throw Refused(fmt::format("it is not meant for audience \"{}\"", options.audience));
		}
	}
	auto user = StringMember(claims, options.username_claim.c_str());
	if (user.empty()) {
		throw Refused(fmt::format("it has no \"{}\" claim", options.username_claim));
	}
	return Caller {std::move(user), Roles(claims)};
}

const RsaPublicKey *OidcVerifier::FindKey(const std::string &kid) {
	auto lookup = [&]() -> const RsaPublicKey * {
		if (auto found = keys.find(kid); found != keys.end()) {
			return &found->second;
		}
		// A token without a kid is fine when the provider has one key.
		return kid.empty() && keys.size() == 1 ? &keys.begin()->second : nullptr;
	};
	auto *key = lookup();
	if (!key && MayFetch()) {
		LoadKeys();
		key = lookup();
	}
	return key;
}

bool OidcVerifier::MayFetch() {
	auto at = now();
	while (!fetches.empty() && fetches.front() <= at - kFetchWindow) {
		fetches.pop_front();
	}
	if (fetches.size() >= kMaxFetches) {
		return false;
	}
	fetches.push_back(at);
	return true;
}

void OidcVerifier::LoadDiscovery() {
	if (!discovery.is_null()) {
		return;
	}
	auto document = FetchJson(fetch, options.issuer + "/.well-known/openid-configuration");
	if (StringMember(document, "jwks_uri").empty()) {
		throw Error(ErrorCode::Internal, "the discovery document has no jwks_uri");
	}
	discovery = std::move(document);
}

OidcEndpoints OidcVerifier::Endpoints() {
	std::lock_guard<std::mutex> guard(lock);
	if (discovery.is_null() && MayFetch()) {
		try {
			LoadDiscovery();
		} catch (const std::exception &error) {
			throw Refused(fmt::format("the provider's discovery document could not be fetched ({})", error.what()));
		}
	}
	OidcEndpoints endpoints {StringMember(discovery, "authorization_endpoint"),
	                         StringMember(discovery, "token_endpoint")};
	if (endpoints.authorization.empty() || endpoints.token.empty()) {
		throw Refused("the provider's discovery document names no authorization and token endpoints");
	}
	return endpoints;
}

void OidcVerifier::LoadKeys() {
	try {
		LoadDiscovery();
		auto jwks = FetchJson(fetch, StringMember(discovery, "jwks_uri"));
		std::map<std::string, RsaPublicKey> loaded;
		if (auto found = jwks.find("keys"); found != jwks.end() && found->is_array()) {
			for (auto &jwk : *found) {
				// Encryption keys and other algorithms are the provider's business, not ours.
				if (StringMember(jwk, "kty") != "RSA" || StringMember(jwk, "use") == "enc") {
					continue;
				}
				try {
					loaded.emplace(StringMember(jwk, "kid"), RsaPublicKey::FromJwk(jwk));
				} catch (const Error &) {
					continue;
				}
			}
		}
		keys = std::move(loaded);
	} catch (const std::exception &error) {
		// Keys already known stay in use while the provider cannot be reached.
		throw Refused(fmt::format("the provider's keys could not be fetched ({})", error.what()));
	}
}

std::vector<std::string> OidcVerifier::Roles(const nlohmann::json &claims) const {
	std::vector<std::string> names;
	if (auto groups = claims.find(options.groups_claim); groups != claims.end()) {
		AddNames(*groups, names);
	}
	if (auto realm = claims.find("realm_access"); realm != claims.end() && realm->is_object()) {
		if (auto roles = realm->find("roles"); roles != realm->end()) {
			AddNames(*roles, names);
		}
	}
	std::vector<std::string> roles;
	for (auto &name : names) {
		// Keycloak sends group paths ("/analysts") when full paths are on.
		auto bare = name.starts_with('/') ? name.substr(1) : name;
		std::string role;
		if (auto mapped = role_map.find(name); mapped != role_map.end()) {
			role = mapped->second;
		} else if (auto mapped_bare = role_map.find(bare); mapped_bare != role_map.end()) {
			role = mapped_bare->second;
		} else if (is_role && is_role(bare)) {
			role = bare;
		}
		if (!role.empty() && std::find(roles.begin(), roles.end(), role) == roles.end()) {
			roles.push_back(role);
		}
	}
	return roles;
}

} // namespace akko::auth
