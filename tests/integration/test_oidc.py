"""OIDC bearer tokens against a running akko and a test identity provider of our own
(oidc_provider.py: keys and signatures from the openssl CLI, discovery and JWKS on loopback).

What is checked: a valid token authenticates on the HTTP query API and on Iceberg REST, its
user is current_user, its groups become akko roles (by name or through --oidc-role-map) with the
roles' grants; rotation to a new key works without a restart and the removed key stops working;
and every classic bad token (expired, not yet valid, wrong audience or issuer, bad signature,
alg=none, HS256 keyed with the public key) gets 401."""
import base64
import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request

import pytest

from browser_script import run_browser_script
from conftest import AkkoServer
from iceberg_rest_client import RestClient
from oidc_provider import OidcProvider, b64url
from test_http_api import query, request


@pytest.fixture(scope="module")
def provider():
    provider = OidcProvider(audience="akko-test")
    yield provider
    provider.close()


@pytest.fixture(scope="module")
def server(provider, tmp_path_factory):
    server = AkkoServer(tmp_path_factory.mktemp("akko-oidc") / "data",
                        extra_args=["--oidc-issuer", provider.issuer, "--oidc-audience", "akko-test",
                                    "--oidc-role-map", "data-team=akko-analyst", "--oidc-client-id", "akko-cockpit"])
    # A table nobody but the admin may read: nothing is granted to public.
    for sql in ("CREATE SCHEMA IF NOT EXISTS oidc_ns", "CREATE TABLE oidc_ns.secret AS SELECT 42 AS answer"):
        status, _, body = query(server, sql)
        assert status == 200, body
    yield server
    server.stop()


def bearer(token):
    return "Bearer " + token


def rows(server, sql, token):
    status, _, body = query(server, sql, authorization=bearer(token))
    assert status == 200, body
    return json.loads(body)["rows"]


def test_token_user_is_current_user(server, provider):
    assert rows(server, "SELECT current_user", provider.token("alice")) == [["alice"]]


def test_group_named_after_a_role_grants_it(server, provider):
    assert rows(server, "SELECT answer FROM oidc_ns.secret", provider.token("ann", groups=["akko-analyst"])) == [[42]]


def test_role_map_maps_a_group(server, provider):
    # Keycloak's full group paths ("/data-team") map like bare names.
    for group in ("data-team", "/data-team"):
        assert rows(server, "SELECT answer FROM oidc_ns.secret", provider.token("dan", groups=[group])) == [[42]]


def test_realm_roles_count_too(server, provider):
    token = provider.token("rita", realm_access={"roles": ["akko-analyst", "offline_access"]})
    assert rows(server, "SELECT answer FROM oidc_ns.secret", token) == [[42]]


def test_without_groups_the_table_is_forbidden(server, provider):
    for token in (provider.token("bob"), provider.token("bob", groups=["not-a-role", "akko-nonexistent"])):
        status, _, body = query(server, "SELECT answer FROM oidc_ns.secret", authorization=bearer(token))
        assert status == 403, body
        error = json.loads(body)["error"]
        assert error["sqlstate"] == "42501", error


def test_iceberg_rest_accepts_an_oidc_token(server, provider):
    client = RestClient(server, token=provider.token("ivy", groups=["akko-analyst"]))
    config = client.request("GET", "/v1/config")
    assert config.status == 200, config
    client.prefix = {**config.body.get("defaults", {}), **config.body.get("overrides", {})}.get("prefix", "")
    listed = client.catalog("GET", "/namespaces")
    assert listed.status == 200, listed
    assert ["oidc_ns"] in listed.body["namespaces"]
    # The token's group is what lets ivy load the table's metadata: without it, 403.
    assert client.catalog("GET", "/namespaces/oidc_ns/tables/secret").status == 200
    client.token = provider.token("ivy")
    assert client.catalog("GET", "/namespaces/oidc_ns/tables/secret").status == 403
    client.token = provider.unsigned_token("ivy")
    assert client.request("GET", "/v1/config").status == 401
    # The audit record of the allowed load names the role the token vouched for.
    status, _, body = query(server, "SELECT outcome, roles FROM akko_system.audit_log WHERE \"user\" = 'ivy' "
                                     "AND protocol = 'iceberg_rest' ORDER BY time")
    assert status == 200, body
    records = json.loads(body)["rows"]
    assert records[0][0] == "ok" and "akko-analyst" in records[0][1], records
    assert records[1][0] != "ok" and "akko-analyst" not in records[1][1], records


