"""Iceberg metadata tables ("orders$snapshots", iceberg_files('ns.orders'), ...) through psycopg2,
each checked against a second source: the table's metadata JSON read with json, its manifest list
and manifests decoded by avsc (lake_files), bounds decoded here from the spec's binary
single-value serialization, and the column names and types of Trino's Iceberg connector docs."""
import datetime
import decimal
import json
import struct

import psycopg2
import pytest

from lake_files import current_files, load_metadata, local_path, read_avro

NS = "meta"


def execute(server, *statements):
    conn = psycopg2.connect(server.dsn())
    conn.autocommit = True
    rows = None
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
            rows = cur.fetchall() if cur.description else None
    conn.close()
    return rows


def epoch_ms(value):
    return round(value.timestamp() * 1000)


def columns_of(server, relation):
    return [(name, type_) for name, type_, *_ in execute(server, f"DESCRIBE {relation}")]


@pytest.fixture(scope="module")
def orders(akko):
    """A table with five snapshots: two appends, a delete, an update, an append; and its metadata."""
    execute(akko,
            f"CREATE SCHEMA IF NOT EXISTS {NS}",
            f"DROP TABLE IF EXISTS {NS}.orders",
            f"CREATE TABLE {NS}.orders (id bigint, qty integer, price decimal(10, 2), name text, ratio double, "
            "day date, ts timestamp, flag boolean)",
            f"INSERT INTO {NS}.orders VALUES "
            "(1, 10, 12.34, 'apple', 0.25, DATE '2024-01-15', TIMESTAMP '2024-05-06 07:08:09.123456', true), "
            "(2, -3, -0.05, 'pear', 249.75, DATE '1969-12-31', TIMESTAMP '2023-01-02 03:04:05', false)",
            f"INSERT INTO {NS}.orders SELECT i, i, i / 8, 'n' || i, i / 4, DATE '2024-03-01' + i::integer, "
            "TIMESTAMP '2024-03-01 00:00:01' + INTERVAL (i) MINUTE, i % 2 = 0 FROM range(3, 40) t(i)",
            f"DELETE FROM {NS}.orders WHERE id % 5 = 0",
            f"UPDATE {NS}.orders SET name = 'changed' WHERE id < 4",
            f"INSERT INTO {NS}.orders VALUES (100, 1, 1.00, 'last', 1.5, NULL, NULL, NULL)")
    _, metadata = load_metadata(akko.data_dir, NS, "orders")
    return metadata


