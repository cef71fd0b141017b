"""A lake on Ceph RGW: akko with --warehouse s3://lake/wh writes and reads its tables through S3.

Expected values come from DuckDB computing the same rows on its own (tests/tools/duckdb_sql),
and what is on RGW is read back with boto3, then decoded with avsc and DuckDB (lake_files).
"""
import os
import pathlib
import re
import shutil
import socket
import subprocess

import psycopg2
import pytest

from ceph_rgw import CephRgw
from conftest import AKKO_BIN, AkkoServer
from lake_files import current_files, duckdb, duckdb_rows, load_metadata

BUCKET = "lake"
S3_STORE_TEST = pathlib.Path(AKKO_BIN).parent / "tests" / "s3_store_test"

# The table: 100,000 rows defined by formulas, so DuckDB can produce the same rows alone.
ROWS = ("SELECT i AS id, 'c' || (i % 7) AS category, i * 0.5 AS amount, DATE '2024-01-01' + (i % 30)::INTEGER AS day "
        "FROM range(100000) t(i)")
SUMMARY = ("SELECT category, count(*), sum(amount)::DOUBLE, min(id), max(id), count(DISTINCT day) FROM ({}) s "
           "GROUP BY category ORDER BY category")


@pytest.fixture(scope="module")
def rgw(tmp_path_factory):
    gateway = CephRgw(tmp_path_factory.mktemp("ceph"))
    print(f"ceph rgw started in {gateway.startup_seconds:.1f} s")
    gateway.client().create_bucket(Bucket=BUCKET)
    yield gateway
    gateway.stop()


def start_akko(rgw, data_dir, *extra):
    return AkkoServer(data_dir, extra_args=["--warehouse", f"s3://{BUCKET}/wh", "--s3-endpoint", rgw.endpoint,
                                            "--s3-access-key-id", rgw.access_key, "--s3-secret-access-key",
                                            rgw.secret_key, "--s3-cache-size", "64MB", *extra])


def text_rows(rows):
    """Rows with every value as text, as duckdb_sql prints them."""
    return [tuple(str(v) for v in row) for row in rows]


def query(server, *statements):
    """Each statement in its own transaction; the last one's rows."""
    conn = psycopg2.connect(server.dsn())
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            rows = None
            for statement in statements:
                cur.execute(statement)
                rows = text_rows(cur.fetchall()) if cur.description else None
            return rows
    finally:
        conn.close()


def as_tuples(rows):
    return text_rows(rows)


def mirror_warehouse(rgw, data_dir):
    """Copies every object of the bucket into data_dir/objects/<bucket>/..., as the local store
    would keep them, so lake_files reads what is on RGW with its usual tools."""
    client = rgw.client()
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix="wh/"):
        for item in page.get("Contents", []):
            local = pathlib.Path(data_dir) / "objects" / BUCKET / item["Key"]
            local.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(BUCKET, item["Key"], str(local))
            keys.append(item["Key"])
    return keys