@pytest.mark.parametrize("name", ["expired", "not_yet_valid", "wrong_audience", "wrong_issuer", "bad_signature",
                                  "alg_none", "hs256_public_key", "unknown_kid", "no_user", "garbage"])
def test_bad_tokens_are_refused(server, provider, name):
    good = provider.token("mallory", groups=["akko-analyst"])
    header, claims, signature = good.split(".")
    flipped = bytearray(provider.key.sign(b"other input"))
    tokens = {
        # Beyond the server's 60 s leeway both ways.
        "expired": provider.token("mallory", iat=1_000_000_000, nbf=1_000_000_000, exp=1_000_000_600),
        "not_yet_valid": provider.token("mallory", nbf=4_000_000_000, exp=4_000_000_600),
        "wrong_audience": provider.token("mallory", aud="someone-else"),
        "wrong_issuer": provider.token("mallory", iss=provider.issuer + "-evil"),
        # A valid signature of something else.
        "bad_signature": header + "." + claims + "." + b64url(bytes(flipped)),
        "alg_none": provider.unsigned_token("mallory"),
        "hs256_public_key": provider.hs256_with_public_key("mallory"),
        "unknown_kid": provider.token("mallory", header={"alg": "RS256", "typ": "JWT", "kid": "made-up"}),
        "no_user": provider.token("mallory", preferred_username=None),
        "garbage": "not.a.token",
    }
    status, headers, body = query(server, "SELECT current_user", authorization=bearer(tokens[name]))
    assert status == 401, body
    assert json.loads(body)["error"]["code"] == "invalid_authorization"
    # The good token of the same shape works, so each refusal is down to its one defect.
    assert rows(server, "SELECT current_user", good) == [["mallory"]]


def test_audience_list_is_accepted(server, provider):
    token = provider.token("lena", aud=["account", "akko-test"])
    assert rows(server, "SELECT current_user", token) == [["lena"]]


def test_key_rotation_without_restart(server, provider):
    old_key = provider.key
    assert rows(server, "SELECT current_user", provider.token("rot")) == [["rot"]]
    old_token = provider.token("rot")
    provider.rotate("key-2")
    assert rows(server, "SELECT current_user", provider.token("rot")) == [["rot"]]
    # The old key is gone from the JWKS, so its tokens are refused from now on.
    status, _, body = query(server, "SELECT 1", authorization=bearer(old_token))
    assert status == 401, body
    assert old_key.kid != provider.key.kid


# ---------------------------------------------------------------------------------------------
# Single sign-on for the cockpit: the authorization code flow with PKCE (RFC 6749 4.1, RFC 7636)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url, cookie=None):
    """(status, Location, the cookie set) of a GET, redirects not followed."""
    opener = urllib.request.build_opener(NoRedirects)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=30) as response:
            headers = response.headers
            status = response.status
    except urllib.error.HTTPError as error:
        headers, status = error.headers, error.code
    cookie_set = (headers.get("Set-Cookie") or "").split(";")[0]
    return status, headers.get("Location"), cookie_set


def sso_outcome(location):
    assert location.startswith("/#sso="), location
    return json.loads(urllib.parse.unquote(location[len("/#sso="):]))


def start(server):
    """The provider's login URL, its query, and the cookie the browser keeps for the callback."""
    status, location, cookie = get(f"http://127.0.0.1:{server.http_port}/api/v1/auth/sso/start")
    assert status == 302, status
    assert cookie.startswith("akko_sso=") and len(cookie) > len("akko_sso=") + 20, cookie
    return location, dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query)), cookie


def test_sso_is_announced(server, provider):
    status, _, body = request(server, "GET", "/api/v1/auth/sso", None, None)
    assert status == 200, body
    assert json.loads(body) == {"enabled": True, "issuer": provider.issuer}


