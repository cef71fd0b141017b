"""Signed raw S3 requests for conformance tests: botocore signs, http.client sends exactly the bytes we choose.

Keeping signing and sending apart lets a test change a header, the path or the query after signing, date a
request in the past, or frame an aws-chunked body by hand, which no SDK allows.
"""
import datetime
import hashlib
import hmac
import http.client
import types
import urllib.parse
import xml.etree.ElementTree as ET
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def quote_key(key):
    """A key as a path: every byte escaped except S3's unreserved set and '/', as SigV4's canonical URI."""
    return urllib.parse.quote(key, safe="/~")


def query_string(params):
    """Ordered (name, value) pairs, value None for a bare name, escaped the SigV4 way."""
    parts = []
    for name, value in params:
        name = urllib.parse.quote(name, safe="-_.~")
        parts.append(name if value is None else f"{name}={urllib.parse.quote(str(value), safe='-_.~')}")
    return "&".join(parts)


class _FixedPayloadAuth(botocore.auth.S3SigV4Auth):
    """S3SigV4Auth with a chosen x-amz-content-sha256 (UNSIGNED-PAYLOAD, STREAMING-..., or a lie)."""

    def __init__(self, credentials, region, payload_hash):
        super().__init__(credentials, "s3", region)
        self._payload_hash = payload_hash

    def payload(self, request):
        return self._payload_hash if self._payload_hash is not None else super().payload(request)


def _at(when, sign):
    """Runs botocore's signer as if the clock read `when` (botocore reads datetime.datetime.utcnow())."""
    if when is None:
        return sign()
    fake = types.SimpleNamespace(datetime=types.SimpleNamespace(utcnow=lambda: when,
                                                                 strptime=datetime.datetime.strptime))
    with mock.patch.object(botocore.auth, "datetime", fake):
        return sign()


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def header(self, name, default=None):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return default

    def xml(self):
        return ET.fromstring(self.body)

    @property
    def error_code(self):
        """The <Code> of an S3 XML error body, None when the body is not one."""
        if not self.body:
            return None
        try:
            root = ET.fromstring(self.body)
        except ET.ParseError:
            return None
        return root.findtext("Code") if root.tag == "Error" else None

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


class S3Raw:
    def __init__(self, host, port, access_key, secret_key, region="us-east-1"):
        self.host = host
        self.port = port
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region

    @property
    def netloc(self):
        return f"{self.host}:{self.port}"

    def target(self, bucket=None, key=None, params=()):
        path = "/"
        if bucket:
            path += bucket
            if key is not None:
                path += "/" + quote_key(key)
        query = query_string(params)
        return path + ("?" + query if query else "")

    def sign(self, method, target, headers=None, body=b"", *, payload_hash=None, when=None, access_key=None,
             secret_key=None, host=None):
        """Headers (a list of pairs, Host first) carrying a SigV4 Authorization for this exact request."""
        request = AWSRequest(method=method, url=f"http://{host or self.netloc}{target}", data=body,
                             headers=dict(headers or {}))
        request.headers["Host"] = host or self.netloc
        credentials = Credentials(access_key or self.access_key, secret_key or self.secret_key)
        _at(when, lambda: _FixedPayloadAuth(credentials, self.region, payload_hash).add_auth(request))
        return [("Host", request.headers["Host"])] + [(k, v) for k, v in request.headers.items() if k != "Host"]

    def presign(self, method, target, expires, *, when=None):
        """A presigned target (path and query) for `method`, signed as if at `when`."""
        request = AWSRequest(method=method, url=f"http://{self.netloc}{target}")
        auth = botocore.auth.S3SigV4QueryAuth(Credentials(self.access_key, self.secret_key), "s3", self.region,
                                              expires=expires)
        _at(when, lambda: auth.add_auth(request))
        split = urllib.parse.urlsplit(request.url)
        return split.path + "?" + split.query

    def send(self, method, target, headers, body=b"", timeout=60):
        """Sends exactly these headers (no Host, Accept-Encoding or Content-Length added) and reads the answer."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            names = {k.lower() for k, _ in headers}
            for name, value in headers:
                connection.putheader(name, value)
            if "content-length" not in names and "transfer-encoding" not in names and (body or method in
                                                                                        ("PUT", "POST")):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body if body else None)
            answer = connection.getresponse()
            data = answer.read()
            return Response(answer.status, answer.reason, answer.getheaders(), data)
        finally:
            connection.close()

    def request(self, method, bucket=None, key=None, params=(), headers=None, body=b"", **sign_options):
        target = self.target(bucket, key, params)
        return self.send(method, target, self.sign(method, target, headers, body, **sign_options), body)


def replace_header(headers, name, value):
    return [(k, value if k.lower() == name.lower() else v) for k, v in headers]


# --- aws-chunked framing, after "Signature Calculations for the Authorization Header: Transferring Payload in
# Multiple Chunks (Chunked Upload)" (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html).

def signing_key(secret_key, date, region, service="s3"):
    key = hmac.new(("AWS4" + secret_key).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def chunk_signature(key, timestamp, scope, previous_signature, data):
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope, previous_signature, EMPTY_SHA256,
                                hashlib.sha256(data).hexdigest()])
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def seed_signature(authorization):
    return authorization.rsplit("Signature=", 1)[1].strip()


def signed_chunks(secret_key, region, timestamp, seed, chunks, tamper_chunk=None):
    """The aws-chunked body for these chunks (a final empty chunk is added), each chained to the one before."""
    key = signing_key(secret_key, timestamp[:8], region)
    scope = f"{timestamp[:8]}/{region}/s3/aws4_request"
    body = bytearray()
    previous = seed
    for index, data in enumerate(list(chunks) + [b""]):
        signature = chunk_signature(key, timestamp, scope, previous, data)
        sent = data
        if tamper_chunk == index:
            sent = bytes([data[0] ^ 1]) + data[1:]
        body += f"{len(sent):x};chunk-signature={signature}\r\n".encode() + sent + b"\r\n"
        previous = signature
    return bytes(body)


def chunked_length(sizes):
    """Bytes of a signed aws-chunked body with these chunk sizes (plus the final empty one)."""
    return sum(len(f"{size:x}") + len(";chunk-signature=") + 64 + 2 + size + 2 for size in list(sizes) + [0])
