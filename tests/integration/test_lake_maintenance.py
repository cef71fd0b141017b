"""Table maintenance (CALL expire_snapshots / remove_orphan_files / rewrite_data_files /
rewrite_manifests, and `akko maintenance`). What each must delete, keep or rewrite is computed
here from the metadata JSON and the manifests decoded with avsc; table contents are checked
against DuckDB reading the surviving Parquet files itself. The last tests run maintenance while
writers insert and delete, then read every retained snapshot."""
import datetime
import json
import os
import pathlib
import random
import subprocess
import threading

import psycopg2
import pytest

from conftest import AKKO_BIN
from lake_files import duckdb, duckdb_rows, load_metadata, local_path, metadata_location, read_avro

_avro_cache = {}


def avro(data_dir, uri):
    """An Avro file's records, decoded by avsc (files never change once written)."""
    if uri not in _avro_cache:
        _avro_cache[uri] = read_avro(local_path(data_dir, uri))["records"]
    return _avro_cache[uri]


def connect(akko):
    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = True
    return conn


def query(conn, sql, params=None):
    cur = conn.cursor()
    cur.execute(sql, params)
    return cur.fetchall() if cur.description else None


def call(conn, sql):
    cur = conn.cursor()
    cur.execute(sql)
    names = [d.name for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def reach(data_dir, snapshot):
    """What one snapshot reaches: its manifest list, its manifests, and its live content files
    (path -> content: 0 data, 1 position deletes, 2 equality deletes)."""
    manifests = set()
    content = {}
    for manifest in avro(data_dir, snapshot["manifest-list"]):
        manifests.add(manifest["manifest_path"])
        for entry in avro(data_dir, manifest["manifest_path"]):
            if entry["status"] != 2:
                content[entry["data_file"]["file_path"]] = entry["data_file"]["content"]
    return {snapshot["manifest-list"]}, manifests, content


def reach_all(data_dir, snapshots):
    lists, manifests, content = set(), set(), {}
    for snapshot in snapshots:
        l, m, c = reach(data_dir, snapshot)
        lists |= l
        manifests |= m
        content.update(c)
    return lists, manifests, content


def live_files(data_dir, metadata):
    snapshot = next(s for s in metadata["snapshots"] if s["snapshot-id"] == metadata["current-snapshot-id"])
    files = []
    for manifest in avro(data_dir, snapshot["manifest-list"]):
        for entry in avro(data_dir, manifest["manifest_path"]):
            if entry["status"] != 2:
                files.append(entry["data_file"])
    return files


def utc_literal(moment):
    return "TIMESTAMPTZ '" + moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f+00") + "'"


def soon():
    return utc_literal(datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1))


def as_text(rows):
    """Rows as duckdb_sql prints them: every value as text, NULL as None."""
    return [tuple(None if v is None else str(v) for v in row) for row in rows]


def rows_of(conn, table, version=None):
    at = f" AT (VERSION => {version})" if version is not None else ""
    return query(conn, f"SELECT * FROM {table}{at} ORDER BY ALL")


def test_named_arguments_as_duckdb_parses_them(akko):
    conn = connect(akko)
    query(conn, "CREATE SCHEMA IF NOT EXISTS maint_args")
    query(conn, "CREATE TABLE maint_args.t (id INTEGER)")
    query(conn, "INSERT INTO maint_args.t VALUES (1)")
    # TABLE is a reserved word to DuckDB's parser: Spark's `table => ...` needs the quotes.
    with pytest.raises(psycopg2.Error) as error:
        call(conn, "CALL rewrite_manifests(table => 'maint_args.t')")
    assert error.value.pgcode == "42601"
    expected = {"rewritten_manifests_count": 0, "added_manifests_count": 0}
    assert call(conn, "CALL rewrite_manifests(\"table\" => 'maint_args.t')") == [expected]
    assert call(conn, "CALL rewrite_manifests('maint_args.t')") == [expected]
    query(conn, "SET search_path = maint_args")
    assert call(conn, "CALL rewrite_manifests('t')") == [expected]
    with pytest.raises(psycopg2.Error) as error:
        call(conn, "CALL expire_snapshots('maint_args.nope')")
    assert error.value.pgcode == "42P01"
    with pytest.raises(psycopg2.Error) as error:
        call(conn, "CALL expire_snapshots('maint_args.t', retain_last => 0)")
    assert error.value.pgcode == "22023"
    with pytest.raises(psycopg2.Error) as error:
        call(conn, "CALL expire_snapshots()")
    conn.close()