def test_partitioned_table_on_rgw_survives_updates_deletes_and_restart(rgw, tmp_path):
    expected = as_tuples(duckdb(SUMMARY.format(ROWS)))
    assert len(expected) == 7
    server = start_akko(rgw, tmp_path / "data")
    try:
        query(server,
              "CREATE TABLE events (id bigint, category text, amount double, day date)",
              "ALTER TABLE events SET PARTITIONED BY (category, month(day))",
              f"INSERT INTO events {ROWS}")
        assert query(server, SUMMARY.format("SELECT * FROM events")) == expected
        pruned = "SELECT count(*), sum(amount)::DOUBLE FROM {} WHERE category = 'c3' AND day = DATE '2024-01-04'"
        assert query(server, pruned.format("events")) == as_tuples(duckdb(pruned.format(f"({ROWS}) r")))

        query(server,
              "UPDATE events SET amount = amount + 1000 WHERE category = 'c1' AND id < 50000",
              "DELETE FROM events WHERE id % 10 = 0")
        changed_rows = (f"SELECT id, category, CASE WHEN category = 'c1' AND id < 50000 THEN amount + 1000 ELSE amount END "
                        f"AS amount, day FROM ({ROWS}) r WHERE id % 10 <> 0")
        expected_after = as_tuples(duckdb(SUMMARY.format(changed_rows)))
        assert query(server, SUMMARY.format("SELECT * FROM events")) == expected_after
    finally:
        server.stop()
    assert "s3_retry" not in server.log_path.read_text()

    server = start_akko(rgw, tmp_path / "data")
    try:
        assert query(server, SUMMARY.format("SELECT * FROM events")) == expected_after
        assert query(server, "SELECT sum(id) FROM events WHERE day = DATE '2024-01-05'") == \
            [(as_tuples(duckdb(f"SELECT sum(id) FROM ({changed_rows}) r WHERE day = DATE '2024-01-05'"))[0][0],)]
    finally:
        server.stop()

    # What is on RGW is a complete Iceberg table: metadata, manifests and Parquet files under
    # partition directories, and DuckDB reading those files finds the same rows.
    keys = mirror_warehouse(rgw, tmp_path / "data")
    assert any(k.endswith(".metadata.json") for k in keys)
    assert any(re.search(r"/data/category[a-z_]*=c3/day_month=[^/]+/[^/]+\.parquet$", k) for k in keys), keys
    _, metadata = load_metadata(tmp_path / "data", "main", "events")
    assert metadata["location"].startswith(f"s3://{BUCKET}/wh/")
    files = current_files(tmp_path / "data", metadata)
    assert all(f["file_path"].startswith(f"s3://{BUCKET}/wh/") for f in files)
    assert any(f["content"] == 1 for f in files)  # the DELETE and UPDATE wrote position deletes
    rows = duckdb_rows(tmp_path / "data", metadata, "count(*), sum(amount)::DOUBLE")
    assert as_tuples(rows) == as_tuples(duckdb(f"SELECT count(*), sum(amount)::DOUBLE FROM ({changed_rows}) r"))


def test_large_data_file_is_uploaded_in_parts(rgw, tmp_path):
    # Hex digests, which compress only to about a third: some 30 MB of Parquet in one file,
    # above the 16 MiB multipart threshold.
    rows = ("SELECT i AS id, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) || md5((i + 2)::VARCHAR) AS payload "
            "FROM range(1000000) t(i)")
    server = start_akko(rgw, tmp_path / "data")
    try:
        query(server, "CREATE TABLE big (id bigint, payload text)", f"INSERT INTO big {rows}")
        check = "SELECT count(*), sum(length(payload)), sum(hash(payload)), min(payload), max(payload) FROM big"
        assert query(server, check) == as_tuples(duckdb(check.replace("FROM big", f"FROM ({rows}) r")))
    finally:
        server.stop()
    client = rgw.client()
    big = [o for o in client.list_objects_v2(Bucket=BUCKET, Prefix="wh/")["Contents"]
           if "/big" in o["Key"] and o["Key"].endswith(".parquet")]
    assert len(big) == 1 and big[0]["Size"] > 16 << 20
    # S3's ETag of a multipart object is the MD5 of its parts' MD5s, then "-" and the part count.
    assert big[0]["ETag"].strip('"').endswith(f"-{-(-big[0]['Size'] // (8 << 20))}")
    body = client.get_object(Bucket=BUCKET, Key=big[0]["Key"])["Body"].read()
    assert len(body) == big[0]["Size"] and body[:4] == b"PAR1" and body[-4:] == b"PAR1"


