"""Session tokens and login throttling against a running akko: POST /api/v1/auth/login and
/refresh (JWT access tokens checked with PyJWT-independent decoding: base64 and hmac of the
standard library), refresh rotation, reuse refused, expiry, and failed-login throttling over
HTTP and the PostgreSQL wire (psql)."""
import base64
import json
import os
import subprocess

import pytest

from conftest import ADMIN_PASSWORD
from test_http_api import basic, query, request


def login(server, user="admin", password=ADMIN_PASSWORD):
    return request(server, "POST", "/api/v1/auth/login", {"user": user, "password": password})


def b64url(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_login_gives_a_jwt_that_authenticates(akko):
    status, headers, body = login(akko)
    assert status == 200, body
    tokens = json.loads(body)
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    assert headers["Cache-Control"] == "no-store"
    header, claims, _ = tokens["access_token"].split(".")
    assert json.loads(b64url(header))["alg"] == "HS256"
    claims = json.loads(b64url(claims))
    assert claims["sub"] == "admin" and claims["iss"] == "akko"
    assert claims["exp"] - claims["iat"] == 900 and claims["jti"]
    status, _, body = query(akko, "SELECT current_user AS u", authorization="Bearer " + tokens["access_token"])
    assert status == 200, body
    assert json.loads(body)["rows"] == [["admin"]]
    # A forged token (the payload changed, the signature kept) is refused.
    forged_claims = base64.urlsafe_b64encode(json.dumps({**claims, "sub": "root"}).encode()).decode().rstrip("=")
    forged = ".".join([header, forged_claims, tokens["access_token"].split(".")[2]])
    status, _, _ = query(akko, "SELECT 1", authorization="Bearer " + forged)
    assert status == 401


def test_wrong_password_is_refused(akko):
    status, _, _ = login(akko, password="nope")
    assert status == 401


def test_refresh_rotates_and_reuse_fails(akko):
    first = json.loads(login(akko)[2])
    status, _, body = request(akko, "POST", "/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert status == 200, body
    second = json.loads(body)
    assert second["refresh_token"] != first["refresh_token"]
    status, _, _ = query(akko, "SELECT 1", authorization="Bearer " + second["access_token"])
    assert status == 200
    status, _, _ = request(akko, "POST", "/api/v1/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert status == 401
    status, _, _ = request(akko, "POST", "/api/v1/auth/refresh", {"refresh_token": second["refresh_token"]})
    assert status == 200


def test_tokens_of_a_dropped_user_are_refused(akko):
    status, _, body = query(akko, "CREATE USER short_lived PASSWORD 'short-pw'")
    assert status == 200, body
    tokens = json.loads(login(akko, "short_lived", "short-pw")[2])
    bearer = "Bearer " + tokens["access_token"]
    status, _, body = query(akko, "SELECT current_user AS u", authorization=bearer)
    assert status == 200 and json.loads(body)["rows"] == [["short_lived"]], body
    status, _, body = query(akko, "DROP USER short_lived")
    assert status == 200, body
    status, _, _ = query(akko, "SELECT 1", authorization=bearer)
    assert status == 401
    status, _, _ = request(akko, "POST", "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert status == 401


def test_expired_tokens_are_refused(fresh_akko):
    # A TTL of 0 makes tokens that are expired when issued: no waiting needed.
    server = fresh_akko(extra_args=["--access-token-ttl-seconds", "0", "--refresh-token-ttl-seconds", "0"])
    tokens = json.loads(login(server)[2])
    status, _, _ = query(server, "SELECT 1", authorization="Bearer " + tokens["access_token"])
    assert status == 401
    status, _, _ = request(server, "POST", "/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert status == 401


def test_api_token_expiry_field(akko):
    status, _, body = request(akko, "POST", "/api/v1/tokens", {"expires_in": 3600}, basic())
    assert status == 200, body
    token = json.loads(body)
    assert token["expires_in"] == 3600
    assert query(akko, "SELECT 1", authorization="Bearer " + token["token"])[0] == 200
    status, _, _ = request(akko, "POST", "/api/v1/tokens", {"expires_in": -5}, basic())
    assert status == 400


def test_http_logins_are_throttled(fresh_akko):
    server = fresh_akko()
    for _ in range(5):
        assert login(server, password="wrong")[0] == 401
    status, headers, _ = login(server)
    assert status == 429
    assert 0 < int(headers["Retry-After"]) <= 60
    status, headers, _ = query(server, "SELECT 1", authorization=basic())
    assert status == 429
    assert "login_failed" in server.log_text()


def test_pgwire_logins_are_throttled(fresh_akko):
    server = fresh_akko()
    env = {**os.environ, "PGPASSWORD": "wrong", "PGCONNECT_TIMEOUT": "10"}
    dsn = f"host=127.0.0.1 port={server.pg_port} user=admin dbname=akko sslmode=disable"
    for _ in range(5):
        result = subprocess.run(["psql", dsn, "-c", "SELECT 1"], env=env, capture_output=True, text=True)
        assert result.returncode != 0
        assert "password authentication failed" in result.stderr
    env["PGPASSWORD"] = ADMIN_PASSWORD
    result = subprocess.run(["psql", dsn, "-c", "SELECT 1"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "too many failed logins" in result.stderr
    log = server.log_text()
    assert "login_failed" in log and "pgwire" in log
