"""Two akko servers on one PostgreSQL metastore and one warehouse directory: what one creates
the other sees at once, and concurrent writers on both lose nothing."""
import threading

import psycopg2
import pytest

from conftest import AkkoServer

WRITERS_PER_SERVER = 4
ROWS_PER_WRITER = 15


@pytest.fixture
def two_servers(postgres, tmp_path):
    database = f"akko_shared_{tmp_path.name[-20:].replace('-', '_').lower()}"
    admin = psycopg2.connect(postgres.dsn())
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{database}"')
    admin.close()
    uri = f"postgresql://postgres@127.0.0.1:{postgres.port}/{database}"
    warehouse = tmp_path / "warehouse"
    servers = [AkkoServer(tmp_path / f"server{i}", ["--metastore", uri, "--warehouse", str(warehouse)])
               for i in range(2)]
    yield servers
    for server in servers:
        server.stop()


def autocommit_connection(server):
    # Not `with psycopg2.connect(...)`: since psycopg2 2.9 that wraps the block in one transaction.
    conn = psycopg2.connect(server.dsn())
    conn.autocommit = True
    return conn


def run(server, sql, params=None):
    conn = autocommit_connection(server)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


def test_both_servers_share_the_catalog_and_the_files(two_servers):
    a, b = two_servers
    run(a, "CREATE SCHEMA shared")
    run(a, "CREATE TABLE shared.t (id BIGINT, note VARCHAR)")
    run(a, "INSERT INTO shared.t VALUES (1, 'from a')")
    assert run(b, "SELECT id, note FROM shared.t") == [(1, "from a")]
    run(b, "UPDATE shared.t SET note = 'changed by b' WHERE id = 1")
    assert run(a, "SELECT note FROM shared.t") == [("changed by b",)]
    run(b, "DROP TABLE shared.t")
    with pytest.raises(psycopg2.errors.UndefinedTable):
        run(a, "SELECT * FROM shared.t")


def test_concurrent_writers_on_two_servers_lose_nothing(two_servers):
    a, b = two_servers
    run(a, "CREATE SCHEMA busy")
    run(a, "CREATE TABLE busy.t (writer INTEGER, n INTEGER)")
    failures = []

    def write(server, writer):
        try:
            conn = autocommit_connection(server)
            with conn.cursor() as cur:
                for n in range(ROWS_PER_WRITER):
                    cur.execute("INSERT INTO busy.t VALUES (%s, %s)", (writer, n))
            conn.close()
        except Exception as error:  # reported below, with the writer that hit it
            failures.append((writer, repr(error)))

    threads = [threading.Thread(target=write, args=(server, i * 2 + s))
               for i in range(WRITERS_PER_SERVER) for s, server in enumerate((a, b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    expected = sorted((w, n) for w in range(2 * WRITERS_PER_SERVER) for n in range(ROWS_PER_WRITER))
    assert sorted(run(a, "SELECT writer, n FROM busy.t")) == expected
    assert sorted(run(b, "SELECT writer, n FROM busy.t")) == expected
    # One snapshot per INSERT: every commit landed on its own, none folded into another.
    snapshots = run(b, 'SELECT count(*) FROM busy."t$snapshots"')[0][0]
    assert snapshots == len(expected)
