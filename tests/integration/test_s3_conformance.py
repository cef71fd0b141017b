"""S3 API conformance, written from the Amazon S3 API reference (docs.aws.amazon.com/AmazonS3/latest/API/).

Requests are signed with botocore and sent byte for byte with http.client (s3_raw.py), so a test can break
a signature, a date or a chunk on purpose. Expected status codes and error codes come from the reference's
"Error responses" page (ErrorResponses.html) and each operation's page; bodies are compared by SHA-256.
"""
import base64
import concurrent.futures
import datetime
import email.utils
import hashlib
import http.client
import os
import random
import re
import socket
import threading
import urllib.parse
import urllib.request
import zlib

import boto3
import botocore.config
import pytest

import s3_raw
from s3_raw import S3Raw

MIB = 1024 * 1024


def sha(data):
    return hashlib.sha256(data).hexdigest()


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def strip_ns(element):
    for node in element.iter():
        node.tag = node.tag.split("}", 1)[-1]
    return element


@pytest.fixture(scope="module")
def s3(akko):
    return S3Raw(akko.host, akko.s3_port, akko.user, akko.password)


@pytest.fixture(scope="module")
def boto(akko):
    return boto3.client("s3", endpoint_url=akko.s3_endpoint, aws_access_key_id=akko.user,
                        aws_secret_access_key=akko.password, region_name="us-east-1",
                        config=botocore.config.Config(s3={"addressing_style": "path"}))


_counter = [0]


@pytest.fixture
def bucket(s3):
    _counter[0] += 1
    name = f"conf-{os.getpid()}-{_counter[0]}"
    assert s3.request("PUT", name).status == 200
    return name


def put(s3, bucket, key, body, headers=None):
    answer = s3.request("PUT", bucket, key, headers=headers, body=body)
    assert answer.status == 200, answer
    return answer


def get_body(s3, bucket, key):
    answer = s3.request("GET", bucket, key)
    assert answer.status == 200, answer
    return answer.body


def expect_error(answer, status, code):
    assert answer.status == status, answer
    assert answer.error_code == code, answer
    assert answer.header("x-amz-request-id"), answer.headers


# --- the chunk signer itself, against the AWS example (sigv4-streaming.html, "Example: PUT Object") ---

def test_chunk_signer_reproduces_aws_example():
    example = S3Raw("s3.amazonaws.com", 443, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    headers = {"x-amz-storage-class": "REDUCED_REDUNDANCY", "Content-Encoding": "aws-chunked",
               "x-amz-decoded-content-length": "66560", "Content-Length": "66824"}
    signed = example.sign("PUT", "/examplebucket/chunkObject.txt", headers,
                          payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                          when=datetime.datetime(2013, 5, 24), host="s3.amazonaws.com")
    authorization = dict(signed)["Authorization"]
    assert "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;" \
           "x-amz-decoded-content-length;x-amz-storage-class" in authorization
    seed = s3_raw.seed_signature(authorization)
    assert seed == "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    body = s3_raw.signed_chunks(example.secret_key, "us-east-1", "20130524T000000Z", seed,
                                [b"a" * 65536, b"a" * 1024])
    assert len(body) == 66824 == s3_raw.chunked_length([65536, 1024])
    signatures = re.findall(rb"chunk-signature=([0-9a-f]{64})", body)
    assert [s.decode() for s in signatures] == [
        "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
        "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
        "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"]


# --- buckets ---

def test_list_buckets_and_location(s3, bucket):
    answer = s3.request("GET")
    assert answer.status == 200
    names = [b.findtext("Name") for b in strip_ns(answer.xml()).iter("Bucket")]
    assert bucket in names and "akko-warehouse" in names
    location = s3.request("GET", bucket, params=[("location", "")])
    assert location.status == 200
    root = strip_ns(location.xml())
    assert root.tag == "LocationConstraint"
    # GetBucketLocation: buckets in us-east-1 answer an empty (null) LocationConstraint.
    assert (root.text or "") in ("", "us-east-1")


@pytest.mark.parametrize("name", ["ab", "Upper-case", "under_score", "-leading", "trailing-", "a" * 64,
                                  "192.168.5.4", "two..dots"])
def test_create_bucket_invalid_name(s3, name):
    # bucketnamingrules.html: 3-63 characters, lower case, digits, dots, hyphens; not an IP address.
    expect_error(s3.request("PUT", name), 400, "InvalidBucketName")


