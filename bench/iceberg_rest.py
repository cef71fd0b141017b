#!/usr/bin/python3
"""Iceberg REST catalog: load-table latency and throughput, on the SQLite and PostgreSQL metastores.

wrk drives GET /iceberg/v1/namespaces/bench/tables/events with a bearer token, at 1 and 32
concurrent connections; the baseline is GET /health on the same server in the same run (the
HTTP stack's own floor: what the catalog adds is the difference). The table carries real
history: AKKO_BENCH_REST_COMMITS inserts through SQL, each a snapshot, so its metadata is the
size a busy table's is.

    bench/iceberg_rest.py    (knobs: AKKO_BENCH_REST_SECONDS [10], AKKO_BENCH_REST_COMMITS [50],
                              AKKO_BENCH_CLIENTS ["1 32"])
"""
import json
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request

import benchlib

SECONDS = benchlib.env_int("AKKO_BENCH_REST_SECONDS", 10)
COMMITS = benchlib.env_int("AKKO_BENCH_REST_COMMITS", 50)
CLIENTS = benchlib.env_list("AKKO_BENCH_CLIENTS", [1, 32])
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def token(http_port):
    body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": "admin",
                                   "client_secret": benchlib.ADMIN_PASSWORD, "scope": "PRINCIPAL_ROLE:ALL"}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{http_port}/iceberg/v1/oauth/tokens", data=body,
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["access_token"]


def wrk(url, clients, headers=()):
    """Runs wrk; returns requests/s and the p50/p99 latencies in ms it measured."""
    args = ["wrk", "--latency", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{SECONDS}s"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} failed responses from {url}:\n{out}")
    percentiles = {m.group(1): float(m.group(2)) * UNITS[m.group(3)]
                   for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)$", out, re.M)}
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"requests_per_s": rate, "p50_ms": percentiles["50"], "p99_ms": percentiles["99"]}


def measure(label, extra_args, base):
    data_dir = base / f"akko-{label}"
    server = benchlib.AkkoServer(data_dir, extra_args)
    try:
        benchlib.psql(server, "CREATE SCHEMA bench")
        benchlib.psql(server, "CREATE TABLE bench.events (id BIGINT, kind VARCHAR, happened TIMESTAMP)")
        for i in range(COMMITS):
            benchlib.psql(server, f"INSERT INTO bench.events VALUES ({i}, 'k{i % 7}', TIMESTAMP '2026-01-01' + INTERVAL ({i}) MINUTE)")
        http_port = json.loads((data_dir / "ports.json").read_text())["http"]
        auth = f"Authorization: Bearer {token(http_port)}"
        load_url = f"http://127.0.0.1:{http_port}/iceberg/v1/namespaces/bench/tables/events"
        with urllib.request.urlopen(urllib.request.Request(load_url, headers=dict([auth.split(": ", 1)]))) as response:
            metadata_bytes = len(response.read())
        results = []
        for clients in CLIENTS:
            load = wrk(load_url, clients, [auth])
            health = wrk(f"http://127.0.0.1:{http_port}/health", clients)
            results.append({"clients": clients, "load_table": load, "health": health})
            print(f"  {label}, {clients} client(s): load-table {load['requests_per_s']:.0f} req/s, p50 "
                  f"{load['p50_ms']:.3f} ms, p99 {load['p99_ms']:.3f} ms; /health {health['requests_per_s']:.0f} "
                  f"req/s, p50 {health['p50_ms']:.3f} ms", flush=True)
        return {"metastore": label, "metadata_bytes": metadata_bytes, "results": results}
    finally:
        server.stop()


def main():
    if not shutil.which("wrk"):
        sys.exit("iceberg_rest: wrk not found (scripts/setup installs it)")
    base = benchlib.work_dir("akko-bench-rest-")
    postgres = None
    try:
        print(f"== Iceberg REST load-table ({COMMITS} snapshots, {SECONDS} s per point, wrk)", flush=True)
        runs = [measure("sqlite", [], base)]
        postgres = benchlib.RealPostgres(base)
        benchlib.psql(postgres, "CREATE DATABASE akko_metastore")
        uri = f"postgresql://postgres@127.0.0.1:{postgres.port}/akko_metastore"
        runs.append(measure("postgresql", ["--metastore", uri], base))
        rows = []
        for run in runs:
            for entry in run["results"]:
                load, health = entry["load_table"], entry["health"]
                rows.append([run["metastore"], entry["clients"], f"{load['p50_ms']:.3f}", f"{load['p99_ms']:.3f}",
                             f"{load['requests_per_s']:.0f}", f"{health['p50_ms']:.3f}", f"{health['requests_per_s']:.0f}",
                             benchlib.fmt_ratio(health["requests_per_s"], load["requests_per_s"])])
        print()
        print(benchlib.table(["metastore", "clients", "load p50 ms", "load p99 ms", "load req/s", "/health p50 ms",
                              "/health req/s", "cost vs /health"], rows))
        benchlib.write_result("iceberg_rest", {"seconds": SECONDS, "commits": COMMITS, "runs": runs})
    finally:
        if postgres:
            postgres.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
