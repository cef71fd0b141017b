"""SQL over the lake through psql's protocol (psycopg2): every table is an Iceberg table. Results
are checked against PostgreSQL 15 running the same statements, against DuckDB reading the
snapshot's Parquet files itself (lake_files), or against values the Iceberg spec publishes."""
import io
import re

import psycopg2
import psycopg2.errors
import pytest

from conftest import AkkoServer
from lake_files import current_files, duckdb, duckdb_rows, load_metadata, local_path


@pytest.fixture
def conns(akko, postgres):
    conns = {"akko": psycopg2.connect(akko.dsn()), "pg": psycopg2.connect(postgres.dsn())}
    for conn in conns.values():
        conn.autocommit = True
    yield conns
    for conn in conns.values():
        conn.close()


def run_both(conns, statements, query):
    results = {}
    for name, conn in conns.items():
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
            cur.execute(query)
            results[name] = cur.fetchall()
    return results


def execute(server, *statements, autocommit=True):
    conn = psycopg2.connect(server.dsn())
    conn.autocommit = autocommit
    rows = None
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
            rows = cur.fetchall() if cur.description else None
    conn.close()
    return rows


def test_insert_update_delete_match_postgres(conns):
    statements = [
        "DROP TABLE IF EXISTS lake_dml",
        "CREATE TABLE lake_dml (id integer, name text, amount numeric(10,2), born date, ok boolean)",
        "INSERT INTO lake_dml VALUES (1, 'a', 1.50, '2024-01-01', true), (2, 'b', 2.25, NULL, false), (3, NULL, NULL, '1969-12-31', NULL)",
        "INSERT INTO lake_dml SELECT g, 'n' || g, g * 0.5, DATE '2024-02-29' + g::integer, g % 2 = 0 FROM generate_series(10, 60) g",
        "UPDATE lake_dml SET name = upper(name), amount = amount + 1 WHERE id BETWEEN 2 AND 20",
        "DELETE FROM lake_dml WHERE id % 7 = 0 OR name IS NULL",
        "UPDATE lake_dml SET ok = NOT ok WHERE id > 50",
    ]
    got = run_both(conns, statements, "SELECT id, name, amount::text, born::text, ok FROM lake_dml ORDER BY id")
    assert got["akko"] == got["pg"]
    assert len(got["pg"]) > 40


def test_ctas_and_merge_match_postgres(conns):
    statements = [
        "DROP TABLE IF EXISTS lake_target",
        "DROP TABLE IF EXISTS lake_source",
        "CREATE TABLE lake_target AS SELECT g AS id, 'v' || g AS v FROM generate_series(1, 10) g",
        "CREATE TABLE lake_source (id integer, v text)",
        "INSERT INTO lake_source VALUES (2, 'two'), (4, NULL), (11, 'eleven'), (12, 'twelve')",
        "MERGE INTO lake_target t USING lake_source s ON t.id = s.id "
        "WHEN MATCHED AND s.v IS NULL THEN DELETE "
        "WHEN MATCHED THEN UPDATE SET v = s.v "
        "WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)",
    ]
    got = run_both(conns, statements, "SELECT id, v FROM lake_target ORDER BY id")
    assert got["akko"] == got["pg"]


def test_primary_key_and_not_null_are_enforced(conns):
    for conn in conns.values():
        with conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS lake_keys")
            cur.execute("CREATE TABLE lake_keys (id integer PRIMARY KEY, name text NOT NULL)")
            cur.execute("INSERT INTO lake_keys VALUES (1, 'a'), (2, 'b')")
            with pytest.raises(psycopg2.errors.UniqueViolation):
                cur.execute("INSERT INTO lake_keys VALUES (2, 'again')")
            with pytest.raises(psycopg2.errors.UniqueViolation):
                cur.execute("UPDATE lake_keys SET id = 1 WHERE id = 2")
            with pytest.raises(psycopg2.errors.NotNullViolation):
                cur.execute("INSERT INTO lake_keys VALUES (3, NULL)")
            cur.execute("UPDATE lake_keys SET id = 3 WHERE id = 2")
    got = run_both(conns, [], "SELECT * FROM lake_keys ORDER BY id")
    assert got["akko"] == got["pg"] == [(1, "a"), (3, "b")]


