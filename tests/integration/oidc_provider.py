"""A test OpenID Connect provider the tests run themselves: RS256 keys made by the openssl CLI,
a discovery document and a JWKS served on loopback by http.server in a thread, and tokens
signed with `openssl dgst -sha256 -sign` (RSASSA-PKCS1-v1_5, what RS256 means in RFC 7518 3.3).

Nothing here shares code with akko: the JWK numbers come from `openssl rsa -modulus`, the
signatures from the openssl CLI, the encoding from the standard library.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import pathlib
import subprocess
import tempfile
import threading
import time
import urllib.parse


def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


class RsaKey:
    """A 2048-bit RSA key pair in PEM files, with its public half as a JWK."""

    def __init__(self, directory, kid):
        self.kid = kid
        self.private_pem = pathlib.Path(directory) / f"{kid}.key"
        self.public_pem = pathlib.Path(directory) / f"{kid}.pub"
        _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(self.private_pem))
        _openssl("pkey", "-in", str(self.private_pem), "-pubout", "-out", str(self.public_pem))
        modulus = _openssl("rsa", "-in", str(self.private_pem), "-noout", "-modulus").decode().strip()
        assert modulus.startswith("Modulus=")
        n = bytes.fromhex(modulus[len("Modulus="):])
        # The key is made with openssl's default public exponent, 65537.
        text = _openssl("rsa", "-in", str(self.private_pem), "-noout", "-text").decode()
        assert "publicExponent: 65537 (0x10001)" in text
        self.jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": b64url(n),
                    "e": b64url((65537).to_bytes(3, "big"))}

    def sign(self, data):
        return _openssl("dgst", "-sha256", "-sign", str(self.private_pem), data=data)


class OidcProvider:
    """Serves /.well-known/openid-configuration and /jwks on 127.0.0.1; mints tokens. For single
    sign-on it also has an authorization endpoint that logs `sso_user` in at once (no login
    form) and a token endpoint that checks PKCE as RFC 7636 4.6 says: BASE64URL(SHA256(verifier))
    must equal the challenge."""

    def __init__(self, audience="akko", client_id="akko-cockpit"):
        self.directory = tempfile.mkdtemp(prefix="akko-oidc-")
        self.audience = audience
        self.client_id = client_id
        self.sso_user = "sso-user"
        self.sso_groups = ["akko-analyst"]
        self.codes = {}  # code -> what the authorization request said
        self.token_requests = []
        self.key = RsaKey(self.directory, "key-1")
        self.published = [self.key]
        self.jwks_requests = 0
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                path, _, query = self.path.partition("?")
                if path == "/realms/test/.well-known/openid-configuration":
                    body = {"issuer": provider.issuer, "jwks_uri": provider.issuer + "/protocol/openid-connect/certs",
                            "authorization_endpoint": provider.issuer + "/protocol/openid-connect/auth",
                            "token_endpoint": provider.issuer + "/protocol/openid-connect/token",
                            "id_token_signing_alg_values_supported": ["RS256"]}
                elif path == "/realms/test/protocol/openid-connect/certs":
                    provider.jwks_requests += 1
                    body = {"keys": [key.jwk for key in provider.published]}
                elif path == "/realms/test/protocol/openid-connect/auth":
                    self.authorize(urllib.parse.parse_qs(query))
                    return
                else:
                    self.send_error(404)
                    return
                self.answer(200, body)

            def do_POST(self):
                if self.path != "/realms/test/protocol/openid-connect/token":
                    self.send_error(404)
                    return
                form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                form = {name: values[0] for name, values in form.items()}
                provider.token_requests.append(form)
                request = provider.codes.pop(form.get("code", ""), None)
                challenge = b64url(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
                if (form.get("grant_type") != "authorization_code" or request is None
                        or form.get("client_id") != provider.client_id
                        or form.get("redirect_uri") != request["redirect_uri"]
                        or challenge != request["code_challenge"]):
                    self.answer(400, {"error": "invalid_grant", "error_description": "code, client or verifier wrong"})
                    return
                self.answer(200, {"access_token": provider.token(request["user"], request["groups"]),
                                  "token_type": "Bearer", "expires_in": 300})

            def authorize(self, query):
                query = {name: values[0] for name, values in query.items()}
                if (query.get("response_type") != "code" or query.get("client_id") != provider.client_id
                        or query.get("code_challenge_method") != "S256" or not query.get("code_challenge")
                        or "openid" not in query.get("scope", "").split()):
                    self.send_error(400)
                    return
                code = b64url(os.urandom(16))
                provider.codes[code] = {"redirect_uri": query["redirect_uri"], "code_challenge": query["code_challenge"],
                                        "user": provider.sso_user, "groups": list(provider.sso_groups)}
                location = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A Keycloak-shaped issuer: a path under the host, so discovery is found below it.
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/realms/test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def rotate(self, kid):
        """A new signing key; the old one is removed from the JWKS."""
        self.key = RsaKey(self.directory, kid)
        self.published = [self.key]

    def claims(self, user, groups=None, lifetime=300, **overrides):
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.audience, "sub": f"id-{user}", "preferred_username": user,
                  "iat": now, "nbf": now, "exp": now + lifetime}
        if groups is not None:
            claims["groups"] = groups
        claims.update(overrides)
        return claims

    def token(self, user="oidc-user", groups=None, header=None, key=None, **overrides):
        key = key or self.key
        header = header or {"alg": "RS256", "typ": "JWT", "kid": key.kid}
        signing_input = b64url(json.dumps(header)) + "." + b64url(json.dumps(self.claims(user, groups, **overrides)))
        return signing_input + "." + b64url(key.sign(signing_input.encode()))

    def unsigned_token(self, user="oidc-user", **overrides):
        header = b64url(json.dumps({"alg": "none", "typ": "JWT", "kid": self.key.kid}))
        return header + "." + b64url(json.dumps(self.claims(user, **overrides))) + "."

    def hs256_with_public_key(self, user="oidc-user", **overrides):
        """The algorithm-confusion forgery: HMAC keyed with the provider's public key PEM."""
        header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": self.key.kid}))
        signing_input = header + "." + b64url(json.dumps(self.claims(user, **overrides)))
        mac = hmac.new(self.key.public_pem.read_bytes(), signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + b64url(mac)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
