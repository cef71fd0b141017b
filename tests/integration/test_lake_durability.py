"""Lake tables under concurrent writers and crashes. Eight clients insert into one table and
eight into different tables at once: every acknowledged row is there exactly once. The server is
killed (SIGKILL) at many points while clients commit, single-table and two-table transactions:
after each restart every table is at its old or new snapshot (all files readable with DuckDB),
every acknowledged row is there once, and a two-table transaction is in both tables or neither."""
import signal
import threading

import psycopg2
import pytest

from conftest import AkkoServer
from lake_files import duckdb, current_files, load_metadata, local_path

CLIENTS = 8
STATEMENTS = 15


def test_concurrent_inserts_keep_every_acknowledged_row_once(fresh_akko):
    server = fresh_akko()
    setup = psycopg2.connect(server.dsn())
    setup.autocommit = True
    cur = setup.cursor()
    cur.execute("CREATE SCHEMA busy")
    cur.execute("CREATE TABLE busy.shared (client INTEGER, seq INTEGER)")
    for client in range(CLIENTS):
        cur.execute(f"CREATE TABLE busy.own_{client} (client INTEGER, seq INTEGER)")
    errors = []

    def insert(client, table):
        try:
            conn = psycopg2.connect(server.dsn())
            conn.autocommit = True
            with conn.cursor() as c:
                for seq in range(STATEMENTS):
                    c.execute(f"INSERT INTO busy.{table} VALUES (%s, %s), (%s, %s)", (client, 2 * seq, client, 2 * seq + 1))
            conn.close()
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=insert, args=(c, "shared")) for c in range(CLIENTS)]
    threads += [threading.Thread(target=insert, args=(c, f"own_{c}")) for c in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    cur.execute("SELECT client, count(*), count(DISTINCT seq), min(seq), max(seq) FROM busy.shared GROUP BY client "
                "ORDER BY client")
    assert cur.fetchall() == [(c, 2 * STATEMENTS, 2 * STATEMENTS, 0, 2 * STATEMENTS - 1) for c in range(CLIENTS)]
    for client in range(CLIENTS):
        cur.execute(f"SELECT count(*), count(DISTINCT seq), min(client), max(client) FROM busy.own_{client}")
        assert cur.fetchone() == (2 * STATEMENTS, 2 * STATEMENTS, client, client)
    # Each autocommit INSERT is one snapshot; DuckDB, reading the files, agrees on the count.
    _, metadata = load_metadata(server.data_dir, "busy", "shared")
    assert len(metadata["snapshots"]) == CLIENTS * STATEMENTS
    paths = ", ".join(f"'{local_path(server.data_dir, f['file_path'])}'" for f in current_files(server.data_dir, metadata))
    assert duckdb(f"SELECT count(*) FROM read_parquet([{paths}])") == [[str(CLIENTS * STATEMENTS * 2)]]
    setup.close()


WRITERS = 4


@pytest.mark.parametrize("kill_after", [3, 17, 41])
def test_sigkill_during_lake_commits(fresh_akko, kill_after):
    server = fresh_akko()
    setup = psycopg2.connect(server.dsn())
    setup.autocommit = True
    cur = setup.cursor()
    cur.execute("CREATE SCHEMA crash")
    cur.execute("CREATE TABLE crash.left_side (writer INTEGER, seq INTEGER)")
    cur.execute("CREATE TABLE crash.right_side (writer INTEGER, seq INTEGER)")
    setup.close()

    acknowledged = {writer: [] for writer in range(WRITERS)}
    enough = threading.Barrier(WRITERS + 1)

    def write(writer):
        conn = psycopg2.connect(server.dsn())
        seq = 0
        signalled = False
        try:
            while True:
                with conn.cursor() as c:
                    c.execute("INSERT INTO crash.left_side VALUES (%s, %s)", (writer, seq))
                    conn.commit()
                    acknowledged[writer].append(seq)
                    # One transaction over both tables: in both after the crash, or in neither.
                    c.execute("INSERT INTO crash.left_side VALUES (%s, %s)", (writer, seq + 1))
                    c.execute("INSERT INTO crash.right_side VALUES (%s, %s)", (writer, seq + 1))
                    conn.commit()
                    acknowledged[writer].append(seq + 1)
                seq += 2
                if seq >= 2 * kill_after and not signalled:
                    signalled = True
                    enough.wait()
        except psycopg2.Error:
            if not signalled:
                enough.abort()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    enough.wait(timeout=300)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    server.log.close()

    restarted = AkkoServer(server.data_dir)
    try:
        conn = psycopg2.connect(restarted.dsn())
        c = conn.cursor()
        c.execute("SELECT writer, seq FROM crash.left_side")
        left = {}
        for writer, seq in c.fetchall():
            left.setdefault(writer, []).append(seq)
        c.execute("SELECT writer, seq FROM crash.right_side")
        right = {}
        for writer, seq in c.fetchall():
            right.setdefault(writer, []).append(seq)
        for writer in range(WRITERS):
            rows = left.get(writer, [])
            assert len(rows) == len(set(rows)), f"writer {writer} has duplicated rows"
            assert set(acknowledged[writer]) <= set(rows), f"writer {writer} lost acknowledged rows"
            two_table = {seq for seq in rows if seq % 2 == 1}
            assert two_table == set(right.get(writer, [])), "a two-table transaction landed in one table only"
        # Every file the current snapshots reference is there and readable by DuckDB.
        for table in ("left_side", "right_side"):
            _, metadata = load_metadata(restarted.data_dir, "crash", table)
            files = current_files(restarted.data_dir, metadata)
            paths = ", ".join(f"'{local_path(restarted.data_dir, f['file_path'])}'" for f in files)
            total = sum(len(v) for v in (left if table == "left_side" else right).values())
            assert duckdb(f"SELECT count(*) FROM read_parquet([{paths}])") == [[str(total)]]
        # And the table still takes writes.
        c.execute("INSERT INTO crash.left_side VALUES (99, 0)")
        conn.commit()
        conn.close()
    finally:
        restarted.stop()
