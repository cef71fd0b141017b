"""The S3 API and the lake over one warehouse: Parquet uploaded with boto3 becomes a table by SQL,
a table written by SQL downloads with awscli and reads back in DuckDB, a SIGKILL at the worst
moments of an upload leaves no partial object, vended credentials from the Iceberg REST catalog
reach their table's location and nothing else, and files the lake deletes leave S3 listings.
Second sources: DuckDB reading the same Parquet directly (tests/tools/duckdb_sql), hashlib for
every byte and for S3's multipart ETag rule, S3's error codes as botocore parses them."""
import hashlib
import http.client
import io
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid

import boto3
import botocore.config
import psycopg2
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import AkkoServer
from iceberg_rest_client import RestClient
from lake_files import duckdb

WAREHOUSE = "akko-warehouse"
MiB = 1024 * 1024

# Every column as text, in both engines, so the comparison needs no Python type conversions.
COLUMNS = ("id::VARCHAR, big::VARCHAR, name, ratio::VARCHAR, day::VARCHAR, ts::VARCHAR, "
           "amount::VARCHAR, flag::VARCHAR")
SOURCE_ROWS = """SELECT i::INTEGER AS id, (i * 1000003)::BIGINT AS big,
       CASE WHEN i % 7 = 0 THEN NULL ELSE 'naïve ☃ ' || i END AS name,
       i / 8.0 AS ratio, DATE '2024-02-28' + (i % 400)::INTEGER AS day,
       TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) SECOND AS ts,
       (i * 1.25)::DECIMAL(12, 2) AS amount, i % 3 = 0 AS flag
FROM range(5000) r(i)"""


def unique(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def s3_client(server, **credentials):
    keys = credentials or {"aws_access_key_id": server.user, "aws_secret_access_key": server.password}
    # One attempt: a retry would hide which request the server answered.
    config = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                    s3={"addressing_style": "path"}, signature_version="s3v4")
    return boto3.client("s3", endpoint_url=server.s3_endpoint, region_name="us-east-1", config=config, **keys)


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    response = caught.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def all_keys(client, bucket, prefix=""):
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return keys


def sql(server, *statements):
    connection = psycopg2.connect(server.dsn())
    connection.autocommit = True
    try:
        cursor = connection.cursor()
        result = None
        for statement in statements:
            cursor.execute(statement)
            result = cursor.fetchall() if cursor.description else None
        return result
    finally:
        connection.close()


def as_text_rows(rows):
    return [list(row) for row in rows]


def table_key_prefix(server, namespace, table):
    """The table's location as a key of the warehouse bucket, from the Iceberg REST catalog."""
    rest = RestClient(server).login()
    response = rest.load_table([namespace], table)
    location = response.body["metadata"]["location"].rstrip("/")
    assert location.startswith(f"s3://{WAREHOUSE}/"), location
    return location[len(f"s3://{WAREHOUSE}/"):], response.body["metadata-location"]


# -- 1. Parquet uploaded with boto3 becomes a lake table --------------------------------------------

def test_uploaded_parquet_becomes_a_table(akko, tmp_path):
    local = tmp_path / "x.parquet"
    duckdb(f"COPY ({SOURCE_ROWS}) TO '{local}' (FORMAT parquet)")
    content = local.read_bytes()
    expected = duckdb(f"SELECT {COLUMNS} FROM read_parquet('{local}') ORDER BY id")
    assert len(expected) == 5000

    client = s3_client(akko)
    other = unique("raw").replace("_", "-")
    client.create_bucket(Bucket=other)
    client.upload_file(str(local), WAREHOUSE, "incoming/x.parquet")
    client.put_object(Bucket=other, Key="in/x.parquet", Body=content)
    for bucket, key in ((WAREHOUSE, "incoming/x.parquet"), (other, "in/x.parquet")):
        assert sha256(client.get_object(Bucket=bucket, Key=key)["Body"].read()) == sha256(content)

    ns = unique("s3in")
    sql(akko, f"CREATE SCHEMA {ns}",
        f"CREATE TABLE {ns}.t AS SELECT * FROM read_parquet('s3://{WAREHOUSE}/incoming/x.parquet')",
        f"CREATE TABLE {ns}.u AS SELECT * FROM read_parquet('s3://{WAREHOUSE}/incoming/x.parquet') LIMIT 0",
        f"INSERT INTO {ns}.u SELECT * FROM read_parquet('s3://{other}/in/x.parquet')")
    for table in ("t", "u"):
        got = sql(akko, f"SELECT {COLUMNS} FROM {ns}.{table} ORDER BY id")
        assert as_text_rows(got) == expected, table
    # The engine reads the uploaded object in place, the same rows as DuckDB alone.
    direct = sql(akko, f"SELECT {COLUMNS} FROM read_parquet('s3://{other}/in/x.parquet') ORDER BY id")
    assert as_text_rows(direct) == expected


