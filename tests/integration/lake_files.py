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