def test_metadata_tables_have_trinos_columns(akko, orders):
    # Names and types from Trino's Iceberg connector docs ("Metadata tables"), in DuckDB's spelling.
    assert columns_of(akko, f'{NS}."orders$snapshots"') == [
        ("committed_at", "TIMESTAMP WITH TIME ZONE"), ("snapshot_id", "BIGINT"), ("parent_id", "BIGINT"),
        ("operation", "VARCHAR"), ("manifest_list", "VARCHAR"), ("summary", "MAP(VARCHAR, VARCHAR)")]
    assert columns_of(akko, f'{NS}."orders$history"') == [
        ("made_current_at", "TIMESTAMP WITH TIME ZONE"), ("snapshot_id", "BIGINT"), ("parent_id", "BIGINT"),
        ("is_current_ancestor", "BOOLEAN")]
    assert columns_of(akko, f'{NS}."orders$refs"') == [
        ("name", "VARCHAR"), ("type", "VARCHAR"), ("snapshot_id", "BIGINT"), ("max_reference_age_in_ms", "BIGINT"),
        ("min_snapshots_to_keep", "INTEGER"), ("max_snapshot_age_in_ms", "BIGINT")]
    assert columns_of(akko, f'{NS}."orders$properties"') == [("key", "VARCHAR"), ("value", "VARCHAR")]
    assert columns_of(akko, f'{NS}."orders$metadata_log_entries"') == [
        ("timestamp", "TIMESTAMP WITH TIME ZONE"), ("file", "VARCHAR"), ("latest_snapshot_id", "BIGINT"),
        ("latest_schema_id", "INTEGER"), ("latest_sequence_number", "BIGINT")]
    counts, bounds = "MAP(INTEGER, BIGINT)", "MAP(INTEGER, VARCHAR)"
    # Unpartitioned: no partition column, as in Trino.
    assert columns_of(akko, f'{NS}."orders$files"') == [
        ("content", "INTEGER"), ("file_path", "VARCHAR"), ("file_format", "VARCHAR"), ("spec_id", "INTEGER"),
        ("record_count", "BIGINT"), ("file_size_in_bytes", "BIGINT"), ("column_sizes", counts),
        ("value_counts", counts), ("null_value_counts", counts), ("nan_value_counts", counts),
        ("lower_bounds", bounds), ("upper_bounds", bounds), ("key_metadata", "BLOB"),
        ("split_offsets", "BIGINT[]"), ("equality_ids", "INTEGER[]"), ("sort_order_id", "INTEGER")]
    assert [c for c, _ in columns_of(akko, f'{NS}."orders$manifests"')] == [
        "path", "length", "partition_spec_id", "added_snapshot_id", "added_data_files_count", "added_rows_count",
        "existing_data_files_count", "existing_rows_count", "deleted_data_files_count", "deleted_rows_count",
        "partition_summaries", "content"]
    assert [c for c, _ in columns_of(akko, f'{NS}."orders$partitions"')] == [
        "record_count", "file_count", "total_size", "data"]


def test_snapshots_match_the_metadata_json(akko, orders):
    rows = execute(akko, f'SELECT committed_at, snapshot_id, parent_id, operation, manifest_list, '
                         f'to_json(summary)::VARCHAR FROM {NS}."orders$snapshots"')
    expected = [(s["timestamp-ms"], s["snapshot-id"], s.get("parent-snapshot-id"), s["summary"]["operation"],
                 s["manifest-list"], {k: v for k, v in s["summary"].items() if k != "operation"})
                for s in orders["snapshots"]]
    got = [(epoch_ms(at), sid, parent, op, ml, json.loads(summary)) for at, sid, parent, op, ml, summary in rows]
    assert got == expected
    assert [op for *_, op, _, _ in expected] == ["append", "append", "delete", "overwrite", "append"]


def test_history_is_the_snapshot_log(akko, orders):
    rows = execute(akko, f'SELECT made_current_at, snapshot_id, parent_id, is_current_ancestor FROM {NS}."orders$history"')
    parents = {s["snapshot-id"]: s.get("parent-snapshot-id") for s in orders["snapshots"]}
    expected = [(e["timestamp-ms"], e["snapshot-id"], parents[e["snapshot-id"]], True) for e in orders["snapshot-log"]]
    assert [(epoch_ms(at), sid, parent, current) for at, sid, parent, current in rows] == expected


def test_refs_properties_and_metadata_log_match_the_metadata_json(akko, orders):
    location, metadata = load_metadata(akko.data_dir, NS, "orders")
    refs = execute(akko, f'SELECT * FROM {NS}."orders$refs"')
    assert refs == [(name, ref["type"].upper(), ref["snapshot-id"], ref.get("max-ref-age-ms"),
                     ref.get("min-snapshots-to-keep"), ref.get("max-snapshot-age-ms"))
                    for name, ref in metadata["refs"].items()]
    assert refs[0][:3] == ("main", "BRANCH", metadata["current-snapshot-id"])

    properties = dict(execute(akko, f'SELECT key, value FROM {NS}."orders$properties"'))
    # Trino's reserved properties, then the table's own.
    assert properties == {"format": "iceberg/parquet", "provider": "iceberg",
                          "current-snapshot-id": str(metadata["current-snapshot-id"]),
                          "location": metadata["location"], "format-version": str(metadata["format-version"]),
                          **metadata["properties"]}

    log = execute(akko, f'SELECT "timestamp", file, latest_snapshot_id, latest_schema_id, latest_sequence_number '
                        f'FROM {NS}."orders$metadata_log_entries"')
    snapshots = {s["snapshot-id"]: s for s in metadata["snapshots"]}

    def current_at(ms):
        ids = [e["snapshot-id"] for e in metadata["snapshot-log"] if e["timestamp-ms"] <= ms]
        return ids[-1] if ids else None

    entries = metadata["metadata-log"] + [{"timestamp-ms": metadata["last-updated-ms"], "metadata-file": location}]
    expected = []
    for entry in entries:
        sid = current_at(entry["timestamp-ms"])
        expected.append((entry["timestamp-ms"], entry["metadata-file"], sid,
                         snapshots[sid].get("schema-id") if sid else None,
                         snapshots[sid]["sequence-number"] if sid else None))
    assert [(epoch_ms(t), *rest) for t, *rest in log] == expected