def test_expire_snapshots_keeps_what_a_tag_needs_and_deletes_the_rest(akko):
    data_dir = akko.data_dir
    conn = connect(akko)
    query(conn, "CREATE SCHEMA IF NOT EXISTS maint_expire")
    query(conn, "CREATE TABLE maint_expire.src (id INTEGER, v VARCHAR)")
    contents = []
    for i in range(4):
        query(conn, f"INSERT INTO maint_expire.src SELECT i, 'v' || i FROM range({i * 10}, {i * 10 + 10}) r(i)")
        contents.append(rows_of(conn, "maint_expire.src"))
    query(conn, "DELETE FROM maint_expire.src WHERE id % 3 = 0")
    assert call(conn, "CALL rewrite_data_files('maint_expire.src', min_input_files => 2)")[0][
        "rewritten_data_files_count"] == 4
    final = rows_of(conn, "maint_expire.src")

    # A copy of the table's metadata with a tag on the second snapshot, registered as a table.
    _, metadata = load_metadata(data_dir, "maint_expire", "src")
    snapshots = metadata["snapshots"]
    assert [s["summary"]["operation"] for s in snapshots] == ["append"] * 4 + ["delete", "replace"]
    tagged = snapshots[1]["snapshot-id"]
    metadata["refs"]["keep"] = {"snapshot-id": tagged, "type": "tag"}
    uri = metadata["location"] + "/metadata/90000-tagged.metadata.json"
    local_path(data_dir, uri).write_text(json.dumps(metadata))
    query(conn, f"CALL register_table('maint_expire', 'tagged', '{uri}')")

    kept = [s for s in snapshots if s["snapshot-id"] in (tagged, metadata["current-snapshot-id"])]
    expired = [s for s in snapshots if s not in kept]
    kept_lists, kept_manifests, kept_content = reach_all(data_dir, kept)
    gone_lists, gone_manifests, gone_content = reach_all(data_dir, expired)
    doomed = {path: content for path, content in gone_content.items() if path not in kept_content}
    expected = {
        "deleted_data_files_count": sum(1 for c in doomed.values() if c == 0),
        "deleted_position_delete_files_count": sum(1 for c in doomed.values() if c == 1),
        "deleted_equality_delete_files_count": 0,
        "deleted_manifest_files_count": len(gone_manifests - kept_manifests),
        "deleted_manifest_lists_count": len(gone_lists - kept_lists),
        "deleted_statistics_files_count": 0,
    }
    # The data files the compaction replaced, but the tagged snapshot's two, and the delete file.
    assert expected["deleted_data_files_count"] == 2 and expected["deleted_position_delete_files_count"] == 1

    result = call(conn, f"CALL expire_snapshots(\"table\" => 'maint_expire.tagged', older_than => {soon()}, "
                        "retain_last => 1)")
    assert result == [expected]
    for path in doomed:
        assert not local_path(data_dir, path).exists(), path
    for path in list(kept_content) + list(kept_manifests) + list(kept_lists):
        assert local_path(data_dir, path).exists(), path
    assert {r[0] for r in query(conn, 'SELECT snapshot_id FROM maint_expire."tagged$snapshots"')} == {
        s["snapshot-id"] for s in kept}
    assert rows_of(conn, "maint_expire.tagged", tagged) == contents[1]
    assert rows_of(conn, "maint_expire.tagged") == final
    _, after = load_metadata(data_dir, "maint_expire", "tagged")
    assert after["refs"]["keep"]["snapshot-id"] == tagged
    # Nothing is left to expire.
    again = call(conn, f"CALL expire_snapshots('maint_expire.tagged', older_than => {soon()}, retain_last => 1)")
    assert all(value == 0 for value in again[0].values())
    conn.close()