def test_create_bucket_twice_and_location_constraint(s3, bucket):
    expect_error(s3.request("PUT", bucket), 409, "BucketAlreadyOwnedByYou")
    body = (b'<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            b"<LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>")
    expect_error(s3.request("PUT", bucket + "-eu", body=body), 400, "IllegalLocationConstraintException")
    assert s3.request("HEAD", bucket + "-eu").status == 404


def test_head_and_delete_bucket(s3, bucket):
    assert s3.request("HEAD", bucket).status == 200
    missing = s3.request("HEAD", "no-such-bucket-here")
    assert missing.status == 404 and missing.body == b""
    put(s3, bucket, "k", b"x")
    expect_error(s3.request("DELETE", bucket), 409, "BucketNotEmpty")
    assert s3.request("DELETE", bucket, "k").status == 204
    assert s3.request("DELETE", bucket).status == 204
    expect_error(s3.request("DELETE", bucket), 404, "NoSuchBucket")
    expect_error(s3.request("GET", bucket, "k"), 404, "NoSuchBucket")


def test_bucket_with_upload_in_progress_is_not_empty(s3, bucket):
    created = s3.request("POST", bucket, "mp", params=[("uploads", None)])
    assert created.status == 200
    upload_id = strip_ns(created.xml()).findtext("UploadId")
    expect_error(s3.request("DELETE", bucket), 409, "BucketNotEmpty")
    assert s3.request("DELETE", bucket, "mp", params=[("uploadId", upload_id)]).status == 204
    assert s3.request("DELETE", bucket).status == 204


@pytest.mark.parametrize("subresource,code", [
    ("policy", "NoSuchBucketPolicy"), ("cors", "NoSuchCORSConfiguration"),
    ("lifecycle", "NoSuchLifecycleConfiguration"), ("tagging", "NoSuchTagSet"),
    ("website", "NoSuchWebsiteConfiguration"), ("encryption", "ServerSideEncryptionConfigurationNotFoundError"),
    ("object-lock", "ObjectLockConfigurationNotFoundError")])
def test_unconfigured_bucket_subresources(s3, bucket, subresource, code):
    # ErrorResponses.html: the "not configured" answers are 404 with these codes.
    expect_error(s3.request("GET", bucket, params=[(subresource, None)]), 404, code)
    expect_error(s3.request("PUT", bucket, params=[(subresource, None)], body=b"<x/>"), 501, "NotImplemented")


def test_versioning_acl_and_method_not_allowed(s3, bucket):
    versioning = s3.request("GET", bucket, params=[("versioning", None)])
    assert versioning.status == 200
    root = strip_ns(versioning.xml())
    assert root.tag == "VersioningConfiguration" and root.findtext("Status") is None
    expect_error(s3.request("PATCH", bucket, "k"), 405, "MethodNotAllowed")


def test_acl_is_owner_full_control(s3, bucket):
    # GetBucketAcl.html: a bucket's default ACL is one grant, the owner (a CanonicalUser) with FULL_CONTROL.
    acl = s3.request("GET", bucket, params=[("acl", None)])
    assert acl.status == 200
    root = strip_ns(acl.xml())
    owner = root.findtext("Owner/ID")
    assert owner
    grants = [(g.findtext("Grantee/ID"), g.findtext("Permission")) for g in root.iter("Grant")]
    assert grants == [(owner, "FULL_CONTROL")]


# --- PutObject ---

def test_put_content_md5(s3, bucket):
    body = os.urandom(1000)
    answer = put(s3, bucket, "md5", body, {"Content-MD5": md5_b64(body)})
    assert answer.header("ETag") == f'"{hashlib.md5(body).hexdigest()}"'
    expect_error(s3.request("PUT", bucket, "bad", headers={"Content-MD5": md5_b64(b"other")}, body=body), 400,
                 "BadDigest")
    expect_error(s3.request("PUT", bucket, "bad", headers={"Content-MD5": "not-base64!"}, body=body), 400,
                 "InvalidDigest")
    expect_error(s3.request("GET", bucket, "bad"), 404, "NoSuchKey")


def test_put_checksum_sha256_header(s3, bucket):
    body = os.urandom(4096)
    good = base64.b64encode(hashlib.sha256(body).digest()).decode()
    put(s3, bucket, "ck", body, {"x-amz-checksum-sha256": good})
    head = s3.request("HEAD", bucket, "ck", headers={"x-amz-checksum-mode": "ENABLED"})
    assert head.header("x-amz-checksum-sha256") == good
    wrong = base64.b64encode(hashlib.sha256(b"x").digest()).decode()
    expect_error(s3.request("PUT", bucket, "ck2", headers={"x-amz-checksum-sha256": wrong}, body=body), 400,
                 "BadDigest")
    assert s3.request("HEAD", bucket, "ck2").status == 404


def test_metadata_and_content_headers_round_trip(s3, bucket):
    headers = {"Content-Type": "text/x-weird; charset=latin-1", "Content-Encoding": "identity",
               "Content-Disposition": 'attachment; filename="a b.txt"', "Content-Language": "fr-CA",
               "Cache-Control": "max-age=12, private", "Expires": "Wed, 21 Oct 2037 07:28:00 GMT",
               "x-amz-meta-Colour": "Blue  and   green", "x-amz-meta-empty": "", "x-amz-meta-n": "1,2;3"}
    body = b"payload"
    put(s3, bucket, "meta", body, headers)
    for method in ("GET", "HEAD"):
        answer = s3.request(method, bucket, "meta")
        assert answer.status == 200
        for name in ("Content-Type", "Content-Encoding", "Content-Disposition", "Content-Language",
                     "Cache-Control", "Expires"):
            assert answer.header(name) == headers[name], name
        # User metadata names come back lower-cased (UsingMetadata.html); values as sent, bar SigV4's trim.
        assert answer.header("x-amz-meta-colour") == "Blue  and   green"
        assert answer.header("x-amz-meta-n") == "1,2;3"
    put(s3, bucket, "plain", b"x")
    assert s3.request("HEAD", bucket, "plain").header("Content-Type") == "binary/octet-stream"
    too_big = {"x-amz-meta-big": "v" * 2100}
    expect_error(s3.request("PUT", bucket, "big", headers=too_big, body=b"x"), 400, "MetadataTooLarge")


def test_conditional_put(s3, bucket):
    put(s3, bucket, "c", b"one", {"If-None-Match": "*"})
    expect_error(s3.request("PUT", bucket, "c", headers={"If-None-Match": "*"}, body=b"two"), 412,
                 "PreconditionFailed")
    etag = f'"{hashlib.md5(b"one").hexdigest()}"'
    expect_error(s3.request("PUT", bucket, "c", headers={"If-Match": '"0000"'}, body=b"two"), 412,
                 "PreconditionFailed")
    assert get_body(s3, bucket, "c") == b"one"
    put(s3, bucket, "c", b"two", {"If-Match": etag})
    assert get_body(s3, bucket, "c") == b"two"
    # PutObject: If-Match on a key with no object is 404 NoSuchKey.
    expect_error(s3.request("PUT", bucket, "absent", headers={"If-Match": etag}, body=b"x"), 404, "NoSuchKey")


def test_conditional_put_one_creator_wins(s3, bucket):
    creators = 12
    barrier = threading.Barrier(creators)
    bodies = [f"writer {i}".encode() * 1000 for i in range(creators)]

    def create(i):
        target = s3.target(bucket, "race")
        headers = s3.sign("PUT", target, {"If-None-Match": "*"}, bodies[i])
        barrier.wait()
        return s3.send("PUT", target, headers, bodies[i])

    with concurrent.futures.ThreadPoolExecutor(creators) as pool:
        answers = list(pool.map(create, range(creators)))
    winners = [i for i, a in enumerate(answers) if a.status == 200]
    assert len(winners) == 1, answers
    # S3 answers a losing concurrent conditional write 412, or 409 ConditionalRequestConflict.
    assert all(a.status in (412, 409) for i, a in enumerate(answers) if i not in winners), answers
    assert get_body(s3, bucket, "race") == bodies[winners[0]]


# --- GetObject / HeadObject ---

@pytest.fixture
def object_100(s3, bucket):
    body = os.urandom(100)
    answer = put(s3, bucket, "obj", body)
    return bucket, body, answer.header("ETag")


@pytest.mark.parametrize("range_header,start,end", [("bytes=0-0", 0, 0), ("bytes=5-", 5, 99), ("bytes=-3", 97, 99),
                                                    ("bytes=10-19", 10, 19), ("bytes=90-500", 90, 99)])
def test_get_range(s3, object_100, range_header, start, end):
    bucket, body, _ = object_100
    answer = s3.request("GET", bucket, "obj", headers={"Range": range_header})
    assert answer.status == 206
    assert answer.body == body[start:end + 1]
    assert answer.header("Content-Range") == f"bytes {start}-{end}/100"
    assert answer.header("Content-Length") == str(end - start + 1)


def test_get_range_past_end_and_malformed(s3, object_100):
    bucket, body, _ = object_100
    answer = s3.request("GET", bucket, "obj", headers={"Range": "bytes=100-200"})
    expect_error(answer, 416, "InvalidRange")
    assert answer.header("Content-Range") == "bytes */100"
    for malformed in ("bytes=abc", "bits=0-1", "bytes=5-2", "bytes="):
        whole = s3.request("GET", bucket, "obj", headers={"Range": malformed})
        assert whole.status == 200 and whole.body == body, malformed


def test_get_conditionals(s3, object_100):
    bucket, body, etag = object_100
    modified = s3.request("HEAD", bucket, "obj").header("Last-Modified")
    modified_at = email.utils.parsedate_to_datetime(modified)
    before = email.utils.format_datetime(modified_at - datetime.timedelta(hours=1), usegmt=True)
    after = email.utils.format_datetime(modified_at + datetime.timedelta(hours=1), usegmt=True)

    def status(headers):
        answer = s3.request("GET", bucket, "obj", headers=headers)
        if answer.status == 200:
            assert answer.body == body
        if answer.status == 304:
            assert answer.body == b""
        return answer

    assert status({"If-Match": etag}).status == 200
    expect_error(status({"If-Match": '"nope"'}), 412, "PreconditionFailed")
    assert status({"If-None-Match": etag}).status == 304
    assert status({"If-None-Match": '"nope"'}).status == 200
    assert status({"If-Modified-Since": after}).status == 304
    assert status({"If-Modified-Since": before}).status == 200
    expect_error(status({"If-Unmodified-Since": before}), 412, "PreconditionFailed")
    assert status({"If-Unmodified-Since": after}).status == 200
    # GetObject: If-Match true and If-Unmodified-Since false -> 200; If-None-Match false and
    # If-Modified-Since true -> 304 (RFC 7232 section 6 order).
    assert status({"If-Match": etag, "If-Unmodified-Since": before}).status == 200
    assert status({"If-None-Match": etag, "If-Modified-Since": before}).status == 304
    head = s3.request("HEAD", bucket, "obj", headers={"If-Match": '"nope"'})
    assert head.status == 412 and head.body == b""


def test_get_response_overrides(s3, object_100):
    bucket, body, _ = object_100
    overrides = [("response-cache-control", "no-cache"), ("response-content-disposition", "inline; x=1"),
                 ("response-content-encoding", "gzip"), ("response-content-language", "de"),
                 ("response-content-type", "text/plain; a=b"), ("response-expires", "Thu, 01 Dec 1994 16:00:00 GMT")]
    answer = s3.request("GET", bucket, "obj", params=overrides)
    assert answer.status == 200 and answer.body == body
    for name, value in overrides:
        assert answer.header(name[len("response-"):]) == value, name
    # A value that would split the response into forged headers is refused, not echoed.
    forged = s3.request("GET", bucket, "obj", params=[("response-content-disposition", "x\r\nSet-Cookie: a=b")])
    assert forged.status == 400 and forged.error_code == "InvalidArgument"
    assert forged.header("Set-Cookie") is None


def test_head_object(s3, object_100):
    bucket, _, etag = object_100
    answer = s3.request("HEAD", bucket, "obj")
    assert answer.status == 200 and answer.body == b""
    assert answer.header("Content-Length") == "100" and answer.header("ETag") == etag
    missing = s3.request("HEAD", bucket, "missing")
    assert missing.status == 404 and missing.body == b""
    assert missing.header("x-amz-request-id")


def test_delete_object(s3, object_100):
    bucket, _, _ = object_100
    assert s3.request("DELETE", bucket, "obj").status == 204
    assert s3.request("DELETE", bucket, "obj").status == 204
    expect_error(s3.request("GET", bucket, "obj"), 404, "NoSuchKey")


# --- DeleteObjects ---

def delete_objects_body(keys, quiet):
    objects = "".join(f"<Object><Key>{k}</Key></Object>" for k in keys)
    return f"<Delete><Quiet>{'true' if quiet else 'false'}</Quiet>{objects}</Delete>".encode()


def post_delete(s3, bucket, body):
    return s3.request("POST", bucket, params=[("delete", None)], headers={"Content-MD5": md5_b64(body)}, body=body)


def test_delete_objects(s3, bucket):
    for key in ("d1", "d2", "d3"):
        put(s3, bucket, key, b"x")
    verbose = post_delete(s3, bucket, delete_objects_body(["d1", "absent"], quiet=False))
    assert verbose.status == 200
    deleted = sorted(d.findtext("Key") for d in strip_ns(verbose.xml()).iter("Deleted"))
    assert deleted == ["absent", "d1"]
    quiet = post_delete(s3, bucket, delete_objects_body(["d2"], quiet=True))
    assert quiet.status == 200
    assert list(strip_ns(quiet.xml()).iter("Deleted")) == []
    listed = [c.findtext("Key") for c in strip_ns(s3.request("GET", bucket).xml()).iter("Contents")]
    assert listed == ["d3"]
    expect_error(post_delete(s3, bucket, delete_objects_body([f"k{i}" for i in range(1001)], False)), 400,
                 "MalformedXML")
    expect_error(post_delete(s3, bucket, b"<Delete><Object><Key>d3</Key></Obj"), 400, "MalformedXML")
    bad_md5 = s3.request("POST", bucket, params=[("delete", None)], headers={"Content-MD5": md5_b64(b"z")},
                         body=delete_objects_body(["d3"], False))
    expect_error(bad_md5, 400, "BadDigest")
    assert get_body(s3, bucket, "d3") == b"x"


# --- CopyObject ---

def test_copy_object(s3, bucket):
    body = os.urandom(3000)
    put(s3, bucket, "src", body, {"Content-Type": "text/a", "x-amz-meta-m": "1"})
    source = f"/{bucket}/src"
    copied = s3.request("PUT", bucket, "copy", headers={"x-amz-copy-source": source})
    assert copied.status == 200
    assert strip_ns(copied.xml()).findtext("ETag") == f'"{hashlib.md5(body).hexdigest()}"'
    head = s3.request("HEAD", bucket, "copy")
    assert head.header("Content-Type") == "text/a" and head.header("x-amz-meta-m") == "1"
    assert sha(get_body(s3, bucket, "copy")) == sha(body)
    replaced = s3.request("PUT", bucket, "copy2", headers={"x-amz-copy-source": source,
                                                             "x-amz-metadata-directive": "REPLACE",
                                                             "Content-Type": "text/b", "x-amz-meta-z": "9"})
    assert replaced.status == 200
    head = s3.request("HEAD", bucket, "copy2")
    assert head.header("Content-Type") == "text/b" and head.header("x-amz-meta-z") == "9"
    assert head.header("x-amz-meta-m") is None
    # CopyObject: copying an object onto itself without changing anything is 400 InvalidRequest.
    expect_error(s3.request("PUT", bucket, "src", headers={"x-amz-copy-source": source}), 400, "InvalidRequest")
    onto_itself = s3.request("PUT", bucket, "src", headers={"x-amz-copy-source": source,
                                                             "x-amz-metadata-directive": "REPLACE",
                                                             "x-amz-meta-m": "2"})
    assert onto_itself.status == 200
    assert s3.request("HEAD", bucket, "src").header("x-amz-meta-m") == "2"
    expect_error(s3.request("PUT", bucket, "c3", headers={"x-amz-copy-source": f"/{bucket}/missing"}), 404,
                 "NoSuchKey")
    expect_error(s3.request("PUT", bucket, "c3", headers={"x-amz-copy-source": source,
                                                           "x-amz-copy-source-if-match": '"nope"'}), 412,
                 "PreconditionFailed")
    encoded = s3.request("PUT", bucket, "c4", headers={"x-amz-copy-source": urllib.parse.quote(source)})
    assert encoded.status == 200


# --- ListObjects v1 / v2 against a model ---

SEGMENTS = ["a", "b", "ab", "x y", "p+q", "100%", "~t", "é", "日本", "-", "c-d", "z", "a-b", "A"]


def make_keys():
    rng = random.Random(5)
    keys = {"a/b/c", "deep/" + "/".join("d" * 5), "+", "%", "~", "top"}
    while len(keys) < 200:
        depth = rng.choice([1, 1, 2, 2, 3, 4, 6])
        key = "/".join(rng.choice(SEGMENTS) for _ in range(depth))
        if rng.random() < 0.1:
            key += "/"
        keys.add(key)
    return sorted(keys, key=lambda k: k.encode())


def model(keys, prefix="", delimiter="", after=""):
    entries = []
    for key in keys:
        if not key.startswith(prefix) or key.encode() <= after.encode():
            continue
        rest = key[len(prefix):]
        if delimiter and delimiter in rest:
            common = prefix + rest[:rest.index(delimiter) + len(delimiter)]
            if common.encode() > after.encode() and (not entries or entries[-1] != ("P", common)):
                entries.append(("P", common))
        else:
            entries.append(("K", key))
    return entries


def page_entries(root, encoded):
    decode = urllib.parse.unquote_plus if encoded else (lambda s: s)
    entries = [("K", decode(c.findtext("Key"))) for c in root.findall("Contents")]
    entries += [("P", decode(p.findtext("Prefix"))) for p in root.findall("CommonPrefixes")]
    return sorted(entries, key=lambda e: e[1].encode())


@pytest.fixture(scope="module")
def listing_bucket(s3, boto):
    name = f"listing-{os.getpid()}"
    assert s3.request("PUT", name).status == 200
    keys = make_keys()
    for key in keys:
        boto.put_object(Bucket=name, Key=key, Body=key.encode())
    return name, keys


CASES = [("", ""), ("", "/"), ("a/", "/"), ("a", "/"), ("", "-"), ("日本/", "/"), ("x y/", ""), ("nope", "/"),
         ("a/", "-"), ("p+q/", "/")]


@pytest.mark.parametrize("prefix,delimiter", CASES)
@pytest.mark.parametrize("version", [1, 2])
def test_list_pages_match_model(s3, listing_bucket, prefix, delimiter, version):
    bucket, keys = listing_bucket
    for max_keys, encoded in ((7, False), (1000, True)):
        collected = []
        token = None
        for _ in range(400):
            params = [("prefix", prefix), ("delimiter", delimiter), ("max-keys", max_keys)]
            if encoded:
                params.append(("encoding-type", "url"))
            if version == 2:
                params.insert(0, ("list-type", 2))
                if token:
                    params.append(("continuation-token", token))
            elif token:
                params.append(("marker", token))
            answer = s3.request("GET", bucket, params=[(k, v) for k, v in params if v != ""])
            assert answer.status == 200, answer
            root = strip_ns(answer.xml())
            page = page_entries(root, encoded)
            assert len(page) <= max_keys
            collected += page
            if root.findtext("IsTruncated") != "true":
                break
            if version == 2:
                token = root.findtext("NextContinuationToken")
                assert token
            else:
                # ListObjects.html: NextMarker is returned when a delimiter is given; else the last key is next.
                assert root.findtext("NextMarker") or not delimiter
                token = root.findtext("NextMarker") or page[-1][1]
                if encoded and root.findtext("NextMarker"):
                    token = urllib.parse.unquote_plus(token)
        assert collected == model(keys, prefix, delimiter), (prefix, delimiter, version, max_keys)


def test_list_start_after_and_marker(s3, listing_bucket):
    bucket, keys = listing_bucket
    after = keys[57]
    v2 = strip_ns(s3.request("GET", bucket, params=[("list-type", 2), ("start-after", after)]).xml())
    assert page_entries(v2, False) == model(keys, after=after)
    v1 = strip_ns(s3.request("GET", bucket, params=[("marker", after), ("delimiter", "/")]).xml())
    assert page_entries(v1, False) == model(keys, delimiter="/", after=after)


def test_list_edge_arguments(s3, listing_bucket):
    bucket, _ = listing_bucket
    zero = s3.request("GET", bucket, params=[("list-type", 2), ("max-keys", 0)])
    assert zero.status == 200
    root = strip_ns(zero.xml())
    assert root.findall("Contents") == [] and root.findtext("KeyCount") == "0"
    for bad in ("-1", "ten"):
        expect_error(s3.request("GET", bucket, params=[("list-type", 2), ("max-keys", bad)]), 400,
                     "InvalidArgument")
    expect_error(s3.request("GET", bucket, params=[("list-type", 2), ("continuation-token", "!!garbage!!")]), 400,
                 "InvalidArgument")
    expect_error(s3.request("GET", "no-such-bucket-here", params=[("list-type", 2)]), 404, "NoSuchBucket")


# --- multipart ---

def create_upload(s3, bucket, key):
    answer = s3.request("POST", bucket, key, params=[("uploads", None)])
    assert answer.status == 200, answer
    return strip_ns(answer.xml()).findtext("UploadId")


def upload_part(s3, bucket, key, upload_id, number, data):
    answer = s3.request("PUT", bucket, key, params=[("partNumber", number), ("uploadId", upload_id)], body=data)
    assert answer.status == 200, answer
    return answer.header("ETag")


def complete(s3, bucket, key, upload_id, parts):
    xml = "".join(f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in parts)
    return s3.request("POST", bucket, key, params=[("uploadId", upload_id)],
                      body=f"<CompleteMultipartUpload>{xml}</CompleteMultipartUpload>".encode())


def multipart_etag(parts):
    digests = b"".join(hashlib.md5(p).digest() for p in parts)
    return f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'


@pytest.fixture(scope="module")
def big_source(s3):
    data = os.urandom(6 * MIB)
    name = f"mp-src-{os.getpid()}"
    assert s3.request("PUT", name).status == 200
    put(s3, name, "six", data)
    return name, data


def test_multipart_upload(s3, bucket, big_source):
    source_bucket, source = big_source
    upload_id = create_upload(s3, bucket, "mp")
    tail = os.urandom(1234)
    copied = s3.request("PUT", bucket, "mp", params=[("partNumber", 1), ("uploadId", upload_id)],
                        headers={"x-amz-copy-source": f"/{source_bucket}/six",
                                 "x-amz-copy-source-range": f"bytes=7-{7 + 5 * MIB - 1}"})
    assert copied.status == 200, copied
    first = source[7:7 + 5 * MIB]
    etag1 = strip_ns(copied.xml()).findtext("ETag")
    assert etag1 == f'"{hashlib.md5(first).hexdigest()}"'
    etag2 = upload_part(s3, bucket, "mp", upload_id, 2, tail)
    parts = strip_ns(s3.request("GET", bucket, "mp", params=[("uploadId", upload_id)]).xml())
    assert [(p.findtext("PartNumber"), p.findtext("ETag"), p.findtext("Size")) for p in parts.iter("Part")] == \
        [("1", etag1, str(5 * MIB)), ("2", etag2, "1234")]
    uploads = strip_ns(s3.request("GET", bucket, params=[("uploads", None)]).xml())
    assert [(u.findtext("Key"), u.findtext("UploadId")) for u in uploads.iter("Upload")] == [("mp", upload_id)]
    done = complete(s3, bucket, "mp", upload_id, [(1, etag1), (2, etag2)])
    assert done.status == 200, done
    expected_etag = multipart_etag([first, tail])
    assert strip_ns(done.xml()).findtext("ETag") == expected_etag
    answer = s3.request("GET", bucket, "mp")
    assert sha(answer.body) == sha(first + tail)
    assert answer.header("ETag") == expected_etag
    assert list(strip_ns(s3.request("GET", bucket, params=[("uploads", None)]).xml()).iter("Upload")) == []


def test_multipart_errors(s3, bucket):
    upload_id = create_upload(s3, bucket, "bad")
    parts = [os.urandom(5 * MIB), os.urandom(100), os.urandom(100)]
    etags = [upload_part(s3, bucket, "bad", upload_id, i + 1, parts[i]) for i in range(3)]
    expect_error(complete(s3, bucket, "bad", upload_id, [(2, etags[1]), (1, etags[0])]), 400, "InvalidPartOrder")
    expect_error(complete(s3, bucket, "bad", upload_id, [(1, '"' + "0" * 32 + '"'), (2, etags[1])]), 400,
                 "InvalidPart")
    expect_error(complete(s3, bucket, "bad", upload_id, [(1, etags[0]), (4, etags[1])]), 400, "InvalidPart")
    # Part 2 is neither 5 MiB nor the last part.
    expect_error(complete(s3, bucket, "bad", upload_id, [(1, etags[0]), (2, etags[1]), (3, etags[2])]), 400,
                 "EntityTooSmall")
    expect_error(s3.request("PUT", bucket, "bad", params=[("partNumber", 10001), ("uploadId", upload_id)],
                            body=b"x"), 400, "InvalidArgument")
    assert s3.request("DELETE", bucket, "bad", params=[("uploadId", upload_id)]).status == 204
    expect_error(complete(s3, bucket, "bad", upload_id, [(1, etags[0])]), 404, "NoSuchUpload")
    expect_error(s3.request("PUT", bucket, "bad", params=[("partNumber", 1), ("uploadId", upload_id)], body=b"x"),
                 404, "NoSuchUpload")
    expect_error(s3.request("GET", bucket, "bad"), 404, "NoSuchKey")
    # A single part may be small: only parts before the last have a minimum size.
    single = create_upload(s3, bucket, "one")
    etag = upload_part(s3, bucket, "one", single, 1, parts[1])
    assert complete(s3, bucket, "one", single, [(1, etag)]).status == 200
    assert get_body(s3, bucket, "one") == parts[1]


# --- keys ---

HOSTILE = ["../x", "a/../../x", "%2e%2e/x", "..", ".", "./x", "dir/", "a//b", "back\\slash", "..\\..\\x",
           ".akko-meta/x", ".akko-tmp", "a", "a/b", "k" * 255, "k" * 256, "s/" + "q" * 1022, "é/日本/ \t",
           "/leading", "x/./y", "nul-ish\x01"]


def tree(root):
    found = set()
    for directory, subdirectories, files in os.walk(root):
        for name in files + subdirectories:
            path = os.path.join(directory, name)
            assert not os.path.islink(path), path
            found.add(os.path.relpath(path, root))
    return found


def test_hostile_keys(akko, s3, bucket):
    data_dir = str(akko.data_dir)
    inside = os.path.join("objects", bucket) + os.sep
    assert os.path.isdir(os.path.join(data_dir, inside))

    def outside():
        # The metastore and the engine's files change on their own; everything else must stay put.
        return {p for p in tree(data_dir) if not p.startswith(inside) and not re.match(r"metastore\.db|engine/", p)}

    outside_before = outside()
    bodies = {key: os.urandom(50) + key.encode() for key in HOSTILE}
    for key, body in bodies.items():
        assert len(key.encode()) <= 1024
        put(s3, bucket, key, body)
    # The same dot segments left unescaped in the path: either refused or kept as the decoded key, never
    # resolved as a path.
    raw = f"/{bucket}/%2e%2e/%2E%2E/raw"
    answer = s3.send("PUT", raw, s3.sign("PUT", raw, {}, b"raw"), b"raw")
    if answer.status == 200:
        bodies["../../raw"] = b"raw"
    else:
        assert 400 <= answer.status < 500, answer
    for key, body in bodies.items():
        assert sha(get_body(s3, bucket, key)) == sha(body), key
    # XML 1.0 cannot carry a control character such as \x01: such keys need encoding-type=url
    # (object-keys.html, "XML related object key constraints").
    listing = s3.request("GET", bucket, params=[("list-type", 2), ("encoding-type", "url")])
    listed = [urllib.parse.unquote_plus(c.findtext("Key")) for c in strip_ns(listing.xml()).iter("Contents")]
    assert listed == sorted(bodies, key=lambda k: k.encode())
    assert outside() == outside_before
    for path in tree(data_dir):
        real = os.path.realpath(os.path.join(data_dir, path))
        assert real.startswith(os.path.realpath(data_dir) + os.sep), path
    expect_error(s3.request("PUT", bucket, "k" * 1025, body=b"x"), 400, "KeyTooLongError")
    for key in bodies:
        assert s3.request("DELETE", bucket, key).status == 204
    assert s3.request("DELETE", bucket).status == 204


# --- signatures ---

def test_signature_failures(s3, bucket):
    put(s3, bucket, "s", b"secret stuff")
    expect_error(s3.request("GET", bucket, "s", secret_key="wrong"), 403, "SignatureDoesNotMatch")
    expect_error(s3.request("GET", bucket, "s", access_key="nobody-here"), 403, "InvalidAccessKeyId")
    target = s3.target(bucket, "t")
    headers = s3.sign("PUT", target, {"x-amz-meta-a": "1"}, b"body")
    expect_error(s3.send("PUT", target, s3_raw.replace_header(headers, "x-amz-meta-a", "2"), b"body"), 403,
                 "SignatureDoesNotMatch")
    expect_error(s3.send("PUT", s3.target(bucket, "u"), headers, b"body"), 403, "SignatureDoesNotMatch")
    listing = s3.target(bucket, params=[("prefix", "a")])
    expect_error(s3.send("GET", s3.target(bucket, params=[("prefix", "b")]), s3.sign("GET", listing)), 403,
                 "SignatureDoesNotMatch")
    lie = s3.target(bucket, "lie")
    lie_headers = s3.sign("PUT", lie, {}, b"what was signed", payload_hash=sha(b"what was signed"))
    expect_error(s3.send("PUT", lie, lie_headers, b"what was sent!!"), 400, "XAmzContentSHA256Mismatch")
    assert s3.request("HEAD", bucket, "lie").status == 404
    assert s3.request("HEAD", bucket, "t").status == 404
    anonymous = s3.send("GET", s3.target(bucket, "s"), [("Host", s3.netloc)])
    expect_error(anonymous, 403, "AccessDenied")
    skewed = s3.request("GET", bucket, "s", when=datetime.datetime.utcnow() - datetime.timedelta(minutes=20))
    expect_error(skewed, 403, "RequestTimeTooSkewed")
    v2 = s3.send("GET", s3.target(bucket, "s"), [("Host", s3.netloc), ("Date", email.utils.formatdate(usegmt=True)),
                                                  ("Authorization", "AWS admin:bm90IGEgc2lnbmF0dXJl")])
    expect_error(v2, 400, "InvalidArgument")


def test_presigned(s3, bucket):
    put(s3, bucket, "p", b"presigned body")
    fresh = s3.presign("GET", s3.target(bucket, "p"), 300)
    answer = s3.send("GET", fresh, [("Host", s3.netloc)])
    assert answer.status == 200 and answer.body == b"presigned body"
    expired = s3.presign("GET", s3.target(bucket, "p"), 1, when=datetime.datetime.utcnow() - datetime.timedelta(
        seconds=10))
    expect_error(s3.send("GET", expired, [("Host", s3.netloc)]), 403, "AccessDenied")
    tampered = fresh.replace("X-Amz-Expires=300", "X-Amz-Expires=301")
    expect_error(s3.send("GET", tampered, [("Host", s3.netloc)]), 403, "SignatureDoesNotMatch")
    upload = s3.presign("PUT", s3.target(bucket, "pp"), 300)
    assert s3.send("PUT", upload, [("Host", s3.netloc)], b"via presigned put").status == 200
    assert get_body(s3, bucket, "pp") == b"via presigned put"


# --- streaming uploads ---

def streaming_put(s3, bucket, key, chunks, tamper_chunk=None):
    total = sum(len(c) for c in chunks)
    target = s3.target(bucket, key)
    headers = s3.sign("PUT", target, {"Content-Encoding": "aws-chunked",
                                      "x-amz-decoded-content-length": str(total),
                                      "Content-Length": str(s3_raw.chunked_length(len(c) for c in chunks))},
                      payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    values = {k.lower(): v for k, v in headers}
    body = s3_raw.signed_chunks(s3.secret_key, s3.region, values["x-amz-date"],
                                s3_raw.seed_signature(values["authorization"]), chunks, tamper_chunk)
    return s3.send("PUT", target, headers, body)


def test_streaming_signed_upload(s3, bucket):
    chunks = [os.urandom(65536), os.urandom(65536), os.urandom(999)]
    assert streaming_put(s3, bucket, "streamed", chunks).status == 200
    answer = s3.request("GET", bucket, "streamed")
    assert sha(answer.body) == sha(b"".join(chunks))
    assert "aws-chunked" not in (answer.header("Content-Encoding") or "")
    expect_error(streaming_put(s3, bucket, "tampered", chunks, tamper_chunk=1), 403, "SignatureDoesNotMatch")
    assert s3.request("HEAD", bucket, "tampered").status == 404


def test_streaming_unsigned_trailer(s3, bucket):
    data = os.urandom(70000)

    def send(key, crc):
        checksum = base64.b64encode(crc.to_bytes(4, "big")).decode()
        body = (f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n" +
                f"x-amz-checksum-crc32:{checksum}\r\n\r\n".encode())
        target = s3.target(bucket, key)
        headers = s3.sign("PUT", target, {"Content-Encoding": "aws-chunked,gzip", "x-amz-trailer": "x-amz-checksum-crc32",
                                          "x-amz-decoded-content-length": str(len(data)),
                                          "Content-Length": str(len(body))},
                          payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        return s3.send("PUT", target, headers, body), checksum

    crc = zlib.crc32(data)
    answer, checksum = send("trailer", crc)
    assert answer.status == 200, answer
    assert sha(get_body(s3, bucket, "trailer")) == sha(data)
    head = s3.request("HEAD", bucket, "trailer", headers={"x-amz-checksum-mode": "ENABLED"})
    assert head.header("x-amz-checksum-crc32") == checksum
    # sigv4-streaming.html: aws-chunked comes first and is not kept; the encodings after it are.
    assert head.header("Content-Encoding") == "gzip"
    wrong, _ = send("trailer-bad", crc ^ 1)
    expect_error(wrong, 400, "BadDigest")
    assert s3.request("HEAD", bucket, "trailer-bad").status == 404


# --- addressing, metrics, robustness ---

def test_virtual_host_addressing(s3, bucket):
    host = f"{bucket}.localhost:{s3.port}"
    target = "/vh/key"
    body = os.urandom(500)
    assert s3.send("PUT", target, s3.sign("PUT", target, {}, body, host=host), body).status == 200
    assert sha(get_body(s3, bucket, "vh/key")) == sha(body)
    answer = s3.send("GET", target, s3.sign("GET", target, host=host))
    assert answer.status == 200 and sha(answer.body) == sha(body)
    listing = s3.send("GET", "/?list-type=2", s3.sign("GET", "/?list-type=2", host=host))
    assert [c.findtext("Key") for c in strip_ns(listing.xml()).iter("Contents")] == ["vh/key"]


def metric_values(akko):
    text = urllib.request.urlopen(f"http://127.0.0.1:{akko.http_port}/metrics", timeout=30).read().decode()
    values = {}
    for line in text.splitlines():
        match = re.match(r'aden_s3_requests_total\{(.*)\} ([0-9.e+]+)$', line)
        if match:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
            values[(labels["operation"], labels["status"])] = float(match.group(2))
    return values


def test_metrics_count_operations(akko, s3, bucket):
    before = metric_values(akko)
    for i in range(3):
        put(s3, bucket, f"m{i}", b"m")
    for _ in range(2):
        get_body(s3, bucket, "m0")
    s3.request("GET", bucket, "absent")
    after = metric_values(akko)

    def delta(operation, status):
        return after.get((operation, status), 0) - before.get((operation, status), 0)

    assert delta("PutObject", "200") == 3
    assert delta("GetObject", "200") == 2
    assert delta("GetObject", "404") == 1


def raw_exchange(port, data):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
        return answer


def test_malformed_requests_keep_server_serving(s3, bucket):
    put(s3, bucket, "alive", b"still here")
    for path in ("/%zz", f"/{bucket}/%", f"/{bucket}/%ff%fe", f"/{bucket}/a%00b", f"/{bucket}/%C0%AF"):
        answer = s3.send("GET", path, s3.sign("GET", path))
        assert 400 <= answer.status < 500, (path, answer)
    huge = s3.sign("GET", s3.target(bucket, "alive"), {"x-amz-meta-huge": "h" * 200000})
    try:
        answer = s3.send("GET", s3.target(bucket, "alive"), huge)
        assert answer.status >= 400
    except (ConnectionError, http.client.HTTPException):
        pass
    many = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n"
    first_line = raw_exchange(s3.port, many).split(b"\r\n", 1)[0]
    assert first_line == b"" or re.match(rb"HTTP/1\.[01] 4\d\d", first_line), first_line
    garbage = raw_exchange(s3.port, b"\x00\x01garbage\r\n\r\n")
    assert garbage == b"" or re.match(rb"HTTP/1\.[01] 4\d\d", garbage), garbage[:100]
    assert get_body(s3, bucket, "alive") == b"still here"