def test_store_against_rgw_byte_exact(rgw):
    """The C++ store's own test, run against RGW: multipart Put, ranged Get, paged List, Delete.
    Then boto3 reads the multipart object and compares it with the same bytes made here."""
    env = {**os.environ, "AKKO_TEST_S3_ENDPOINT": rgw.endpoint, "AKKO_TEST_S3_ACCESS_KEY_ID": rgw.access_key,
           "AKKO_TEST_S3_SECRET_ACCESS_KEY": rgw.secret_key, "AKKO_TEST_S3_BUCKET": BUCKET}
    out = subprocess.run([str(S3_STORE_TEST)], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SKIPPED" not in out.stdout
    body = rgw.client().get_object(Bucket=BUCKET, Key="store-test/multipart.bin")["Body"].read()
    size = (17 << 20) + 12345
    # The pattern s3_store_test writes: byte i is (i * 131 + i // 4096) mod 256.
    expected = bytes(((i * 131 + i // 4096) & 0xFF) for i in range(size))
    assert body == expected


def test_unreachable_endpoint_is_retried_then_reported(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    data_dir = tmp_path / "data"
    args = [str(AKKO_BIN), "serve", "--data-dir", str(data_dir), "--http-port", "0", "--pg-port", "0",
            "--warehouse", "s3://lake/wh", "--s3-endpoint", f"http://127.0.0.1:{port}",
            "--s3-access-key-id", "x", "--s3-secret-access-key", "y", "--admin-password", "pw"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert out.stderr.count('"s3_retry"') == 4, out.stderr
    assert "cannot reach the S3 service" in out.stderr and "after 5 attempts" in out.stderr, out.stderr


def test_maintenance_on_rgw_beside_the_server_and_after_restart(rgw, tmp_path):
    """Compaction from `akko maintenance` (another process, same metastore and bucket) while the
    server runs, then expiry and orphan removal by SQL; RGW keeps exactly what the table needs."""
    batches = [f"SELECT i AS id, i * 0.25 AS v FROM range({b * 1000}, {(b + 1) * 1000}) t(i)" for b in range(6)]
    survivors = " UNION ALL ".join(batches)
    survivors = f"SELECT * FROM ({survivors}) s WHERE id % 7 <> 0"
    expected = as_tuples(duckdb(f"SELECT count(*), sum(id), sum(v)::DOUBLE FROM ({survivors}) s"))
    summary = "SELECT count(*), sum(id), sum(v)::DOUBLE FROM m.small"
    server = start_akko(rgw, tmp_path / "data")
    try:
        query(server, "CREATE SCHEMA m", "CREATE TABLE m.small (id bigint, v double)",
              *[f"INSERT INTO m.small {batch}" for batch in batches], "DELETE FROM m.small WHERE id % 7 = 0")
        keys = mirror_warehouse(rgw, tmp_path / "data")
        _, metadata = load_metadata(tmp_path / "data", "m", "small")
        before = current_files(tmp_path / "data", metadata)
        assert sum(f["content"] == 0 for f in before) == 6 and any(f["content"] == 1 for f in before)
        orphan_key = metadata["location"].removeprefix(f"s3://{BUCKET}/") + "/data/left-by-a-crash.parquet"
        rgw.client().put_object(Bucket=BUCKET, Key=orphan_key, Body=b"PAR1 not referenced PAR1")

        out = subprocess.run([str(AKKO_BIN), "maintenance", "rewrite-data-files", "m.small", "--min-input-files", "2",
                              "--data-dir", str(tmp_path / "data"), "--warehouse", f"s3://{BUCKET}/wh",
                              "--s3-endpoint", rgw.endpoint, "--s3-access-key-id", rgw.access_key,
                              "--s3-secret-access-key", rgw.secret_key],
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        assert "rewritten_data_files_count=6" in out.stdout and "added_data_files_count=1" in out.stdout, out.stdout
        assert query(server, summary) == expected

        query(server, "CALL expire_snapshots('m.small', older_than => TIMESTAMP '2100-01-01', retain_last => 1)")
        removed = query(server, "CALL remove_orphan_files('m.small', older_than => TIMESTAMP '2100-01-01')")
        assert (f"s3://{BUCKET}/{orphan_key}",) in removed
        assert query(server, summary) == expected
    finally:
        server.stop()

    server = start_akko(rgw, tmp_path / "data")
    try:
        assert query(server, summary) == expected
        assert query(server, 'SELECT count(*) FROM m."small$snapshots"') == [("1",)]
    finally:
        server.stop()
    # On RGW: the compacted file, its metadata chain's current file, and nothing unreferenced.
    shutil.rmtree(tmp_path / "data" / "objects")
    keys = mirror_warehouse(rgw, tmp_path / "data")
    _, metadata = load_metadata(tmp_path / "data", "m", "small")
    after = current_files(tmp_path / "data", metadata)
    assert [f["content"] for f in after] == [0]
    table_keys = {k for k in keys if k.startswith(metadata["location"].removeprefix(f"s3://{BUCKET}/") + "/")}
    assert orphan_key not in table_keys
    assert {f"{BUCKET}/{k}" for k in table_keys if k.endswith(".parquet")} == \
        {f["file_path"].removeprefix("s3://") for f in after}
    assert as_tuples(duckdb_rows(tmp_path / "data", metadata, "count(*), sum(id), sum(v)::DOUBLE")) == expected
