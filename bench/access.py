#!/usr/bin/python3
"""What access control and audit cost: the same statements as a superuser and as a user reading
through a row filter and three column masks, against baselines measured in the same run.

1. Scans: a lake table `t` of AKKO_BENCH_ACCESS_ROWS rows (id, name, email, phone, status,
   balance); user `eve` reads it through `status = 'active'` (9 rows in 10) and masks
   mask_hash(name), mask_email(email), mask_phone(phone). Three queries on one psycopg2
   connection each, as the admin (a) and as eve (b). Baseline (c): DuckDB alone
   (tests/tools/duckdb_sql --time) over read_parquet of the table's data files, through a view
   holding the same filter and the masks written in plain DuckDB SQL (sha256, strpos,
   regexp_extract/regexp_replace). Beside it, DuckDB over the same files without restriction,
   and DuckDB with the filter under OFFSET 0 as akko's restricted view has it, which tells the
   cost of that barrier apart. Results must agree: (a) with unrestricted DuckDB, (b) with (c).
2. Point lookups: pgbench -M prepared `SELECT * FROM people WHERE id = :id` (AKKO_BENCH_ACCESS_KV_ROWS
   rows, the same restrictions for eve), 1 and 8 clients, as the admin and as eve: the guard, the
   restricted view and the audit record per statement. Baseline: PostgreSQL 15 with the same rows,
   as its superuser on the table and as a role reading a security_barrier view with the same
   filter and masks in PostgreSQL's SQL (whose rows must equal akko's for sampled ids).
3. The audit log's write path alone: bench/audit_write (obs::AuditLog against write(2) of the same
   bytes with fdatasync once a second), 1 and 8 threads.

Knobs (environment): AKKO_BENCH_ACCESS_ROWS (5000000), AKKO_BENCH_ACCESS_REPEAT (3 timed runs
per round, 2 rounds), AKKO_BENCH_ACCESS_KV_ROWS (100000), AKKO_BENCH_ACCESS_SECONDS (10 per
pgbench run), AKKO_BENCH_ACCESS_CLIENTS ("1 8"), AKKO_BENCH_ACCESS_AUDIT_RECORDS (200000), AKKO_BIN,
AKKO_DUCKDB_SQL ($BUILD_DIR/tests/duckdb_sql), AKKO_AUDIT_WRITE ($BUILD_DIR/bench/audit_write).
"""
import json
import os
import pathlib
import random
import shutil
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import benchlib  # noqa: E402
import lake  # noqa: E402  (data_files, akko_timed, same_values, sql_list)
import latency  # noqa: E402  (percentile)

ROWS = benchlib.env_int("AKKO_BENCH_ACCESS_ROWS", 5_000_000)
REPEAT = benchlib.env_int("AKKO_BENCH_ACCESS_REPEAT", 3)
ROUNDS = 2
KV_ROWS = benchlib.env_int("AKKO_BENCH_ACCESS_KV_ROWS", 100_000)
SECONDS = benchlib.env_int("AKKO_BENCH_ACCESS_SECONDS", 10)
CLIENTS = benchlib.env_list("AKKO_BENCH_ACCESS_CLIENTS", [1, 8])
AUDIT_RECORDS = benchlib.env_int("AKKO_BENCH_ACCESS_AUDIT_RECORDS", 200_000)
AUDIT_THREADS = [1, 8]
THREADS = os.cpu_count() or 1
DUCKDB_SQL = lake.DUCKDB_SQL
AUDIT_WRITE = pathlib.Path(os.environ.get("AKKO_AUDIT_WRITE", benchlib.BUILD_DIR / "bench" / "audit_write"))
USER, PASSWORD = "eve", "bench-eve-pw"

# The same rows on both servers: 1 in 10 closed, 200,000 mailboxes over three domains.
ROWS_SQL = ("SELECT i AS id, 'name-' || (i % 50000) AS name, "
            "'user' || (i % 200000) || '@' || CASE i % 3 WHEN 0 THEN 'example.com' WHEN 1 THEN 'mail.ch' "
            "ELSE 'corp.org' END AS email, '+41 79 ' || lpad(CAST(i % 10000000 AS VARCHAR), 7, '0') AS phone, "
            "CASE WHEN i % 10 = 0 THEN 'closed' ELSE 'active' END AS status, (i % 100000) * 0.25 AS balance")
