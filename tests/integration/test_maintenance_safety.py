"""Orphan removal against what other engines may write: a table placed over another's files,
and data files named with Hadoop's s3a:// scheme. Both must keep every file something uses."""
import os
import time

import psycopg2
import pytest

from iceberg_rest_client import (append_snapshot, data_file_entry, metadata_of, own_server, rest,  # noqa: F401
                                 unique, write_parquet)
from lake_files import local_path

SCHEMA = {"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "id", "required": False, "type": "int"}]}


@pytest.fixture
def sql(akko):
    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = True
    yield conn.cursor()
    conn.close()


def age_files(directory, seconds):
    """Back-dates every file below `directory`, as if written `seconds` ago."""
    then = time.time() - seconds
    for root, _, names in os.walk(directory):
        for name in names:
            os.utime(os.path.join(root, name), (then, then))


def test_a_table_placed_over_another_tables_files_is_refused(rest, akko, sql):
    ns = unique("overlap")
    sql.execute(f"CREATE SCHEMA {ns}")
    sql.execute(f"CREATE TABLE {ns}.owner (id INT)")
    sql.execute(f"INSERT INTO {ns}.owner VALUES (1), (2)")
    # A client may put a table anywhere in the warehouse: here, at the namespace's directory,
    # which holds the first table's files.
    rest.create_table([ns], "squatter", schema=SCHEMA, location=f"s3://akko-warehouse/{ns}")
    age_files(local_path(akko.data_dir, f"s3://akko-warehouse/{ns}"), 10 * 86400)
    with pytest.raises(psycopg2.errors.InvalidParameterValue, match=f'its location holds table "{ns}.owner"'):
        sql.execute(f"CALL remove_orphan_files('{ns}.squatter')")
    sql.execute(f"SELECT id FROM {ns}.owner ORDER BY id")
    assert sql.fetchall() == [(1,), (2,)]


def test_files_named_s3a_are_read_and_kept(rest, akko, sql):
    ns = unique("s3a_files")
    rest.create_namespace([ns])
    metadata = metadata_of(rest.create_table([ns], "t", schema=SCHEMA))
    relative = f"{metadata['location'].removeprefix('s3://').rstrip('/')}/data/spark-written.parquet"
    size = write_parquet(akko.data_dir, f"s3://{relative}", "SELECT 7::INT AS id", "{id: 1}")
    append_snapshot(rest, akko.data_dir, [ns], "t", 4242, [data_file_entry(f"s3a://{relative}", size, 1)])
    sql.execute(f"SELECT id FROM {ns}.t")
    assert sql.fetchall() == [(7,)]
    age_files(local_path(akko.data_dir, metadata["location"]), 10 * 86400)
    sql.execute(f"CALL remove_orphan_files('{ns}.t')")
    assert sql.fetchall() == []
    assert local_path(akko.data_dir, f"s3://{relative}").exists()
    sql.execute(f"SELECT id FROM {ns}.t")
    assert sql.fetchall() == [(7,)]
