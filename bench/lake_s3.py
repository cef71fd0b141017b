#!/usr/bin/python3
"""A lake on external S3: the same 10M-row table scanned from Ceph RGW and from the local store.

Two akko servers in one run: one on the embedded local store, one with `--warehouse s3://bench/wh`
on a throwaway Ceph RGW on loopback (tests/integration/ceph_rgw.py: one monitor, one memstore
OSD). Each loads the same rows with the same INSERT ... SELECT, then runs the lake benchmark's
scan queries from psycopg2: the first run (RGW: every byte comes over HTTP through the engine's
range reads; local: the page cache is warm from the load) and then AKKO_BENCH_LAKE_REPEAT warm
runs (RGW: served from akko's local block cache). The baseline is the local store, same query,
same run. The load time is reported too (RGW: multipart uploads of the Parquet files).

Knobs: AKKO_BENCH_LAKE_ROWS (10000000), AKKO_BENCH_LAKE_REPEAT (10).
"""
import pathlib
import shutil
import sys
import time

import psycopg2

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import benchlib  # noqa: E402
import lake  # noqa: E402

sys.path.insert(0, str(benchlib.ROOT / "tests" / "integration"))
from ceph_rgw import CephRgw  # noqa: E402

BUCKET = "bench"


def run_server(label, data_dir, extra_args):
    server = benchlib.AkkoServer(data_dir, extra_args)
    try:
        connection = psycopg2.connect(server.dsn())
        connection.autocommit = True
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for statement in lake.SCAN_CREATE:
                cursor.execute(statement)
            load_s = time.perf_counter() - started
        queries = []
        for name, query in lake.SCAN_QUERIES:
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(query)
                rows = cursor.fetchall()
                first_ms = (time.perf_counter() - started) * 1000
            warm = lake.akko_timed(connection, query, lake.REPEAT)
            queries.append({"query": name, "first_ms": first_ms, "warm_ms": benchlib.median(warm["times_ms"]),
                            "rows": [list(map(str, r)) for r in rows]})
            print(f"  {label}: {name}: first {first_ms:.0f} ms, warm median {queries[-1]['warm_ms']:.0f} ms", flush=True)
        connection.close()
        return {"load_s": load_s, "queries": queries}
    finally:
        server.stop()


def main():
    base = benchlib.work_dir("akko-bench-s3-")
    rgw = None
    try:
        print(f"== lake on Ceph RGW vs local store ({lake.ROWS:,} rows, {lake.REPEAT} warm runs)", flush=True)
        started = time.perf_counter()
        rgw = CephRgw(base / "rgw")
        rgw_start_s = time.perf_counter() - started
        rgw.client().create_bucket(Bucket=BUCKET)
        local = run_server("local", base / "local", [])
        remote = run_server("rgw", base / "rgw-akko",
                            ["--warehouse", f"s3://{BUCKET}/wh", "--s3-endpoint", rgw.endpoint,
                             "--s3-access-key-id", rgw.access_key, "--s3-secret-access-key", rgw.secret_key])
        rows = [["load (INSERT ... SELECT)", f"{remote['load_s']:.1f} s", f"{local['load_s']:.1f} s",
                 benchlib.fmt_ratio(remote["load_s"], local["load_s"])]]
        for r, l in zip(remote["queries"], local["queries"]):
            if r["rows"] != l["rows"]:
                raise RuntimeError(f"{r['query']}: RGW and local answers differ: {r['rows']} vs {l['rows']}")
            rows.append([f"{r['query']}, first run", f"{r['first_ms']:.0f} ms", f"{l['first_ms']:.0f} ms",
                         benchlib.fmt_ratio(r["first_ms"], l["first_ms"])])
            rows.append([f"{r['query']}, warm median", f"{r['warm_ms']:.0f} ms", f"{l['warm_ms']:.0f} ms",
                         benchlib.fmt_ratio(r["warm_ms"], l["warm_ms"])])
        print()
        print(benchlib.table(["step", "Ceph RGW", "local store", "RGW / local"], rows))
        print(f"(RGW started in {rgw_start_s:.1f} s; answers identical on both)")
        benchlib.write_result("lake_s3", {"rows": lake.ROWS, "repeat": lake.REPEAT, "rgw_start_s": rgw_start_s,
                                          "rgw": remote, "local": local})
    finally:
        if rgw:
            rgw.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