def test_remove_orphan_files_with_a_margin(akko):
    data_dir = akko.data_dir
    conn = connect(akko)
    query(conn, "CREATE SCHEMA IF NOT EXISTS maint_orphan")
    query(conn, "CREATE TABLE maint_orphan.t (id INTEGER)")
    for i in range(3):
        query(conn, f"INSERT INTO maint_orphan.t VALUES ({i})")
    query(conn, "DELETE FROM maint_orphan.t WHERE id = 1")
    location, metadata = load_metadata(data_dir, "maint_orphan", "t")
    table_dir = local_path(data_dir, metadata["location"])
    ten_days_ago = datetime.datetime.now().timestamp() - 10 * 86400
    planted_old = [table_dir / "data" / "old-orphan.parquet", table_dir / "metadata" / "old-orphan.avro"]
    planted_fresh = table_dir / "data" / "fresh-orphan.parquet"
    for path in planted_old + [planted_fresh]:
        path.write_bytes(b"not referenced")
    for path in planted_old:
        os.utime(path, (ten_days_ago, ten_days_ago))

    # Everything the metadata reaches, from the JSON and avsc; every other old file is an orphan.
    lists, manifests, content = reach_all(data_dir, metadata["snapshots"])
    reachable = {location, *(e["metadata-file"] for e in metadata["metadata-log"]), *lists, *manifests, *content}
    reachable_paths = {local_path(data_dir, uri) for uri in reachable}
    three_days_ago = datetime.datetime.now().timestamp() - 3 * 86400
    expected = {"s3://" + str(p.relative_to(pathlib.Path(data_dir) / "objects"))
                for p in table_dir.rglob("*") if p.is_file() and p not in reachable_paths
                and p.stat().st_mtime < three_days_ago}
    assert expected == {"s3://" + str(p.relative_to(pathlib.Path(data_dir) / "objects")) for p in planted_old}

    listed = call(conn, "CALL remove_orphan_files('maint_orphan.t', dry_run => true)")
    assert {r["orphan_file_location"] for r in listed} == expected
    assert all(p.exists() for p in planted_old)
    removed = call(conn, "CALL remove_orphan_files(\"table\" => 'maint_orphan.t')")
    assert {r["orphan_file_location"] for r in removed} == expected
    assert not any(p.exists() for p in planted_old)
    assert planted_fresh.exists()
    assert all(p.exists() for p in reachable_paths)
    assert query(conn, "SELECT id FROM maint_orphan.t ORDER BY id") == [(0,), (2,)]
    # With a margin in the future the fresh file goes too, and still nothing reachable.
    removed = call(conn, f"CALL remove_orphan_files('maint_orphan.t', older_than => {soon()})")
    assert [r["orphan_file_location"] for r in removed] == [
        "s3://" + str(planted_fresh.relative_to(pathlib.Path(data_dir) / "objects"))]
    assert all(p.exists() for p in reachable_paths)
    conn.close()


def test_rewrite_data_files_of_a_partitioned_table_with_deletes(akko):
    data_dir = akko.data_dir
    conn = connect(akko)
    query(conn, "CREATE SCHEMA IF NOT EXISTS maint_compact")
    query(conn, "CREATE TABLE maint_compact.p (id INTEGER, region VARCHAR, v DOUBLE)")
    query(conn, "ALTER TABLE maint_compact.p SET PARTITIONED BY (region)")
    for batch in range(5):
        query(conn, f"INSERT INTO maint_compact.p SELECT i, CASE WHEN i % 7 = 0 THEN NULL WHEN i % 2 = 0 "
                    f"THEN 'eu' ELSE 'us' END, i / 4 FROM range({batch * 20}, {batch * 20 + 20}) r(i)")
    query(conn, "DELETE FROM maint_compact.p WHERE id % 4 = 0")
    query(conn, "UPDATE maint_compact.p SET v = v + 1000 WHERE id % 5 = 0")
    before_rows = rows_of(conn, "maint_compact.p")
    _, before = load_metadata(data_dir, "maint_compact", "p")
    before_snapshot = before["current-snapshot-id"]
    files = live_files(data_dir, before)
    data_files = [f for f in files if f["content"] == 0]
    assert len([f for f in files if f["content"] == 1]) >= 2

    result = call(conn, "CALL rewrite_data_files('maint_compact.p', min_input_files => 2)")
    _, after = load_metadata(data_dir, "maint_compact", "p")
    new_files = live_files(data_dir, after)
    partitions = {json.dumps(f["partition"], sort_keys=True) for f in data_files}
    assert result == [{"rewritten_data_files_count": len(data_files), "added_data_files_count": len(partitions),
                       "rewritten_bytes_count": sum(f["file_size_in_bytes"] for f in data_files),
                       "removed_delete_files_count": len(files) - len(data_files)}]
    # One file per partition, no deletes left, the same rows -- by akko and by DuckDB itself.
    assert len(new_files) == len(partitions) and all(f["content"] == 0 for f in new_files)
    assert rows_of(conn, "maint_compact.p") == before_rows
    assert [tuple(r) for r in duckdb_rows(data_dir, after, "id, region, v")] == as_text(before_rows)
    for f in new_files:
        region = f["partition"]["region"]
        values = duckdb(f"SELECT DISTINCT region FROM read_parquet('{local_path(data_dir, f['file_path'])}')")
        assert values == [[region]], (f["file_path"], region, values)
    snapshot = next(s for s in after["snapshots"] if s["snapshot-id"] == after["current-snapshot-id"])
    assert snapshot["summary"]["operation"] == "replace"
    assert snapshot["summary"]["total-records"] == str(len(before_rows))
    assert snapshot["summary"]["total-delete-files"] == "0"
    # The snapshot before still reads as it did (its files are there until snapshots expire).
    assert rows_of(conn, "maint_compact.p", before_snapshot) == before_rows
    # Nothing small enough in twos any more.
    assert call(conn, "CALL rewrite_data_files('maint_compact.p', min_input_files => 2)")[0][
        "rewritten_data_files_count"] == 0
    conn.close()


