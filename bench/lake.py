#!/usr/bin/python3
"""Lakehouse benchmark: tables in akko's Iceberg lake, against a real `akko serve`.

1. Scan: a table of 10M rows (bigint, varchar, double, date, integer category of 100 values)
   made by INSERT ... SELECT from range(); a full scan touching every column and a GROUP BY
   category, both with a tiny result, timed from psycopg2 on one connection. Baseline: DuckDB
   (tests/tools/duckdb_sql, no akko) running the same query text over a view on read_parquet
   of the same data files, listed from the table's Iceberg metadata; timed inside its process.
   Both engines get the same thread count. Beside them, akko running the query over
   read_parquet of those files: the same wire and session without the lake scan.
2. Planning: bench/lake_planning (scan planning over 10,000 files in 100 manifests, in-process),
   then a table built from 100 INSERTs that each write 100 files (one per identity partition),
   each file holding a contiguous run of ids, and `SELECT ... WHERE id = X` on it, warm: akko
   prunes by the manifests' column bounds; the baseline is DuckDB's read_parquet over the
   10,000 files, which must open every file's footer.
3. Commits: autocommit one-row INSERTs with pgbench (simple protocol), 1 writer, 8 writers on
   8 tables, 8 writers on one table, against a real PostgreSQL 15 doing the same with fsync and
   synchronous_commit on (akko fsyncs every file and its metastore before acknowledging).

Every figure is a ratio to the baseline measured in the same run.

Knobs (environment): AKKO_BENCH_LAKE_ROWS (10000000), AKKO_BENCH_LAKE_REPEAT (10 timed runs per
round; 2 rounds alternating akko and DuckDB), AKKO_BENCH_LAKE_INSERTS (100) and
AKKO_BENCH_LAKE_PARTITIONS (100): the many-file table, AKKO_BENCH_LAKE_FILE_ROWS (100 rows per
file), AKKO_BENCH_LAKE_COMMIT_SECONDS (10 per pgbench run), AKKO_BENCH_LAKE_WRITERS (8), AKKO_BIN,
AKKO_DUCKDB_SQL ($BUILD_DIR/tests/duckdb_sql), AKKO_LAKE_PLANNING ($BUILD_DIR/bench/lake_planning).
"""
import json
import math
import os
import pathlib
import random
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROWS = benchlib.env_int("AKKO_BENCH_LAKE_ROWS", 10_000_000)
REPEAT = benchlib.env_int("AKKO_BENCH_LAKE_REPEAT", 10)
ROUNDS = 2
INSERTS = benchlib.env_int("AKKO_BENCH_LAKE_INSERTS", 100)
PARTITIONS = benchlib.env_int("AKKO_BENCH_LAKE_PARTITIONS", 100)
FILE_ROWS = benchlib.env_int("AKKO_BENCH_LAKE_FILE_ROWS", 100)
COMMIT_SECONDS = benchlib.env_int("AKKO_BENCH_LAKE_COMMIT_SECONDS", 10)
WRITERS = benchlib.env_int("AKKO_BENCH_LAKE_WRITERS", 8)
THREADS = os.cpu_count() or 1
DUCKDB_SQL = pathlib.Path(os.environ.get("AKKO_DUCKDB_SQL", benchlib.BUILD_DIR / "tests" / "duckdb_sql"))
PLANNING_BIN = pathlib.Path(os.environ.get("AKKO_LAKE_PLANNING", benchlib.BUILD_DIR / "bench" / "lake_planning"))

# The integration tests' reader of Iceberg metadata (sqlite3, json, avsc): not akko's code.
os.environ.setdefault("AKKO_BIN", str(benchlib.AKKO_BIN))
os.environ.setdefault("AKKO_DUCKDB_SQL", str(DUCKDB_SQL))
sys.path.insert(0, str(benchlib.ROOT / "tests" / "integration"))
import lake_files  # noqa: E402

