"""Real S3 clients against AKKO's S3 API: awscli v2, boto3, rclone and s3cmd, each from Debian.

Every byte is checked with a SHA-256 of the file before upload and after download. Expected ETags,
checksums and listings are computed here from the data itself (MD5, CRC32 with zlib, S3's documented
multipart ETag: MD5 of the parts' MD5s, '-', the part count), never taken from AKKO's answers.
"""
import base64
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
import zlib

import boto3
import botocore.config
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

AWS = "/usr/bin/aws"
MIB = 1024 * 1024
AWS_BIG_SIZE = 1126 * MIB + 12345          # ~1.1 GiB, not a multiple of the part size
OTHER_BIG_SIZE = 300 * MIB + 4321           # ~300 MiB for boto3, rclone and s3cmd
AWS_PART = 64 * MIB

# Names a tree sync must carry: nesting, spaces, unicode (NFC and a combining accent), an empty file.
TREE = {
    "top.txt": b"top level\n",
    "empty.bin": b"",
    "a/b/c/deep.dat": os.urandom(70000),
    "a/one two.txt": b"space in the name\n",
    "unicodé/日本語 ファイル.txt": "こんにちは\n".encode(),
    "unicodé/cafe\u0301.txt": b"combining accent\n",
    "a/b/sibling.bin": os.urandom(1234),
}


# ---------------------------------------------------------------- helpers

def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(8 * MIB):
            digest.update(block)
    return digest.hexdigest()


def multipart_etag(path, part_size):
    """S3's multipart ETag: MD5 over the concatenated binary MD5s of the parts, then '-' and the count."""
    md5s = []
    with open(path, "rb") as f:
        while block := f.read(part_size):
            md5s.append(hashlib.md5(block).digest())
    return f'"{hashlib.md5(b"".join(md5s)).hexdigest()}-{len(md5s)}"'


def write_random(path, size):
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 16 * MIB)
            f.write(os.urandom(n))
            left -= n


def write_tree(root, tree=TREE):
    for name, data in tree.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def tree_digests(root):
    """Relative path -> SHA-256 of every file under root."""
    return {str(p.relative_to(root)): sha256_file(p) for p in root.rglob("*") if p.is_file()}


def expected_tree_digests(tree=TREE):
    return {name: hashlib.sha256(data).hexdigest() for name, data in tree.items()}


