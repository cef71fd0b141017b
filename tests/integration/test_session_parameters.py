"""SET and SHOW of the session parameters clients use, compared with PostgreSQL 15: the column
PostgreSQL names after the parameter, and the value after a SET."""
import psycopg2
import pytest

SHOWS = ["SHOW timezone", "SHOW TIME ZONE", "SHOW datestyle", "SHOW DateStyle", "SHOW client_encoding",
         "SHOW standard_conforming_strings", "SHOW integer_datetimes", "SHOW transaction isolation level"]


def run(dsn, statements):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    try:
        cur = conn.cursor()
        out = []
        for statement in statements:
            cur.execute(statement)
            if cur.description:
                # Unnamed expressions are named differently by the two engines (docs/pgwire.md);
                # SHOW's column is the parameter's name on both.
                name = cur.description[0].name if statement.upper().startswith("SHOW") else None
                out.append((name, cur.fetchone()[0]))
        return out
    finally:
        conn.close()


def test_show_column_names_match_postgres(akko, postgres):
    got = run(akko.dsn(), SHOWS)
    want = run(postgres.dsn(), SHOWS)
    assert [name for name, _ in got] == [name for name, _ in want]


@pytest.mark.parametrize("statements", [
    ["SET TIME ZONE 'Europe/Paris'", "SHOW TimeZone", "SELECT TIMESTAMPTZ '2024-06-01 12:00:00+00'::text"],
    ["SET timezone TO 'America/New_York'", "SHOW timezone"],
    ["SET application_name = 'reporting'", "SHOW application_name", "SELECT current_setting('application_name')"],
    ["SET extra_float_digits = 3", "SHOW extra_float_digits", "RESET extra_float_digits", "SHOW extra_float_digits"],
    ["SET client_encoding TO 'UTF8'", "SHOW client_encoding"],
])
def test_set_then_show_matches_postgres(akko, postgres, statements):
    assert run(akko.dsn(), statements) == run(postgres.dsn(), statements)


def test_search_path_names_main_for_public(akko, postgres):
    # PostgreSQL's default schema is public; DuckDB's is main, which search_path maps public to.
    setup = ["CREATE SCHEMA IF NOT EXISTS sp_other", "DROP TABLE IF EXISTS sp_other.sp_t",
             "CREATE TABLE sp_other.sp_t (x integer)", "INSERT INTO sp_other.sp_t VALUES (7)"]
    statements = ["SET search_path TO sp_other, public", "SELECT x FROM sp_t", "SHOW search_path"]
    assert run(akko.dsn(), setup + statements) == run(postgres.dsn(), setup + statements)

