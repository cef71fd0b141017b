#!/usr/bin/python3
"""Start-up time and idle memory of `akko serve`, beside PostgreSQL 15 as a peer.

akko: time from exec to the "akko is ready" line on stdout, median of several runs, on a
fresh data directory (first start: metastore, bootstrap user, TLS certificate, engine
file) and on an existing one. Memory (VmRSS, Pss from /proc) right after the ready line,
with one connection open (SCRAM login and SELECT 1), and after that connection closed.

PostgreSQL 15: `pg_ctl start -w` (which polls every 100 ms, so its figure is coarse) and,
measured as akko is, exec of `postgres` to its "ready to accept connections" log line;
initdb as the peer of akko's fresh start. Memory of the postmaster alone and summed over
every process of the cluster (Pss does not double-count shared buffers; Rss does).

Knobs (environment): AKKO_BENCH_STARTUP_RUNS (7), AKKO_BIN.
"""
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import benchlib  # noqa: E402

RUNS = benchlib.env_int("AKKO_BENCH_STARTUP_RUNS", 7)


def connect_once(server):
    """Opens a connection, runs SELECT 1, and returns it still open."""
    import psycopg2
    connection = psycopg2.connect(server.dsn())
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchall()
    connection.commit()
    return connection


def memory_figures(server):
    """Memory right now, with one connection open, and after it closed."""
    idle = server.memory()
    connection = connect_once(server)
    connected = server.memory()
    connection.close()
    time.sleep(benchlib.SETTLE_SECONDS)  # let the connection's thread or backend finish exiting
    closed = server.memory()
    return {"idle": idle, "connected": connected, "closed": closed}


def akko_runs(work):
    fresh, existing, memory = [], [], []
    for run in range(RUNS):
        data_dir = work / f"akko{run}"
        server = benchlib.AkkoServer(data_dir)
        fresh.append(server.ready_seconds)
        if run == 0:
            memory.append(memory_figures(server))
        server.stop()
    data_dir = work / "akko0"
    for run in range(RUNS):
        server = benchlib.AkkoServer(data_dir)
        existing.append(server.ready_seconds)
        if run == 0:
            memory.append(memory_figures(server))
        server.stop()
    return {"fresh_s": fresh, "existing_s": existing, "memory_fresh": memory[0], "memory_existing": memory[1]}


def as_postgres():
    return {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}


def postgres_runs(work):
    pg = benchlib.RealPostgres(work, start=False)
    initdb = pg.initdb_seconds
    pg_ctl, direct = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([str(benchlib.PG_BIN / "pg_ctl"), "-D", str(pg.data), "-w", "-l", str(pg.dir / "log"),
                        "-o", pg.options, "start"], check=True, stdout=subprocess.DEVNULL, **as_postgres())
        pg_ctl.append(time.perf_counter() - started)
        pg.stop()
    memory = None
    for run in range(RUNS):
        args = [str(benchlib.PG_BIN / "postgres"), "-D", str(pg.data), "-p", str(pg.port), "-k", str(pg.dir)]
        for setting in pg.settings:
            args += ["-c", setting]
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                   **as_postgres())
        for line in process.stderr:
            if "database system is ready to accept connections" in line:
                direct.append(time.perf_counter() - started)
                break
        else:
            raise RuntimeError("postgres exited before it was ready")
        if run == 0:
            pg.pid = process.pid
            memory = memory_figures(pg)
        # Fast shutdown, as pg_ctl -m fast does; keep draining the log so it never blocks.
        process.send_signal(signal.SIGINT)
        process.stderr.read()
        process.wait(timeout=60)
    return {"initdb_s": initdb, "pg_ctl_start_s": pg_ctl, "exec_to_ready_s": direct, "memory": memory}


def mib(kib):
    return f"{kib / 1024:.1f}" if kib is not None else "n/a"


def main():
    work = benchlib.work_dir("akko-bench-startup-")
    try:
        print(f"== start-up time and idle memory, median of {RUNS} runs", flush=True)
        akko = akko_runs(work)
        postgres = postgres_runs(work)
        med = benchlib.median
        ms = lambda seconds: f"{seconds * 1000:.0f}"  # noqa: E731
        pg_ready = med(postgres["exec_to_ready_s"])
        print()
        print(benchlib.table(["start-up (median, ms)", "akko", "PostgreSQL 15", "akko / PG"], [
            ["existing data dir: exec to ready", ms(med(akko["existing_s"])), ms(pg_ready),
             benchlib.fmt_ratio(med(akko["existing_s"]), pg_ready)],
            ["existing data dir: pg_ctl start -w (polls every 100 ms)", "",
             ms(med(postgres["pg_ctl_start_s"])), benchlib.fmt_ratio(med(akko["existing_s"]),
                                                                     med(postgres["pg_ctl_start_s"]))],
            ["fresh data dir: exec to ready (PG: initdb + exec to ready)", ms(med(akko["fresh_s"])),
             ms(postgres["initdb_s"] + pg_ready),
             benchlib.fmt_ratio(med(akko["fresh_s"]), postgres["initdb_s"] + pg_ready)],
        ]))
        am, pm = akko["memory_existing"], postgres["memory"]
        rows = []
        for state, label in (("idle", "after start"), ("connected", "one connection open"),
                             ("closed", "after that connection closed")):
            a, p = am[state], pm[state]
            rows.append([label, mib(a["VmRSS"]), mib(a["Pss"]), mib(a["Uss"]), mib(p["VmRSS"]), mib(p["cluster_Pss"]),
                         mib(p["cluster_Uss"]), mib(p["cluster_VmRSS"]), p["processes"],
                         benchlib.fmt_ratio(a["VmRSS"], p["VmRSS"]), benchlib.fmt_ratio(a["Pss"], p["cluster_Pss"])])
        print()
        print(benchlib.table(["memory (MiB)", "akko Rss", "akko Pss", "akko Uss", "PG postmaster Rss",
                              "PG cluster Pss", "PG cluster Uss", "PG cluster Rss (sum)", "PG processes",
                              "Rss akko / postmaster", "Pss akko / PG cluster"], rows))
        fm = akko["memory_fresh"]["idle"]
        print(f"\nakko on a fresh data dir, after start: Rss {mib(fm['VmRSS'])} MiB, Pss {mib(fm['Pss'])} MiB, "
              f"Uss {mib(fm['Uss'])} MiB")
        benchlib.write_result("startup", {"runs": RUNS, "akko": akko, "postgres": postgres})
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
