"""A table akko writes is read by implementations we did not write: avsc decodes every manifest
list and manifest and finds Iceberg's field ids; DuckDB's read_parquet over the snapshot's files
(position deletes applied) returns the rows akko returns; icebird reads the table over HTTP."""
import json
import subprocess

import psycopg2
import pytest

from lake_files import NODE_DIR, duckdb, duckdb_rows, load_metadata, local_path, read_avro

# The spec's field ids ("Manifests", "Manifest Lists").
ENTRY_IDS = {"status": 0, "snapshot_id": 1, "sequence_number": 3, "file_sequence_number": 4, "data_file": 2}
DATA_FILE_IDS = {"content": 134, "file_path": 100, "file_format": 101, "partition": 102, "record_count": 103,
                 "file_size_in_bytes": 104, "column_sizes": 108, "value_counts": 109, "null_value_counts": 110,
                 "nan_value_counts": 137, "lower_bounds": 125, "upper_bounds": 128}
MANIFEST_FILE_IDS = {"manifest_path": 500, "manifest_length": 501, "partition_spec_id": 502, "content": 517,
                     "sequence_number": 515, "min_sequence_number": 516, "added_snapshot_id": 503,
                     "added_files_count": 504, "existing_files_count": 505, "deleted_files_count": 506,
                     "added_rows_count": 512, "existing_rows_count": 513, "deleted_rows_count": 514}


def field_ids(record_schema):
    return {field["name"]: field.get("field-id") for field in record_schema["fields"]}


def nested(record_schema, name):
    field = next(f for f in record_schema["fields"] if f["name"] == name)
    kind = field["type"]
    return next(t for t in kind if t != "null") if isinstance(kind, list) else kind


@pytest.fixture(scope="module")
def written(akko):
    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE SCHEMA interop")
    cur.execute("CREATE TABLE interop.accounts (id BIGINT, owner VARCHAR, balance DECIMAL(12, 2), opened DATE, "
                "active BOOLEAN, score DOUBLE)")
    cur.execute("INSERT INTO interop.accounts SELECT i, 'owner ' || i, i * 10.25, DATE '2024-01-01' + i::INTEGER, "
                "i % 2 = 0, i / 3.0 FROM range(1, 301) t(i)")
    cur.execute("INSERT INTO interop.accounts VALUES (1000, NULL, NULL, NULL, NULL, NULL)")
    cur.execute("DELETE FROM interop.accounts WHERE id % 7 = 0")
    cur.execute("UPDATE interop.accounts SET owner = upper(owner), balance = balance + 1 WHERE id BETWEEN 100 AND 110")
    cur.execute("SELECT id, owner, balance::VARCHAR, opened::VARCHAR, active, score FROM interop.accounts ORDER BY id")
    rows = cur.fetchall()
    conn.close()
    location, metadata = load_metadata(akko.data_dir, "interop", "accounts")
    return rows, location, metadata


def test_every_manifest_list_and_manifest_decodes_with_avsc_and_carries_field_ids(akko, written):
    _, _, metadata = written
    assert metadata["format-version"] == 2
    assert len(metadata["snapshots"]) == 4
    manifests_seen = 0
    for snapshot in metadata["snapshots"]:
        manifest_list = read_avro(local_path(akko.data_dir, snapshot["manifest-list"]))
        assert manifest_list["metadata"]["format-version"] == "2"
        assert manifest_list["metadata"]["snapshot-id"] == str(snapshot["snapshot-id"])
        assert field_ids(manifest_list["schema"]) | MANIFEST_FILE_IDS == field_ids(manifest_list["schema"])
        for manifest in manifest_list["records"]:
            decoded = read_avro(local_path(akko.data_dir, manifest["manifest_path"]))
            manifests_seen += 1
            assert decoded["metadata"]["format-version"] == "2"
            assert json.loads(decoded["metadata"]["schema"])["schema-id"] == metadata["current-schema-id"]
            entry_schema = decoded["schema"]
            assert {k: field_ids(entry_schema)[k] for k in ENTRY_IDS} == ENTRY_IDS
            data_file = nested(entry_schema, "data_file")
            assert {k: field_ids(data_file)[k] for k in DATA_FILE_IDS} == DATA_FILE_IDS
            lower = nested(data_file, "lower_bounds")
            assert lower["items"]["fields"][0]["field-id"] == 126  # key-id of lower_bounds
            assert manifest["added_files_count"] + manifest["existing_files_count"] == len(decoded["records"])
    assert manifests_seen >= 4


def test_data_files_carry_field_ids_and_statistics(akko, written):
    _, _, metadata = written
    schema = next(s for s in metadata["schemas"] if s["schema-id"] == metadata["current-schema-id"])
    ids = {f["name"]: f["id"] for f in schema["fields"]}
    data = [f for f in __import__("lake_files").current_files(akko.data_dir, metadata) if f["content"] == 0]
    assert data
    for f in data:
        path = str(local_path(akko.data_dir, f["file_path"]))
        columns = duckdb(f"SELECT name, field_id FROM parquet_schema('{path}') WHERE field_id IS NOT NULL")
        assert {name: int(fid) for name, fid in columns} == ids
        count = duckdb(f"SELECT count(*), min(id), max(id) FROM read_parquet('{path}')")[0]
        assert int(count[0]) == f["record_count"]
        # The id bounds are 8-byte little-endian longs (Appendix D).
        lower = {entry["key"]: entry["value"] for entry in f["lower_bounds"]}
        upper = {entry["key"]: entry["value"] for entry in f["upper_bounds"]}
        assert int.from_bytes(bytes.fromhex(lower[ids["id"]]), "little", signed=True) == int(count[1])
        assert int.from_bytes(bytes.fromhex(upper[ids["id"]]), "little", signed=True) == int(count[2])


def test_duckdb_reads_the_same_rows(akko, written):
    rows, _, metadata = written
    theirs = duckdb_rows(akko.data_dir, metadata, "id, owner, balance::VARCHAR, opened::VARCHAR, active, score")

    def text(value):
        return None if value is None else str(value).lower() if isinstance(value, bool) else str(value)

    ours = [[text(v) for v in row] for row in rows]
    assert len(ours) == 300 - 42 + 1
    assert [[row[0], row[1], row[2], row[3], row[4]] for row in theirs] == [row[:5] for row in ours]
    assert [float(row[5]) if row[5] is not None else None for row in theirs] == [r[5] for r in rows]


def test_icebird_reads_the_table_over_http(akko, written):
    rows, location, metadata = written
    out = subprocess.run(["node", str(NODE_DIR / "icebird_read.mjs"), str(akko.data_dir / "objects"),
                          metadata["location"], location.rsplit("/", 1)[1]],
                         capture_output=True, text=True, cwd=NODE_DIR, timeout=120)
    assert out.returncode == 0, out.stderr
    theirs = sorted(json.loads(out.stdout), key=lambda row: int(row["id"]))
    assert [int(row["id"]) for row in theirs] == [row[0] for row in rows]
    assert [row["owner"] for row in theirs] == [row[1] for row in rows]
