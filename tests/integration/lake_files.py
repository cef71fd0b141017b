"""Reads a lake table's Iceberg files with tools we did not write: the metastore with Python's
sqlite3, metadata JSON with json, manifest lists and manifests with avsc (npm), Parquet with
DuckDB itself (tests/tools/duckdb_sql) -- the second source the lake tests compare with."""
import json
import os
import pathlib
import sqlite3
import subprocess

from conftest import AKKO_BIN

NODE_DIR = pathlib.Path(__file__).parent / "node"
DUCKDB_SQL = pathlib.Path(os.environ.get("AKKO_DUCKDB_SQL", pathlib.Path(AKKO_BIN).parent / "tests" / "duckdb_sql"))


def metadata_location(data_dir, namespace, table):
    db = sqlite3.connect(f"file:{pathlib.Path(data_dir) / 'metastore.db'}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT metadata_location FROM catalog_objects WHERE namespace = ? AND name = ?",
                         ("\x1f".join(namespace.split(".")), table)).fetchone()
    finally:
        db.close()
    assert row, f"{namespace}.{table} is not in the metastore"
    return row[0]


def local_path(data_dir, uri):
    assert uri.startswith("s3://"), uri
    return pathlib.Path(data_dir) / "objects" / uri[len("s3://"):]


def load_metadata(data_dir, namespace, table):
    location = metadata_location(data_dir, namespace, table)
    return location, json.loads(local_path(data_dir, location).read_text())


def read_avro(path):
    out = subprocess.run(["node", str(NODE_DIR / "avsc_check.mjs"), str(path)], capture_output=True, text=True,
                         check=True, cwd=NODE_DIR)
    return json.loads(out.stdout)


def current_files(data_dir, metadata):
    """The live data and delete files of the current snapshot, decoded with avsc."""
    snapshot = next(s for s in metadata["snapshots"] if s["snapshot-id"] == metadata["current-snapshot-id"])
    files = []
    for manifest in read_avro(local_path(data_dir, snapshot["manifest-list"]))["records"]:
        for entry in read_avro(local_path(data_dir, manifest["manifest_path"]))["records"]:
            if entry["status"] != 2:
                files.append(entry["data_file"])
    return files