# -- 2. A table written by SQL downloads with awscli ------------------------------------------------

def test_sql_table_downloads_with_awscli(akko, tmp_path):
    ns = unique("s3out")
    sql(akko, f"CREATE SCHEMA {ns}", f"CREATE TABLE {ns}.t (id INTEGER, name VARCHAR, amount DECIMAL(12, 2))",
        f"INSERT INTO {ns}.t SELECT i, 'row ' || i, i * 0.5 FROM range(3000) r(i)",
        f"INSERT INTO {ns}.t VALUES (-1, NULL, NULL), (-2, 'ünï', 12.34)")
    expected = sql(akko, f"SELECT id::VARCHAR, name, amount::VARCHAR FROM {ns}.t ORDER BY id")
    assert len(expected) == 3002

    prefix, metadata_location = table_key_prefix(akko, ns, "t")
    env = akko.s3_env()
    aws = ["aws", "--endpoint-url", akko.s3_endpoint]
    listing = subprocess.run([*aws, "s3", "ls", "--recursive", f"s3://{WAREHOUSE}/"], env=env,
                             capture_output=True, text=True, check=True).stdout
    listed = {line.split(None, 3)[3] for line in listing.splitlines() if line.strip()}
    table_keys = sorted(k for k in listed if k.startswith(prefix + "/"))
    assert metadata_location[len(f"s3://{WAREHOUSE}/"):] in table_keys
    assert any(k.startswith(prefix + "/data/") and k.endswith(".parquet") for k in table_keys), table_keys
    assert any(k.endswith(".avro") for k in table_keys), table_keys
    assert not [k for k in listed if ".akko-" in k], listed

    down = tmp_path / "down"
    subprocess.run([*aws, "s3", "cp", "--recursive", "--only-show-errors", f"s3://{WAREHOUSE}/{prefix}/", str(down)],
                   env=env, check=True, capture_output=True)
    downloaded = sorted(str(p.relative_to(down)) for p in down.rglob("*") if p.is_file())
    assert [f"{prefix}/{k}" for k in downloaded] == table_keys
    # Every byte equals the file the lake wrote.
    objects = pathlib.Path(akko.data_dir) / "objects" / WAREHOUSE
    for key in downloaded:
        assert sha256((down / key).read_bytes()) == sha256((objects / prefix / key).read_bytes()), key

    # Only inserts, so every data file is live: DuckDB over the downloaded files has the table's rows.
    parquet = sorted(str(p) for p in (down / "data").rglob("*.parquet"))
    assert len(parquet) >= 2, parquet
    files = ", ".join(f"'{p}'" for p in parquet)
    got = duckdb(f"SELECT id::VARCHAR, name, amount::VARCHAR FROM read_parquet([{files}]) ORDER BY id")
    assert got == as_text_rows(expected)
    metadata = json.loads((down / metadata_location[len(f"s3://{WAREHOUSE}/{prefix}/"):]).read_text())
    assert metadata["location"].rstrip("/") == f"s3://{WAREHOUSE}/{prefix}"


# -- 3. Crash safety --------------------------------------------------------------------------------

def staging_files(data_dir):
    return [p for p in (pathlib.Path(data_dir) / "objects").glob("*/.akko-tmp/*")]


