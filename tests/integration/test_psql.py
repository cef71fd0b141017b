"""psql against akko, compared with psql against PostgreSQL 15 for the same schema.

Catalog commands are compared on content (names, types, nullability), not layout or owner;
akko's default schema is DuckDB's `main` where PostgreSQL's is `public`.
"""
import os
import subprocess

import pytest

SCHEMA = """
DROP VIEW IF EXISTS psql_v;
DROP TABLE IF EXISTS psql_t;
DROP TABLE IF EXISTS psql_copy;
CREATE TABLE psql_t (id integer PRIMARY KEY, name text NOT NULL, amount numeric(10,2), born date);
CREATE VIEW psql_v AS SELECT id, name FROM psql_t;
CREATE TABLE psql_copy (id integer, note text, amount numeric(10,2));
INSERT INTO psql_t VALUES (1, 'ann', 10.50, '2001-02-03'), (2, 'bob', NULL, NULL);
"""


def pg_env(pg):
    return {**os.environ, "PGHOST": pg.host, "PGPORT": str(pg.port), "PGUSER": pg.user, "PGDATABASE": pg.database,
            "PGSSLMODE": "disable"}


def psql(env, *args, stdin=None, check=True):
    result = subprocess.run(["psql", "-X", "-q", *args], env={**env, "PGCONNECT_TIMEOUT": "10"}, input=stdin,
                            capture_output=True, text=True, timeout=60)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def rows(env, command):
    """Unaligned, tuples-only output of one psql command, as lists of fields."""
    out = psql(env, "-A", "-t", "-F", "|", "-c", command).stdout
    return [line.split("|") for line in out.splitlines() if line]


@pytest.fixture(scope="module")
def envs(akko, postgres):
    envs = {"akko": akko.psql_env(), "pg": pg_env(postgres)}
    for env in envs.values():
        psql(env, "-v", "ON_ERROR_STOP=1", stdin=SCHEMA)
    return envs


def both(envs, fn):
    return {name: fn(env) for name, env in envs.items()}


def test_dt_lists_tables(envs):
    got = both(envs, lambda env: sorted((r[1], r[2]) for r in rows(env, r"\dt psql_*")))
    assert got["akko"] == got["pg"] == [("psql_copy", "table"), ("psql_t", "table")]


def test_dv_lists_views(envs):
    got = both(envs, lambda env: [(r[1], r[2]) for r in rows(env, r"\dv psql_*")])
    assert got["akko"] == got["pg"] == [("psql_v", "view")]


def test_d_table_columns(envs):
    # Column | Type | Collation | Nullable | Default
    got = both(envs, lambda env: [(r[0], r[1], r[3]) for r in rows(env, r"\d psql_t")])
    assert got["akko"] == got["pg"]
    assert [c[0] for c in got["pg"]] == ["id", "name", "amount", "born"]


def test_dn_lists_the_tables_schema(envs):
    for name, env in envs.items():
        table_schema = rows(env, r"\dt psql_t")[0][0]
        schemas = [r[0] for r in rows(env, r"\dn")]
        assert table_schema in schemas, name
        assert "pg_catalog" not in schemas and "information_schema" not in schemas, name


def test_l_lists_the_database(envs, akko, postgres):
    for name, database in (("akko", akko.database), ("pg", postgres.database)):
        names = [r[0] for r in rows(envs[name], r"\l")]
        assert database in names, name


def test_du_lists_the_user(envs, akko, postgres):
    for name, user in (("akko", akko.user), ("pg", postgres.user)):
        names = [r[0] for r in rows(envs[name], r"\du")]
        assert user in names, name


def test_df_lists_functions(envs):
    # Schema | Name | Result data type | Argument data types | Type
    got = both(envs, lambda env: [(r[1], r[2], r[3], r[4]) for r in rows(env, r"\df pg_catalog.lower")])
    assert ("lower", "text", "text", "func") in got["pg"]
    assert ("lower", "text", "text", "func") in got["akko"]


def test_expanded_output_matches(envs):
    sql = "SELECT 1 AS a, 'x y' AS bb, NULL::text AS c UNION ALL SELECT 2, 'z', 'w' ORDER BY a"
    got = both(envs, lambda env: psql(env, "-c", r"\x on", "-c", sql).stdout)
    assert got["akko"] == got["pg"]
    assert "-[ RECORD 2 ]" in got["pg"]


