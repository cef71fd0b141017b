"""Process lifecycle: signals, restarts on the same data directory, CLI output, ports, the
generated bootstrap password."""
import json
import os
import re
import signal
import socket
import subprocess
import time

import psycopg2
import pytest

from conftest import ADMIN_PASSWORD, AKKO_BIN, ROOT, AkkoServer
from pgproto import ServerClosed, connect_akko, error_fields

DUCKDB_VERSION = "1.4.4"  # third_party/duckdb pin


def project_version():
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(akko VERSION ([0-9.]+)", text).group(1)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until(condition, timeout, what):
    """Polls a condition until it holds (a deadline, not a guessed delay)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_sigterm_during_query(fresh_akko):
    server = fresh_akko()
    conn = connect_akko(server)
    before = cpu_seconds(server.process.pid)
    conn.query("SELECT count(*) FROM range(20000000000)")
    # The query is running once the server burns CPU on it.
    wait_until(lambda: cpu_seconds(server.process.pid) - before > 0.5, 30, "the query to start")
    server.process.send_signal(signal.SIGTERM)
    codes = []
    try:
        while True:
            kind, payload = conn.recv()
            if kind == "E":
                codes.append(error_fields(payload)["C"])
    except (ServerClosed, OSError):
        pass
    assert server.process.wait(timeout=15) == 0
    assert not codes or set(codes) <= {"57P01", "57014"}, codes
    assert conn.at_eof()
    conn.close()


def test_sigterm_idle_connection_gets_57P01(fresh_akko):
    server = fresh_akko()
    conn = connect_akko(server)
    server.process.send_signal(signal.SIGTERM)
    kind, payload = conn.recv()
    fields = error_fields(payload)
    assert (kind, fields["S"], fields["C"]) == ("E", "FATAL", "57P01")
    assert conn.at_eof()
    assert server.process.wait(timeout=15) == 0


def test_data_survives_clean_restart(fresh_akko):
    server = fresh_akko()
    rows = [(i, f"value {i}", i * 1.25) for i in range(1, 101)]
    conn = psycopg2.connect(server.dsn())
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE TABLE keep_me (id integer PRIMARY KEY, v text, x float8)")
    cur.executemany("INSERT INTO keep_me VALUES (%s, %s, %s)", rows)
    conn.close()
    assert server.stop() == 0
    again = AkkoServer(server.data_dir)
    try:
        conn = psycopg2.connect(again.dsn())
        cur = conn.cursor()
        cur.execute("SELECT id, v, x FROM keep_me ORDER BY id")
        assert cur.fetchall() == rows
        conn.close()
    finally:
        assert again.stop() == 0


def test_version_output():
    result = subprocess.run([str(AKKO_BIN), "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert result.stdout.startswith(f"akko {project_version()} ")
    assert f"DuckDB {DUCKDB_VERSION}" in result.stdout


def test_help_output():
    top = subprocess.run([str(AKKO_BIN), "--help"], capture_output=True, text=True, timeout=30)
    assert top.returncode == 0 and "serve" in top.stdout
    serve = subprocess.run([str(AKKO_BIN), "serve", "--help"], capture_output=True, text=True, timeout=30)
    assert serve.returncode == 0
    for flag in ("--data-dir", "--pg-port", "--http-port", "--s3-port", "--admin-password", "--tls-cert"):
        assert flag in serve.stdout, flag


def test_unknown_flag_fails():
    result = subprocess.run([str(AKKO_BIN), "serve", "--no-such-flag"], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0


def test_port_zero_pg_port_in_ports_json(fresh_akko):
    server = fresh_akko()
    ports = json.loads((server.data_dir / "ports.json").read_text())
    ready = [json.loads(line) for line in server.log_text().splitlines()
             if line.startswith("{") and '"server_ready"' in line]
    assert len(ready) == 1 and ports["pg"] == ready[0]["pg_port"] and ports["pg"] > 0
    conn = psycopg2.connect(server.dsn())
    cur = conn.cursor()
    cur.execute("SELECT 6 * 7")
    assert cur.fetchone()[0] == 42
    conn.close()


def test_port_zero_http_port_in_ports_json(fresh_akko):
    server = fresh_akko()
    ports = json.loads((server.data_dir / "ports.json").read_text())
    assert ports["http"] > 0 and ports["http"] != ports["pg"]
    with socket.create_connection(("127.0.0.1", ports["http"]), timeout=10) as s:
        s.sendall(b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n")
        assert s.recv(16).startswith(b"HTTP/1.")


def start_without_password(data_dir):
    env = {k: v for k, v in os.environ.items() if k != "AKKO_ADMIN_PASSWORD"}
    process = subprocess.Popen([str(AKKO_BIN), "serve", "--data-dir", str(data_dir), "--pg-port", "0",
                                "--http-port", "0", "--s3-port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, env=env)
    for line in process.stdout:
        if line.startswith("akko is ready"):
            break
    else:
        raise AssertionError("akko exited before it was ready")
    return process


def stop_and_read(process):
    process.send_signal(signal.SIGTERM)
    rest = process.stdout.read()
    assert process.wait(timeout=15) == 0
    return rest


def can_login(port, password):
    try:
        psycopg2.connect(host="127.0.0.1", port=port, user="admin", password=password, dbname="akko",
                         sslmode="disable").close()
        return True
    except psycopg2.OperationalError as e:
        assert "password authentication failed" in str(e)
        return False


def test_generated_admin_password_shown_once(tmp_path):
    data_dir = tmp_path / "data"
    first = start_without_password(data_dir)
    try:
        port = json.loads((data_dir / "ports.json").read_text())["pg"]
        assert port > 0
    finally:
        rest = stop_and_read(first)
    found = re.findall(r"admin password[^:]*: (\S+)", rest)
    assert len(found) == 1, rest
    password = found[0]
    assert len(password) >= 12 and password != ADMIN_PASSWORD

    second = start_without_password(data_dir)
    try:
        port = json.loads((data_dir / "ports.json").read_text())["pg"]
        assert can_login(port, password)
        assert not can_login(port, password + "x")
    finally:
        rest = stop_and_read(second)
    assert "admin password" not in rest
