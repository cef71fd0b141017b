#!/usr/bin/python3
"""Streaming benchmark: rows per second from `SELECT * FROM t` (10M rows x 5 columns) to real
clients, on akko and on a real PostgreSQL 15 holding the same rows, beside DuckDB producing
the same result in-process (bench/stream_baseline, through akko::engine::Engine).

Clients: psql (buffers the whole result), psql with FETCH_COUNT (a cursor, fetched in
batches), psycopg2 with a server-side named cursor (itersize 100k) iterating every row.

Knobs (environment): AKKO_BENCH_STREAM_ROWS (10000000), AKKO_BENCH_REPEAT (3; the median is
reported), AKKO_BENCH_FETCH (100000: FETCH_COUNT and itersize), AKKO_BIN,
AKKO_STREAM_BASELINE (default $BUILD_DIR/bench/stream_baseline).
"""
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import time
import json

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROWS = benchlib.env_int("AKKO_BENCH_STREAM_ROWS", 10_000_000)
REPEAT = benchlib.env_int("AKKO_BENCH_REPEAT", 3)
FETCH = benchlib.env_int("AKKO_BENCH_FETCH", 100_000)
BASELINE_BIN = pathlib.Path(os.environ.get("AKKO_STREAM_BASELINE", benchlib.BUILD_DIR / "bench" / "stream_baseline"))
QUERY = "SELECT * FROM t"

# The same rows on both servers: ids 0..N-1, a double, a short string, a date, a boolean.
AKKO_CREATE = (f"CREATE TABLE t AS SELECT i AS id, (i * 0.37)::DOUBLE AS amount, 'name-' || (i % 1000) AS name, "
               f"DATE '2020-01-01' + (i % 3650)::INTEGER AS day, i % 2 = 0 AS flag FROM range({ROWS}) r(i)")
PG_CREATE = ("CREATE TABLE t (id bigint, amount double precision, name text, day date, flag boolean); "
             f"INSERT INTO t SELECT i, (i * 0.37)::double precision, 'name-' || (i % 1000), "
             f"DATE '2020-01-01' + (i % 3650)::integer, i % 2 = 0 FROM generate_series(0::bigint, {ROWS - 1}) i")