def restart(server):
    """SIGKILL, then the cleanup rule of docs/objstore.md: staging files an hour old go when the
    store opens. The leftovers are aged by two hours so the restart must remove them."""
    server.stop(signal.SIGKILL)
    assert server.process.returncode == -signal.SIGKILL
    leftovers = staging_files(server.data_dir)
    aged = time.time() - 7200
    for path in leftovers:
        os.utime(path, (aged, aged), follow_symlinks=False)
    again = AkkoServer(server.data_dir)
    assert staging_files(again.data_dir) == []
    return again, leftovers


def open_slow_put(server, bucket, key, total):
    """A presigned PUT announcing `total` bytes, of which the caller sends only a part."""
    url = s3_client(server).generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key})
    parsed = urllib.parse.urlsplit(url)
    sock = socket.create_connection((server.host, server.s3_port))
    sock.sendall((f"PUT {parsed.path}?{parsed.query} HTTP/1.1\r\nHost: {parsed.netloc}\r\n"
                  f"Content-Length: {total}\r\n\r\n").encode())
    return sock


def wait_for(condition, what, timeout=30):
    """Polls a condition the server's own files show (no fixed sleep stands in for an event)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def test_kill_while_uploads_stream(fresh_akko):
    server = fresh_akko()
    client = s3_client(server)
    bucket = "crash-put"
    client.create_bucket(Bucket=bucket)
    old = os.urandom(3 * MiB + 17)
    client.put_object(Bucket=bucket, Key="replaced.bin", Body=old)

    # Uploads that complete: their answers arrive before the kill.
    done = {}
    for i in range(4):
        body = os.urandom(MiB * (i + 1) + i)
        client.put_object(Bucket=bucket, Key=f"done/{i}.bin", Body=body)
        done[f"done/{i}.bin"] = sha256(body)
    multipart = os.urandom(20 * MiB + 5)
    client.upload_fileobj(io.BytesIO(multipart), bucket, "done/multipart.bin",
                          Config=TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB))
    done["done/multipart.bin"] = sha256(multipart)

    # A writer that keeps putting while the server dies; it records each answer it got.
    answered, stop = [], threading.Event()
    bodies = {}

    def keep_putting():
        i = 0
        while not stop.is_set():
            body = os.urandom(256 * 1024 + i)
            bodies[i] = body
            try:
                client.put_object(Bucket=bucket, Key=f"loop/{i:05d}", Body=body)
            except Exception:
                return
            answered.append(i)
            i += 1

    # Two large PUTs streaming slowly: one replacing an object, one creating a key.
    total = 64 * MiB
    chunk = os.urandom(MiB)
    slow = [open_slow_put(server, bucket, "replaced.bin", total), open_slow_put(server, bucket, "new.bin", total)]
    for sock in slow:
        for _ in range(6):
            sock.sendall(chunk)
    writer = threading.Thread(target=keep_putting)
    writer.start()
    try:
        wait_for(lambda: sum(p.stat().st_size for p in staging_files(server.data_dir)) >= 4 * MiB,
                 "the slow uploads to reach their staging files")
        wait_for(lambda: len(answered) >= 3, "the writer's first answers")
        server2, leftovers = restart(server)
    finally:
        stop.set()
        writer.join()
        for sock in slow:
            sock.close()
    try:
        assert leftovers, "the killed uploads left no staging file: the kill came too late to test anything"
        client = s3_client(server2)
        keys = all_keys(client, bucket)
        assert not [k for k in keys if ".akko-" in k], keys
        assert "new.bin" not in keys
        assert error_of(client.get_object, Bucket=bucket, Key="new.bin") == (404, "NoSuchKey")
        assert sha256(client.get_object(Bucket=bucket, Key="replaced.bin")["Body"].read()) == sha256(old)
        for key, digest in done.items():
            assert sha256(client.get_object(Bucket=bucket, Key=key)["Body"].read()) == digest, key
        for i in answered:
            body = client.get_object(Bucket=bucket, Key=f"loop/{i:05d}")["Body"].read()
            assert sha256(body) == sha256(bodies[i]), i
        # The PUT in flight at the kill is absent or whole.
        last = len(answered)
        if f"loop/{last:05d}" in keys:
            body = client.get_object(Bucket=bucket, Key=f"loop/{last:05d}")["Body"].read()
            assert sha256(body) == sha256(bodies[last])
        assert set(keys) <= {"replaced.bin", *done, *(f"loop/{i:05d}" for i in range(last + 1))}, keys
    finally:
        server2.stop()


def signed_headers(server, method, url, body):
    request = AWSRequest(method=method, url=url, data=body)
    S3SigV4Auth(Credentials(server.user, server.password), "s3", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_kill_during_complete_multipart_upload(fresh_akko):
    server = fresh_akko()
    client = s3_client(server)
    bucket = "crash-mpu"
    key = "big/object.bin"
    client.create_bucket(Bucket=bucket)
    old = os.urandom(MiB)
    client.put_object(Bucket=bucket, Key=key, Body=old)

    block = os.urandom(100 * MiB)
    parts = [block, block[MiB:] + block[:MiB], block[2 * MiB:] + block[:2 * MiB] + b"tail"]
    upload = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etags = []
    for number, part in enumerate(parts, 1):
        etags.append(client.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number,
                                        Body=part)["ETag"])
    whole = hashlib.sha256()
    for part in parts:
        whole.update(part)
    expected_etag = '"%s-%d"' % (hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest(),
                                 len(parts))
    assert [e.strip('"') for e in etags] == [hashlib.md5(p).hexdigest() for p in parts]

    body = ("<CompleteMultipartUpload>" + "".join(
        f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in enumerate(etags, 1)) +
        "</CompleteMultipartUpload>").encode()
    url = f"{server.s3_endpoint}/{bucket}/{key}?uploadId={upload}"
    headers = signed_headers(server, "POST", url, body)
    connection = http.client.HTTPConnection(server.host, server.s3_port)
    connection.request("POST", f"/{bucket}/{key}?uploadId={upload}", body=body, headers=headers)
    # Kill once the server is joining the parts (a staging file) or has just finished (the new size).
    target = pathlib.Path(server.data_dir) / "objects" / bucket / key
    size = sum(len(p) for p in parts)
    wait_for(lambda: staging_files(server.data_dir) or target.stat().st_size == size, "the join to start")
    server2, _ = restart(server)
    connection.close()
    try:
        client = s3_client(server2)
        keys = all_keys(client, bucket)
        assert keys == [key], keys
        content = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert sha256(content) in (sha256(old), whole.hexdigest())
        # Completing again finishes the job whether or not the first attempt landed.
        completed = client.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]})
        assert completed["ETag"] == expected_etag
        got = client.get_object(Bucket=bucket, Key=key)
        assert got["ETag"] == expected_etag
        digest = hashlib.sha256()
        for piece in got["Body"].iter_chunks(8 * MiB):
            digest.update(piece)
        assert digest.hexdigest() == whole.hexdigest()
        assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
        assert not [k for k in all_keys(client, bucket) if k != key]
    finally:
        server2.stop()


# -- 4. Vended credentials --------------------------------------------------------------------------

def test_vended_credentials_reach_only_the_table(akko):
    ns = unique("vend")
    sql(akko, f"CREATE SCHEMA {ns}", f"CREATE TABLE {ns}.t AS SELECT i AS id FROM range(10) r(i)",
        f"CREATE TABLE {ns}.other AS SELECT 1 AS id")
    prefix, _ = table_key_prefix(akko, ns, "t")
    other_prefix, _ = table_key_prefix(akko, ns, "other")
    admin = s3_client(akko)

    rest = RestClient(akko).login()
    config = {**rest.config.get("defaults", {}), **rest.config.get("overrides", {})}
    assert config.get("s3.endpoint") == akko.s3_endpoint, config

    from_route = rest.catalog("GET", rest.table_path([ns], "t") + "/credentials")
    assert from_route.status == 200, from_route
    loaded = rest.load_table([ns], "t", headers={"X-Iceberg-Access-Delegation": "vended-credentials"})
    for response in (from_route, loaded):
        credential = next(c for c in response.body["storage-credentials"]
                          if c["prefix"].rstrip("/") == f"s3://{WAREHOUSE}/{prefix}")
        keys = credential["config"]
        assert keys["s3.access-key-id"].startswith("ASIA"), keys
        vended = s3_client(akko, aws_access_key_id=keys["s3.access-key-id"],
                           aws_secret_access_key=keys["s3.secret-access-key"],
                           aws_session_token=keys["s3.session-token"])

        # Inside the location: list, read (the same bytes the admin reads), write, delete.
        inside = all_keys(vended, WAREHOUSE, prefix + "/")
        assert sorted(inside) == sorted(all_keys(admin, WAREHOUSE, prefix + "/"))
        data_key = next(k for k in inside if k.endswith(".parquet"))
        assert sha256(vended.get_object(Bucket=WAREHOUSE, Key=data_key)["Body"].read()) == \
            sha256(admin.get_object(Bucket=WAREHOUSE, Key=data_key)["Body"].read())
        body = os.urandom(1000)
        vended.put_object(Bucket=WAREHOUSE, Key=f"{prefix}/extra/written.bin", Body=body)
        assert sha256(admin.get_object(Bucket=WAREHOUSE, Key=f"{prefix}/extra/written.bin")["Body"].read()) == \
            sha256(body)
        vended.delete_object(Bucket=WAREHOUSE, Key=f"{prefix}/extra/written.bin")
        assert error_of(admin.head_object, Bucket=WAREHOUSE, Key=f"{prefix}/extra/written.bin")[0] == 404
        vended.head_bucket(Bucket=WAREHOUSE)

        # Outside: another table, a sibling whose name extends the location, the bucket root, other buckets.
        other_key = next(k for k in all_keys(admin, WAREHOUSE, other_prefix + "/") if k.endswith(".parquet"))
        denied = (403, "AccessDenied")
        assert error_of(vended.get_object, Bucket=WAREHOUSE, Key=other_key) == denied
        assert error_of(vended.put_object, Bucket=WAREHOUSE, Key=f"{other_prefix}/data/x.parquet", Body=b"x") == \
            denied
        assert error_of(vended.put_object, Bucket=WAREHOUSE, Key=f"{prefix}-evil/x", Body=b"x") == denied
        assert error_of(vended.put_object, Bucket=WAREHOUSE, Key="incoming/x", Body=b"x") == denied
        assert error_of(vended.list_objects_v2, Bucket=WAREHOUSE) == denied
        assert error_of(vended.list_objects_v2, Bucket=WAREHOUSE, Prefix=other_prefix + "/") == denied
        # A prefix without its slash would also match siblings whose names extend the location.
        assert error_of(vended.list_objects_v2, Bucket=WAREHOUSE, Prefix=prefix) == denied
        assert error_of(vended.list_multipart_uploads, Bucket=WAREHOUSE, Prefix=prefix) == denied
        assert error_of(vended.delete_objects, Bucket="other-bucket-x",
                        Delete={"Objects": [{"Key": f"{prefix}/a"}]}) == denied
        assert error_of(vended.delete_object, Bucket=WAREHOUSE, Key=other_key) == denied
        assert error_of(vended.create_bucket, Bucket=unique("vb").replace("_", "-")) == denied
        assert error_of(vended.list_buckets) == denied
        assert admin.head_object(Bucket=WAREHOUSE, Key=other_key)["ContentLength"] > 0
        assert error_of(admin.head_object, Bucket=WAREHOUSE, Key=f"{prefix}-evil/x")[0] == 404

        wrong = s3_client(akko, aws_access_key_id=keys["s3.access-key-id"],
                          aws_secret_access_key=keys["s3.secret-access-key"],
                          aws_session_token=keys["s3.session-token"][:-4] + "AAAA")
        assert error_of(wrong.get_object, Bucket=WAREHOUSE, Key=data_key) == (400, "InvalidToken")
        missing = s3_client(akko, aws_access_key_id=keys["s3.access-key-id"],
                            aws_secret_access_key=keys["s3.secret-access-key"])
        assert error_of(missing.get_object, Bucket=WAREHOUSE, Key=data_key)[0] in (400, 403)
    # The table is untouched by all of it.
    assert sql(akko, f"SELECT count(*), sum(id) FROM {ns}.t") == [(10, 45)]


# -- 5. What the lake deletes leaves S3 -------------------------------------------------------------

def test_files_the_lake_deletes_leave_s3(akko):
    ns = unique("gone")
    sql(akko, f"CREATE SCHEMA {ns}", f"CREATE TABLE {ns}.t AS SELECT i AS id FROM range(100) r(i)",
        f"INSERT INTO {ns}.t VALUES (1000)")
    prefix, _ = table_key_prefix(akko, ns, "t")
    client = s3_client(akko)
    before = all_keys(client, WAREHOUSE, prefix + "/")
    assert any(k.endswith(".parquet") for k in before), before

    # An orphan put through S3 under the table's location; remove_orphan_files deletes it.
    orphan = f"{prefix}/data/orphan-{uuid.uuid4().hex}.parquet"
    client.put_object(Bucket=WAREHOUSE, Key=orphan, Body=b"not referenced")
    removed = sql(akko, f"CALL remove_orphan_files('{ns}.t', older_than => TIMESTAMP '2999-01-01 00:00:00')")
    assert [r[0] for r in removed] == [f"s3://{WAREHOUSE}/{orphan}"]
    assert orphan not in all_keys(client, WAREHOUSE, prefix + "/")
    assert error_of(client.get_object, Bucket=WAREHOUSE, Key=orphan) == (404, "NoSuchKey")
    assert sorted(all_keys(client, WAREHOUSE, prefix + "/")) == sorted(before)
    assert sql(akko, f"SELECT count(*) FROM {ns}.t") == [(101,)]

    # DROP TABLE deletes every file of the table: none is listed or served afterwards.
    sql(akko, f"DROP TABLE {ns}.t")
    assert all_keys(client, WAREHOUSE, prefix + "/") == []
    for key in before:
        assert error_of(client.head_object, Bucket=WAREHOUSE, Key=key)[0] == 404, key
    assert not [k for k in all_keys(client, WAREHOUSE) if k.startswith(prefix + "/")]


def test_abandoned_uploads_expire(fresh_akko):
    """Multipart uploads left unfinished longer than --s3-upload-expiry-hours are aborted (at
    start, then hourly); younger ones, and their parts, survive."""
    server = fresh_akko()
    client = s3_client(server)
    client.create_bucket(Bucket="expiry")
    abandoned = client.create_multipart_upload(Bucket="expiry", Key="abandoned.bin")["UploadId"]
    client.upload_part(Bucket="expiry", Key="abandoned.bin", UploadId=abandoned, PartNumber=1, Body=b"x" * 1000)
    server.stop()

    # A day's expiry keeps it.
    kept = AkkoServer(server.data_dir, extra_args=("--s3-upload-expiry-hours", "24"))
    try:
        parts = s3_client(kept).list_parts(Bucket="expiry", Key="abandoned.bin", UploadId=abandoned)["Parts"]
        assert [(p["PartNumber"], p["Size"]) for p in parts] == [(1, 1000)]
    finally:
        kept.stop()

    # An expiry of zero hours: every unfinished upload is abandoned; the start-up sweep aborts it.
    swept = AkkoServer(server.data_dir, extra_args=("--s3-upload-expiry-hours", "0"))
    try:
        client = s3_client(swept)
        assert error_of(client.list_parts, Bucket="expiry", Key="abandoned.bin", UploadId=abandoned) == \
            (404, "NoSuchUpload")
        assert client.list_multipart_uploads(Bucket="expiry").get("Uploads", []) == []
        assert '"event":"s3_uploads_expired"' in swept.log_text()
        # Its bucket is empty now and may go.
        client.delete_bucket(Bucket="expiry")
    finally:
        swept.stop()
