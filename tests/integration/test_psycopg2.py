"""psycopg2 against akko, with PostgreSQL 15 as the reference for every value."""
import datetime
import decimal
import io
import uuid

import psycopg2
import psycopg2.errors
import psycopg2.extras
import pytest


@pytest.fixture
def conns(akko, postgres):
    conns = {"akko": psycopg2.connect(akko.dsn()), "pg": psycopg2.connect(postgres.dsn())}
    yield conns
    for conn in conns.values():
        conn.close()


def on_both(conns, fn):
    return {name: fn(conn) for name, conn in conns.items()}


PARAMS = [
    ("int", 42, "integer"),
    ("negbig", -9007199254740993, "bigint"),
    ("float", 1.25, "float8"),
    ("float_small", 1e-300, "float8"),
    ("decimal", decimal.Decimal("12345.678"), "numeric(12,3)"),
    ("text", "héllo 'quoted' \"dq\" \\ back", "text"),
    ("empty", "", "text"),
    ("bool", True, "boolean"),
    ("none", None, "text"),
    ("date", datetime.date(2024, 2, 29), "date"),
    ("time", datetime.time(13, 45, 7, 123456), "time"),
    ("timestamp", datetime.datetime(2024, 3, 10, 8, 30, 0, 250000), "timestamp"),
    ("timestamptz", datetime.datetime(2024, 3, 10, 8, 30, tzinfo=datetime.timezone.utc), "timestamptz"),
    ("interval", datetime.timedelta(days=3, hours=4, minutes=5, seconds=6), "interval"),
    ("bytea", psycopg2.Binary(b"\x00\x01\xfe\xffabc"), "bytea"),
    ("uuid", uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "uuid"),
    ("int_list", [1, 2, 3], "integer[]"),
    ("text_list", ["a", "b c", ""], "text[]"),
]


@pytest.mark.parametrize("name,value,pg_type", PARAMS, ids=[p[0] for p in PARAMS])
def test_parameter_round_trip(conns, name, value, pg_type):
    psycopg2.extras.register_uuid()

    def run(conn):
        cur = conn.cursor()
        cur.execute(f"SELECT %s::{pg_type} AS v", (value,))
        got = cur.fetchone()[0]
        return bytes(got) if isinstance(got, memoryview) else got

    got = on_both(conns, run)
    assert got["akko"] == got["pg"]
    assert type(got["akko"]) is type(got["pg"])


def test_many_columns_from_table(conns):
    rows = [(1, "a", 1.5, decimal.Decimal("2.50"), datetime.date(2020, 1, 1), True),
            (2, None, None, None, None, None),
            (3, "tab\there\nnl", -0.0, decimal.Decimal("-0.01"), datetime.date(1999, 12, 31), False)]

    def run(conn):
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("DROP TABLE IF EXISTS pp_t")
        cur.execute("CREATE TABLE pp_t (id integer, s text, f float8, d numeric(8,2), dt date, b boolean)")
        cur.executemany("INSERT INTO pp_t VALUES (%s, %s, %s, %s, %s, %s)", rows)
        cur.execute("SELECT * FROM pp_t ORDER BY id")
        return cur.fetchall(), [d.name for d in cur.description], cur.rowcount

    got = on_both(conns, run)
    assert got["akko"] == got["pg"]
    assert got["pg"][0] == rows


def test_named_cursor_itersize(conns):
    n = 2500

    def run(conn):
        with conn.cursor(name="big") as cur:
            cur.itersize = 333
            cur.execute("SELECT g, g * 2 AS h FROM generate_series(1, %s) AS t(g) ORDER BY g", (n,))
            seen = list(cur)
        conn.commit()
        return seen

    got = on_both(conns, run)
    assert got["akko"] == got["pg"] == [(i, 2 * i) for i in range(1, n + 1)]