def decode_bound(hex_bytes, type_):
    """The spec's binary single-value serialization (Appendix D), in Java's human form."""
    raw = bytes.fromhex(hex_bytes)
    if type_ == "int":
        return str(struct.unpack("<i", raw)[0])
    if type_ == "long":
        return str(struct.unpack("<q", raw)[0])
    if type_ == "double":
        return repr(struct.unpack("<d", raw)[0])
    if type_ == "boolean":
        return "true" if raw[0] else "false"
    if type_ == "string":
        return raw.decode()
    if type_ == "date":
        return (datetime.date(1970, 1, 1) + datetime.timedelta(days=struct.unpack("<i", raw)[0])).isoformat()
    if type_ == "timestamp":
        value = datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=struct.unpack("<q", raw)[0])
        return value.isoformat()
    if type_.startswith("decimal"):
        scale = int(type_.split(",")[1].strip(" )"))
        return str(decimal.Decimal(int.from_bytes(raw, "big", signed=True)).scaleb(-scale))
    raise AssertionError(f"no decoder for {type_}")


def avro_map(entries):
    return {e["key"]: e["value"] for e in entries or []}


def test_files_match_the_manifests_decoded_by_avsc(akko, orders):
    rows = execute(akko, f'SELECT content, file_path, file_format, spec_id, record_count, file_size_in_bytes, '
                         f'to_json(column_sizes)::VARCHAR, to_json(value_counts)::VARCHAR, '
                         f'to_json(null_value_counts)::VARCHAR, to_json(lower_bounds)::VARCHAR, '
                         f'to_json(upper_bounds)::VARCHAR, to_json(equality_ids)::VARCHAR FROM {NS}."orders$files"')
    types = {f["id"]: f["type"] for f in orders["schemas"][-1]["fields"]}
    as_ints = lambda text: {int(k): v for k, v in json.loads(text).items()} if text else {}
    got = sorted((content, path, fmt, spec, records, size, as_ints(sizes), as_ints(values), as_ints(nulls),
                  as_ints(lower), as_ints(upper), json.loads(eq) if eq else None)
                 for content, path, fmt, spec, records, size, sizes, values, nulls, lower, upper, eq in rows)
    expected = sorted((f["content"], f["file_path"], f["file_format"], 0, f["record_count"], f["file_size_in_bytes"],
                       avro_map(f["column_sizes"]), avro_map(f["value_counts"]), avro_map(f["null_value_counts"]),
                       # Trino shows the bounds of table columns only (not a delete file's file_path and pos).
                       {k: decode_bound(v, types[k]) for k, v in avro_map(f["lower_bounds"]).items() if k in types},
                       {k: decode_bound(v, types[k]) for k, v in avro_map(f["upper_bounds"]).items() if k in types},
                       f.get("equality_ids"))
                      for f in current_files(akko.data_dir, orders))
    assert got == expected
    # The delete and the update left position delete files beside the data files.
    assert sorted({row[0] for row in got}) == [0, 1]
    # Bounds in Java's human form, spelled out for the first insert's file.
    first = next(row for row in got if row[0] == 0 and row[4] == 2)
    by_name = {f["name"]: f["id"] for f in orders["schemas"][-1]["fields"]}
    assert [first[9][by_name[c]] for c in ("qty", "price", "day", "ts", "ratio")] == [
        "-3", "-0.05", "1969-12-31", "2023-01-02T03:04:05", "0.25"]
    assert [first[10][by_name[c]] for c in ("qty", "price", "day", "ts", "ratio")] == [
        "10", "12.34", "2024-01-15", "2024-05-06T07:08:09.123456", "249.75"]