def test_rollback_leaves_nothing_and_commit_is_all_or_nothing(akko):
    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS lake_tx_a")
    cur.execute("DROP TABLE IF EXISTS lake_tx_b")
    cur.execute("CREATE TABLE lake_tx_a (x integer)")
    cur.execute("CREATE TABLE lake_tx_b (x integer)")
    _, before = load_metadata(akko.data_dir, "main", "lake_tx_a")
    cur.execute("BEGIN")
    cur.execute("INSERT INTO lake_tx_a VALUES (1), (2)")
    cur.execute("INSERT INTO lake_tx_b VALUES (3)")
    cur.execute("DELETE FROM lake_tx_a WHERE x = 1")
    cur.execute("SELECT x FROM lake_tx_a")  # the transaction reads its own writes
    assert cur.fetchall() == [(2,)]
    cur.execute("ROLLBACK")
    cur.execute("SELECT (SELECT count(*) FROM lake_tx_a), (SELECT count(*) FROM lake_tx_b)")
    assert cur.fetchone() == (0, 0)
    _, after = load_metadata(akko.data_dir, "main", "lake_tx_a")
    assert after.get("snapshots", []) == before.get("snapshots", [])
    # Nothing the rolled-back transaction wrote is left under the table's data directory.
    data_dir = local_path(akko.data_dir, after["location"]) / "data"
    assert not data_dir.exists() or not any(p.is_file() for p in data_dir.rglob("*"))

    cur.execute("BEGIN")
    cur.execute("INSERT INTO lake_tx_a VALUES (10)")
    cur.execute("INSERT INTO lake_tx_b VALUES (20)")
    cur.execute("COMMIT")
    _, a = load_metadata(akko.data_dir, "main", "lake_tx_a")
    _, b = load_metadata(akko.data_dir, "main", "lake_tx_b")
    assert duckdb_rows(akko.data_dir, a, "x") == [["10"]]
    assert duckdb_rows(akko.data_dir, b, "x") == [["20"]]
    conn.close()


def test_files_read_by_duckdb_match_what_akko_returns(akko):
    rows = execute(akko,
                   "DROP TABLE IF EXISTS lake_files_t",
                   "CREATE TABLE lake_files_t (id bigint, s text, d double)",
                   "INSERT INTO lake_files_t SELECT i, 'row ' || i, i / 4.0 FROM range(1000) t(i)",
                   "DELETE FROM lake_files_t WHERE id % 3 = 0",
                   "UPDATE lake_files_t SET s = 'changed' WHERE id < 10",
                   "SELECT id::text, s, d::text FROM lake_files_t ORDER BY id")
    _, metadata = load_metadata(akko.data_dir, "main", "lake_files_t")
    by_id = lambda row: int(row[0])
    assert sorted(duckdb_rows(akko.data_dir, metadata, "id::VARCHAR, s, d::VARCHAR"), key=by_id) == [list(r) for r in rows]
    summaries = [s["summary"]["operation"] for s in metadata["snapshots"]]
    assert summaries == ["append", "delete", "overwrite"]


def test_string_bounds_are_truncated_to_16_characters(akko):
    execute(akko,
            "DROP TABLE IF EXISTS lake_bounds",
            "CREATE TABLE lake_bounds (s text)",
            "INSERT INTO lake_bounds VALUES ('aaaaaaaaaaaaaaaaaaaaaaaa'), ('abcdefghijklmnopqrstuvwxyz')")
    _, metadata = load_metadata(akko.data_dir, "main", "lake_bounds")
    [data_file] = current_files(akko.data_dir, metadata)
    field_id = metadata["schemas"][-1]["fields"][0]["id"]
    lower = {e["key"]: e["value"] for e in data_file["lower_bounds"]}[field_id]
    upper = {e["key"]: e["value"] for e in data_file["upper_bounds"]}[field_id]
    # Java's truncate(16) metrics: the first 16 characters; the upper bound's last one incremented.
    assert bytes.fromhex(lower).decode() == "a" * 16
    assert bytes.fromhex(upper).decode() == "abcdefghijklmnoq"