def test_named_cursor_fetchmany_and_scroll_forward(conns):
    def run(conn):
        cur = conn.cursor(name="c2")
        cur.execute("SELECT g FROM generate_series(1, 10) AS t(g) ORDER BY g")
        first = cur.fetchmany(3)
        one = cur.fetchone()
        rest = cur.fetchall()
        cur.close()
        conn.rollback()
        return first, one, rest

    got = on_both(conns, run)
    assert got["akko"] == got["pg"] == ([(1,), (2,), (3,)], (4,), [(i,) for i in range(5, 11)])


COPY_ROWS = [
    (1, "plain", 1.5),
    (2, None, None),
    (3, "tab\there", -2.0),
    (4, "new\nline", 0.0),
    (5, 'quote " and , comma', 3.25),
    (6, "unicode ü € 😀", 7.0),
    (7, "back\\slash", 8.5),
    (8, "", 9.0),
]


def copy_setup(conn):
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS pp_copy")
    cur.execute("CREATE TABLE pp_copy (id integer, note text, x float8)")
    return cur


@pytest.mark.parametrize("options", ["", "WITH (FORMAT csv)", "WITH (FORMAT csv, HEADER)"])
def test_copy_expert_round_trip(conns, options):
    def run(conn):
        cur = copy_setup(conn)
        cur.executemany("INSERT INTO pp_copy VALUES (%s, %s, %s)", COPY_ROWS)
        out = io.BytesIO()
        cur.copy_expert(f"COPY (SELECT * FROM pp_copy ORDER BY id) TO STDOUT {options}", out)
        cur.execute("TRUNCATE pp_copy")
        cur.copy_expert(f"COPY pp_copy FROM STDIN {options}", io.BytesIO(out.getvalue()))
        copied = cur.rowcount
        cur.execute("SELECT * FROM pp_copy ORDER BY id")
        return out.getvalue(), copied, cur.fetchall()

    got = on_both(conns, run)
    assert got["akko"] == got["pg"]
    assert got["pg"][2] == COPY_ROWS
    assert got["pg"][1] == len(COPY_ROWS)


def test_copy_from_stdin_text_escapes(conns):
    data = "1\ta\\tb\t1\n2\t\\N\t\\N\n3\tc\\\\d\t2.5\n4\tx\\ny\t-1\n"

    def run(conn):
        cur = copy_setup(conn)
        cur.copy_expert("COPY pp_copy FROM STDIN", io.StringIO(data))
        cur.execute("SELECT * FROM pp_copy ORDER BY id")
        return cur.fetchall()

    got = on_both(conns, run)
    assert got["akko"] == got["pg"] == [(1, "a\tb", 1.0), (2, None, None), (3, "c\\d", 2.5), (4, "x\ny", -1.0)]


def test_copy_from_stdin_bad_data_fails_and_keeps_nothing(conns):
    def run(conn):
        cur = copy_setup(conn)
        with pytest.raises(psycopg2.Error) as failure:
            cur.copy_expert("COPY pp_copy FROM STDIN", io.StringIO("1\ta\t1\nnot_a_number\tb\t2\n"))
        cur.execute("SELECT count(*) FROM pp_copy")
        return failure.value.pgcode, cur.fetchone()[0]

    got = on_both(conns, run)
    assert got["akko"] == got["pg"] == ("22P02", 0)


def test_transactions_rollback_and_commit(conns):
    def run(conn):
        conn.autocommit = True
        conn.cursor().execute("DROP TABLE IF EXISTS pp_tx")
        conn.cursor().execute("CREATE TABLE pp_tx (id integer)")
        conn.autocommit = False
        cur = conn.cursor()
        cur.execute("INSERT INTO pp_tx VALUES (1)")
        status_in_tx = conn.get_transaction_status()
        conn.rollback()
        cur.execute("INSERT INTO pp_tx VALUES (2)")
        conn.commit()
        cur.execute("INSERT INTO pp_tx VALUES (3)")
        with pytest.raises(psycopg2.Error) as failure:
            cur.execute("SELECT 'x'::integer")
        status_failed = conn.get_transaction_status()
        with pytest.raises(psycopg2.errors.InFailedSqlTransaction):
            cur.execute("SELECT 1")
        conn.rollback()
        cur.execute("SELECT id FROM pp_tx ORDER BY id")
        result = cur.fetchall()
        conn.commit()
        return status_in_tx, failure.value.pgcode, status_failed, result

    got = on_both(conns, run)
    ext = psycopg2.extensions
    assert got["akko"] == got["pg"] == (ext.TRANSACTION_STATUS_INTRANS, "22P02", ext.TRANSACTION_STATUS_INERROR, [(2,)])