def test_rewrite_manifests(akko):
    data_dir = akko.data_dir
    conn = connect(akko)
    query(conn, "CREATE SCHEMA IF NOT EXISTS maint_manifests")
    query(conn, "CREATE TABLE maint_manifests.t (id INTEGER, tag VARCHAR)")
    for i in range(6):
        query(conn, f"INSERT INTO maint_manifests.t VALUES ({i}, 't{i}'), ({i + 100}, NULL)")
    query(conn, "DELETE FROM maint_manifests.t WHERE id = 3")
    before_rows = rows_of(conn, "maint_manifests.t")
    _, before = load_metadata(data_dir, "maint_manifests", "t")
    snapshot = next(s for s in before["snapshots"] if s["snapshot-id"] == before["current-snapshot-id"])
    groups = {}
    for manifest in avro(data_dir, snapshot["manifest-list"]):
        groups.setdefault((manifest["content"], manifest["partition_spec_id"]), []).append(manifest)
    merged = [g for g in groups.values() if len(g) > 1]
    result = call(conn, "CALL rewrite_manifests('maint_manifests.t')")
    assert result == [{"rewritten_manifests_count": sum(len(g) for g in merged), "added_manifests_count": len(merged)}]
    _, after = load_metadata(data_dir, "maint_manifests", "t")
    new_snapshot = next(s for s in after["snapshots"] if s["snapshot-id"] == after["current-snapshot-id"])
    assert new_snapshot["summary"]["operation"] == "replace"
    assert len(avro(data_dir, new_snapshot["manifest-list"])) == len(groups)
    key = lambda f: f["file_path"]
    assert sorted(live_files(data_dir, after), key=key) == sorted(live_files(data_dir, before), key=key)
    assert rows_of(conn, "maint_manifests.t") == before_rows
    assert [tuple(r) for r in duckdb_rows(data_dir, after, "id, tag")] == as_text(before_rows)
    conn.close()


def maintenance_cli(akko, *args):
    return subprocess.run([str(AKKO_BIN), "maintenance", *args, "--data-dir", str(akko.data_dir)],
                          capture_output=True, text=True, timeout=300)