SCAN_CREATE = [
    "CREATE TABLE scan_t (id bigint, name varchar, amount double, day date, category integer)",
    f"INSERT INTO scan_t SELECT i, 'name-' || (i % 1000), i * 0.37, DATE '2020-01-01' + (i % 3650)::INTEGER, "
    f"(i % 100)::INTEGER FROM range({ROWS}) r(i)",
]
SCAN_QUERIES = [
    ("full scan", "SELECT count(*), sum(id), sum(length(name)), sum(amount), min(day), max(day), sum(category) "
                  "FROM scan_t"),
    ("GROUP BY category", "SELECT category, count(*), sum(amount), max(day) FROM scan_t GROUP BY category "
                          "ORDER BY category"),
]

# One INSERT writes one file per partition, FILE_ROWS consecutive ids each: the files' id bounds
# are disjoint, so the manifests' bounds select one file for an id.
FILES_CREATE = [
    "CREATE TABLE files_t (id bigint, part integer, payload varchar)",
    "ALTER TABLE files_t SET PARTITIONED BY (part)",
]


def files_insert(batch):
    first = batch * PARTITIONS * FILE_ROWS
    return (f"INSERT INTO files_t SELECT i, ((i - {first}) // {FILE_ROWS})::INTEGER, 'payload-' || i "
            f"FROM range({first}, {first + PARTITIONS * FILE_ROWS}) r(i)")


COMMIT_CASES = [
    ("1 writer", 1, "commit_:client_id"),
    (f"{WRITERS} writers, {WRITERS} tables", WRITERS, "commit_:client_id"),
    (f"{WRITERS} writers, one table", WRITERS, "commit_same"),
]


def sql_list(paths):
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def data_files(server, table):
    """Local paths of the table's live data files, from its Iceberg metadata (read with avsc)."""
    _, metadata = lake_files.load_metadata(server.data_dir, "main", table)
    files = lake_files.current_files(server.data_dir, metadata)
    if any(f["content"] != 0 for f in files):
        raise RuntimeError(f"{table} has delete files; the baseline reads data files only")
    snapshot = next(s for s in metadata["snapshots"] if s["snapshot-id"] == metadata["current-snapshot-id"])
    if int(snapshot["summary"]["total-data-files"]) != len(files):
        raise RuntimeError(f"{table}: {len(files)} files in the manifests, summary says "
                           f"{snapshot['summary']['total-data-files']}")
    return [lake_files.local_path(server.data_dir, f["file_path"]) for f in files]


