"""Tables akko did not write. The test builds an Iceberg table from the table spec the way Spark
and Trino write one -- Parquet data files with field ids (written by DuckDB itself), a position
delete file and equality delete files, manifests and manifest lists (written by avsc), metadata
JSON by hand -- registers it, and checks akko reads exactly the rows the spec says survive, at
every snapshot. Then a newer metadata file evolves the schema the way Spark does (rename, add a
column with a default, drop, promote int to long) and the old files read through it."""
import json
import pathlib
import uuid

import psycopg2
import pytest

from lake_files import MANIFEST_LIST_SCHEMA, duckdb, manifest_entry_schema, optional, write_avro

LOCATION = "s3://akko-warehouse/external/spark_like"
POS_PATH_ID, POS_POS_ID = 2147483546, 2147483545


# The spec's manifest_entry schema (format v2) for a table partitioned by identity(category).
MANIFEST_SCHEMA = manifest_entry_schema([
    {"name": "category", "type": optional("string"), "field-id": 1000, "default": None}])

SCHEMA_0 = {"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "id", "required": True, "type": "int"},
    {"id": 2, "name": "category", "required": False, "type": "string"},
    {"id": 3, "name": "score", "required": False, "type": "int"},
    {"id": 4, "name": "note", "required": False, "type": "string"}]}
SPEC_0 = {"spec-id": 0, "fields": [{"name": "category", "transform": "identity", "source-id": 2, "field-id": 1000}]}

# The rows each data file holds: (id, category, score, note).
DATA = {
    "a-1": [(i, "a", i * 10, f"note {i}") for i in range(1, 6)],
    "b-1": [(i, "b", i * 10, f"note {i}") for i in range(6, 11)],
    "a-2": [(i, "a", i * 10, f"note {i}") for i in range(11, 13)],
}


class TableBuilder:
    def __init__(self, objects_dir):
        self.objects = pathlib.Path(objects_dir)
        self.snapshots = []
        self.manifests = []  # live manifest list entries, newest first

    def path(self, uri):
        return self.objects / uri[len("s3://"):]

    def parquet(self, name, select, field_ids):
        uri = f"{LOCATION}/data/{name}.parquet"
        local = self.path(uri)
        local.parent.mkdir(parents=True, exist_ok=True)
        duckdb(f"COPY ({select}) TO '{local}' (FORMAT parquet, FIELD_IDS {field_ids})")
        return uri, local.stat().st_size

    def avro(self, uri, schema, metadata, records):
        return write_avro(self.path(uri), schema, metadata, records)

    def commit(self, operation, files, content):
        snapshot_id = 1001 + len(self.snapshots)
        sequence = len(self.snapshots) + 1
        manifest_uri = f"{LOCATION}/metadata/{uuid.uuid4()}-m0.avro"
        entries = [{"status": 1, "snapshot_id": None, "sequence_number": None, "file_sequence_number": None,
                    "data_file": f} for f in files]
        length = self.avro(manifest_uri, MANIFEST_SCHEMA, {
            "schema": json.dumps(SCHEMA_0), "schema-id": "0", "partition-spec": json.dumps(SPEC_0["fields"]),
            "partition-spec-id": "0", "format-version": "2", "content": "deletes" if content else "data"}, entries)
        categories = sorted(f["partition"]["category"] for f in files)
        self.manifests.insert(0, {
            "manifest_path": manifest_uri, "manifest_length": length, "partition_spec_id": 0, "content": content,
            "sequence_number": sequence, "min_sequence_number": sequence, "added_snapshot_id": snapshot_id,
            "added_files_count": len(files), "existing_files_count": 0, "deleted_files_count": 0,
            "added_rows_count": sum(f["record_count"] for f in files), "existing_rows_count": 0,
            "deleted_rows_count": 0,
            "partitions": [{"contains_null": False, "contains_nan": None,
                            "lower_bound": "hex:" + categories[0].encode().hex(),
                            "upper_bound": "hex:" + categories[-1].encode().hex()}],
            "key_metadata": None})
        list_uri = f"{LOCATION}/metadata/snap-{snapshot_id}-1-{uuid.uuid4()}.avro"
        parent = self.snapshots[-1]["snapshot-id"] if self.snapshots else None
        self.avro(list_uri, MANIFEST_LIST_SCHEMA, {
            "snapshot-id": str(snapshot_id), "parent-snapshot-id": str(parent), "sequence-number": str(sequence),
            "format-version": "2"}, self.manifests)
        snapshot = {"snapshot-id": snapshot_id, "sequence-number": sequence, "timestamp-ms": 1700000000000 + sequence,
                    "manifest-list": list_uri, "summary": {"operation": operation}, "schema-id": 0}
        if parent is not None:
            snapshot["parent-snapshot-id"] = parent
        self.snapshots.append(snapshot)

    def metadata(self, name, **changes):
        current = self.snapshots[-1]
        document = {
            "format-version": 2, "table-uuid": "2b6e1f9a-61b4-4e0b-9d5c-6f1f5c2f0a11", "location": LOCATION,
            "last-sequence-number": current["sequence-number"], "last-updated-ms": current["timestamp-ms"],
            "last-column-id": 4, "current-schema-id": 0, "schemas": [SCHEMA_0], "default-spec-id": 0,
            "partition-specs": [SPEC_0], "last-partition-id": 1000, "default-sort-order-id": 0,
            "sort-orders": [{"order-id": 0, "fields": []}], "properties": {"write.format.default": "parquet"},
            "current-snapshot-id": current["snapshot-id"],
            "refs": {"main": {"snapshot-id": current["snapshot-id"], "type": "branch"}},
            "snapshots": self.snapshots,
            "snapshot-log": [{"timestamp-ms": s["timestamp-ms"], "snapshot-id": s["snapshot-id"]}
                             for s in self.snapshots],
            "metadata-log": []}
        document.update(changes)
        uri = f"{LOCATION}/metadata/{name}.metadata.json"
        self.path(uri).write_text(json.dumps(document))
        return uri