COLUMNS = "id bigint, name varchar, email varchar, phone varchar, status varchar, balance double"
FILTER = "status = 'active'"
AKKO_MASKS = {"name": "mask_hash(name)", "email": "mask_email(email)", "phone": "mask_phone(phone)"}

# akko's built-in masks (src/engine/access_functions.cpp, docs/access-control.md) in plain SQL.
# mask_phone: the shortest head after which at most four digits remain; its digits become '*'.
PHONE_SPLIT = r"'(?s)^(.*?)((?:[^0-9]*[0-9]){0,4}[^0-9]*)$'"
EMAIL_SQL = ("CASE WHEN strpos(email, '@') <= 1 THEN '****' "
             "ELSE left(email, 1) || '****' || substr(email, strpos(email, '@')) END")
DUCKDB_MASKS = {
    "name": "sha256(name)",
    "email": EMAIL_SQL,
    "phone": f"regexp_replace(regexp_extract(phone, {PHONE_SPLIT}, 1), '[0-9]', '*', 'g') || "
             f"regexp_extract(phone, {PHONE_SPLIT}, 2)",
}
PG_MASKS = {
    "name": "encode(sha256(convert_to(name, 'UTF8')), 'hex')",
    "email": EMAIL_SQL,
    "phone": "regexp_replace(phone, '[0-9](?=(?:[^0-9]*[0-9]){4})', '*', 'g')",
}
COLUMN_NAMES = [c.split()[0] for c in COLUMNS.split(", ")]


def select_list(masks):
    return ", ".join(f"({masks[c]}) AS {c}" if c in masks else c for c in COLUMN_NAMES)


def scan_queries(target):
    return [
        ("count, sum", "SELECT count(*), sum(balance) FROM t"),
        ("GROUP BY email top 10", "SELECT email, count(*) FROM t GROUP BY email ORDER BY 2 DESC, 1 LIMIT 10"),
        ("WHERE id = X", f"SELECT * FROM t WHERE id = {target}"),
    ]


def restrict(admin_cursor, table):
    admin_cursor.execute(f"GRANT SELECT ON TABLE main.{table} TO {USER}")
    admin_cursor.execute(f"CREATE POLICY {table}_active ON main.{table} TO {USER} USING ({FILTER})")
    for column, mask in AKKO_MASKS.items():
        admin_cursor.execute(f"CREATE MASK {table}_{column}_mask ON main.{table} ({column}) TO {USER} USING ({mask})")


def duckdb_timed(work, files, view_sql, query):
    view = work / "t.view.sql"
    view.write_text(view_sql.replace("FILES", f"read_parquet({lake.sql_list(files)})"))
    out = subprocess.run([str(DUCKDB_SQL), "--time", str(REPEAT), f"SET threads = {THREADS}", f"@{view}", query],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"duckdb_sql failed: {out.stderr}")
    return json.loads(out.stdout)


DUCKDB_VIEWS = {
    "duckdb_plain": "CREATE VIEW t AS SELECT * FROM FILES",
    "duckdb_restricted": f"CREATE VIEW t AS SELECT {select_list(DUCKDB_MASKS)} FROM FILES WHERE {FILTER}",
    # akko's shape (src/engine/lake_access.cpp): the filter below OFFSET 0, masks above it.
    "duckdb_barrier": f"CREATE VIEW t AS SELECT {select_list(DUCKDB_MASKS)} FROM "
                      f"(SELECT * FROM FILES WHERE {FILTER} OFFSET 0) AS t",
}