def duckdb_timed(work, name, files, query, repeat):
    """DuckDB alone: a view over read_parquet of the files under the table's name, then the query."""
    view = work / f"{name}.view.sql"
    view.write_text(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({sql_list(files)})")
    out = subprocess.run([str(DUCKDB_SQL), "--time", str(repeat), f"SET threads = {THREADS}", f"@{view}", query],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"duckdb_sql failed: {out.stderr}")
    return json.loads(out.stdout)


def akko_timed(connection, query, repeat):
    """The query on one connection, once to warm up, then `repeat` times; milliseconds per run."""
    times = []
    with connection.cursor() as cursor:
        cursor.execute(query)
        rows = cursor.fetchall()
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(query)
            rows = cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return {"times_ms": times, "rows": rows}


def same_values(akko_rows, duck_rows):
    """psycopg2's values against duckdb_sql's text: integers exactly, doubles to 1e-9 (summation order differs)."""
    if len(akko_rows) != len(duck_rows):
        return False
    for a_row, d_row in zip(akko_rows, duck_rows):
        for a, d in zip(a_row, d_row):
            if isinstance(a, float):
                if not math.isclose(float(a), float(d), rel_tol=1e-9):
                    return False
            elif str(a) != d:
                return False
    return True


def compare(connection, work, name, files, query, split=False):
    """Alternates akko and DuckDB ROUNDS times, REPEAT runs each; medians over all runs.

    With split, also akko running the query over read_parquet of the files instead of the lake
    table: the same engine and wire without the lake scan, which tells the two costs apart.
    """
    akko_times, duck_times, direct_times = [], [], []
    direct_query = query.replace(f"FROM {name}", f"FROM read_parquet({sql_list(files)})")
    for _ in range(ROUNDS):
        duck = duckdb_timed(work, name, files, query, REPEAT)
        duck_times += duck["times_ms"]
        akko = akko_timed(connection, query, REPEAT)
        akko_times += akko["times_ms"]
        if split:
            direct_times += akko_timed(connection, direct_query, REPEAT)["times_ms"]
    if not same_values(akko["rows"], duck["rows"]):
        raise RuntimeError(f"akko and DuckDB disagree on {query}:\n{akko['rows'][:5]}\n{duck['rows'][:5]}")
    result = {"akko_ms": benchlib.median(akko_times), "duckdb_ms": benchlib.median(duck_times),
              "akko_times_ms": akko_times, "duckdb_times_ms": duck_times, "result_rows": len(akko["rows"])}
    if split:
        result.update({"akko_read_parquet_ms": benchlib.median(direct_times), "akko_read_parquet_times_ms": direct_times})
    return result


def scan_benchmark(akko, connection, work):
    print(f"== lake scan: {ROWS:,} rows x 5 columns, akko vs DuckDB read_parquet on the same files, "
          f"{THREADS} threads each, median of {ROUNDS} x {REPEAT}", flush=True)
    started = time.perf_counter()
    for sql in SCAN_CREATE:
        benchlib.psql(akko, sql)
    load_seconds = time.perf_counter() - started
    files = data_files(akko, "scan_t")
    size = sum(p.stat().st_size for p in files)
    print(f"   loaded in {load_seconds:.1f} s: {len(files)} data files, {size / 2**20:.0f} MiB", flush=True)
    results = []
    for label, query in SCAN_QUERIES:
        entry = {"query": label, "sql": query, **compare(connection, work, "scan_t", files, query, split=True)}
        results.append(entry)
        print(f"   {label:<20} akko {entry['akko_ms']:8.1f} ms  DuckDB {entry['duckdb_ms']:8.1f} ms  "
              f"akko / DuckDB {benchlib.fmt_ratio(entry['akko_ms'], entry['duckdb_ms'])}  (akko over read_parquet "
              f"{entry['akko_read_parquet_ms']:.1f} ms)", flush=True)
    return {"rows": ROWS, "files": len(files), "bytes": size, "load_seconds": load_seconds, "queries": results}


def planning_benchmark(akko, connection, work):
    print(f"== lake planning: bench/lake_planning, then WHERE id = X over {INSERTS} INSERTs x {PARTITIONS} "
          f"partitions = {INSERTS * PARTITIONS:,} files", flush=True)
    out = subprocess.run([str(PLANNING_BIN), "--repeat", "15"], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"lake_planning failed ({out.returncode}): {out.stdout}{out.stderr}")
    planning = json.loads(out.stdout)
    print(f"   lake_planning, {planning['data_files']:,} files in {planning['manifests']} manifests: cold "
          f"{planning['cold_ms']:.1f} ms, warm {planning['warm_ms']:.2f} ms, count from metadata "
          f"{planning['count_from_metadata_ms']:.2f} ms, manifest bytes from disk {planning['disk_read_ms']:.1f} ms",
          flush=True)

    for sql in FILES_CREATE:
        benchlib.psql(akko, sql)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for batch in range(INSERTS):
            cursor.execute(files_insert(batch))
    build_seconds = time.perf_counter() - started
    files = data_files(akko, "files_t")
    print(f"   built in {build_seconds:.1f} s: {len(files):,} data files", flush=True)

    target = random.Random(7).randrange(INSERTS * PARTITIONS * FILE_ROWS)
    query = f"SELECT id, payload FROM files_t WHERE id = {target}"
    plan = "\n".join(r[1] for r in fetch_rows(connection, "EXPLAIN " + query))
    # The plan box may wrap "Data Files: 1 of 10000" over two lines.
    selected = re.search(r"Data Files:\W*(\d+) of (\d+)", plan)
    entry = compare(connection, work, "files_t", files, query)
    if entry["result_rows"] != 1:
        raise RuntimeError(f"{query} returned {entry['result_rows']} rows")
    print(f"   WHERE id = {target}: akko {entry['akko_ms']:.2f} ms (reads "
          f"{selected.group(1) + ' of ' + selected.group(2) if selected else 'n/a'} files)  DuckDB {entry['duckdb_ms']:.1f} ms  akko / DuckDB "
          f"{benchlib.fmt_ratio(entry['akko_ms'], entry['duckdb_ms'])}", flush=True)
    return {"lake_planning": planning, "inserts": INSERTS, "partitions": PARTITIONS, "file_rows": FILE_ROWS,
            "files": len(files), "build_seconds": build_seconds, "query": query,
            "files_selected": int(selected.group(1)) if selected else None, **entry}


def fetch_rows(connection, sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def run_pgbench(server, clients, table, work):
    script = work / "commit.sql"
    script.write_text(f"\\set v random(1, 1000000000)\nINSERT INTO {table} (writer, v) VALUES (:client_id, :v);\n")
    # Simple protocol: pgbench substitutes :client_id into the table name as text.
    args = ["pgbench", "-n", "-M", "simple", "-f", str(script), "-c", str(clients), "-j", str(min(clients, THREADS)),
            "-T", str(COMMIT_SECONDS), "--max-tries", "100"]
    cpu_before = server.cpu_seconds()
    done = subprocess.run(args, env=server.client_env(), capture_output=True, text=True, cwd=work)
    time.sleep(benchlib.SETTLE_SECONDS)
    server_cpu = server.cpu_seconds() - cpu_before
    if done.returncode != 0:
        raise RuntimeError(f"pgbench on {server.name} failed:\n{done.stdout}\n{done.stderr}")

    def figure(pattern, cast=float, default=None):
        match = re.search(pattern, done.stdout, re.MULTILINE)
        return cast(match.group(1)) if match else default

    return {"tps": figure(r"^tps = ([\d.]+) \(without initial connection time\)"),
            "committed": figure(r"^number of transactions actually processed: (\d+)", int),
            "failed": figure(r"^number of failed transactions: (\d+)", int, 0),
            "retried": figure(r"^number of transactions retried: (\d+)", int, 0),
            "latency_ms": figure(r"^latency average = ([\d.]+) ms"), "server_cpu_s": server_cpu}


def count_rows(server, tables):
    return sum(int(benchlib.psql(server, f"SELECT count(*) FROM {t}").strip()) for t in tables)


def commit_benchmark(akko, work):
    print(f"== lake commits: autocommit one-row INSERT (pgbench -M simple, {COMMIT_SECONDS} s per run), "
          f"akko vs PostgreSQL 15 with fsync on", flush=True)
    postgres = benchlib.RealPostgres(work, settings=["fsync=on", "synchronous_commit=on"])
    try:
        if benchlib.psql(postgres, "SHOW fsync").strip() != "on":
            raise RuntimeError("PostgreSQL runs without fsync")
        tables = [f"commit_{i}" for i in range(WRITERS)] + ["commit_same"]
        for server in (akko, postgres):
            for table in tables:
                benchlib.psql(server, f"CREATE TABLE {table} (writer integer, v bigint)")
        results = []
        for label, clients, table in COMMIT_CASES:
            entry = {"case": label, "clients": clients}
            touched = [f"commit_{i}" for i in range(clients)] if ":client_id" in table else [table]
            for server in (akko, postgres):
                before = count_rows(server, touched)
                r = run_pgbench(server, clients, table, work)
                r["rows_added"] = count_rows(server, touched) - before
                if r["rows_added"] != r["committed"]:
                    raise RuntimeError(f"{server.name}: pgbench committed {r['committed']} rows, "
                                       f"{r['rows_added']} are in the tables")
                entry[server.name] = r
                print(f"   {label:<24} {server.name:<8} {r['tps']:8.1f} commits/s  mean {r['latency_ms']:.2f} ms  "
                      f"retried {r['retried']}  failed {r['failed']}  server CPU {r['server_cpu_s']:.1f} s",
                      flush=True)
            results.append(entry)
        return {"seconds": COMMIT_SECONDS, "results": results}
    finally:
        postgres.stop("immediate")


def main():
    import psycopg2
    for binary in (DUCKDB_SQL, PLANNING_BIN):
        if not binary.exists():
            sys.exit(f"{binary} not found: build the duckdb_sql and lake_planning targets")
    work = benchlib.work_dir("akko-bench-lake-")
    akko = connection = None
    try:
        akko = benchlib.AkkoServer(work / "akko", ["--engine-threads", str(THREADS)])
        connection = psycopg2.connect(akko.dsn())
        connection.autocommit = True
        scan = scan_benchmark(akko, connection, work)
        planning = planning_benchmark(akko, connection, work)
        commits = commit_benchmark(akko, work)
        connection.close()
        connection = None

        print()
        rows = [[f"{q['query']} ({scan['rows']:,} rows, {scan['files']} files)", f"{q['akko_ms']:.1f}",
                 f"{q['duckdb_ms']:.1f}", benchlib.fmt_ratio(q["akko_ms"], q["duckdb_ms"]),
                 f"{q['akko_read_parquet_ms']:.1f}", benchlib.fmt_ratio(q["akko_read_parquet_ms"], q["duckdb_ms"])]
                for q in scan["queries"]]
        rows.append([f"WHERE id = X ({planning['files']:,} files, {planning['files_selected']} read by akko)",
                     f"{planning['akko_ms']:.2f}", f"{planning['duckdb_ms']:.1f}",
                     benchlib.fmt_ratio(planning["akko_ms"], planning["duckdb_ms"]), "", ""])
        print(benchlib.table(["query", "akko ms (psycopg2)", "DuckDB read_parquet ms", "akko / DuckDB",
                              "akko over read_parquet ms", "that / DuckDB"], rows))
        p = planning["lake_planning"]
        print()
        print(benchlib.table(["lake_planning, 10,000 files in 100 manifests", "ms"], [
            ["plan WHERE id = X, cold (every manifest read and decoded)", f"{p['cold_ms']:.2f}"],
            ["the same, warm (manifests cached)", f"{p['warm_ms']:.3f}"],
            ["count(*) from metadata (warm)", f"{p['count_from_metadata_ms']:.3f}"],
            ["reading the manifest list and manifests' bytes (floor for cold)", f"{p['disk_read_ms']:.2f}"]]))
        print()
        rows = []
        for entry in commits["results"]:
            a, g = entry["akko"], entry["postgres"]
            rows.append([entry["case"], f"{a['tps']:.1f}", f"{g['tps']:.1f}", benchlib.fmt_ratio(a["tps"], g["tps"]),
                         f"{a['latency_ms']:.2f} / {g['latency_ms']:.2f}", f"{a['retried']} / {g['retried']}",
                         f"{a['server_cpu_s'] * 1000 / max(a['committed'], 1):.2f} / "
                         f"{g['server_cpu_s'] * 1000 / max(g['committed'], 1):.2f}"])
        print(benchlib.table(["autocommit INSERT of one row", "akko commits/s", "PG 15 commits/s", "akko / PG",
                              "mean latency ms akko / PG", "retried akko / PG", "server CPU ms/commit akko / PG"],
                             rows))
        benchlib.write_result("lake", {"threads": THREADS, "repeat": REPEAT, "rounds": ROUNDS, "scan": scan,
                                       "planning": planning, "commits": commits})
    finally:
        if connection:
            connection.close()
        if akko:
            akko.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