def test_manifests_match_the_manifest_list_decoded_by_avsc(akko, orders):
    rows = execute(akko, f'SELECT path, length, partition_spec_id, added_snapshot_id, added_data_files_count, '
                         f'added_rows_count, existing_data_files_count, existing_rows_count, deleted_data_files_count, '
                         f'deleted_rows_count, len(partition_summaries), content FROM {NS}."orders$manifests"')
    snapshot = next(s for s in orders["snapshots"] if s["snapshot-id"] == orders["current-snapshot-id"])
    listed = read_avro(local_path(akko.data_dir, snapshot["manifest-list"]))["records"]
    expected = [(m["manifest_path"], m["manifest_length"], m["partition_spec_id"], m["added_snapshot_id"],
                 m["added_files_count"], m["added_rows_count"], m["existing_files_count"], m["existing_rows_count"],
                 m["deleted_files_count"], m["deleted_rows_count"], len(m["partitions"] or []), m["content"])
                for m in listed]
    assert sorted(rows) == sorted(expected)
    assert {row[-1] for row in rows} == {0, 1}


def test_partitions_and_partitioned_files(akko):
    execute(akko,
            f"CREATE SCHEMA IF NOT EXISTS {NS}",
            f"DROP TABLE IF EXISTS {NS}.sales",
            f"CREATE TABLE {NS}.sales (id bigint, region text, day date, amount double)",
            f"ALTER TABLE {NS}.sales SET PARTITIONED BY (region, month(day))",
            f"INSERT INTO {NS}.sales SELECT i, CASE WHEN i % 3 = 0 THEN 'eu' ELSE 'us' END, "
            "DATE '2024-01-20' + (i * 7)::integer, i * 1.5 FROM range(0, 12) t(i)",
            f"INSERT INTO {NS}.sales VALUES (100, 'eu', DATE '2024-01-01', 0.5), (101, NULL, NULL, NULL)")
    _, metadata = load_metadata(akko.data_dir, NS, "sales")
    files = [f for f in current_files(akko.data_dir, metadata) if f["content"] == 0]
    def month_of(months):
        # The spec's month transform: months since 1970-01.
        return None if months is None else f"{1970 + months // 12:04d}-{months % 12 + 1:02d}"

    # $files: the partition as a typed struct (month as an integer, as Java's result type).
    rows = execute(akko, f'SELECT file_path, "partition".region, "partition".day_month, spec_id FROM {NS}."sales$files"')
    assert sorted(rows, key=str) == sorted(((f["file_path"], f["partition"]["region"], f["partition"]["day_month"],
                                             metadata["default-spec-id"]) for f in files), key=str)

    # $partitions: the data files grouped by partition value, counted and summed in Python.
    groups = {}
    for f in files:
        key = (f["partition"]["region"], f["partition"]["day_month"])
        count, records, size = groups.get(key, (0, 0, 0))
        groups[key] = (count + 1, records + f["record_count"], size + f["file_size_in_bytes"])
    rows = execute(akko, f'SELECT "partition".region, "partition".day_month, file_count, record_count, total_size '
                         f'FROM {NS}."sales$partitions"')
    assert sorted(rows, key=str) == sorted(((r, m, *v) for (r, m), v in groups.items()), key=str)
    assert sum(r[3] for r in rows) == 14
    # The per-column metrics of the partition ('eu', 2024-01): ids 0, 100 and their amounts.
    eu_january = execute(akko, f"SELECT data.id.min, data.id.max, data.amount.min, data.amount.max, "
                               f"data.id.null_count FROM {NS}.\"sales$partitions\" "
                               f"WHERE \"partition\".region = 'eu' AND \"partition\".day_month = {(2024 - 1970) * 12}")
    assert eu_january == [(0, 100, 0.0, 0.5, 0)]

    # $manifests: partition summaries in Java's human form (identity string, month "yyyy-MM").
    [(summaries,)] = execute(akko, f'SELECT to_json(partition_summaries)::VARCHAR FROM {NS}."sales$manifests" '
                                   f'WHERE added_rows_count = 12')
    regions = sorted({f["partition"]["region"] for f in files if f["partition"]["region"]})
    months = sorted({f["partition"]["day_month"] for f in files if f["partition"]["day_month"] is not None})
    region_summary, month_summary = json.loads(summaries)
    assert (region_summary["lower_bound"], region_summary["upper_bound"]) == ("eu", "us")
    assert (month_summary["lower_bound"], month_summary["upper_bound"]) == ("2024-01", "2024-04")
    assert month_of(months[0]) == "2024-01" and regions == ["eu", "us"]
    assert columns_of(akko, f'{NS}."sales$partitions"')[0] == (
        "partition", "STRUCT(region VARCHAR, day_month INTEGER)")