def scan_benchmark(akko, admin, restricted, work):
    print(f"== access scans: {ROWS:,} rows, admin vs {USER} (1 row filter, 3 masks) vs DuckDB read_parquet with the "
          f"same expressions, {THREADS} threads each, median of {ROUNDS} x {REPEAT}", flush=True)
    started = time.perf_counter()
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE TABLE t ({COLUMNS})")
        cursor.execute(f"INSERT INTO t {ROWS_SQL} FROM range({ROWS}) r(i)")
        restrict(cursor, "t")
    load_seconds = time.perf_counter() - started
    files = lake.data_files(akko, "t")
    size = sum(p.stat().st_size for p in files)
    print(f"   loaded in {load_seconds:.1f} s: {len(files)} data files, {size / 2**20:.0f} MiB", flush=True)
    # A closed account's id (hidden from eve) would make (b) return no row; pick an active one.
    target = random.Random(11).randrange(ROWS // 10) * 10 + 7
    results = []
    for label, query in scan_queries(target):
        times = {name: [] for name in ("akko_admin", "akko_restricted", *DUCKDB_VIEWS)}
        rows = {}
        for _ in range(ROUNDS):
            for name, view_sql in DUCKDB_VIEWS.items():
                out = duckdb_timed(work, files, view_sql, query)
                times[name] += out["times_ms"]
                rows[name] = out["rows"]
            for name, connection in (("akko_admin", admin), ("akko_restricted", restricted)):
                out = lake.akko_timed(connection, query, REPEAT)
                times[name] += out["times_ms"]
                rows[name] = out["rows"]
        for ours, theirs in (("akko_admin", "duckdb_plain"), ("akko_restricted", "duckdb_restricted"),
                             ("akko_restricted", "duckdb_barrier")):
            if not rows[ours] or not lake.same_values(rows[ours], rows[theirs]):
                raise RuntimeError(f"{ours} and {theirs} disagree on {query}:\n{rows[ours][:3]}\n{rows[theirs][:3]}")
        entry = {"query": label, "sql": query, "times_ms": times,
                 **{f"{name}_ms": benchlib.median(values) for name, values in times.items()}}
        results.append(entry)
        print(f"   {label:<22} admin {entry['akko_admin_ms']:8.1f} ms  {USER} {entry['akko_restricted_ms']:8.1f} ms  "
              f"DuckDB same expressions {entry['duckdb_restricted_ms']:8.1f} ms  (plain "
              f"{entry['duckdb_plain_ms']:.1f}, filter under OFFSET 0 {entry['duckdb_barrier_ms']:.1f})", flush=True)
    return {"rows": ROWS, "files": len(files), "bytes": size, "load_seconds": load_seconds, "target": target,
            "queries": results}


def pg_setup(postgres):
    for sql in [
        f"CREATE TABLE people (id integer PRIMARY KEY, name text, email text, phone text, status text, balance double precision)",
        f"INSERT INTO people {ROWS_SQL.replace('VARCHAR', 'text')} FROM generate_series(1, {KV_ROWS}) i",
        "VACUUM (FREEZE, ANALYZE) people",
        f"CREATE ROLE {USER} LOGIN",
        f"CREATE VIEW people_restricted WITH (security_barrier) AS SELECT {select_list(PG_MASKS)} FROM people "
        f"WHERE {FILTER}",
        f"GRANT SELECT ON people_restricted TO {USER}",
    ]:
        benchlib.psql(postgres, sql)


def run_pgbench(env, cpu_seconds, clients, script, log_dir, label):
    """One pgbench -M prepared run; statements/s, latency percentiles (ms) and server CPU."""
    for old in log_dir.glob("pgbench_log*"):
        old.unlink()
    args = ["pgbench", "-n", "-M", "prepared", "-f", str(script), "-c", str(clients), "-j",
            str(min(clients, THREADS)), "-T", str(SECONDS), "-l", "--log-prefix", str(log_dir / "pgbench_log")]
    cpu_before = cpu_seconds()
    done = subprocess.run(args, env=env, capture_output=True, text=True, cwd=log_dir)
    time.sleep(benchlib.SETTLE_SECONDS)
    server_cpu = cpu_seconds() - cpu_before
    if done.returncode != 0 or "number of failed transactions: 0" not in done.stdout:
        raise RuntimeError(f"pgbench ({label}) failed:\n{done.stdout}\n{done.stderr}")
    latencies = sorted(int(line.split()[2]) for log in log_dir.glob("pgbench_log*")
                       for line in log.read_text().splitlines() if line.split()[2].isdigit())
    tps = next(float(line.split()[2]) for line in done.stdout.splitlines()
               if line.startswith("tps =") and "without initial connection time" in line)
    return {"clients": clients, "tps": tps, "statements": len(latencies),
            "p50_ms": latency.percentile(latencies, 0.50) / 1000, "p99_ms": latency.percentile(latencies, 0.99) / 1000,
            "server_cpu_us_per_stmt": server_cpu * 1e6 / max(len(latencies), 1)}


def lookup_benchmark(akko, admin, work):
    print(f"== access point lookups: pgbench -M prepared, SELECT * FROM people WHERE id = :id on {KV_ROWS:,} rows, "
          f"{SECONDS} s per run, clients {CLIENTS}; admin vs {USER}, PostgreSQL 15 table vs security_barrier view",
          flush=True)
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR, email VARCHAR, phone VARCHAR, "
                       f"status VARCHAR, balance DOUBLE)")
        cursor.execute(f"INSERT INTO people {ROWS_SQL} FROM range(1, {KV_ROWS + 1}) r(i)")
        restrict(cursor, "people")
    postgres = benchlib.RealPostgres(work)
    try:
        pg_setup(postgres)
        akko_eve = {**akko.client_env(), "PGUSER": USER, "PGPASSWORD": PASSWORD}
        pg_eve = {**postgres.client_env(), "PGUSER": USER}
        # akko's built-in masks and their PostgreSQL SQL must give the same rows.
        sample = random.Random(5).sample(range(1, KV_ROWS + 1), 20)
        listed = ", ".join(map(str, sample))
        check = f"SELECT id, name, email, phone, status, balance FROM {{}} WHERE id IN ({listed}) ORDER BY id"

        def sample_rows(env, table):
            return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-c", check.format(table)],
                                  env=env, check=True, capture_output=True, text=True).stdout

        akko_masked, pg_masked = sample_rows(akko_eve, "people"), sample_rows(pg_eve, "people_restricted")
        if akko_masked != pg_masked or "****" not in akko_masked:
            raise RuntimeError(f"masked rows differ:\nakko {akko_masked[:400]}\nPG {pg_masked[:400]}")
        if sample_rows(akko.client_env(), "people") != sample_rows(postgres.client_env(), "people"):
            raise RuntimeError("akko and PostgreSQL hold different rows")

        log_dir = work / "logs"
        log_dir.mkdir()
        scripts = {}
        for name, table in (("table", "people"), ("view", "people_restricted")):
            scripts[name] = work / f"lookup_{name}.sql"
            scripts[name].write_text(f"\\set id random(1, {KV_ROWS})\nSELECT * FROM {table} WHERE id = :id;\n")
        cases = [("akko admin", akko.client_env(), akko.cpu_seconds, scripts["table"]),
                 (f"akko {USER}", akko_eve, akko.cpu_seconds, scripts["table"]),
                 ("PG superuser", postgres.client_env(), postgres.cpu_seconds, scripts["table"]),
                 (f"PG {USER} (view)", pg_eve, postgres.cpu_seconds, scripts["view"])]
        results = []
        for clients in CLIENTS:
            entry = {"clients": clients}
            for label, env, cpu, script in cases:
                r = run_pgbench(env, cpu, clients, script, log_dir, label)
                entry[label] = r
                print(f"   {clients:>2} clients  {label:<16} {r['tps']:8.0f} stmt/s  p50 {r['p50_ms']:.3f} ms  "
                      f"p99 {r['p99_ms']:.3f} ms  server CPU {r['server_cpu_us_per_stmt']:.0f} us/stmt", flush=True)
            results.append(entry)
        return {"kv_rows": KV_ROWS, "seconds": SECONDS, "cases": [c[0] for c in cases], "results": results}
    finally:
        postgres.stop("immediate")