def test_sso_login_end_to_end(server, provider):
    provider.sso_user, provider.sso_groups = "sso-ana", ["akko-analyst"]
    location, params, cookie = start(server)
    assert location.startswith(provider.issuer + "/protocol/openid-connect/auth?")
    assert params["response_type"] == "code" and params["client_id"] == "akko-cockpit"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["redirect_uri"] == f"http://127.0.0.1:{server.http_port}/api/v1/auth/sso/callback"
    status, callback, _ = get(location)  # the provider logs the user in and sends the browser back
    assert status == 302 and callback.startswith(params["redirect_uri"] + "?")
    status, back, cleared = get(callback, cookie)
    assert status == 302 and cleared == "akko_sso="
    outcome = sso_outcome(back)
    assert outcome["user"] == "sso-ana" and outcome["expires_in"] == 300, outcome
    # The code was exchanged with the verifier whose S256 is the challenge sent first.
    verifier = provider.token_requests[-1]["code_verifier"]
    assert base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=") \
        == params["code_challenge"]
    # The token works on the API, with the role its group names.
    assert rows(server, "SELECT current_user, answer FROM oidc_ns.secret", outcome["access_token"]) \
        == [["sso-ana", 42]]
    # The login's state is good once.
    status, again, _ = get(callback, cookie)
    assert status == 302 and "used already" in sso_outcome(again)["error"]


def test_a_callback_link_does_not_log_another_browser_in(server, provider):
    # Login CSRF: the attacker starts a login, signs on as himself and sends the callback link to
    # a victim, whose browser has no (or another) login cookie.
    provider.sso_user, provider.sso_groups = "attacker", []
    _, _, victims_cookie = start(server)
    for cookie in (None, victims_cookie):
        location, _, _ = start(server)
        _, callback, _ = get(location)
        status, back, _ = get(callback, cookie)
        assert status == 302
        outcome = sso_outcome(back)
        assert "access_token" not in outcome and "another browser" in outcome["error"], outcome


@pytest.mark.parametrize("tamper", ["unknown_state", "no_code", "wrong_code", "provider_error"])
def test_sso_failures_are_refused(server, provider, tamper):
    location, params, cookie = start(server)
    _, callback, _ = get(location)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))
    if tamper == "unknown_state":
        query["state"] = "made-up"
    elif tamper == "no_code":
        del query["code"]
    elif tamper == "wrong_code":
        query["code"] = "not-the-code"
    else:
        query = {"error": "access_denied", "error_description": "the user said no", "state": query["state"]}
    base = params["redirect_uri"]
    status, back, _ = get(base + "?" + urllib.parse.urlencode(query), cookie)
    assert status == 302
    outcome = sso_outcome(back)
    assert "access_token" not in outcome and outcome["error"].startswith("single sign-on failed"), outcome


def test_sso_is_off_without_a_client_id(tmp_path, provider):
    plain = AkkoServer(tmp_path / "plain", extra_args=["--oidc-issuer", provider.issuer])
    try:
        status, _, body = request(plain, "GET", "/api/v1/auth/sso", None, None)
        assert status == 200 and json.loads(body)["enabled"] is False
        status, _, _ = get(f"http://127.0.0.1:{plain.http_port}/api/v1/auth/sso/start")
        assert status == 404
    finally:
        plain.stop()


def test_cockpit_signs_on_in_a_browser(server, provider, tmp_path):
    # Debian's chromium (playwright-core, browser/sso.mjs) clicks the cockpit's single sign-on
    # button and comes back logged in, with the role the provider's group maps to.
    provider.sso_user, provider.sso_groups = "sso-browser", ["data-team"]
    exchanges = len(provider.token_requests)
    config = {"url": f"http://127.0.0.1:{server.http_port}/",
              "screenshots": os.environ.get("AKKO_SCREENSHOTS", str(tmp_path))}
    seen = run_browser_script("sso.mjs", config, timeout=180)
    assert seen["badge"] == {"user": "sso-browser", "role": "analyst"}, seen
    assert not seen["page_errors"], seen
    # One code was exchanged, by akko for the cockpit's client.
    assert len(provider.token_requests) == exchanges + 1
    assert provider.token_requests[-1]["client_id"] == "akko-cockpit"
    assert "#sso=" not in seen["final_url"]  # the token does not stay in the address bar
