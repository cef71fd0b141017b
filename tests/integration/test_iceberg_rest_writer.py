"""A client-side writer over the REST catalog, as Spark writes: the test creates a table through
REST, writes the Parquet data file itself (DuckDB, with field ids), the manifest and manifest list
itself (avsc), commits add-snapshot + set-snapshot-ref, and reads the rows back over SQL. And the
reverse: a table written by SQL, loaded over REST, its files found through manifests decoded with
avsc and read by DuckDB directly, gives the rows SQL wrote."""
import uuid

import psycopg2
import pytest

# own_server and rest are fixtures (the module's own server and a logged-in client).
from iceberg_rest_client import (append_snapshot, data_file_entry, metadata_of, own_server, rest,  # noqa: F401
                                 unique, write_parquet)
from lake_files import current_files, duckdb_rows, local_path

SCHEMA = {"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "id", "required": True, "type": "int"},
    {"id": 2, "name": "name", "required": False, "type": "string"},
    {"id": 3, "name": "amount", "required": False, "type": "long"}]}
FIELD_IDS = "{id: 1, name: 2, amount: 3}"


@pytest.fixture(scope="module")
def sql(akko):
    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = True
    yield conn.cursor()
    conn.close()


def values(rows):
    return ", ".join(f"({i}::INT, {'NULL' if n is None else repr(n)}::VARCHAR, {a}::BIGINT)" for i, n, a in rows)


def write_rows(akko, metadata, rows):
    uri = f"{metadata['location'].rstrip('/')}/data/{uuid.uuid4()}.parquet"
    select = f"SELECT * FROM (VALUES {values(rows)}) t(id, name, amount)"
    size = write_parquet(akko.data_dir, uri, select, FIELD_IDS)
    return data_file_entry(uri, size, len(rows))


def test_rows_appended_through_rest_are_read_by_sql(rest, akko, sql):
    ns = unique("rest_writer")
    rest.create_namespace([ns])
    metadata = metadata_of(rest.create_table([ns], "events", schema=SCHEMA))
    assert [f["id"] for f in metadata["schemas"][0]["fields"]] == [1, 2, 3]
    first = [(1, "a", 10), (2, "b", 20), (3, None, 30)]
    append_snapshot(rest, akko.data_dir, [ns], "events", 9001, [write_rows(akko, metadata, first)])
    sql.execute(f"SELECT id, name, amount FROM {ns}.events ORDER BY id")
    assert sql.fetchall() == first

    second = [(4, "d", 40), (5, "e", 50)]
    append_snapshot(rest, akko.data_dir, [ns], "events", 9002, [write_rows(akko, metadata, second)])
    sql.execute(f"SELECT id, name, amount FROM {ns}.events ORDER BY id")
    assert sql.fetchall() == first + second
    sql.execute(f"SELECT count(*), sum(amount) FROM {ns}.events WHERE name IS NOT NULL")
    assert sql.fetchone() == (4, 120)
    # The first snapshot is still there for time travel.
    sql.execute(f"SELECT id FROM {ns}.events AT (VERSION => 9001) ORDER BY id")
    assert [r[0] for r in sql.fetchall()] == [1, 2, 3]


def test_sql_sees_a_rest_commit_made_after_it_read_the_table(rest, akko, sql):
    ns = unique("rest_writer")
    rest.create_namespace([ns])
    metadata = metadata_of(rest.create_table([ns], "t", schema=SCHEMA))
    sql.execute(f"SELECT count(*) FROM {ns}.t")
    assert sql.fetchone() == (0,)
    append_snapshot(rest, akko.data_dir, [ns], "t", 9101, [write_rows(akko, metadata, [(7, "x", 70)])])
    sql.execute(f"SELECT id, name, amount FROM {ns}.t")
    assert sql.fetchall() == [(7, "x", 70)]