def audit_benchmark(work):
    print(f"== audit write path: {AUDIT_RECORDS:,} records through obs::AuditLog vs write(2) + fdatasync once a "
          f"second of the same bytes, threads {AUDIT_THREADS}", flush=True)
    results = []
    for threads in AUDIT_THREADS:
        out = subprocess.run([str(AUDIT_WRITE), "--records", str(AUDIT_RECORDS), "--threads", str(threads),
                              "--rounds", "3", "--dir", str(work)], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"audit_write failed ({out.returncode}): {out.stdout}{out.stderr}")
        r = json.loads(out.stdout)
        results.append(r)
        print(f"   {threads} thread(s)  AuditLog {benchlib.fmt_rate(r['audit_log_records_per_s'])} records/s  "
              f"floor {benchlib.fmt_rate(r['floor_records_per_s'])} records/s  ({r['bytes_per_record']:.0f} bytes each)",
              flush=True)
    return results


def main():
    import psycopg2
    for binary in (DUCKDB_SQL, AUDIT_WRITE):
        if not binary.exists():
            sys.exit(f"{binary} not found: build the duckdb_sql and audit_write targets")
    work = benchlib.work_dir("akko-bench-access-")
    akko = admin = restricted = None
    try:
        akko = benchlib.AkkoServer(work / "akko", ["--engine-threads", str(THREADS)])
        admin = psycopg2.connect(akko.dsn())
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE USER {USER} PASSWORD '{PASSWORD}'")
        restricted = psycopg2.connect(akko.dsn().replace(f"user={akko.user} password={akko.password}",
                                                         f"user={USER} password={PASSWORD}"))
        restricted.autocommit = True
        scan = scan_benchmark(akko, admin, restricted, work)
        lookups = lookup_benchmark(akko, admin, work)
        restricted.close()
        admin.close()
        restricted = admin = None
        akko.stop()
        akko = None
        audit = audit_benchmark(work)

        print()
        rows = [[q["query"], f"{q['akko_admin_ms']:.1f}", f"{q['akko_restricted_ms']:.1f}",
                 f"{q['duckdb_restricted_ms']:.1f}",
                 benchlib.fmt_ratio(q["akko_restricted_ms"], q["akko_admin_ms"]),
                 benchlib.fmt_ratio(q["akko_restricted_ms"], q["duckdb_restricted_ms"]),
                 f"{q['duckdb_plain_ms']:.1f}", benchlib.fmt_ratio(q["akko_admin_ms"], q["duckdb_plain_ms"]),
                 f"{q['duckdb_barrier_ms']:.1f}"] for q in scan["queries"]]
        print(f"Scans of {scan['rows']:,} rows ({scan['files']} files); ms, median of {ROUNDS * REPEAT}")
        print(benchlib.table(["query", "(a) admin", f"(b) {USER}", "(c) DuckDB, same filter + masks", "(b)/(a)",
                              "(b)/(c)", "DuckDB plain", "(a)/plain", "DuckDB, filter under OFFSET 0"], rows))
        print()
        rows = []
        for entry in lookups["results"]:
            a, b = entry["akko admin"], entry[f"akko {USER}"]
            p, v = entry["PG superuser"], entry[f"PG {USER} (view)"]
            rows.append([entry["clients"], f"{a['tps']:.0f}", f"{b['tps']:.0f}", benchlib.fmt_ratio(b["tps"], a["tps"]),
                         f"{p['tps']:.0f}", f"{v['tps']:.0f}", benchlib.fmt_ratio(b["tps"], v["tps"]),
                         f"{a['p50_ms']:.3f} / {b['p50_ms']:.3f} / {v['p50_ms']:.3f}",
                         f"{a['server_cpu_us_per_stmt']:.0f} / {b['server_cpu_us_per_stmt']:.0f} / "
                         f"{v['server_cpu_us_per_stmt']:.0f}"])
        print(f"Point lookups, pgbench -M prepared, {SECONDS} s per run; stmt/s")
        print(benchlib.table(["clients", "akko admin", f"akko {USER}", f"{USER} / admin", "PG superuser",
                              f"PG {USER} (barrier view)", f"akko {USER} / PG {USER}",
                              f"p50 ms admin / {USER} / PG {USER}", f"server CPU us/stmt admin / {USER} / PG {USER}"],
                             rows))
        print()
        rows = [[r["threads"], f"{benchlib.fmt_rate(r['audit_log_records_per_s'])}",
                 f"{benchlib.fmt_rate(r['floor_records_per_s'])}",
                 benchlib.fmt_ratio(r["audit_log_records_per_s"], r["floor_records_per_s"]),
                 f"{1e6 / r['audit_log_records_per_s']:.2f}", f"{1e6 / r['floor_records_per_s']:.2f}",
                 f"{r['bytes_per_record']:.0f}"] for r in audit]
        print(f"Audit write path, {AUDIT_RECORDS:,} records, median of 3 rounds")
        print(benchlib.table(["threads", "AuditLog records/s", "write(2) floor records/s", "AuditLog / floor",
                              "us/record AuditLog", "us/record floor", "bytes/record"], rows))
        benchlib.write_result("access", {"threads": THREADS, "repeat": REPEAT, "rounds": ROUNDS, "scan": scan,
                                         "lookups": lookups, "audit": audit})
    finally:
        for connection in (restricted, admin):
            if connection:
                connection.close()
        if akko:
            akko.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