def test_metadata_tables_are_not_listed_and_need_a_table(akko, orders):
    tables = [r[0] for r in execute(akko, f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{NS}'")]
    assert "orders" in tables and not [t for t in tables if "$" in t]
    shown = [r[0] for r in execute(akko, f"SHOW TABLES FROM {NS}")]
    assert "orders" in shown and not [t for t in shown if "$" in t]
    # The table functions read the same thing.
    assert execute(akko, f"SELECT snapshot_id FROM iceberg_snapshots('{NS}.orders')") == \
        execute(akko, f'SELECT snapshot_id FROM {NS}."orders$snapshots"') == \
        execute(akko, f"SELECT snapshot_id FROM iceberg_snapshots('{NS}', 'orders')")
    with pytest.raises(psycopg2.Error) as error:
        execute(akko, f'SELECT * FROM {NS}."orders$nothing"')
    assert error.value.pgcode == "42P01"
    with pytest.raises(psycopg2.Error) as error:
        execute(akko, f'SELECT * FROM {NS}."missing$snapshots"')
    assert error.value.pgcode == "42P01"
    with pytest.raises(psycopg2.Error) as error:
        execute(akko, f"SELECT * FROM iceberg_files('{NS}.missing')")
    assert error.value.pgcode == "42P01"


def test_metadata_tables_read_the_transactions_snapshot(akko, orders):
    execute(akko, f"DROP TABLE IF EXISTS {NS}.pinned", f"CREATE TABLE {NS}.pinned (a integer)",
            f"INSERT INTO {NS}.pinned VALUES (1)")
    reader = psycopg2.connect(akko.dsn())
    try:
        with reader.cursor() as cur:
            cur.execute(f'SELECT count(*) FROM {NS}."pinned$snapshots"')
            assert cur.fetchone() == (1,)
            execute(akko, f"INSERT INTO {NS}.pinned VALUES (2)")
            cur.execute(f'SELECT count(*) FROM {NS}."pinned$snapshots"')
            assert cur.fetchone() == (1,)
            cur.execute(f'SELECT count(*) FROM {NS}."pinned$files"')
            assert cur.fetchone() == (1,)
        reader.commit()
        with reader.cursor() as cur:
            cur.execute(f'SELECT count(*) FROM {NS}."pinned$snapshots"')
            assert cur.fetchone() == (2,)
    finally:
        reader.close()