def test_c_with_multiple_statements(envs):
    got = both(envs, lambda env: psql(env, "-A", "-c", "SELECT 1 AS one; SELECT 'two' AS two, 3 AS three").stdout)
    assert got["akko"] == got["pg"]
    assert got["pg"].splitlines() == ["one", "1", "(1 row)", "two|three", "two|3", "(1 row)"]


@pytest.mark.parametrize("stop", [True, False])
def test_on_error_stop(envs, stop):
    script = "SELECT 1 AS a;\nSELECT no_such_column FROM psql_t;\nSELECT 3 AS a;\n"
    args = ["-A", "-t", "-f", "-"] + (["-v", "ON_ERROR_STOP=1"] if stop else [])
    got = both(envs, lambda env: psql(env, *args, stdin=script, check=False))
    for name, result in got.items():
        assert "ERROR:" in result.stderr, name
    assert (got["akko"].returncode, got["akko"].stdout) == (got["pg"].returncode, got["pg"].stdout)
    assert (got["pg"].returncode, got["pg"].stdout) == ((3, "1\n") if stop else (0, "1\n3\n"))


def test_copy_out_and_in(envs, tmp_path):
    data = "1\tplain\t1.50\n2\t\\N\t\\N\n3\ttab\\there\t-2.25\n4\tline\\nbreak \"q\" ü\t0.00\n"
    outputs = {}
    for name, env in envs.items():
        src = tmp_path / f"{name}-in.txt"
        src.write_text(data, encoding="utf-8")
        psql(env, "-c", "TRUNCATE psql_copy")
        psql(env, "-c", rf"\copy psql_copy FROM '{src}'")
        text_out = tmp_path / f"{name}-out.txt"
        psql(env, "-c", rf"\copy (SELECT * FROM psql_copy ORDER BY id) TO '{text_out}'")
        csv_out = tmp_path / f"{name}-out.csv"
        psql(env, "-c", rf"\copy (SELECT * FROM psql_copy ORDER BY id) TO '{csv_out}' WITH (FORMAT csv, HEADER)")
        csv_in = tmp_path / f"{name}-in.csv"
        csv_in.write_text(csv_out.read_text(encoding="utf-8"), encoding="utf-8")
        psql(env, "-c", "TRUNCATE psql_copy")
        psql(env, "-c", rf"\copy psql_copy FROM '{csv_in}' WITH (FORMAT csv, HEADER)")
        count = rows(env, "SELECT count(*), count(note), sum(amount) FROM psql_copy")
        outputs[name] = (text_out.read_text(encoding="utf-8"), csv_out.read_text(encoding="utf-8"), count)
    assert outputs["akko"] == outputs["pg"]
    assert outputs["pg"][0] == data  # text format round-trips byte for byte
    assert outputs["pg"][2] == [["4", "3", "-0.75"]]


def test_tls_required(akko):
    env = {**akko.psql_env(), "PGSSLMODE": "require"}
    out = psql(env, "-c", r"\conninfo").stdout
    assert "SSL connection (protocol: TLSv1." in out


def test_tls_disabled(akko):
    out = psql(akko.psql_env(), "-c", r"\conninfo").stdout
    assert "You are connected" in out and "SSL" not in out


def test_wrong_password(akko):
    env = {**akko.psql_env(), "PGPASSWORD": "wrong"}
    result = psql(env, "-c", "SELECT 1", check=False)
    assert result.returncode == 2
    assert f'FATAL:  password authentication failed for user "{akko.user}"' in result.stderr


def test_unknown_database(akko, postgres):
    akko_result = psql({**akko.psql_env(), "PGDATABASE": "nope"}, "-c", "SELECT 1", check=False)
    pg_result = psql({**pg_env(postgres), "PGDATABASE": "nope"}, "-c", "SELECT 1", check=False)
    assert akko_result.returncode == pg_result.returncode == 2
    message = 'FATAL:  database "nope" does not exist'
    assert message in akko_result.stderr and message in pg_result.stderr
