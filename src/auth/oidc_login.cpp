#include "auth/oidc_login.hpp"

#include "auth/jwt.hpp"
#include "auth/oidc_verifier.hpp"
#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/random.hpp"
#include "objstore/sigv4.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace akko::auth {

namespace {

std::string Encoded(std::string_view text) {
	return objstore::UriEncode(text, false);
}

std::string Sha256(std::string_view text) {
	Digest digest(Digest::Algorithm::Sha256);
	digest.Update(text);
	return digest.Finish();
}

Error Failed(std::string message) {
	return Error(ErrorCode::InvalidAuthorization, "single sign-on failed: " + std::move(message));
}

} // namespace

OidcLogin::OidcLogin(OidcVerifier &verifier_p, OidcLoginOptions options_p, PostForm post_p, Clock clock_p)
    : verifier(verifier_p), options(std::move(options_p)), post(std::move(post_p)), clock(std::move(clock_p)) {
	if (!post) {
		post = HttpPostForm;
	}
	if (!clock) {
		clock = [] { return std::chrono::steady_clock::now(); };
	}
}

OidcStart OidcLogin::Start(const std::string &redirect_uri) {
	auto endpoints = verifier.Endpoints();
	auto state = Base64UrlEncode(RandomBytes(24));
	// RFC 7636 4.1: 43 to 128 characters of the unreserved set; 32 random bytes give 43.
	auto code_verifier = Base64UrlEncode(RandomBytes(32));
	auto browser_key = Base64UrlEncode(RandomBytes(24));
	{
		std::lock_guard<std::mutex> guard(lock);
		auto now = clock();
		std::erase_if(pending, [&](const auto &entry) { return now - entry.second.started > kPendingFor; });
		while (pending.size() >= kMaxPending) {
			auto oldest = std::min_element(pending.begin(), pending.end(), [](const auto &a, const auto &b) {
				return a.second.started < b.second.started;
			});
			pending.erase(oldest);
		}
		pending[state] = {code_verifier, browser_key, redirect_uri, now};
	}
	auto separator = endpoints.authorization.find('?') == std::string::npos ? '?' : '&';
	auto url = fmt::format("{}{}response_type=code&client_id={}&redirect_uri={}&scope={}&state={}&code_challenge={}"
	                   "&code_challenge_method=S256",
	                   endpoints.authorization, separator, Encoded(options.client_id), Encoded(redirect_uri),
	                   Encoded(options.scopes), Encoded(state), Base64UrlEncode(Sha256(code_verifier)));
	return {std::move(url), std::move(browser_key)};
}

OidcSession OidcLogin::Finish(const std::string &state, const std::string &code, const std::string &browser_key) {
	Pending login;
	{
		std::lock_guard<std::mutex> guard(lock);
		auto found = pending.find(state);
		if (found == pending.end() || clock() - found->second.started > kPendingFor) {
			if (found != pending.end()) {
				pending.erase(found);
			}
			throw Failed("the login is unknown, used already or too old: start again");
		}
		login = std::move(found->second);
		pending.erase(found);
	}
	if (browser_key.empty() || browser_key != login.browser_key) {
		throw Failed("the login was started in another browser: start again");
	}
	if (code.empty()) {
		throw Failed("the provider sent no authorization code");
	}
	auto form = fmt::format("grant_type=authorization_code&code={}&redirect_uri={}&client_id={}&code_verifier={}",
	                        Encoded(code), Encoded(login.redirect_uri), Encoded(options.client_id),
	                        Encoded(login.code_verifier));
	if (!options.client_secret.empty()) {
		form += "&client_secret=" + Encoded(options.client_secret);
	}
	HttpAnswer answer;
	try {
		answer = post(verifier.Endpoints().token, form);
	} catch (const Error &error) {
		throw Failed(fmt::format("the provider's token endpoint could not be reached ({})", error.message));
	}
	auto body = nlohmann::json::parse(answer.body, nullptr, false);
	if (answer.status != 200 || !body.is_object()) {
		auto reason = body.is_object() ? StringMember(body, "error_description") : std::string();
		if (reason.empty() && body.is_object()) {
			reason = StringMember(body, "error");
		}
		throw Failed(fmt::format("the provider refused the code ({}{}{})", answer.status, reason.empty() ? "" : ": ",
		                         reason));
	}
	OidcSession session;
	session.access_token = StringMember(body, "access_token");
	if (session.access_token.empty()) {
		throw Failed("the provider answered no access token");
	}
	if (auto expires = body.find("expires_in"); expires != body.end() && expires->is_number_integer()) {
		session.expires_in = expires->get<int64_t>();
	}
	session.caller = verifier.Verify(session.access_token);
	return session;
}

} // namespace akko::auth