def test_cli_runs_beside_the_server(fresh_akko):
    akko = fresh_akko()
    conn = connect(akko)
    query(conn, "CREATE SCHEMA IF NOT EXISTS maint_cli")
    query(conn, "CREATE TABLE maint_cli.t (id INTEGER)")
    for i in range(3):
        query(conn, f"INSERT INTO maint_cli.t VALUES ({i})")
    help_text = subprocess.run([str(AKKO_BIN), "maintenance", "--help"], capture_output=True, text=True)
    assert help_text.returncode == 0
    for operation in ("expire-snapshots", "remove-orphan-files", "rewrite-data-files", "rewrite-manifests"):
        assert operation in help_text.stdout

    out = maintenance_cli(akko, "rewrite-manifests", "maint_cli.t")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["maint_cli.t\trewritten_manifests_count=3\tadded_manifests_count=1"]
    assert "[1/1] rewrite_manifests maint_cli.t" in out.stderr
    in_an_hour = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime(
        "%Y-%m-%d %H:%M:%S+00")
    out = maintenance_cli(akko, "expire-snapshots", "maint_cli.t", "--older-than", in_an_hour, "--retain-last", "1")
    assert out.returncode == 0, out.stderr
    # The three appends' lists go; their manifests were merged into the kept one.
    assert out.stdout.splitlines() == ["maint_cli.t\tdeleted_data_files_count=0\tdeleted_position_delete_files_count=0"
                                       "\tdeleted_equality_delete_files_count=0\tdeleted_manifest_files_count=3"
                                       "\tdeleted_manifest_lists_count=3\tdeleted_statistics_files_count=0"]
    # The server sees the other process's commits at its next statement.
    assert query(conn, 'SELECT count(*) FROM maint_cli."t$snapshots"') == [(1,)]
    assert query(conn, "SELECT id FROM maint_cli.t ORDER BY id") == [(0,), (1,), (2,)]
    # A planted file is an orphan at once with a margin of 0 seconds (a duration before now).
    _, metadata = load_metadata(akko.data_dir, "maint_cli", "t")
    planted = local_path(akko.data_dir, metadata["location"] + "/data/planted.parquet")
    planted.write_bytes(b"x")
    os.utime(planted, (planted.stat().st_mtime - 5, planted.stat().st_mtime - 5))
    out = maintenance_cli(akko, "remove-orphan-files", "--all-tables", "--dry-run", "--older-than", "0s")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        f"maint_cli.t\torphan_file_location={metadata['location']}/data/planted.parquet",
        "maint_cli.t\torphan_files=1 (dry run: nothing deleted)"]
    assert planted.exists()
    out = maintenance_cli(akko, "rewrite-manifests", "maint_cli.missing")
    assert out.returncode == 1 and "maint_cli.missing failed" in out.stderr
    out = maintenance_cli(akko, "rewrite-manifests")
    assert out.returncode != 0
    conn.close()


class Writer(threading.Thread):
    """Runs `operations` statements: inserts of rows with ids of its own, and deletes of some of
    them, each retried on 40001; keeps the set of its ids committed and not deleted."""

    def __init__(self, akko, table, base, operations):
        super().__init__()
        self.conn = connect(akko)
        self.table = table
        self.base = base
        self.operations = operations
        self.live = set()
        self.conflicts = 0
        self.error = None

    def retry(self, sql):
        while True:
            try:
                query(self.conn, sql)
                return
            except psycopg2.Error as error:
                if error.pgcode != "40001":
                    raise
                self.conflicts += 1

    def run(self):
        rng = random.Random(self.base)
        next_id = self.base
        try:
            for _ in range(self.operations):
                if self.live and rng.random() < 0.3:
                    victim = rng.choice(sorted(self.live))
                    self.retry(f"DELETE FROM {self.table} WHERE id = {victim}")
                    self.live.discard(victim)
                else:
                    ids = range(next_id, next_id + 3)
                    next_id += 3
                    values = ", ".join(f"({i}, {i % 3})" for i in ids)
                    self.retry(f"INSERT INTO {self.table} VALUES {values}")
                    self.live.update(ids)
        except Exception as error:  # reported by the test
            self.error = error
        finally:
            self.conn.close()


def snapshot_rows(data_dir, metadata, snapshot):
    """A snapshot's (id, k) rows as DuckDB reads its files, position deletes applied in SQL."""
    _, _, content = reach(data_dir, snapshot)
    data = [str(local_path(data_dir, p)) for p, c in content.items() if c == 0]
    deletes = [str(local_path(data_dir, p)) for p, c in content.items() if c == 1]
    if not data:
        return []
    listed = ", ".join(f"'{p}'" for p in data)
    sql = f"SELECT id, k FROM read_parquet([{listed}], filename = true, file_row_number = true) d"
    if deletes:
        prefix = str(pathlib.Path(data_dir) / "objects") + "/"
        sql += (" WHERE NOT EXISTS (SELECT 1 FROM read_parquet([" + ", ".join(f"'{p}'" for p in deletes) + "]) p "
                f"WHERE '{prefix}' || substr(p.file_path, 6) = d.filename AND p.pos = d.file_row_number)")
    return [tuple(int(v) for v in r) for r in duckdb(sql + " ORDER BY ALL")]


