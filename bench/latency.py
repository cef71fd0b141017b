#!/usr/bin/python3
"""Small-statement latency: pgbench -M prepared with a point lookup by primary key on a
100k-row table, at 1 and 32 clients for a fixed duration, on akko and on a real
PostgreSQL 15. Reports statements/s and p50/p99 latency from pgbench's per-transaction
log (-l), and akko's figures as ratios to PostgreSQL's. Beside them, the same prepared
lookup executed in-process through akko::engine::Engine (bench/lookup_baseline): what
DuckDB itself costs per statement, without protocol, socket or client.

Knobs (environment): AKKO_BENCH_KV_ROWS (100000), AKKO_BENCH_LATENCY_SECONDS (20 per run),
AKKO_BENCH_CLIENTS ("1 32"), AKKO_BENCH_AKKO_ARGS (extra `akko serve` flags, e.g.
"--engine-threads 1"), AKKO_BIN, AKKO_LOOKUP_BASELINE (default
$BUILD_DIR/bench/lookup_baseline).
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import benchlib  # noqa: E402

KV_ROWS = benchlib.env_int("AKKO_BENCH_KV_ROWS", 100_000)
SECONDS = benchlib.env_int("AKKO_BENCH_LATENCY_SECONDS", 20)
CLIENTS = benchlib.env_list("AKKO_BENCH_CLIENTS", [1, 32])
AKKO_ARGS = os.environ.get("AKKO_BENCH_AKKO_ARGS", "").split()
BASELINE_BIN = pathlib.Path(os.environ.get("AKKO_LOOKUP_BASELINE", benchlib.BUILD_DIR / "bench" / "lookup_baseline"))

SCRIPT = f"""\\set id random(1, {KV_ROWS})
SELECT v FROM kv WHERE id = :id;
"""
AKKO_CREATE = [
    "CREATE TABLE kv (id INTEGER PRIMARY KEY, v VARCHAR)",
    f"INSERT INTO kv SELECT i, 'value-' || i FROM range(1, {KV_ROWS + 1}) r(i)",
]
PG_CREATE = [
    "CREATE TABLE kv (id integer PRIMARY KEY, v text)",
    f"INSERT INTO kv SELECT i, 'value-' || i FROM generate_series(1, {KV_ROWS}) i",
    "VACUUM (FREEZE, ANALYZE) kv",
]


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def run_pgbench(server, clients, script, log_dir):
    """One pgbench run; returns statements/s and latency percentiles (ms) from its -l log."""
    for old in log_dir.glob("pgbench_log*"):
        old.unlink()
    threads = min(clients, os.cpu_count() or 1)
    args = ["pgbench", "-n", "-M", "prepared", "-f", str(script), "-c", str(clients), "-j", str(threads),
            "-T", str(SECONDS), "-l", "--log-prefix", str(log_dir / "pgbench_log")]
    env = server.client_env()
    cpu_before = server.cpu_seconds()
    completed = subprocess.run(args, env=env, capture_output=True, text=True, cwd=log_dir)
    time.sleep(benchlib.SETTLE_SECONDS)
    server_cpu = server.cpu_seconds() - cpu_before
    if completed.returncode != 0:
        raise RuntimeError(f"pgbench on {server.name} failed:\n{completed.stdout}\n{completed.stderr}")
    latencies_us = []
    for log in log_dir.glob("pgbench_log*"):
        for line in log.read_text().splitlines():
            # client_id transaction_no time script_no time_epoch time_us
            fields = line.split()
            if fields[2].isdigit():  # "failed" or "skipped" otherwise
                latencies_us.append(int(fields[2]))
    latencies_us.sort()
    tps = None
    failed = 0
    for line in completed.stdout.splitlines():
        if line.startswith("tps =") and "without initial connection time" in line:
            tps = float(line.split()[2])
        if line.startswith("number of failed transactions:"):
            failed = int(line.split(":")[1].split()[0])
    if tps is None:
        tps = len(latencies_us) / SECONDS
    if failed:
        raise RuntimeError(f"pgbench on {server.name}: {failed} failed statements:\n{completed.stdout}")
    return {"clients": clients, "tps": tps, "statements": len(latencies_us),
            "p50_ms": percentile(latencies_us, 0.50) / 1000, "p99_ms": percentile(latencies_us, 0.99) / 1000,
            "mean_ms": (sum(latencies_us) / len(latencies_us) / 1000) if latencies_us else float("nan"),
            "server_cpu_s": server_cpu}


def run_baseline():
    out = subprocess.run([str(BASELINE_BIN), "--rows", str(KV_ROWS), "--seconds", str(SECONDS)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    if not BASELINE_BIN.exists():
        sys.exit(f"{BASELINE_BIN} not found: build the lookup_baseline target (bench/CMakeLists.txt)")
    work = benchlib.work_dir("akko-bench-latency-")
    akko = postgres = None
    try:
        print(f"== small-statement latency: pgbench -M prepared, point lookup on {KV_ROWS:,} rows, "
              f"{SECONDS} s per run, clients {CLIENTS}", flush=True)
        script = work / "lookup.sql"
        script.write_text(SCRIPT)
        log_dir = work / "logs"
        log_dir.mkdir()
        akko = benchlib.AkkoServer(work / "akko", AKKO_ARGS)
        for sql in AKKO_CREATE:
            benchlib.psql(akko, sql)
        postgres = benchlib.RealPostgres(work)
        for sql in PG_CREATE:
            benchlib.psql(postgres, sql)
        for server in (akko, postgres):
            if benchlib.psql(server, "SELECT v FROM kv WHERE id = 42").strip() != "value-42":
                raise RuntimeError(f"kv lookup on {server.name} returned the wrong row")

        results = []
        for clients in CLIENTS:
            entry = {"clients": clients}
            for server in (akko, postgres):
                entry[server.name] = run_pgbench(server, clients, script, log_dir)
                r = entry[server.name]
                print(f"   {clients:>3} clients  {server.name:<8} {r['tps']:9.0f} statements/s  p50 {r['p50_ms']:.3f} ms"
                      f"  p99 {r['p99_ms']:.3f} ms  server CPU {r['server_cpu_s']:.1f} s", flush=True)
            results.append(entry)
        # Last, with both servers idle: the engine alone, one session, back to back.
        baseline = run_baseline()
        print(f"     in-process DuckDB (lookup_baseline, 1 session) {baseline['statements_per_s']:9.0f} statements/s"
              f"  p50 {baseline['p50_ms']:.3f} ms  p99 {baseline['p99_ms']:.3f} ms"
              f"  CPU {baseline['cpu_us_per_statement']:.0f} us/statement", flush=True)

        rows = []
        for entry in results:
            a, p = entry["akko"], entry["postgres"]
            rows.append([entry["clients"], f"{a['tps']:.0f}", f"{p['tps']:.0f}", benchlib.fmt_ratio(a["tps"], p["tps"]),
                         f"{a['p50_ms']:.3f}", f"{p['p50_ms']:.3f}", benchlib.fmt_ratio(a["p50_ms"], p["p50_ms"]),
                         f"{a['p99_ms']:.3f}", f"{p['p99_ms']:.3f}", benchlib.fmt_ratio(a["p99_ms"], p["p99_ms"]),
                         f"{a['server_cpu_s'] * 1e6 / max(a['statements'], 1):.0f} / "
                         f"{p['server_cpu_s'] * 1e6 / max(p['statements'], 1):.0f}"])
        print()
        print(benchlib.table(["clients", "akko stmt/s", "PG 15 stmt/s", "akko / PG", "akko p50 ms", "PG p50 ms",
                              "p50 akko / PG", "akko p99 ms", "PG p99 ms", "p99 akko / PG",
                              "server CPU us/stmt akko / PG"], rows))
        single = next((e for e in results if e["clients"] == 1), results[0])["akko"]
        print()
        print(benchlib.table(["", "stmt/s", "p50 ms", "p99 ms", "CPU us/stmt"], [
            ["DuckDB in-process, 1 session (lookup_baseline)", f"{baseline['statements_per_s']:.0f}",
             f"{baseline['p50_ms']:.3f}", f"{baseline['p99_ms']:.3f}", f"{baseline['cpu_us_per_statement']:.0f}"],
            [f"akko, {single['clients']} client(s) / DuckDB in-process",
             benchlib.fmt_ratio(single["tps"], baseline["statements_per_s"]),
             benchlib.fmt_ratio(single["p50_ms"], baseline["p50_ms"]),
             benchlib.fmt_ratio(single["p99_ms"], baseline["p99_ms"]),
             benchlib.fmt_ratio(single["server_cpu_s"] * 1e6 / max(single["statements"], 1),
                                baseline["cpu_us_per_statement"])]]))
        benchlib.write_result("latency", {"kv_rows": KV_ROWS, "seconds": SECONDS, "akko_args": AKKO_ARGS,
                                          "results": results, "baseline": baseline})
    finally:
        if akko:
            akko.stop()
        if postgres:
            postgres.stop("immediate")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