def data_file(uri, size, category, rows, content=0, equality_ids=None):
    ids = [row[0] for row in rows] if content != 1 else []
    entry = {"content": content, "file_path": uri, "file_format": "PARQUET", "partition": {"category": category},
             "record_count": len(rows), "file_size_in_bytes": size, "value_counts": None, "null_value_counts": None,
             "lower_bounds": None, "upper_bounds": None, "key_metadata": None, "split_offsets": None,
             "equality_ids": equality_ids, "sort_order_id": None}
    if ids:
        # Spark's metrics for the id column: counts and 4-byte little-endian bounds (Appendix D).
        entry["value_counts"] = [{"key": 1, "value": len(rows)}]
        entry["null_value_counts"] = [{"key": 1, "value": 0}]
        entry["lower_bounds"] = [{"key": 1, "value": "hex:" + min(ids).to_bytes(4, "little", signed=True).hex()}]
        entry["upper_bounds"] = [{"key": 1, "value": "hex:" + max(ids).to_bytes(4, "little", signed=True).hex()}]
    return entry


def values(rows):
    return ", ".join(f"({i}, '{c}', {s}, '{n}')" for i, c, s, n in rows)


@pytest.fixture(scope="module")
def foreign(akko):
    builder = TableBuilder(akko.data_dir / "objects")
    ids = "{id: 1, category: 2, score: 3, note: 4}"
    appended = []
    for name in ("a-1", "b-1"):
        select = f"SELECT * FROM (VALUES {values(DATA[name])}) t(id, category, score, note)"
        uri, size = builder.parquet(name, select, ids)
        appended.append(data_file(uri, size, DATA[name][0][1], DATA[name]))
    builder.commit("append", appended, 0)  # 1001

    a1 = f"{LOCATION}/data/a-1.parquet"
    uri, size = builder.parquet("a-1-pos-deletes", f"SELECT '{a1}' AS file_path, pos::BIGINT AS pos FROM "
                                "(VALUES (1), (3)) t(pos)", f"{{file_path: {POS_PATH_ID}, pos: {POS_POS_ID}}}")
    builder.commit("delete", [data_file(uri, size, "a", [(1,), (3,)], content=1)], 1)  # 1002: ids 2 and 4

    select = f"SELECT * FROM (VALUES {values(DATA['a-2'])}) t(id, category, score, note)"
    uri, size = builder.parquet("a-2", select, ids)
    builder.commit("append", [data_file(uri, size, "a", DATA["a-2"])], 0)  # 1003

    # Equality deletes at sequence number 4: they reach every older data file of their partition.
    eq_a, size_a = builder.parquet("a-eq-deletes", "SELECT * FROM (VALUES (11), (1)) t(id)", "{id: 1}")
    eq_b, size_b = builder.parquet("b-eq-deletes", "SELECT * FROM (VALUES (7), (2)) t(id)", "{id: 1}")
    builder.commit("delete", [data_file(eq_a, size_a, "a", [(11,), (1,)], content=2, equality_ids=[1]),
                              data_file(eq_b, size_b, "b", [(7,), (2,)], content=2, equality_ids=[1])], 1)  # 1004

    metadata_v0 = builder.metadata("00000-spark")
    schema_1 = {"type": "struct", "schema-id": 1, "fields": [
        {"id": 1, "name": "id", "required": True, "type": "long"},
        {"id": 2, "name": "category", "required": False, "type": "string"},
        {"id": 4, "name": "comment", "required": False, "type": "string"},
        {"id": 5, "name": "extra", "required": False, "type": "long", "initial-default": 42, "write-default": 42}]}
    metadata_v1 = builder.metadata("00001-spark", **{
        "format-version": 3, "next-row-id": 0, "last-column-id": 5, "current-schema-id": 1,
        "schemas": [SCHEMA_0, schema_1],
        "metadata-log": [{"timestamp-ms": 1700000000004, "metadata-file": metadata_v0}]})

    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("CREATE SCHEMA external")
    cur.execute("CALL register_table('external', 'spark_like', %s)", (metadata_v0,))
    cur.execute("CALL register_table('external', 'spark_evolved', %s)", (metadata_v1,))
    yield cur
    conn.close()