def test_maintenance_under_concurrent_writers(akko):
    data_dir = akko.data_dir
    conn = connect(akko)
    query(conn, "CREATE SCHEMA IF NOT EXISTS maint_busy")
    query(conn, "CREATE TABLE maint_busy.t (id INTEGER, k INTEGER)")
    query(conn, "ALTER TABLE maint_busy.t SET PARTITIONED BY (k)")
    # History from before the writers, compacted: expiring it deletes files no writer can be reading.
    for i in range(4):
        query(conn, f"INSERT INTO maint_busy.t VALUES ({-1 - i}, {i % 3})")
    call(conn, "CALL rewrite_data_files('maint_busy.t', min_input_files => 1)")
    preexisting = {(-1 - i, i % 3) for i in range(4)}
    # Expiring what is older than the writers' first commit deletes only files no writer reads.
    before_writers = utc_literal(datetime.datetime.now(datetime.timezone.utc))

    writers = [Writer(akko, "maint_busy.t", 1000000 * (n + 1), 30) for n in range(3)]
    for writer in writers:
        writer.start()
    outcomes = {}
    procedures = [
        "CALL rewrite_data_files('maint_busy.t', min_input_files => 2)",
        "CALL rewrite_manifests('maint_busy.t')",
        f"CALL expire_snapshots('maint_busy.t', older_than => {before_writers}, retain_last => 1)",
        "CALL remove_orphan_files('maint_busy.t')",
    ]
    rounds = 0
    while rounds < 2 or any(writer.is_alive() for writer in writers):
        rounds += 1
        for sql in procedures:
            name = sql.split("(")[0][5:]
            try:
                call(conn, sql)
                outcomes[name, "ok"] = outcomes.get((name, "ok"), 0) + 1
            except psycopg2.Error as error:
                # A compaction or manifest rewrite that met a concurrent delete gives up cleanly.
                assert error.pgcode == "40001", (sql, error)
                outcomes[name, "40001"] = outcomes.get((name, "40001"), 0) + 1
        # The same from another process, through the same metastore and files.
        out = maintenance_cli(akko, "rewrite-data-files", "maint_busy.t", "--min-input-files", "2")
        assert out.returncode == 0 or "could not compact" in out.stderr, out.stderr
    for writer in writers:
        writer.join()
        assert writer.error is None, writer.error
    expected = sorted(preexisting | {(i, i % 3) for w in writers for i in w.live})
    assert all(outcomes.get((name, "ok"), 0) > 0 for name in ("rewrite_data_files", "rewrite_manifests",
                                                               "expire_snapshots", "remove_orphan_files")), outcomes
    assert query(conn, "SELECT id, k FROM maint_busy.t ORDER BY ALL") == expected

    # Every snapshot the table still lists reads, with akko and with DuckDB over its files alike.
    _, metadata = load_metadata(data_dir, "maint_busy", "t")
    listed = {r[0] for r in query(conn, 'SELECT snapshot_id FROM maint_busy."t$snapshots"')}
    assert listed == {s["snapshot-id"] for s in metadata["snapshots"]}
    for snapshot in metadata["snapshots"]:
        rows = query(conn, f"SELECT id, k FROM maint_busy.t AT (VERSION => {snapshot['snapshot-id']}) ORDER BY ALL")
        assert rows == snapshot_rows(data_dir, metadata, snapshot), snapshot["snapshot-id"]
    # Compact once more and expire all but the last: the content is unchanged, and what is left
    # is exactly what the last snapshot reaches plus the metadata.
    call(conn, "CALL rewrite_data_files('maint_busy.t', min_input_files => 2)")
    call(conn, f"CALL expire_snapshots('maint_busy.t', older_than => {soon()}, retain_last => 1)")
    assert query(conn, "SELECT id, k FROM maint_busy.t ORDER BY ALL") == expected
    _, metadata = load_metadata(data_dir, "maint_busy", "t")
    assert len(metadata["snapshots"]) == 1
    assert snapshot_rows(data_dir, metadata, metadata["snapshots"][0]) == expected
    conn.close()
