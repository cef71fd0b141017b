"""Runs tests/sql/pgwire/*.test against akko and against a real PostgreSQL 15.

Format (see the top of types_text.test): blocks separated by blank lines; '#' lines are
comments. "statement ok" or "statement error SQLSTATE", then the SQL; or "query", the SQL,
"----", then the expected rows with '|' between columns. Values are compared as the text
the server sent (every type is read back raw), NULL shown as "NULL".
"""
import pathlib

import psycopg2
import psycopg2.extensions
import pytest

SQL_DIR = pathlib.Path(__file__).resolve().parents[1] / "sql" / "pgwire"
FILES = sorted(SQL_DIR.glob("*.test"))

# Every type OID read back as the exact text the server sent.
RAW_TEXT = psycopg2.extensions.new_type(tuple(range(0, 20000)), "RAW_TEXT", lambda value, cursor: value)


def parse_blocks(path):
    blocks = []
    lines = path.read_text().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip() or line.startswith("#"):
            i += 1
            continue
        header_line = i + 1
        header = line.split()
        i += 1
        body = []
        while i < len(lines) and lines[i].strip():
            body.append(lines[i])
            i += 1
        if header[0] == "statement":
            assert header[1] in ("ok", "error"), f"{path.name}:{header_line}: bad header {line!r}"
            blocks.append({"line": header_line, "kind": "statement", "sql": "\n".join(body),
                           "error": header[2] if header[1] == "error" else None})
        elif header[0] == "query":
            assert "----" in body, f"{path.name}:{header_line}: query without ----"
            sep = body.index("----")
            blocks.append({"line": header_line, "kind": "query", "sql": "\n".join(body[:sep]),
                           "rows": body[sep + 1:]})
        else:
            raise AssertionError(f"{path.name}:{header_line}: unknown block header {line!r}")
    return blocks


def run_file(conn, path):
    """Runs every block; returns a list of mismatch descriptions."""
    psycopg2.extensions.register_type(RAW_TEXT, conn)
    conn.autocommit = True
    failures = []
    for block in parse_blocks(path):
        where = f"{path.name}:{block['line']}"
        cur = conn.cursor()
        try:
            cur.execute(block["sql"])
            error = None
        except psycopg2.Error as e:
            error = e
        if block["kind"] == "statement":
            if block["error"] is None and error is not None:
                failures.append(f"{where}: expected ok, got {error.pgcode}: {str(error).strip()}")
            elif block["error"] is not None and (error is None or error.pgcode != block["error"]):
                got = "ok" if error is None else f"{error.pgcode}: {str(error).strip()}"
                failures.append(f"{where}: expected error {block['error']}, got {got}")
            continue
        if error is not None:
            failures.append(f"{where}: query failed: {error.pgcode}: {str(error).strip()}")
            continue
        rows = ["|".join("NULL" if v is None else v for v in row) for row in cur.fetchall()]
        if rows != block["rows"]:
            failures.append(f"{where}: expected {block['rows']!r}, got {rows!r}")
    return failures


def test_sql_files_exist():
    assert len(FILES) >= 3


def assert_file_passes(dsn, path):
    conn = psycopg2.connect(dsn)
    try:
        failures = run_file(conn, path)
    finally:
        conn.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_sql_file_postgres(postgres, path):
    assert_file_passes(postgres.dsn(), path)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_sql_file_akko(akko, path):
    assert_file_passes(akko.dsn(), path)
