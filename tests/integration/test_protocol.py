"""Raw PostgreSQL v3 protocol behaviour, compared message by message with PostgreSQL 15."""
import select
import struct
import time

import pytest

from pgproto import (CANCEL_REQUEST, GSSENC_REQUEST, SSL_REQUEST, PgConn, connect_akko, connect_pg, data_row,
                     error_fields, summarize)

N_ROWS = 5
ROWS_SQL = f"SELECT g FROM generate_series(1, {N_ROWS}) AS t(g) ORDER BY g"


@pytest.fixture
def both(akko, postgres):
    conns = {"akko": connect_akko(akko), "pg": connect_pg(postgres)}
    yield conns
    for conn in conns.values():
        conn.close()


def run_both(both, script):
    """Runs script(conn) on both servers; returns {name: summarized messages}."""
    return {name: script(conn) for name, conn in both.items()}


@pytest.mark.parametrize("max_rows", [N_ROWS - 1, N_ROWS, N_ROWS + 1, 1, 0])
def test_portal_suspension_boundaries(both, max_rows):
    def script(conn):
        conn.parse(ROWS_SQL)
        conn.bind()
        # Enough Executes to drain the portal, plus one on the finished portal.
        for _ in range((N_ROWS // max_rows + 2) if max_rows else 2):
            conn.execute("", max_rows)
        conn.sync()
        messages = conn.recv_until()
        values = [int(data_row(p)[0]) for k, p in messages if k == "D"]
        return summarize(messages), values

    results = run_both(both, script)
    assert results["akko"] == results["pg"]
    # Independent of either server: every row exactly once, in order.
    assert results["pg"][1] == list(range(1, N_ROWS + 1))


def test_portal_suspension_in_transaction_named_portal(both):
    """A named portal survives Sync inside a transaction block and resumes where it stopped."""
    def script(conn):
        out = summarize(conn.simple("BEGIN"))
        conn.parse(ROWS_SQL, name="s1")
        conn.bind(portal="p1", statement="s1")
        conn.execute("p1", 2)
        conn.sync()
        first = conn.recv_until()
        conn.execute("p1", 2)
        conn.sync()
        second = conn.recv_until()
        conn.execute("p1", 0)
        conn.sync()
        third = conn.recv_until()
        out += summarize(first) + summarize(second) + summarize(third) + summarize(conn.simple("COMMIT"))
        rows = [int(data_row(p)[0]) for k, p in first + second + third if k == "D"]
        return out, rows

    results = run_both(both, script)
    assert results["akko"] == results["pg"]
    assert results["pg"][1] == list(range(1, N_ROWS + 1))


def setup_overflow_table(conn):
    summarize(conn.simple("DROP TABLE IF EXISTS proto_ovf"))
    assert summarize(conn.simple("CREATE TABLE proto_ovf (x integer)"))[-1] == "Z:I"
    assert summarize(conn.simple("INSERT INTO proto_ovf VALUES (1)"))[-2] == "C:INSERT 0 1"


@pytest.mark.parametrize("in_block", [False, True])
def test_error_in_extended_batch_skips_until_sync(both, in_block):
    def script(conn):
        setup_overflow_table(conn)
        out = []
        if in_block:
            out += summarize(conn.simple("BEGIN"))
        for sql in ["SELECT 1 AS a", "SELECT x + 2147483647 AS a FROM proto_ovf", "SELECT 3 AS a"]:
            conn.parse(sql)
            conn.bind()
            conn.execute()
        conn.sync()
        out += summarize(conn.recv_until())
        # After Sync the connection takes new work (after ROLLBACK when a block failed).
        if in_block:
            out += summarize(conn.simple("SELECT 4"))
            out += summarize(conn.simple("ROLLBACK"))
        conn.parse("SELECT 5")
        conn.bind()
        conn.execute()
        conn.sync()
        messages = conn.recv_until()
        out += summarize(messages)
        out.append([data_row(p)[0] for k, p in messages if k == "D"])
        return out

    results = run_both(both, script)
    assert results["akko"] == results["pg"]
    assert "E:22003" in results["pg"]


def test_describe_and_parameters(both):
    def script(conn):
        conn.parse("SELECT $1::integer + 1 AS n, $2::text AS t", name="d1")
        conn.describe("S", "d1")
        conn.bind(statement="d1", params=["41", None])
        conn.describe("P")
        conn.execute()
        conn.sync()
        messages = conn.recv_until()
        rows = [data_row(p) for k, p in messages if k == "D"]
        return summarize(messages), rows

    results = run_both(both, script)
    assert results["akko"] == results["pg"]
    assert results["pg"][1] == [[b"42", None]]


def test_cancel_request_long_query(akko):
    conn = connect_akko(akko)
    conn.query("SELECT count(*) FROM range(20000000000)")
    deadline = time.monotonic() + 30
    # A cancel that lands before the query starts is lost, as in PostgreSQL; resend until the
    # query answers (no sleeping: we wait on the query's socket).
    while True:
        assert time.monotonic() < deadline, "query was not cancelled"
        canceller = PgConn(akko.host, akko.pg_port)
        canceller.send_raw(struct.pack("!iiii", 16, CANCEL_REQUEST, conn.pid, conn.secret))
        assert canceller.at_eof()  # the server answers a CancelRequest by closing
        canceller.close()
        readable, _, _ = select.select([conn.sock], [], [], 0.5)
        if readable or conn.buffer:
            break
    messages = conn.recv_until()
    assert summarize(messages) == ["E:57014", "Z:I"]
    messages = conn.simple("SELECT 40 + 2")
    assert [data_row(p)[0] for k, p in messages if k == "D"] == [b"42"]
    conn.close()


def test_cancel_request_with_wrong_secret_is_ignored(akko):
    conn = connect_akko(akko)
    canceller = PgConn(akko.host, akko.pg_port)
    canceller.send_raw(struct.pack("!iiii", 16, CANCEL_REQUEST, conn.pid, conn.secret ^ 0x5A5A))
    assert canceller.at_eof()
    messages = conn.simple("SELECT count(*) FROM range(3000000)")
    assert [data_row(p)[0] for k, p in messages if k == "D"] == [b"3000000"]
    conn.close()


MALFORMED = {
    "bad_length": b"Q" + struct.pack("!I", 2),
    "unknown_type": b"y" + struct.pack("!I", 4),
    "oversized": b"Q" + struct.pack("!I", 0x7FFFFFF0) + b"SELECT 1",
    "just_over_64MiB": b"Q" + struct.pack("!I", 64 * 1024 * 1024 + 8) + b"SELECT 1",
}


def assert_fatal_then_closed(conn, sqlstate="08P01"):
    kind, payload = conn.recv()
    fields = error_fields(payload)
    assert (kind, fields.get("S"), fields.get("C")) == ("E", "FATAL", sqlstate), fields
    assert conn.at_eof(), "connection left open after a malformed message"
    return fields


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_message_closes_connection(akko, case):
    # PostgreSQL closes silently on a bad or >1 GiB length and waits for the data of a
    # 64 MiB message; akko says why (08P01) and closes at once, keeping memory bounded.
    conn = connect_akko(akko)
    conn.send_raw(MALFORMED[case])
    assert_fatal_then_closed(conn)
    conn.close()
    other = connect_akko(akko)
    assert summarize(other.simple("SELECT 1")) == ["T", "D", "C:SELECT 1", "Z:I"]
    other.close()


def test_unknown_message_type_same_as_postgres(akko, postgres):
    results = {}
    for name, conn in (("akko", connect_akko(akko)), ("pg", connect_pg(postgres))):
        conn.send_raw(MALFORMED["unknown_type"])
        results[name] = assert_fatal_then_closed(conn)["M"]
        conn.close()
    assert results["akko"] == results["pg"]


def test_ssl_request_answered_s(akko):
    conn = PgConn(akko.host, akko.pg_port)
    conn.send_startup(SSL_REQUEST)
    assert conn.read_byte() == b"S"
    conn.close()


def test_gssenc_request_answered_n_then_startup(akko):
    conn = PgConn(akko.host, akko.pg_port)
    conn.send_startup(GSSENC_REQUEST)
    assert conn.read_byte() == b"N"
    # The same connection then proceeds with a normal startup.
    seen = conn.startup(akko.user, akko.database, akko.password)
    assert seen[-1] == ("Z", b"I")
    conn.close()


def test_wrong_password(akko):
    conn = PgConn(akko.host, akko.pg_port)
    seen = conn.startup(akko.user, akko.database, "not-the-password")
    fields = error_fields(seen[-1][1])
    assert seen[-1][0] == "E" and fields["C"] == "28P01" and fields["S"] == "FATAL"
    assert fields["M"] == f'password authentication failed for user "{akko.user}"'
    assert conn.at_eof()


def test_unknown_database(akko, postgres):
    conn = PgConn(akko.host, akko.pg_port)
    seen = conn.startup(akko.user, "no_such_db", akko.password)
    pg = PgConn(postgres.host, postgres.port)
    pg_seen = pg.startup(postgres.user, "no_such_db")
    for s in (seen, pg_seen):
        assert s[-1][0] == "E"
    akko_fields, pg_fields = error_fields(seen[-1][1]), error_fields(pg_seen[-1][1])
    assert (akko_fields["C"], akko_fields["M"]) == (pg_fields["C"], pg_fields["M"]) == (
        "3D000", 'database "no_such_db" does not exist')
    assert conn.at_eof()


def test_simple_query_multiple_statements(both):
    def script(conn):
        setup_overflow_table(conn)
        ok = summarize(conn.simple("SELECT 1; SELECT 2, 3"))
        # An error both raise before any RowDescription. (For an error while rows are computed,
        # PostgreSQL sends RowDescription first; akko's engine fails before it knows the columns.)
        failed = summarize(conn.simple("INSERT INTO proto_ovf VALUES (7); SELECT no_such_column FROM proto_ovf; SELECT 9"))
        # The implicit transaction rolled the INSERT back.
        count = [data_row(p)[0] for k, p in conn.simple("SELECT count(*) FROM proto_ovf") if k == "D"]
        empty = summarize(conn.simple(""))
        return ok, failed, count, empty

    results = run_both(both, script)
    assert results["akko"] == results["pg"]
    assert results["pg"][2] == [b"1"]
