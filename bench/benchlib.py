"""Shared pieces of the benchmarks: a real akko server, a real PostgreSQL 15 cluster, the
knobs read from the environment, process CPU and memory readings, and result files.

Both servers listen on loopback ports chosen by the kernel (akko) or found free (PostgreSQL).
Readiness is read from the processes themselves (akko's "ready" line, pg_ctl -w), never
guessed with sleeps. Every benchmark prints figures as ratios to a baseline measured in the
same run; nothing here compares against a fixed time.
"""
import ctypes
import datetime
import json
import os
import pathlib
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILD_DIR = pathlib.Path(os.environ.get("BUILD_DIR", "build"))
if not BUILD_DIR.is_absolute():
    BUILD_DIR = ROOT / BUILD_DIR
AKKO_BIN = pathlib.Path(os.environ.get("AKKO_BIN", BUILD_DIR / "akko"))
PG_BIN = pathlib.Path(os.environ.get("AKKO_BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))
ADMIN_PASSWORD = "bench-admin-pw"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LOAD_AT_START = os.getloadavg()
# After a client ends, how long to let its server side finish before reading CPU time: a
# PostgreSQL backend exits after its client and its CPU shows up in the postmaster's
# children's time only once reaped. Not part of any measured time.
SETTLE_SECONDS = 0.5

# A benchmark stopped by `timeout` (scripts/run-benchmarks) or ^C still stops its servers
# and removes its scratch directory: SIGTERM unwinds through the `finally` blocks.
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _die_with_parent():
    """Runs in a child before exec: the kernel sends it SIGTERM if the benchmark dies."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default):
    value = os.environ.get(name)
    return [int(v) for v in value.replace(",", " ").split()] if value else default


def median(values):
    return statistics.median(values) if values else float("nan")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def work_dir(prefix):
    """A scratch directory the `postgres` OS user can enter too; removed by the caller."""
    path = pathlib.Path(tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("AKKO_BENCH_TMP")))
    os.chmod(path, 0o755)
    return path


def process_cpu_seconds(pid, children=False):
    """utime+stime of a process (all its threads); with children, also of its reaped children."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def memory_kib(pid):
    """VmRSS, VmHWM and, from smaps_rollup, Pss and Uss (private pages) of one process, in KiB.

    Pss splits a shared page among the processes mapping it, so it also depends on what else
    runs (another akko maps the same libduckdb.so); Uss counts only pages no one else maps.
    """
    result = {}
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            result[key] = int(value.split()[0])
    try:
        uss = 0
        for line in pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            key, _, value = line.partition(":")
            if key == "Pss":
                result["Pss"] = int(value.split()[0])
            elif key in ("Private_Clean", "Private_Dirty"):
                uss += int(value.split()[0])
        result["Uss"] = uss
    except PermissionError:
        result["Pss"] = result["Uss"] = None
    return result


def child_pids(pid):
    pids = []
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(entry.name))
    return pids


class AkkoServer:
    """`akko serve` on a data directory, all listeners on free loopback ports."""

    def __init__(self, data_dir, extra_args=()):
        self.data_dir = pathlib.Path(data_dir)
        self.log_path = self.data_dir.parent / (self.data_dir.name + ".log")
        self.log = open(self.log_path, "a")
        args = [str(AKKO_BIN), "serve", "--data-dir", str(self.data_dir), "--listen-address", "127.0.0.1",
                "--http-port", "0", "--pg-port", "0", "--s3-port", "0", "--admin-password", ADMIN_PASSWORD,
                *extra_args]
        started = time.perf_counter()
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                        preexec_fn=_die_with_parent)
        for line in self.process.stdout:
            if line.startswith("akko is ready"):
                self.ready_seconds = time.perf_counter() - started
                break
        else:
            self.log.close()
            raise RuntimeError("akko exited before it was ready:\n" + self.log_path.read_text()[-4000:])
        # The rest of the banner is not needed; keep the pipe drained so akko never blocks on it.
        self.process.stdout.close()
        self.pid = self.process.pid
        self.port = json.loads((self.data_dir / "ports.json").read_text())["pg"]
        self.host = "127.0.0.1"
        self.user = "admin"
        self.password = ADMIN_PASSWORD
        self.database = "akko"

    name = "akko"

    def dsn(self):
        return (f"host={self.host} port={self.port} user={self.user} password={self.password} "
                f"dbname={self.database} sslmode=disable")

    def client_env(self):
        return {**os.environ, "PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user,
                "PGPASSWORD": self.password, "PGDATABASE": self.database, "PGSSLMODE": "disable"}

    def cpu_seconds(self):
        """CPU of every thread of the server, those of closed connections included."""
        return process_cpu_seconds(self.pid)

    def memory(self):
        return memory_kib(self.pid)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=120)
        self.log.close()
        return self.process.returncode