def test_partitioned_table_uses_iceberg_transforms_and_prunes(akko):
    rows = execute(akko,
                   "DROP TABLE IF EXISTS lake_parts",
                   "CREATE TABLE lake_parts (id bigint, ts timestamp, name text)",
                   "ALTER TABLE lake_parts SET PARTITIONED BY (day(ts), bucket(4, id))",
                   "INSERT INTO lake_parts SELECT i, TIMESTAMP '2024-01-01' + INTERVAL (i) HOUR, 'n' || i FROM range(96) t(i)",
                   "SELECT count(*) FROM lake_parts WHERE ts < TIMESTAMP '2024-01-02'")
    assert rows == [(24,)]
    _, metadata = load_metadata(akko.data_dir, "main", "lake_parts")
    spec = next(s for s in metadata["partition-specs"] if s["spec-id"] == metadata["default-spec-id"])
    assert [(f["name"], f["transform"], f["field-id"]) for f in spec["fields"]] == [
        ("ts_day", "day", 1000), ("id_bucket", "bucket[4]", 1001)]
    files = current_files(akko.data_dir, metadata)
    assert len(files) == 16  # 4 days x 4 buckets
    # The spec's published bucket value: bucket[4] of the long 34 is hash 2017239379 % 4 = 3.
    located = execute(akko, "SELECT filename FROM lake_parts WHERE id = 34")
    assert "id_bucket=3" in located[0][0]
    plan = "\n".join(r[1] for r in execute(akko, "EXPLAIN SELECT * FROM lake_parts WHERE ts < TIMESTAMP '2024-01-02'"))
    assert re.search(r"Data Files: 4 of 16", plan), plan
    assert execute(akko, "SELECT iceberg_bucket(16, 'iceberg'), iceberg_truncate(10, -1), iceberg_bucket(4, 34::bigint)") == [
        (9, -10, 3)]


def test_min_max_pruning_in_explain(akko):
    execute(akko,
            "DROP TABLE IF EXISTS lake_prune",
            "CREATE TABLE lake_prune (id integer)",
            "INSERT INTO lake_prune SELECT range FROM range(0, 100)",
            "INSERT INTO lake_prune SELECT range FROM range(100, 200)",
            "INSERT INTO lake_prune SELECT range FROM range(200, 300)")
    plan = "\n".join(r[1] for r in execute(akko, "EXPLAIN SELECT * FROM lake_prune WHERE id >= 250"))
    assert "Data Files: 1 of 3" in plan
    assert execute(akko, "SELECT count(*), min(id) FROM lake_prune WHERE id >= 250") == [(50, 250)]


def test_schema_evolution_and_time_travel(akko):
    execute(akko,
            "DROP TABLE IF EXISTS lake_evolve",
            "CREATE TABLE lake_evolve (id integer, price real, amount decimal(9, 2), label text)",
            "INSERT INTO lake_evolve VALUES (1, 1.5, 10.25, 'one')")
    _, first = load_metadata(akko.data_dir, "main", "lake_evolve")
    first_snapshot = first["current-snapshot-id"]
    execute(akko,
            "ALTER TABLE lake_evolve RENAME COLUMN label TO title",
            "ALTER TABLE lake_evolve ADD COLUMN note text",
            "ALTER TABLE lake_evolve ALTER COLUMN id TYPE bigint",
            "ALTER TABLE lake_evolve ALTER COLUMN price TYPE double",
            "ALTER TABLE lake_evolve ALTER COLUMN amount TYPE decimal(18, 2)",
            "ALTER TABLE lake_evolve DROP COLUMN note",
            "INSERT INTO lake_evolve VALUES (2, 2.5, 20.50, 'two')")
    assert execute(akko, "SELECT id, price, amount::text, title FROM lake_evolve ORDER BY id") == [
        (1, 1.5, "10.25", "one"), (2, 2.5, "20.50", "two")]
    # The old snapshot with the schema it was written with (the column still called label).
    assert execute(akko, f"SELECT * FROM lake_evolve AT (VERSION => {first_snapshot})") == [(1, 1.5, 10.25, "one")]
    cols = execute(akko, f"DESCRIBE SELECT * FROM lake_evolve AT (VERSION => {first_snapshot})")
    assert [c[0] for c in cols] == ["id", "price", "amount", "label"]
    _, metadata = load_metadata(akko.data_dir, "main", "lake_evolve")
    types = {f["name"]: f["type"] for f in metadata["schemas"][-1]["fields"]}
    assert types == {"id": "long", "price": "double", "amount": "decimal(18, 2)", "title": "string"}
    ids = {f["name"]: f["id"] for f in metadata["schemas"][-1]["fields"]}
    assert ids == {"id": 1, "price": 2, "amount": 3, "title": 4}  # the dropped note (5) is not reused
    assert metadata["last-column-id"] == 5
    with pytest.raises(psycopg2.errors.DatatypeMismatch):
        execute(akko, "ALTER TABLE lake_evolve ALTER COLUMN title TYPE integer")
    with pytest.raises(psycopg2.Error):
        execute(akko, "SELECT * FROM lake_evolve AT (VERSION => 12345)")


