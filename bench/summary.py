#!/usr/bin/python3
"""Prints the headline figures of a `make bench` run from the JSON each benchmark saved.

    bench/summary.py RESULTS_DIR
"""
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import benchlib  # noqa: E402


def load(directory, name):
    path = pathlib.Path(directory) / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def main():
    directory = sys.argv[1]
    rows = []
    stream = load(directory, "stream")
    if stream:
        duck = stream["baseline"]["touch"]["rows_per_s"]
        for entry in stream["clients"]:
            a, p = entry["akko"]["rows_per_s"], entry["postgres"]["rows_per_s"]
            rows.append([f"stream {stream['rows']:,} rows: {entry['client']}", f"{benchlib.fmt_rate(a)} rows/s",
                         f"PG 15 {benchlib.fmt_rate(p)} rows/s", benchlib.fmt_ratio(a, p),
                         f"{benchlib.fmt_ratio(a, duck)} of DuckDB in-process ({benchlib.fmt_rate(duck)} rows/s)"])
    latency = load(directory, "latency")
    if latency:
        for entry in latency["results"]:
            a, p = entry["akko"], entry["postgres"]
            rows.append([f"pgbench point lookup, {entry['clients']} client(s)", f"{a['tps']:.0f} stmt/s",
                         f"PG 15 {p['tps']:.0f} stmt/s", benchlib.fmt_ratio(a["tps"], p["tps"]),
                         f"p50 {a['p50_ms']:.3f} ms vs {p['p50_ms']:.3f} ms, p99 {a['p99_ms']:.3f} ms vs "
                         f"{p['p99_ms']:.3f} ms"])
        base = latency["baseline"]
        rows.append(["prepared point lookup, DuckDB in-process", f"{base['statements_per_s']:.0f} stmt/s", "", "",
                     f"p50 {base['p50_ms']:.3f} ms, {base['cpu_us_per_statement']:.0f} us CPU per statement"])
    startup = load(directory, "startup")
    if startup:
        med = benchlib.median
        a, p = med(startup["akko"]["existing_s"]), med(startup["postgres"]["exec_to_ready_s"])
        rows.append(["start-up, existing data dir (exec to ready)", f"{a * 1000:.0f} ms",
                     f"PG 15 {p * 1000:.0f} ms", benchlib.fmt_ratio(a, p),
                     f"fresh data dir {med(startup['akko']['fresh_s']) * 1000:.0f} ms; "
                     f"pg_ctl start -w {med(startup['postgres']['pg_ctl_start_s']) * 1000:.0f} ms"])
        am, pm = startup["akko"]["memory_existing"]["idle"], startup["postgres"]["memory"]["idle"]
        rows.append(["idle memory after start (Rss)", f"{am['VmRSS'] / 1024:.1f} MiB",
                     f"PG 15 postmaster {pm['VmRSS'] / 1024:.1f} MiB", benchlib.fmt_ratio(am["VmRSS"], pm["VmRSS"]),
                     f"Pss akko {am['Pss'] / 1024:.1f} MiB vs PG cluster {pm['cluster_Pss'] / 1024:.1f} MiB "
                     f"({pm['processes']} processes)"])
    lake = load(directory, "lake")
    if lake:
        for q in lake["scan"]["queries"]:
            rows.append([f"lake {q['query']}, {lake['scan']['rows']:,} rows", f"{q['akko_ms']:.1f} ms",
                         f"DuckDB read_parquet {q['duckdb_ms']:.1f} ms", benchlib.fmt_ratio(q["akko_ms"], q["duckdb_ms"]),
                         f"same files, {lake['threads']} threads each; psycopg2 vs in-process"])
        plan = lake["planning"]
        rows.append([f"lake WHERE id = X over {plan['files']:,} files", f"{plan['akko_ms']:.2f} ms",
                     f"DuckDB read_parquet {plan['duckdb_ms']:.1f} ms", benchlib.fmt_ratio(plan["akko_ms"], plan["duckdb_ms"]),
                     f"akko reads {plan['files_selected']} file(s); planning cold {plan['lake_planning']['cold_ms']:.1f} ms, "
                     f"warm {plan['lake_planning']['warm_ms']:.2f} ms"])
        for entry in lake["commits"]["results"]:
            a, p = entry["akko"]["tps"], entry["postgres"]["tps"]
            rows.append([f"lake autocommit INSERT, {entry['case']}", f"{a:.0f} commits/s", f"PG 15 {p:.0f} commits/s",
                         benchlib.fmt_ratio(a, p), f"mean latency {entry['akko']['latency_ms']:.1f} ms vs "
                         f"{entry['postgres']['latency_ms']:.1f} ms; PG with fsync on"])
    rest = load(directory, "iceberg_rest")
    if rest:
        for run in rest["runs"]:
            for entry in run["results"]:
                a, h = entry["load_table"], entry["health"]
                rows.append([f"REST load-table, {run['metastore']} metastore, {entry['clients']} client(s)",
                             f"{a['requests_per_s']:.0f} req/s", f"GET /health {h['requests_per_s']:.0f} req/s",
                             benchlib.fmt_ratio(a["requests_per_s"], h["requests_per_s"]),
                             f"p50 {a['p50_ms']:.3f} ms, p99 {a['p99_ms']:.3f} ms ({run['metadata_bytes']:,} bytes of metadata)"])
    s3 = load(directory, "lake_s3")
    if s3:
        for r, l in zip(s3["rgw"]["queries"], s3["local"]["queries"]):
            for run in ("first", "warm"):
                rows.append([f"lake on Ceph RGW, {r['query']} ({run}), {s3['rows']:,} rows", f"{r[run + '_ms']:.0f} ms",
                             f"local store {l[run + '_ms']:.0f} ms", benchlib.fmt_ratio(r[run + "_ms"], l[run + "_ms"]),
                             "first: every byte over HTTP; warm: akko's block cache" if run == "first" else ""])
    s3_api = load(directory, "s3_api")
    if s3_api:
        for a, r in zip(s3_api["small"]["akko"], s3_api["small"]["rgw"]):
            for op in ("get", "put"):
                rows.append([f"S3 4 KiB {op.upper()}, {a['clients']} client(s)", f"{a[op]['ops_per_s']:.0f} ops/s",
                             f"Ceph RGW {r[op]['ops_per_s']:.0f} ops/s", benchlib.fmt_ratio(a[op]["ops_per_s"], r[op]["ops_per_s"]),
                             f"p50 {a[op]['p50_ms']:.2f} ms vs {r[op]['p50_ms']:.2f} ms, p99 {a[op]['p99_ms']:.2f} ms vs "
                             f"{r[op]['p99_ms']:.2f} ms; RGW on memstore (RAM)"])
        large, disk = s3_api["large"]["akko"], s3_api["disk"]
        rows.append([f"S3 {s3_api['large_mib']} MiB PUT, curl", f"{large['curl_put_mib_s']:.0f} MiB/s",
                     f"dd write+fsync {disk['write_mib_s']:.0f} MiB/s", benchlib.fmt_ratio(large["curl_put_mib_s"], disk["write_mib_s"]),
                     f"Ceph RGW {s3_api['large']['rgw']['curl_put_mib_s']:.0f} MiB/s"])
        rows.append([f"S3 {s3_api['large_mib']} MiB GET, curl, cold", f"{large['curl_get_cold_mib_s']:.0f} MiB/s",
                     f"dd read O_DIRECT {disk['read_direct_mib_s']:.0f} MiB/s",
                     benchlib.fmt_ratio(large["curl_get_cold_mib_s"], disk["read_direct_mib_s"]),
                     f"warm {large['curl_get_warm_mib_s']:.0f} MiB/s; Ceph RGW {s3_api['large']['rgw']['curl_get_mib_s']:.0f} MiB/s"])
    access = load(directory, "access")
    if access:
        for q in access["scan"]["queries"]:
            rows.append([f"restricted scan {q['query']}, {access['scan']['rows']:,} rows", f"{q['akko_restricted_ms']:.1f} ms",
                         f"DuckDB, same filter + masks {q['duckdb_restricted_ms']:.1f} ms",
                         benchlib.fmt_ratio(q["akko_restricted_ms"], q["duckdb_restricted_ms"]),
                         f"1 row filter, 3 masks; admin {q['akko_admin_ms']:.1f} ms "
                         f"(restricted / admin {benchlib.fmt_ratio(q['akko_restricted_ms'], q['akko_admin_ms'])})"])
        for entry in access["lookups"]["results"]:
            b, a, v = entry["akko eve"], entry["akko admin"], entry["PG eve (view)"]
            rows.append([f"restricted point lookup, {entry['clients']} client(s)", f"{b['tps']:.0f} stmt/s",
                         f"PG 15 barrier view {v['tps']:.0f} stmt/s", benchlib.fmt_ratio(b["tps"], v["tps"]),
                         f"akko admin {a['tps']:.0f} stmt/s (restricted / admin {benchlib.fmt_ratio(b['tps'], a['tps'])})"])
        for r in access["audit"]:
            rows.append([f"audit log write, {r['threads']} thread(s)", f"{benchlib.fmt_rate(r['audit_log_records_per_s'])} records/s",
                         f"write(2) floor {benchlib.fmt_rate(r['floor_records_per_s'])} records/s",
                         benchlib.fmt_ratio(r["audit_log_records_per_s"], r["floor_records_per_s"]),
                         f"{r['bytes_per_record']:.0f} bytes/record, fdatasync once a second"])
    if not rows:
        print("no results")
        return
    print(benchlib.table(["benchmark", "akko", "baseline", "akko / baseline", "notes"], rows))
    print("\nRatios are akko divided by the baseline: above 1x is better for rates, worse for times and memory.")
    loads = [(name, r["loadavg"]["start"][0]) for name, r in (("stream", stream), ("latency", latency),
                                                              ("startup", startup), ("lake", lake),
                                                              ("iceberg_rest", rest), ("lake_s3", s3),
                                                              ("s3_api", s3_api), ("access", access))
             if r and "loadavg" in r]
    if loads:
        cpus = (stream or latency or startup or lake or rest or s3 or s3_api or access)["machine"]["cpus"]
        print(f"1-minute load average when each benchmark started, on {cpus} CPUs: "
              + ", ".join(f"{name} {load:.2f}" for name, load in loads)
              + " (a benchmark adds up to about 2 itself; more means other work shared the machine)")

if __name__ == "__main__":
    main()