def timed_process(server, args):
    """Runs a client process; returns wall seconds, client CPU seconds and server CPU seconds."""
    cpu_before = server.cpu_seconds()
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(args, env=server.client_env(), stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode()
    process.stderr.close()
    if status != 0 or stderr.strip():
        raise RuntimeError(f"{args} on {server.name} failed: {stderr}")
    time.sleep(benchlib.SETTLE_SECONDS)
    return {"seconds": wall, "client_cpu": usage.ru_utime + usage.ru_stime,
            "server_cpu": server.cpu_seconds() - cpu_before}


def run_psql(server):
    return timed_process(server, ["psql", "-X", "-A", "-t", "-c", QUERY])


def run_psql_fetch(server):
    return timed_process(server, ["psql", "-X", "-A", "-t", "-v", f"FETCH_COUNT={FETCH}", "-c", QUERY])


def run_psycopg2(server):
    import psycopg2
    connection = psycopg2.connect(server.dsn())
    try:
        cpu_before = server.cpu_seconds()
        client_before = time.process_time()
        started = time.perf_counter()
        cursor = connection.cursor(name="bench_stream")
        cursor.itersize = FETCH
        cursor.execute(QUERY)
        rows = 0
        for _ in cursor:
            rows += 1
        cursor.close()
        connection.commit()
        wall = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
    finally:
        connection.close()
    time.sleep(benchlib.SETTLE_SECONDS)
    result = {"seconds": wall, "client_cpu": client_cpu, "server_cpu": server.cpu_seconds() - cpu_before}
    if rows != ROWS:
        raise RuntimeError(f"psycopg2 read {rows} rows from {server.name}, expected {ROWS}")
    return result


CLIENTS = [
    ("psql (buffered)", run_psql),
    (f"psql FETCH_COUNT={FETCH}", run_psql_fetch),
    (f"psycopg2 named cursor, itersize {FETCH}", run_psycopg2),
]


def sample_digest(server):
    """Text of the first 100k rows as psql prints them, to check both servers send the same bytes."""
    text = benchlib.psql(server, f"SELECT * FROM t WHERE id < {min(ROWS, 100_000)} ORDER BY id")
    return hashlib.sha256(text.encode()).hexdigest()[:16], len(text)


def run_baseline():
    """DuckDB in-process through akko::engine::Engine, on the same rows generated into its own
    in-memory table (akko's table lives in the lake, as Parquet files DuckDB's file cannot hold)."""
    results = {}
    for label, extra in (("touch", []), ("render_text", ["--render-text"])):
        out = subprocess.run([str(BASELINE_BIN), "--rows", str(ROWS), "--sql", QUERY, "--repeat", str(REPEAT), *extra],
                             check=True, capture_output=True, text=True).stdout
        runs = [json.loads(line) for line in out.splitlines() if line.strip()]
        for run in runs:
            if run["rows"] != ROWS:
                raise RuntimeError(f"stream_baseline read {run['rows']} rows, expected {ROWS}")
        results[label] = {"rows_per_s": benchlib.median([r["rows_per_s"] for r in runs]),
                          "seconds": benchlib.median([r["seconds"] for r in runs])}
    return results


def main():
    if not BASELINE_BIN.exists():
        sys.exit(f"{BASELINE_BIN} not found: build the stream_baseline target (bench/CMakeLists.txt)")
    work = benchlib.work_dir("akko-bench-stream-")
    akko = postgres = None
    try:
        print(f"== streaming: SELECT * FROM t, {ROWS:,} rows x 5 columns, median of {REPEAT}", flush=True)
        akko = benchlib.AkkoServer(work / "akko")
        started = time.perf_counter()
        benchlib.psql(akko, AKKO_CREATE)
        benchlib.psql(akko, "CHECKPOINT")
        akko_load = time.perf_counter() - started
        postgres = benchlib.RealPostgres(work)
        started = time.perf_counter()
        benchlib.psql(postgres, PG_CREATE)
        # Sets hint bits and the visibility map now, so no measured scan pays for them.
        benchlib.psql(postgres, "VACUUM (FREEZE, ANALYZE) t")
        pg_load = time.perf_counter() - started
        print(f"   loaded: akko {akko_load:.1f} s, postgres {pg_load:.1f} s", flush=True)

        digests = {s.name: sample_digest(s) for s in (akko, postgres)}
        same_text = digests["akko"][0] == digests["postgres"][0]
        if not same_text:
            print(f"   note: psql text of the first 100k rows differs: {digests}", flush=True)
        akko_memory_before = akko.memory()

        # Interleaved (client by client, server by server, repeat by repeat) so drift in the
        # machine's state hits both sides alike.
        samples = {(label, s.name): [] for label, _ in CLIENTS for s in (akko, postgres)}
        for server in (akko, postgres):
            run_psql_fetch(server)  # warm-up: caches, first-scan costs
        for rep in range(REPEAT):
            for label, run in CLIENTS:
                for server in (akko, postgres):
                    sample = run(server)
                    samples[(label, server.name)].append(sample)
                    print(f"   [{rep + 1}/{REPEAT}] {label:<40} {server.name:<8} {sample['seconds']:7.2f} s  "
                          f"{benchlib.fmt_rate(ROWS / sample['seconds'])} rows/s  server CPU "
                          f"{sample['server_cpu']:.2f} s  client CPU {sample['client_cpu']:.2f} s", flush=True)
        akko_memory_after = akko.memory()

        akko.stop()
        baseline = run_baseline()
        akko = None

        results = []
        for label, _ in CLIENTS:
            entry = {"client": label}
            for name in ("akko", "postgres"):
                runs = samples[(label, name)]
                seconds = benchlib.median([r["seconds"] for r in runs])
                entry[name] = {"seconds": seconds, "rows_per_s": ROWS / seconds,
                               "server_cpu_s": benchlib.median([r["server_cpu"] for r in runs]),
                               "client_cpu_s": benchlib.median([r["client_cpu"] for r in runs])}
            results.append(entry)

        rows = []
        for entry in results:
            a, p = entry["akko"], entry["postgres"]
            rows.append([entry["client"], benchlib.fmt_rate(a["rows_per_s"]), benchlib.fmt_rate(p["rows_per_s"]),
                         benchlib.fmt_ratio(a["rows_per_s"], p["rows_per_s"]),
                         benchlib.fmt_ratio(a["rows_per_s"], baseline["touch"]["rows_per_s"]),
                         f"{a['server_cpu_s'] * 1e9 / ROWS:.0f} / {p['server_cpu_s'] * 1e9 / ROWS:.0f}",
                         f"{a['client_cpu_s']:.1f} / {p['client_cpu_s']:.1f}"])
        print()
        print(benchlib.table(["client", "akko rows/s", "PostgreSQL 15 rows/s", "akko / PG", "akko / DuckDB in-process",
                              "server CPU ns/row akko / PG", "client CPU s akko / PG"], rows))
        print()
        print(f"DuckDB in-process (stream_baseline, every value read): "
              f"{benchlib.fmt_rate(baseline['touch']['rows_per_s'])} rows/s; also formatting every value as text: "
              f"{benchlib.fmt_rate(baseline['render_text']['rows_per_s'])} rows/s")
        print(f"akko memory: VmHWM {akko_memory_after['VmHWM'] / 1024:.0f} MiB after streaming "
              f"(VmRSS {akko_memory_before['VmRSS'] / 1024:.0f} MiB before, "
              f"{akko_memory_after['VmRSS'] / 1024:.0f} MiB after)")
        print(f"same text from both servers (first 100k rows via psql): {'yes' if same_text else 'NO'}")
        benchlib.write_result("stream", {
            "rows": ROWS, "repeat": REPEAT, "fetch": FETCH, "clients": results, "baseline": baseline,
            "load_seconds": {"akko": akko_load, "postgres": pg_load}, "same_text": same_text, "digests": digests,
            "akko_memory_kib": {"before": akko_memory_before, "after": akko_memory_after}})
    finally:
        if akko:
            akko.stop()
        if postgres:
            postgres.stop("immediate")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