def test_data_survives_a_restart(fresh_akko):
    server = fresh_akko()
    execute(server,
            "CREATE SCHEMA sales",
            "CREATE SCHEMA \"sales.eu\"",
            "CREATE TABLE \"sales.eu\".orders (id integer PRIMARY KEY, total numeric(10, 2))",
            "INSERT INTO \"sales.eu\".orders VALUES (1, 10), (2, 20), (3, 30)",
            "DELETE FROM \"sales.eu\".orders WHERE id = 2",
            "CREATE VIEW \"sales.eu\".big_orders AS SELECT id FROM \"sales.eu\".orders WHERE total > 15")
    server.stop()
    again = AkkoServer(server.data_dir)
    try:
        assert execute(again, "SELECT id, total::text FROM \"sales.eu\".orders ORDER BY id") == [(1, "10.00"), (3, "30.00")]
        assert execute(again, "SELECT * FROM \"sales.eu\".big_orders") == [(3,)]
        with pytest.raises(psycopg2.errors.UniqueViolation):
            execute(again, "INSERT INTO \"sales.eu\".orders VALUES (3, 1)")
    finally:
        again.stop()


def test_copy_from_stdin_into_a_lake_table(akko):
    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS lake_copy")
    cur.execute("CREATE TABLE lake_copy (id integer, note text)")
    cur.copy_expert("COPY lake_copy FROM STDIN", io.StringIO("1\tone\n2\t\\N\n3\tthree\n"))
    cur.execute("SELECT * FROM lake_copy ORDER BY id")
    assert cur.fetchall() == [(1, "one"), (2, None), (3, "three")]
    _, metadata = load_metadata(akko.data_dir, "main", "lake_copy")
    assert duckdb_rows(akko.data_dir, metadata, "id::VARCHAR, note") == [["1", "one"], ["2", None], ["3", "three"]]
    conn.close()


def test_temp_tables_stay_out_of_the_lake(akko):
    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE TEMP TABLE lake_scratch (x integer)")
    cur.execute("INSERT INTO lake_scratch VALUES (1)")
    cur.execute("SELECT relpersistence FROM pg_catalog.pg_class WHERE relname = 'lake_scratch'")
    assert cur.fetchall() == [("t",)]
    with pytest.raises(AssertionError):
        load_metadata(akko.data_dir, "main", "lake_scratch")
    conn.close()


@pytest.mark.parametrize("statement, sqlstate", [
    ("CREATE TABLE \"../escape\" (x integer)", "42602"),
    ("CREATE TABLE \"a/b\" (x integer)", "42602"),
    ("CREATE SCHEMA \"x/y\"", "42602"),
    ("CREATE TABLE lake_bad_type (x interval)", "0A000"),
    ("CREATE TABLE lake_bad_unique (x integer UNIQUE)", "0A000"),
    ("INSERT INTO lake_typed VALUES ('not a number')", "22P02"),
    ("ALTER TABLE lake_typed ALTER COLUMN x TYPE smallint", "42804"),
])
def test_bad_input_is_refused_and_changes_nothing(akko, statement, sqlstate):
    execute(akko, "CREATE TABLE IF NOT EXISTS lake_typed (x integer)")
    _, before = load_metadata(akko.data_dir, "main", "lake_typed")
    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = True
    with pytest.raises(psycopg2.Error) as error:
        conn.cursor().execute(statement)
    assert error.value.pgcode == sqlstate, error.value.pgerror
    conn.close()
    _, after = load_metadata(akko.data_dir, "main", "lake_typed")
    assert after == before
    warehouse = local_path(akko.data_dir, "s3://akko-warehouse/")
    assert not any("escape" in p.name for p in warehouse.parent.rglob("*"))