class RealPostgres:
    """A throwaway PostgreSQL 15 cluster (run as the `postgres` OS user when we are root)."""

    name = "postgres"

    def __init__(self, base_dir, settings=(), start=True):
        self.dir = pathlib.Path(base_dir) / "pg"
        self.dir.mkdir(parents=True)
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self.host = "127.0.0.1"
        self.user = "postgres"
        self.database = "postgres"
        started = time.perf_counter()
        self.run([PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"])
        self.initdb_seconds = time.perf_counter() - started
        # fsync=off only speeds up loading the tables; none of the measured statements write.
        self.settings = ["listen_addresses=127.0.0.1", "fsync=off", "TimeZone=UTC", *settings]
        self.options = f"-p {self.port} -k {self.dir}" + "".join(f" -c {s}" for s in self.settings)
        if start:
            self.start()

    def run(self, args, **kwargs):
        args = [str(a) for a in args]
        if self.as_root:
            args = ["runuser", "-u", "postgres", "--", *args]
        return subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)

    def start(self):
        started = time.perf_counter()
        self.run([PG_BIN / "pg_ctl", "-D", self.data, "-w", "-l", self.dir / "log", "-o", self.options, "start"])
        self.ready_seconds = time.perf_counter() - started
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self, mode="fast"):
        self.run([PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"])

    def dsn(self):
        return f"host={self.host} port={self.port} user={self.user} dbname={self.database} sslmode=disable"

    def client_env(self):
        return {**os.environ, "PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user,
                "PGDATABASE": self.database, "PGSSLMODE": "disable"}

    def cpu_seconds(self):
        """CPU of the postmaster and every backend it has reaped (a backend ends with its connection)."""
        total = process_cpu_seconds(self.pid, children=True)
        for child in child_pids(self.pid):
            try:
                total += process_cpu_seconds(child)
            except OSError:
                pass
        return total

    def memory(self):
        """The postmaster's own figures, and Pss/Rss summed over the whole cluster."""
        result = memory_kib(self.pid)
        pss = result.get("Pss") or 0
        uss = result.get("Uss") or 0
        rss = result.get("VmRSS") or 0
        processes = 1
        for child in child_pids(self.pid):
            try:
                m = memory_kib(child)
            except OSError:
                continue
            pss += m.get("Pss") or 0
            uss += m.get("Uss") or 0
            rss += m.get("VmRSS") or 0
            processes += 1
        result.update({"cluster_Pss": pss, "cluster_Uss": uss, "cluster_VmRSS": rss, "processes": processes})
        return result


def psql(server, sql, *extra):
    """Runs one statement with psql; returns its unaligned, tuples-only output."""
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-A", "-t", *extra, "-c", sql],
                         env=server.client_env(), check=True, capture_output=True, text=True)
    return out.stdout


def machine():
    cpu = "unknown"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(pathlib.Path("/proc/meminfo").read_text().split()[1])
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kib / 1048576, 1),
            "kernel": platform.release()}


def write_result(name, result):
    """Saves a benchmark's figures as JSON for scripts/run-benchmarks' summary."""
    out_dir = os.environ.get("AKKO_BENCH_OUT")
    result = {"benchmark": name, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "machine": machine(), "loadavg": {"start": LOAD_AT_START, "end": os.getloadavg()}, **result}
    if out_dir:
        path = pathlib.Path(out_dir) / f"{name}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
    return result


def table(headers, rows):
    """A Markdown table, so the output pastes straight into docs/benchmarks.md."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for row in cells:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
    return "\n".join(lines)


def fmt_rate(value):
    if value != value:
        return "n/a"
    if value >= 1e6:
        return f"{value / 1e6:.2f} M"
    if value >= 1e3:
        return f"{value / 1e3:.1f} k"
    return f"{value:.0f}"


def fmt_ratio(numerator, denominator):
    if not denominator or numerator != numerator or denominator != denominator:
        return "n/a"
    return f"{numerator / denominator:.2f}x"