def duckdb(*statements):
    env = {k: v for k, v in os.environ.items()}
    out = subprocess.run([str(DUCKDB_SQL), *statements], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def duckdb_rows(data_dir, metadata, columns):
    """The table's current rows, as DuckDB reads the data files and applies position deletes."""
    files = current_files(data_dir, metadata)
    data = [str(local_path(data_dir, f["file_path"])) for f in files if f["content"] == 0]
    deletes = [str(local_path(data_dir, f["file_path"])) for f in files if f["content"] == 1]
    assert not [f for f in files if f["content"] == 2], "equality deletes are not expected here"
    if not data:
        return []
    listed = ", ".join("'" + path.replace("'", "''") + "'" for path in data)
    query = f"SELECT {columns} FROM read_parquet([{listed}], filename = true, file_row_number = true) d"
    if deletes:
        deleted = ", ".join("'" + path.replace("'", "''") + "'" for path in deletes)
        # Position deletes name data files by URI; the data files were read by local path.
        prefix = str(pathlib.Path(data_dir) / "objects") + "/"
        query += (f" WHERE NOT EXISTS (SELECT 1 FROM read_parquet([{deleted}]) p "
                  f"WHERE '{prefix}' || substr(p.file_path, 6) = d.filename AND p.pos = d.file_row_number)")
    return duckdb(query + f" ORDER BY ALL")


def optional(kind):
    return ["null", kind]


def int_map(name, field_id, key_id, value_id, value_type):
    return {"name": name, "field-id": field_id, "default": None,
            "type": optional({"type": "array", "logicalType": "map", "items": {
                "type": "record", "name": f"k{key_id}_v{value_id}", "fields": [
                    {"name": "key", "type": "int", "field-id": key_id},
                    {"name": "value", "type": value_type, "field-id": value_id}]}})}


def manifest_entry_schema(partition_fields):
    """The spec's manifest_entry schema (format v2); partition_fields are the Avro fields of the
    partition tuple (none for an unpartitioned table)."""
    return {"type": "record", "name": "manifest_entry", "fields": [
        {"name": "status", "type": "int", "field-id": 0},
        {"name": "snapshot_id", "type": optional("long"), "field-id": 1, "default": None},
        {"name": "sequence_number", "type": optional("long"), "field-id": 3, "default": None},
        {"name": "file_sequence_number", "type": optional("long"), "field-id": 4, "default": None},
        {"name": "data_file", "field-id": 2, "type": {"type": "record", "name": "r2", "fields": [
            {"name": "content", "type": "int", "field-id": 134},
            {"name": "file_path", "type": "string", "field-id": 100},
            {"name": "file_format", "type": "string", "field-id": 101},
            {"name": "partition", "field-id": 102, "type": {"type": "record", "name": "r102",
                                                            "fields": partition_fields}},
            {"name": "record_count", "type": "long", "field-id": 103},
            {"name": "file_size_in_bytes", "type": "long", "field-id": 104},
            int_map("value_counts", 109, 119, 120, "long"),
            int_map("null_value_counts", 110, 121, 122, "long"),
            int_map("lower_bounds", 125, 126, 127, "bytes"),
            int_map("upper_bounds", 128, 129, 130, "bytes"),
            {"name": "key_metadata", "type": optional("bytes"), "field-id": 131, "default": None},
            {"name": "split_offsets", "field-id": 132, "default": None,
             "type": optional({"type": "array", "items": "long", "element-id": 133})},
            {"name": "equality_ids", "field-id": 135, "default": None,
             "type": optional({"type": "array", "items": "int", "element-id": 136})},
            {"name": "sort_order_id", "type": optional("int"), "field-id": 140, "default": None}]}}]}


MANIFEST_LIST_SCHEMA = {"type": "record", "name": "manifest_file", "fields": [
    {"name": "manifest_path", "type": "string", "field-id": 500},
    {"name": "manifest_length", "type": "long", "field-id": 501},
    {"name": "partition_spec_id", "type": "int", "field-id": 502},
    {"name": "content", "type": "int", "field-id": 517},
    {"name": "sequence_number", "type": "long", "field-id": 515},
    {"name": "min_sequence_number", "type": "long", "field-id": 516},
    {"name": "added_snapshot_id", "type": "long", "field-id": 503},
    {"name": "added_files_count", "type": "int", "field-id": 504},
    {"name": "existing_files_count", "type": "int", "field-id": 505},
    {"name": "deleted_files_count", "type": "int", "field-id": 506},
    {"name": "added_rows_count", "type": "long", "field-id": 512},
    {"name": "existing_rows_count", "type": "long", "field-id": 513},
    {"name": "deleted_rows_count", "type": "long", "field-id": 514},
    {"name": "partitions", "field-id": 507, "default": None, "type": optional({
        "type": "array", "element-id": 508, "items": {"type": "record", "name": "r508", "fields": [
            {"name": "contains_null", "type": "boolean", "field-id": 509},
            {"name": "contains_nan", "type": optional("boolean"), "field-id": 518, "default": None},
            {"name": "lower_bound", "type": optional("bytes"), "field-id": 510, "default": None},
            {"name": "upper_bound", "type": optional("bytes"), "field-id": 511, "default": None}]}})},
    {"name": "key_metadata", "type": optional("bytes"), "field-id": 519, "default": None}]}


def exact_longs(value):
    """Integers a JavaScript number cannot hold exactly, as avro_write.mjs's "long:" strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > 2 ** 53 - 1:
        return f"long:{value}"
    if isinstance(value, list):
        return [exact_longs(v) for v in value]
    if isinstance(value, dict):
        return {k: exact_longs(v) for k, v in value.items()}
    return value


def write_avro(local, schema, metadata, records):
    """Writes an Avro container file with avsc (as other engines write manifests); returns its size."""
    local = pathlib.Path(local)
    local.parent.mkdir(parents=True, exist_ok=True)
    spec = local.with_name(local.name + ".spec.json")
    spec.write_text(json.dumps({"schema": schema, "metadata": metadata, "records": exact_longs(records)}))
    try:
        subprocess.run(["node", str(NODE_DIR / "avro_write.mjs"), str(spec), str(local)], check=True, cwd=NODE_DIR)
    finally:
        spec.unlink()
    return local.stat().st_size