def test_autocommit_each_statement_durable(conns, akko, postgres):
    dsns = {"akko": akko.dsn(), "pg": postgres.dsn()}

    def run(conn):
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("DROP TABLE IF EXISTS pp_ac")
        cur.execute("CREATE TABLE pp_ac (id integer)")
        cur.execute("INSERT INTO pp_ac VALUES (1), (2)")
        inserted = cur.rowcount
        status = conn.get_transaction_status()
        return inserted, status

    got = on_both(conns, run)
    assert got["akko"] == got["pg"] == (2, psycopg2.extensions.TRANSACTION_STATUS_IDLE)
    for name, dsn in dsns.items():
        other = psycopg2.connect(dsn)
        cur = other.cursor()
        cur.execute("SELECT count(*) FROM pp_ac")
        assert cur.fetchone()[0] == 2, name
        other.close()


ERRORS = [
    ("SELECT * FROM no_such_table_x", "42P01"),
    ("SELEC 1", "42601"),
    ("SELECT 'abc'::integer", "22P02"),
    ("SELECT 2147483647 + 1", "22003"),
    ("SELECT no_such_function_x(1)", "42883"),
]


@pytest.mark.parametrize("sql,code", ERRORS, ids=[e[1] for e in ERRORS])
def test_error_pgcode(conns, sql, code):
    def run(conn):
        conn.autocommit = True
        with pytest.raises(psycopg2.Error) as failure:
            conn.cursor().execute(sql)
        # the connection stays usable
        cur = conn.cursor()
        cur.execute("SELECT 1")
        return failure.value.pgcode, failure.value.diag.severity, cur.fetchone()[0]

    got = on_both(conns, run)
    assert got["akko"] == got["pg"] == (code, "ERROR", 1)


def test_unique_violation_class(conns):
    def run(conn):
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("DROP TABLE IF EXISTS pp_uq")
        cur.execute("CREATE TABLE pp_uq (id integer PRIMARY KEY)")
        cur.execute("INSERT INTO pp_uq VALUES (1)")
        with pytest.raises(psycopg2.errors.UniqueViolation):
            cur.execute("INSERT INTO pp_uq VALUES (1)")
        return True

    assert on_both(conns, run) == {"akko": True, "pg": True}


def test_executemany_and_execute_values(conns):
    data = [(i, f"name-{i}", i * 0.5) for i in range(300)]

    def run(conn):
        conn.autocommit = False
        cur = conn.cursor()
        cur.execute("DROP TABLE IF EXISTS pp_many")
        cur.execute("CREATE TABLE pp_many (id integer, name text, v float8)")
        cur.executemany("INSERT INTO pp_many VALUES (%s, %s, %s)", data[:100])
        psycopg2.extras.execute_values(cur, "INSERT INTO pp_many VALUES %s", data[100:], page_size=64)
        psycopg2.extras.execute_batch(cur, "UPDATE pp_many SET v = v + %s WHERE id = %s", [(1, 5), (1, 150)])
        conn.commit()
        cur.execute("SELECT id, name, v FROM pp_many ORDER BY id")
        return cur.fetchall()

    got = on_both(conns, run)
    expected = [(i, n, v + (1 if i in (5, 150) else 0)) for i, n, v in data]
    assert got["akko"] == got["pg"] == expected