def test_rows_written_by_sql_are_read_from_the_files_rest_points_at(rest, akko, sql):
    ns = unique("sql_writer")
    sql.execute(f"CREATE SCHEMA {ns}")
    sql.execute(f"CREATE TABLE {ns}.t (id INT, name TEXT)")
    sql.execute(f"INSERT INTO {ns}.t VALUES (1, 'one'), (2, 'two'), (3, NULL)")
    sql.execute(f"INSERT INTO {ns}.t VALUES (4, 'four')")
    sql.execute(f"DELETE FROM {ns}.t WHERE id = 2")

    # The namespace and table are visible over REST.
    assert [ns] in rest.list_namespaces().body["namespaces"]
    assert {"namespace": [ns], "name": "t"} in rest.catalog("GET", f"/namespaces/{ns}/tables").body["identifiers"]
    loaded = rest.load_table([ns], "t")
    metadata = metadata_of(loaded)
    schema = next(s for s in metadata["schemas"] if s["schema-id"] == metadata["current-schema-id"])
    assert [(f["name"], f["type"]) for f in schema["fields"]] == [("id", "int"), ("name", "string")]
    assert local_path(akko.data_dir, loaded.body["metadata-location"]).exists()
    # Files listed by manifests we decode with avsc, read by DuckDB (position deletes applied).
    assert any(f["content"] == 0 for f in current_files(akko.data_dir, metadata))
    # duckdb_sql prints every value as text.
    assert duckdb_rows(akko.data_dir, metadata, "id, name") == [["1", "one"], ["3", None], ["4", "four"]]
    sql.execute(f"SELECT id, name FROM {ns}.t ORDER BY id")
    assert sql.fetchall() == [(1, "one"), (3, None), (4, "four")]


def test_sql_and_rest_writers_take_turns(rest, akko, sql):
    ns = unique("mixed_writer")
    sql.execute(f"CREATE SCHEMA {ns}")
    sql.execute(f"CREATE TABLE {ns}.t (id INT, name TEXT, amount BIGINT)")
    sql.execute(f"INSERT INTO {ns}.t VALUES (1, 'sql', 1)")
    metadata = metadata_of(rest.load_table([ns], "t"))
    schema = next(s for s in metadata["schemas"] if s["schema-id"] == metadata["current-schema-id"])
    field_ids = {f["name"]: f["id"] for f in schema["fields"]}
    uri = f"{metadata['location'].rstrip('/')}/data/{uuid.uuid4()}.parquet"
    size = write_parquet(akko.data_dir, uri, "SELECT 2::INT AS id, 'rest' AS name, 2::BIGINT AS amount",
                         "{" + ", ".join(f"{k}: {v}" for k, v in field_ids.items()) + "}")
    append_snapshot(rest, akko.data_dir, [ns], "t", 9201, [data_file_entry(uri, size, 1)])
    sql.execute(f"INSERT INTO {ns}.t VALUES (3, 'sql again', 3)")
    sql.execute(f"SELECT id, name, amount FROM {ns}.t ORDER BY id")
    assert sql.fetchall() == [(1, "sql", 1), (2, "rest", 2), (3, "sql again", 3)]
    metadata = metadata_of(rest.load_table([ns], "t"))
    assert duckdb_rows(akko.data_dir, metadata, "id, name, amount") == [["1", "sql", "1"], ["2", "rest", "2"],
                                                                       ["3", "sql again", "3"]]


def test_a_view_another_engine_wrote_does_not_break_sql_catalog_queries(rest, sql):
    # Spark writes views in its own dialect, over tables DuckDB may not know; such a view must not
    # make information_schema fail for every other table.
    ns = unique("foreign_view")
    sql.execute(f"CREATE SCHEMA {ns}")
    sql.execute(f"CREATE TABLE {ns}.t (id INT)")
    rest.create_view([ns], "spark_view", sql="SELECT * FROM spark_catalog.db.tbl LATERAL VIEW explode(xs) AS x")
    sql.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = 't'",
                (ns,))
    assert sql.fetchall() == [("id",)]
    sql.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1", (ns,))
    assert [r[0] for r in sql.fetchall()] == ["spark_view", "t"]
    with pytest.raises(psycopg2.Error, match="has no SQL that AKKO can read \\(dialects: spark\\)"):
        sql.execute(f"SELECT * FROM {ns}.spark_view")