def unique_bucket(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def xml_error_code(body):
    root = ET.fromstring(body)
    return root.findtext("Code")


def run(args, env, check=True, cwd=None):
    result = subprocess.run([str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def big_files(tmp_path_factory):
    """The two large files, made once: (path, sha256) for awscli's ~1.1 GiB and the others' ~300 MiB."""
    root = tmp_path_factory.mktemp("big")
    files = {}
    for name, size in (("aws", AWS_BIG_SIZE), ("other", OTHER_BIG_SIZE)):
        path = root / f"{name}.bin"
        write_random(path, size)
        files[name] = (path, sha256_file(path))
    yield files
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def s3(akko):
    return boto3.client("s3", endpoint_url=akko.s3_endpoint, aws_access_key_id=akko.user,
                        aws_secret_access_key=akko.password, region_name="us-east-1",
                        config=botocore.config.Config(signature_version="s3v4", s3={"addressing_style": "path"},
                                                      retries={"max_attempts": 1}))


def empty_and_delete(s3, bucket):
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=obj["Key"])
    s3.delete_bucket(Bucket=bucket)


# ---------------------------------------------------------------- awscli v2

class Aws:
    def __init__(self, akko, tmp_path):
        self.akko = akko
        self.env = akko.s3_env()
        # A config file of our own (as `aws configure set default.s3.multipart_chunksize 64MB` writes it, without
        # paying awscli's start-up twice per test): bigger parts keep the 1.1 GiB upload to 18 parts.
        config = tmp_path / "aws-config"
        config.write_text("[default]\nregion = us-east-1\ns3 =\n  multipart_chunksize = 64MB\n"
                          "  multipart_threshold = 64MB\n")
        self.env["AWS_CONFIG_FILE"] = str(config)

    def __call__(self, *args, check=True):
        return run([AWS, "--endpoint-url", self.akko.s3_endpoint, *args], self.env, check=check)

    def json(self, *args):
        return json.loads(self(*args, "--output", "json").stdout or "null")


@pytest.fixture
def aws(akko, tmp_path):
    return Aws(akko, tmp_path)


def test_aws_bucket_life_cycle(aws, s3, tmp_path):
    bucket = unique_bucket("aws-life")
    aws("s3", "mb", f"s3://{bucket}")
    assert bucket in aws("s3", "ls").stdout.split()
    # Creating it again is S3's BucketAlreadyOwnedByYou.
    again = aws("s3api", "create-bucket", "--bucket", bucket, check=False)
    assert again.returncode != 0 and "(BucketAlreadyOwnedByYou)" in again.stderr

    (tmp_path / "f.txt").write_bytes(b"keeps the bucket busy\n")
    aws("s3", "cp", str(tmp_path / "f.txt"), f"s3://{bucket}/f.txt", "--no-progress")
    refused = aws("s3", "rb", f"s3://{bucket}", check=False)
    assert refused.returncode != 0 and "(BucketNotEmpty)" in refused.stderr
    s3.head_bucket(Bucket=bucket)  # still there

    aws("s3", "rm", f"s3://{bucket}/f.txt")
    aws("s3", "rb", f"s3://{bucket}")
    assert bucket not in aws("s3", "ls").stdout.split()
    with pytest.raises(ClientError) as gone:
        s3.head_bucket(Bucket=bucket)
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_aws_small_objects_round_trip(aws, s3, tmp_path):
    bucket = unique_bucket("aws-small")
    s3.create_bucket(Bucket=bucket)
    up, down = tmp_path / "up", tmp_path / "down"
    up.mkdir()
    sizes = {"zero": 0, "one": 1, "odd": 4097, "mib": MIB + 3}
    for name, size in sizes.items():
        write_random(up / name, size)
    aws("s3", "cp", "--recursive", str(up), f"s3://{bucket}/small", "--no-progress")
    listed = aws.json("s3api", "list-objects-v2", "--bucket", bucket)["Contents"]
    assert [o["Key"] for o in listed] == [f"small/{name}" for name in sorted(sizes)]
    for obj in listed:
        name = obj["Key"].removeprefix("small/")
        assert obj["Size"] == sizes[name]
        assert obj["ETag"] == f'"{hashlib.md5((up / name).read_bytes()).hexdigest()}"'
    aws("s3", "cp", "--recursive", f"s3://{bucket}/small", str(down), "--no-progress")
    assert tree_digests(down) == tree_digests(up)
    empty_and_delete(s3, bucket)


def test_aws_large_multipart_object(aws, s3, big_files, tmp_path):
    path, digest = big_files["aws"]
    bucket = unique_bucket("aws-big")
    s3.create_bucket(Bucket=bucket)
    aws("s3", "cp", str(path), f"s3://{bucket}/big/object.bin", "--no-progress")
    head = aws.json("s3api", "head-object", "--bucket", bucket, "--key", "big/object.bin")
    assert head["ContentLength"] == AWS_BIG_SIZE
    assert head["ETag"] == multipart_etag(path, AWS_PART)
    assert head["ETag"].endswith(f"-{-(-AWS_BIG_SIZE // AWS_PART)}\"")

    target = tmp_path / "down.bin"
    aws("s3", "cp", f"s3://{bucket}/big/object.bin", str(target), "--no-progress")
    try:
        assert target.stat().st_size == AWS_BIG_SIZE
        assert sha256_file(target) == digest
    finally:
        target.unlink()
        empty_and_delete(s3, bucket)


def test_aws_sync_tree_both_ways(aws, s3, tmp_path):
    bucket = unique_bucket("aws-sync")
    s3.create_bucket(Bucket=bucket)
    src, back = tmp_path / "src", tmp_path / "back"
    write_tree(src)
    first = aws("s3", "sync", str(src), f"s3://{bucket}/tree", "--no-progress")
    assert first.stdout.count("upload:") == len(TREE)
    listed = aws.json("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "tree/")
    # Exact names, in binary (UTF-8 byte) order.
    assert [o["Key"] for o in listed["Contents"]] == sorted(
        (f"tree/{name}" for name in TREE), key=lambda k: k.encode())
    assert aws("s3", "sync", str(src), f"s3://{bucket}/tree", "--no-progress").stdout.strip() == ""

    down = aws("s3", "sync", f"s3://{bucket}/tree", str(back), "--no-progress")
    assert down.stdout.count("download:") == len(TREE)
    assert tree_digests(back) == expected_tree_digests()
    assert aws("s3", "sync", f"s3://{bucket}/tree", str(back), "--no-progress").stdout.strip() == ""

    # A changed file goes up again, and --delete removes what left the source.
    (src / "top.txt").write_bytes(b"changed and longer\n")
    (src / "a/one two.txt").unlink()
    again = aws("s3", "sync", str(src), f"s3://{bucket}/tree", "--delete", "--no-progress").stdout
    assert again.count("upload:") == 1 and again.count("delete:") == 1
    keys = {o["Key"] for o in aws.json("s3api", "list-objects-v2", "--bucket", bucket)["Contents"]}
    assert "tree/a/one two.txt" not in keys and "tree/top.txt" in keys
    empty_and_delete(s3, bucket)


def test_aws_list_with_delimiter(aws, s3, tmp_path):
    bucket = unique_bucket("aws-list")
    s3.create_bucket(Bucket=bucket)
    keys = ["a/1", "a/2", "b/c/3", "b/d", "top", "zz/deep/er/4"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")

    root = aws.json("s3api", "list-objects-v2", "--bucket", bucket, "--delimiter", "/")
    assert [p["Prefix"] for p in root["CommonPrefixes"]] == ["a/", "b/", "zz/"]
    assert [o["Key"] for o in root["Contents"]] == ["top"]

    under_b = aws.json("s3api", "list-objects-v2", "--bucket", bucket, "--delimiter", "/", "--prefix", "b/")
    assert [p["Prefix"] for p in under_b["CommonPrefixes"]] == ["b/c/"]
    assert [o["Key"] for o in under_b["Contents"]] == ["b/d"]

    # One key per page: awscli follows the continuation tokens and must see every key once, in order.
    paged = aws.json("s3api", "list-objects-v2", "--bucket", bucket, "--page-size", "1")
    assert [o["Key"] for o in paged["Contents"]] == keys
    first = aws.json("s3api", "list-objects-v2", "--bucket", bucket, "--max-keys", "2", "--no-paginate")
    assert [o["Key"] for o in first["Contents"]] == keys[:2]
    assert first["IsTruncated"] is True and first["NextContinuationToken"]
    rest = aws.json("s3api", "list-objects-v2", "--bucket", bucket, "--no-paginate",
                    "--continuation-token", first["NextContinuationToken"])
    assert [o["Key"] for o in rest["Contents"]] == keys[2:]
    after = aws.json("s3api", "list-objects-v2", "--bucket", bucket, "--start-after", "b/d", "--no-paginate")
    assert [o["Key"] for o in after["Contents"]] == keys[4:]
    # `aws s3 ls` shows the same first level.
    listing = aws("s3", "ls", f"s3://{bucket}/").stdout
    assert "PRE a/" in listing and "PRE zz/" in listing and listing.rstrip().endswith("top")
    empty_and_delete(s3, bucket)


def test_aws_presigned_get(aws, s3, tmp_path):
    bucket = unique_bucket("aws-presign")
    s3.create_bucket(Bucket=bucket)
    data = os.urandom(300000)
    (tmp_path / "obj").write_bytes(data)
    key = "dir/with space/ünï.bin"
    aws("s3", "cp", str(tmp_path / "obj"), f"s3://{bucket}/{key}", "--no-progress")
    url = aws("s3", "presign", f"s3://{bucket}/{key}", "--expires-in", "600").stdout.strip()
    assert "X-Amz-Signature=" in url

    with urllib.request.urlopen(url) as response:
        assert response.status == 200
        assert hashlib.sha256(response.read()).digest() == hashlib.sha256(data).digest()
    fetched = tmp_path / "curl.bin"
    subprocess.run(["curl", "-sSf", "-o", str(fetched), url], check=True)
    assert sha256_file(fetched) == hashlib.sha256(data).hexdigest()

    # Any change to the signed URL breaks it.
    sig_at = url.index("X-Amz-Signature=") + len("X-Amz-Signature=")
    tampered = url[:sig_at] + ("0" if url[sig_at] != "0" else "1") + url[sig_at + 1:]
    with pytest.raises(urllib.error.HTTPError) as bad:
        urllib.request.urlopen(tampered)
    assert bad.value.code == 403 and xml_error_code(bad.value.read()) == "SignatureDoesNotMatch"
    empty_and_delete(s3, bucket)


def test_aws_copy_between_buckets(aws, s3, tmp_path):
    one, two = unique_bucket("aws-cp-a"), unique_bucket("aws-cp-b")
    s3.create_bucket(Bucket=one)
    s3.create_bucket(Bucket=two)
    write_random(tmp_path / "src", 2 * MIB + 17)
    aws("s3", "cp", str(tmp_path / "src"), f"s3://{one}/k", "--no-progress", "--content-type", "text/x-test")
    aws("s3", "cp", f"s3://{one}/k", f"s3://{two}/copied/k", "--no-progress")
    aws("s3", "cp", f"s3://{two}/copied/k", str(tmp_path / "dst"), "--no-progress")
    assert sha256_file(tmp_path / "dst") == sha256_file(tmp_path / "src")
    head = aws.json("s3api", "head-object", "--bucket", two, "--key", "copied/k")
    assert head["ETag"] == f'"{hashlib.md5((tmp_path / "src").read_bytes()).hexdigest()}"'
    assert head["ContentType"] == "text/x-test"
    for bucket in (one, two):
        empty_and_delete(s3, bucket)


def test_aws_checksums_and_content_md5(aws, s3, tmp_path):
    bucket = unique_bucket("aws-sum")
    s3.create_bucket(Bucket=bucket)
    data = os.urandom(123457)
    body = tmp_path / "body"
    body.write_bytes(data)
    crc32 = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    sha256 = base64.b64encode(hashlib.sha256(data).digest()).decode()

    put = aws.json("s3api", "put-object", "--bucket", bucket, "--key", "crc", "--body", str(body),
                   "--checksum-algorithm", "CRC32")
    assert put["ChecksumCRC32"] == crc32
    put = aws.json("s3api", "put-object", "--bucket", bucket, "--key", "sha", "--body", str(body),
                   "--checksum-algorithm", "SHA256")
    assert put["ChecksumSHA256"] == sha256
    for key, field, value in (("crc", "ChecksumCRC32", crc32), ("sha", "ChecksumSHA256", sha256)):
        out = tmp_path / f"{key}.out"
        got = aws.json("s3api", "get-object", "--bucket", bucket, "--key", key, "--checksum-mode", "ENABLED",
                       str(out))
        assert got[field] == value
        assert out.read_bytes() == data

    good_md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    aws("s3api", "put-object", "--bucket", bucket, "--key", "md5-ok", "--body", str(body), "--content-md5", good_md5)
    wrong_md5 = base64.b64encode(hashlib.md5(data + b"x").digest()).decode()
    bad = aws("s3api", "put-object", "--bucket", bucket, "--key", "md5-bad", "--body", str(body),
              "--content-md5", wrong_md5, check=False)
    assert bad.returncode != 0 and "(BadDigest)" in bad.stderr
    missing = aws("s3api", "head-object", "--bucket", bucket, "--key", "md5-bad", check=False)
    assert missing.returncode != 0 and "404" in missing.stderr
    empty_and_delete(s3, bucket)


# ---------------------------------------------------------------- boto3

def client_error(excinfo):
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_boto3_bucket_life_cycle(s3):
    bucket = unique_bucket("boto-life")
    s3.create_bucket(Bucket=bucket)
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    location = s3.get_bucket_location(Bucket=bucket)["LocationConstraint"]
    assert location in (None, "", "us-east-1")  # S3 answers an empty constraint for us-east-1
    with pytest.raises(ClientError) as again:
        s3.create_bucket(Bucket=bucket)
    assert client_error(again) == (409, "BucketAlreadyOwnedByYou")

    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    with pytest.raises(ClientError) as busy:
        s3.delete_bucket(Bucket=bucket)
    assert client_error(busy) == (409, "BucketNotEmpty")
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as gone:
        s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert client_error(gone) == (404, "NoSuchBucket")


def test_boto3_small_objects_and_metadata(s3):
    bucket = unique_bucket("boto-small")
    s3.create_bucket(Bucket=bucket)
    data = os.urandom(65537)
    put = s3.put_object(Bucket=bucket, Key="m/obj", Body=data, ContentType="application/x-akko",
                        ContentDisposition='attachment; filename="x.bin"', CacheControl="max-age=60",
                        Metadata={"owner": "alice", "note": "two words"})
    assert put["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="m/obj")
    assert hashlib.sha256(got["Body"].read()).digest() == hashlib.sha256(data).digest()
    assert got["ContentType"] == "application/x-akko"
    assert got["ContentDisposition"] == 'attachment; filename="x.bin"'
    assert got["CacheControl"] == "max-age=60"
    assert got["Metadata"] == {"owner": "alice", "note": "two words"}
    ranged = s3.get_object(Bucket=bucket, Key="m/obj", Range="bytes=100-199")
    assert ranged["Body"].read() == data[100:200] and ranged["ContentRange"] == f"bytes 100-199/{len(data)}"
    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket=bucket, Key="m/none")
    assert client_error(missing) == (404, "NoSuchKey")
    empty_and_delete(s3, bucket)


def test_boto3_large_multipart_object(s3, big_files, tmp_path):
    path, digest = big_files["other"]
    bucket = unique_bucket("boto-big")
    s3.create_bucket(Bucket=bucket)
    part = 32 * MIB
    config = TransferConfig(multipart_threshold=part, multipart_chunksize=part, max_concurrency=4)
    s3.upload_file(str(path), bucket, "big.bin", Config=config)
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == OTHER_BIG_SIZE
    assert head["ETag"] == multipart_etag(path, part)
    target = tmp_path / "down.bin"
    s3.download_file(bucket, "big.bin", str(target), Config=config)
    try:
        assert sha256_file(target) == digest
    finally:
        target.unlink()
        empty_and_delete(s3, bucket)


def test_boto3_list_with_delimiter(s3):
    bucket = unique_bucket("boto-list")
    s3.create_bucket(Bucket=bucket)
    keys = ["2024/01/a.parquet", "2024/01/b.parquet", "2024/02/c.parquet", "2025/x", "readme", "é/1", "z"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    prefixes, contents = [], []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Delimiter="/", PaginationConfig={
            "PageSize": 2}):
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        contents += [o["Key"] for o in page.get("Contents", [])]
    # Binary (UTF-8) order puts 'é/' (0xC3...) after 'z'.
    assert prefixes == ["2024/", "2025/", "é/"]
    assert contents == ["readme", "z"]
    months = s3.list_objects_v2(Bucket=bucket, Prefix="2024/", Delimiter="/")
    assert [p["Prefix"] for p in months["CommonPrefixes"]] == ["2024/01/", "2024/02/"]
    v1 = s3.list_objects(Bucket=bucket, Delimiter=".parquet", Prefix="2024/01/")
    assert [p["Prefix"] for p in v1["CommonPrefixes"]] == ["2024/01/a.parquet", "2024/01/b.parquet"]
    empty_and_delete(s3, bucket)


def test_boto3_presigned_get_and_put(s3):
    bucket = unique_bucket("boto-presign")
    s3.create_bucket(Bucket=bucket)
    data = os.urandom(200001)
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up/p.bin"}, ExpiresIn=600)
    request = urllib.request.Request(put_url, data=data, method="PUT")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
        assert response.headers["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    assert hashlib.sha256(s3.get_object(Bucket=bucket, Key="up/p.bin")["Body"].read()).digest() == \
        hashlib.sha256(data).digest()

    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "up/p.bin"}, ExpiresIn=600)
    with urllib.request.urlopen(get_url) as response:
        assert response.read() == data
    # The PUT URL does not let its holder read, nor the GET URL write.
    with pytest.raises(urllib.error.HTTPError) as wrong_method:
        urllib.request.urlopen(urllib.request.Request(get_url, data=b"evil", method="PUT"))
    assert wrong_method.value.code == 403 and xml_error_code(wrong_method.value.read()) == "SignatureDoesNotMatch"
    assert s3.get_object(Bucket=bucket, Key="up/p.bin")["Body"].read() == data
    empty_and_delete(s3, bucket)


def test_boto3_copy_object_replace_metadata(s3):
    bucket = unique_bucket("boto-copy")
    s3.create_bucket(Bucket=bucket)
    data = os.urandom(50000)
    s3.put_object(Bucket=bucket, Key="src", Body=data, ContentType="text/plain", Metadata={"a": "1"})
    s3.copy_object(Bucket=bucket, Key="kept", CopySource={"Bucket": bucket, "Key": "src"})
    kept = s3.head_object(Bucket=bucket, Key="kept")
    assert kept["Metadata"] == {"a": "1"} and kept["ContentType"] == "text/plain"

    s3.copy_object(Bucket=bucket, Key="replaced", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", ContentType="application/json", Metadata={"b": "2"})
    replaced = s3.get_object(Bucket=bucket, Key="replaced")
    assert replaced["Body"].read() == data
    assert replaced["Metadata"] == {"b": "2"} and replaced["ContentType"] == "application/json"
    assert replaced["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'

    with pytest.raises(ClientError) as onto_itself:
        s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"})
    assert client_error(onto_itself) == (400, "InvalidRequest")
    # With REPLACE, copying onto itself is how S3 changes metadata in place.
    s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"c": "3"})
    assert s3.head_object(Bucket=bucket, Key="src")["Metadata"] == {"c": "3"}
    empty_and_delete(s3, bucket)


def test_boto3_conditional_requests(s3):
    bucket = unique_bucket("boto-cond")
    s3.create_bucket(Bucket=bucket)
    data = b"conditional body\n"
    etag = f'"{hashlib.md5(data).hexdigest()}"'
    s3.put_object(Bucket=bucket, Key="k", Body=data)

    assert s3.get_object(Bucket=bucket, Key="k", IfMatch=etag)["Body"].read() == data
    with pytest.raises(ClientError) as not_modified:
        s3.get_object(Bucket=bucket, Key="k", IfNoneMatch=etag)
    assert not_modified.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(ClientError) as failed:
        s3.get_object(Bucket=bucket, Key="k", IfMatch='"0123456789abcdef0123456789abcdef"')
    assert client_error(failed) == (412, "PreconditionFailed")
    assert s3.get_object(Bucket=bucket, Key="k", IfNoneMatch='"0123456789abcdef0123456789abcdef"')[
        "Body"].read() == data

    # boto3 1.26's model has no IfNoneMatch on PutObject: add the header before signing.
    def if_none_match(request, **kwargs):
        request.headers["If-None-Match"] = "*"

    s3.meta.events.register("before-sign.s3.PutObject", if_none_match)
    try:
        s3.put_object(Bucket=bucket, Key="new", Body=b"first")
        with pytest.raises(ClientError) as exists:
            s3.put_object(Bucket=bucket, Key="new", Body=b"second")
        assert client_error(exists) == (412, "PreconditionFailed")
    finally:
        s3.meta.events.unregister("before-sign.s3.PutObject", if_none_match)
    assert s3.get_object(Bucket=bucket, Key="new")["Body"].read() == b"first"
    empty_and_delete(s3, bucket)


def test_raw_signed_conditional_put(akko, s3):
    """If-Match on PUT through a request signed by botocore's SigV4 signer and sent with http.client."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    bucket = unique_bucket("raw-cond")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v1")

    def put(body, headers):
        url = f"{akko.s3_endpoint}/{bucket}/k"
        request = AWSRequest(method="PUT", url=url, data=body,
                             headers={**headers, "x-amz-content-sha256": hashlib.sha256(body).hexdigest()})
        S3SigV4Auth(Credentials(akko.user, akko.password), "s3", "us-east-1").add_auth(request)
        connection = http.client.HTTPConnection(akko.host, akko.s3_port, timeout=30)
        try:
            connection.request("PUT", urllib.parse.urlsplit(url).path, body=body, headers=dict(request.headers))
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    status, body = put(b"v2", {"If-Match": '"ffffffffffffffffffffffffffffffff"'})
    assert status == 412 and xml_error_code(body) == "PreconditionFailed"
    status, _ = put(b"v2", {"If-Match": f'"{hashlib.md5(b"v1").hexdigest()}"'})
    assert status == 200
    status, body = put(b"v3", {"If-None-Match": "*"})
    assert status == 412 and xml_error_code(body) == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v2"
    empty_and_delete(s3, bucket)


def test_boto3_checksums(s3):
    bucket = unique_bucket("boto-sum")
    s3.create_bucket(Bucket=bucket)
    data = os.urandom(99999)
    sha256 = base64.b64encode(hashlib.sha256(data).digest()).decode()
    put = s3.put_object(Bucket=bucket, Key="k", Body=data, ChecksumAlgorithm="SHA256")
    assert put["ChecksumSHA256"] == sha256
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == sha256
    assert got["Body"].read() == data
    # A checksum that does not match the body stores nothing.
    with pytest.raises(ClientError) as bad:
        s3.put_object(Bucket=bucket, Key="bad", Body=data, ChecksumSHA256=base64.b64encode(b"\0" * 32).decode())
    assert client_error(bad) == (400, "BadDigest")
    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket=bucket, Key="bad")
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    empty_and_delete(s3, bucket)


# ---------------------------------------------------------------- rclone

class Rclone:
    def __init__(self, akko, tmp_path):
        config = tmp_path / "rclone.conf"
        config.write_text("")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RCLONE_"))}
        self.env.update({"RCLONE_CONFIG": str(config), "RCLONE_CONFIG_AKKO_TYPE": "s3",
                         "RCLONE_CONFIG_AKKO_PROVIDER": "Other", "RCLONE_CONFIG_AKKO_ENDPOINT": akko.s3_endpoint,
                         "RCLONE_CONFIG_AKKO_ACCESS_KEY_ID": akko.user,
                         "RCLONE_CONFIG_AKKO_SECRET_ACCESS_KEY": akko.password,
                         "RCLONE_CONFIG_AKKO_REGION": "us-east-1", "RCLONE_CONFIG_AKKO_FORCE_PATH_STYLE": "true"})

    def __call__(self, *args, check=True):
        return run(["rclone", "--retries", "1", "--low-level-retries", "1", *args], self.env, check=check)


@pytest.fixture
def rclone(akko, tmp_path):
    return Rclone(akko, tmp_path)


def test_rclone_bucket_life_cycle(rclone, s3, tmp_path):
    bucket = unique_bucket("rclone-life")
    rclone("mkdir", f"akko:{bucket}")
    assert f"{bucket}/" in rclone("lsf", "akko:").stdout.splitlines()
    (tmp_path / "f").write_bytes(b"x")
    rclone("copyto", str(tmp_path / "f"), f"akko:{bucket}/f")
    refused = rclone("rmdir", f"akko:{bucket}", check=False)
    assert refused.returncode != 0 and "BucketNotEmpty" in refused.stderr
    rclone("purge", f"akko:{bucket}")
    assert f"{bucket}/" not in rclone("lsf", "akko:").stdout.splitlines()
    with pytest.raises(ClientError):
        s3.head_bucket(Bucket=bucket)


def test_rclone_copy_check_and_large_object(rclone, big_files, tmp_path):
    path, digest = big_files["other"]
    bucket = unique_bucket("rclone-big")
    rclone("mkdir", f"akko:{bucket}")
    src = tmp_path / "src"
    write_tree(src)
    shutil.copyfile(path, src / "big.bin")  # above rclone's 200 MiB cutoff: multipart
    rclone("copy", str(src), f"akko:{bucket}/in", "--s3-chunk-size", "32M", "--s3-upload-concurrency", "4")
    check = rclone("check", str(src), f"akko:{bucket}/in")
    assert "0 differences found" in check.stderr
    assert f"{len(TREE) + 1} matching files" in check.stderr

    back = tmp_path / "back"
    rclone("copy", f"akko:{bucket}/in", str(back), "--multi-thread-streams", "4")
    try:
        assert sha256_file(back / "big.bin") == digest
        (src / "big.bin").unlink()
        (back / "big.bin").unlink()
        assert tree_digests(back) == expected_tree_digests()
    finally:
        rclone("purge", f"akko:{bucket}")


def test_rclone_sync_tree_and_lsf(rclone, tmp_path):
    bucket = unique_bucket("rclone-sync")
    rclone("mkdir", f"akko:{bucket}")
    src, back = tmp_path / "src", tmp_path / "back"
    write_tree(src)
    first = rclone("sync", str(src), f"akko:{bucket}/t", "-v")
    assert first.stderr.count(": Copied (new)") == len(TREE)
    second = rclone("sync", str(src), f"akko:{bucket}/t", "-v")
    assert ": Copied" not in second.stderr and ": Deleted" not in second.stderr
    assert "0 differences found" in rclone("check", str(src), f"akko:{bucket}/t").stderr

    assert sorted(rclone("lsf", "-R", "--files-only", f"akko:{bucket}/t").stdout.splitlines()) == sorted(TREE)
    assert rclone("lsf", f"akko:{bucket}/t").stdout.splitlines() == sorted(["a/", "empty.bin", "top.txt", "unicodé/"])

    rclone("sync", f"akko:{bucket}/t", str(back))
    assert tree_digests(back) == expected_tree_digests()
    assert ": Copied" not in rclone("sync", f"akko:{bucket}/t", str(back), "-v").stderr

    # sync makes the destination match: a removed file is deleted remotely.
    (src / "a/b/sibling.bin").unlink()
    third = rclone("sync", str(src), f"akko:{bucket}/t", "-v")
    assert third.stderr.count(": Deleted") == 1
    assert "a/b/sibling.bin" not in rclone("lsf", "-R", f"akko:{bucket}/t").stdout.splitlines()
    rclone("purge", f"akko:{bucket}")


# ---------------------------------------------------------------- s3cmd

class S3cmd:
    def __init__(self, akko, tmp_path):
        self.config = tmp_path / "s3cfg"
        host = f"{akko.host}:{akko.s3_port}"
        self.config.write_text(
            "[default]\n"
            f"access_key = {akko.user}\nsecret_key = {akko.password}\n"
            f"host_base = {host}\nhost_bucket = {host}\n"
            "use_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n"
            "multipart_chunk_size_mb = 32\nprogress_meter = False\n")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}

    def __call__(self, *args, check=True):
        return run(["s3cmd", "-c", self.config, *args], self.env, check=check)


@pytest.fixture
def s3cmd(akko, tmp_path):
    return S3cmd(akko, tmp_path)


def test_s3cmd_bucket_life_cycle_and_info(s3cmd, tmp_path):
    bucket = unique_bucket("s3cmd-life")
    s3cmd("mb", f"s3://{bucket}")
    assert f"s3://{bucket}" in s3cmd("ls").stdout.split()
    info = s3cmd("info", f"s3://{bucket}").stdout
    assert "Location:  us-east-1" in info

    data = os.urandom(40000)
    (tmp_path / "f").write_bytes(data)
    s3cmd("put", str(tmp_path / "f"), f"s3://{bucket}/dir/f")
    object_info = s3cmd("info", f"s3://{bucket}/dir/f").stdout
    assert f"MD5 sum:   {hashlib.md5(data).hexdigest()}" in object_info
    assert "File size: 40000" in object_info
    assert f"s3://{bucket}/dir/" in s3cmd("ls", f"s3://{bucket}").stdout
    assert f"s3://{bucket}/dir/f" in s3cmd("ls", f"s3://{bucket}/dir/").stdout

    refused = s3cmd("rb", f"s3://{bucket}", check=False)
    assert refused.returncode != 0 and "BucketNotEmpty" in refused.stderr
    s3cmd("get", f"s3://{bucket}/dir/f", str(tmp_path / "g"))
    assert (tmp_path / "g").read_bytes() == data
    s3cmd("del", f"s3://{bucket}/dir/f")
    assert s3cmd("ls", f"s3://{bucket}").stdout.strip() == ""
    s3cmd("rb", f"s3://{bucket}")
    assert f"s3://{bucket}" not in s3cmd("ls").stdout.split()


def test_s3cmd_large_multipart_object(s3cmd, big_files, tmp_path):
    path, digest = big_files["other"]
    bucket = unique_bucket("s3cmd-big")
    s3cmd("mb", f"s3://{bucket}")
    s3cmd("put", str(path), f"s3://{bucket}/big.bin")
    info = s3cmd("info", f"s3://{bucket}/big.bin").stdout
    assert f"File size: {OTHER_BIG_SIZE}" in info
    target = tmp_path / "down.bin"
    s3cmd("get", f"s3://{bucket}/big.bin", str(target))
    try:
        assert sha256_file(target) == digest
    finally:
        target.unlink()
        s3cmd("del", f"s3://{bucket}/big.bin")
        s3cmd("rb", f"s3://{bucket}")


def test_s3cmd_sync_tree_both_ways(s3cmd, tmp_path):
    bucket = unique_bucket("s3cmd-sync")
    s3cmd("mb", f"s3://{bucket}")
    src, back = tmp_path / "src", tmp_path / "back"
    write_tree(src)
    first = s3cmd("sync", f"{src}/", f"s3://{bucket}/t/")
    assert first.stdout.count("upload:") == len(TREE)
    assert s3cmd("sync", f"{src}/", f"s3://{bucket}/t/").stdout.count("upload:") == 0
    listed = s3cmd("ls", "-r", f"s3://{bucket}/t/").stdout
    for name in TREE:
        assert f"s3://{bucket}/t/{name}" in listed

    back.mkdir()
    down = s3cmd("sync", f"s3://{bucket}/t/", f"{back}/")
    assert down.stdout.count("download:") == len(TREE)
    assert tree_digests(back) == expected_tree_digests()
    assert s3cmd("sync", f"s3://{bucket}/t/", f"{back}/").stdout.count("download:") == 0

    s3cmd("del", "-r", f"s3://{bucket}/t/")
    s3cmd("rb", f"s3://{bucket}")