def surviving(after_snapshot):
    """The spec's answer: rows of the data files present, minus what deletes with a higher (position:
    at least equal) sequence number remove from the same partition."""
    rows = DATA["a-1"] + DATA["b-1"]
    if after_snapshot >= 1002:
        rows = [r for r in rows if r[0] not in (2, 4)]
    if after_snapshot >= 1003:
        rows = rows + DATA["a-2"]
    if after_snapshot >= 1004:
        rows = [r for r in rows if not (r[1] == "a" and r[0] in (11, 1)) and not (r[1] == "b" and r[0] in (7, 2))]
    return sorted(rows)


def test_reads_position_and_equality_deletes_written_by_others(foreign):
    foreign.execute("SELECT id, category, score, note FROM external.spark_like ORDER BY id")
    assert foreign.fetchall() == surviving(1004)
    # Id 2 sits in partition b's equality delete file but in partition a: it was already gone by
    # position; id 7 is removed by b's file.
    assert [row[0] for row in surviving(1004)] == [3, 5, 6, 8, 9, 10, 12]


@pytest.mark.parametrize("snapshot_id", [1001, 1002, 1003, 1004])
def test_time_travel_to_every_snapshot(foreign, snapshot_id):
    foreign.execute(f"SELECT id, category, score, note FROM external.spark_like AT (VERSION => {snapshot_id}) "
                    "ORDER BY id")
    assert foreign.fetchall() == surviving(snapshot_id)


def test_pruning_by_foreign_metrics(foreign):
    foreign.execute("SELECT id FROM external.spark_like WHERE id = 12")
    assert foreign.fetchall() == [(12,)]
    foreign.execute("EXPLAIN SELECT id FROM external.spark_like WHERE id = 12")
    plan = "\n".join(row[-1] for row in foreign.fetchall())
    assert "1 of 3" in plan, plan


def test_schema_evolution_reads_old_files_by_field_id(foreign):
    foreign.execute("SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = 'external' AND table_name = 'spark_evolved' ORDER BY ordinal_position")
    assert foreign.fetchall() == [("id", "BIGINT"), ("category", "VARCHAR"), ("comment", "VARCHAR"),
                                  ("extra", "BIGINT")]
    foreign.execute("SELECT id, category, comment, extra FROM external.spark_evolved ORDER BY id")
    assert foreign.fetchall() == [(i, c, n, 42) for i, c, _, n in surviving(1004)]
    foreign.execute("SELECT sum(id) FROM external.spark_evolved WHERE id > 5")
    assert foreign.fetchone()[0] == sum(r[0] for r in surviving(1004) if r[0] > 5)