def test_concurrent_delete_fails_with_serialization_failure_and_appends_rebase(akko):
    execute(akko,
            "DROP TABLE IF EXISTS lake_race",
            "CREATE TABLE lake_race (x integer)",
            "INSERT INTO lake_race VALUES (1), (2), (3)")
    first = psycopg2.connect(akko.dsn())
    second = psycopg2.connect(akko.dsn())
    a = first.cursor()
    b = second.cursor()
    a.execute("DELETE FROM lake_race WHERE x = 1")
    b.execute("DELETE FROM lake_race WHERE x = 2")
    first.commit()
    with pytest.raises(psycopg2.errors.SerializationFailure):
        second.commit()
    # An append commits over a concurrent append (it re-bases), and over a delete.
    a.execute("INSERT INTO lake_race VALUES (10)")
    b.execute("INSERT INTO lake_race VALUES (20)")
    first.commit()
    second.commit()
    assert execute(akko, "SELECT x FROM lake_race ORDER BY x") == [(2,), (3,), (10,), (20,)]
    first.close()
    second.close()


def test_prepared_statement_sees_later_commits(akko):
    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS lake_prepared")
    cur.execute("CREATE TABLE lake_prepared (x integer)")
    cur.execute("INSERT INTO lake_prepared VALUES (1), (2), (3)")
    cur.execute("PREPARE lake_count AS SELECT count(*) FROM lake_prepared")
    cur.execute("EXECUTE lake_count")
    assert cur.fetchone() == (3,)
    cur.execute("INSERT INTO lake_prepared VALUES (4)")
    cur.execute("EXECUTE lake_count")
    assert cur.fetchone() == (4,)
    other = psycopg2.connect(akko.dsn())
    other.autocommit = True
    other.cursor().execute("DELETE FROM lake_prepared WHERE x = 1")
    other.close()
    cur.execute("EXECUTE lake_count")
    assert cur.fetchone() == (3,)
    conn.close()


def test_drop_table_purges_its_files(akko):
    execute(akko,
            "DROP TABLE IF EXISTS lake_purge",
            "CREATE TABLE lake_purge (x integer)",
            "INSERT INTO lake_purge VALUES (1)",
            "DELETE FROM lake_purge WHERE x = 1")
    location, metadata = load_metadata(akko.data_dir, "main", "lake_purge")
    table_dir = local_path(akko.data_dir, metadata["location"])
    assert any(p.suffix == ".parquet" for p in table_dir.rglob("*"))
    execute(akko, "DROP TABLE lake_purge")
    assert not any(p.is_file() for p in table_dir.rglob("*"))
    with pytest.raises(psycopg2.errors.UndefinedTable):
        execute(akko, "SELECT * FROM lake_purge")


def test_comments_sort_order_and_partition_evolution_are_table_metadata(akko):
    execute(akko,
            "DROP TABLE IF EXISTS lake_meta",
            "CREATE TABLE lake_meta (a integer, b date)",
            "COMMENT ON TABLE lake_meta IS 'the table'",
            "COMMENT ON COLUMN lake_meta.a IS 'the a'",
            "ALTER TABLE lake_meta SET SORTED BY (a DESC, b)",
            "ALTER TABLE lake_meta SET PARTITIONED BY (month(b))",
            "INSERT INTO lake_meta VALUES (1, DATE '2024-05-01')",
            "ALTER TABLE lake_meta SET PARTITIONED BY (b, truncate(10, a))",
            "INSERT INTO lake_meta VALUES (12, DATE '2024-06-01')")
    _, metadata = load_metadata(akko.data_dir, "main", "lake_meta")
    # Spark and Trino keep a table comment in the "comment" property, a column's in its doc.
    assert metadata["properties"]["comment"] == "the table"
    assert metadata["schemas"][-1]["fields"][0]["doc"] == "the a"
    order = next(o for o in metadata["sort-orders"] if o["order-id"] == metadata["default-sort-order-id"])
    assert order["fields"] == [
        {"transform": "identity", "source-id": 1, "direction": "desc", "null-order": "nulls-last"},
        {"transform": "identity", "source-id": 2, "direction": "asc", "null-order": "nulls-first"}]
    specs = {s["spec-id"]: [(f["name"], f["transform"], f["field-id"]) for f in s["fields"]] for s in metadata["partition-specs"]}
    assert specs == {0: [], 1: [("b_month", "month", 1000)], 2: [("b", "identity", 1001), ("a_trunc", "truncate[10]", 1002)]}
    # Each file keeps the spec it was written with; both read back.
    assert execute(akko, "SELECT a, b::text FROM lake_meta ORDER BY a") == [(1, "2024-05-01"), (12, "2024-06-01")]
    assert sorted(len(f["partition"]) for f in current_files(akko.data_dir, metadata)) == [1, 2]
    assert execute(akko, "SELECT obj_description('lake_meta'::regclass, 'pg_class')") == [("the table",)]
