"""Iceberg REST catalog conformance, part 2: tables. Create (plain and staged), load with ETags and
snapshot modes, every requirement passing and failing, every update, multi-table transactions,
rename, drop with and without purge, register, metrics and credentials. Expectations come from the
OpenAPI spec and from the upstream kit's CatalogTests (apache/iceberg), which says what Java's
catalog does with the same requests (fresh column ids, spec and sort order ids, 999 as the
unpartitioned last-partition-id)."""
import uuid

import pytest

# own_server and rest are fixtures (the module's own server and a logged-in client).
from iceberg_rest_client import (append_snapshot, data_file_entry, metadata_of, ns_path, own_server,  # noqa: F401
                                 rest, simple_schema, unique, write_parquet, write_snapshot)
from lake_files import local_path

# The kit's SPEC and WRITE_ORDER over its SCHEMA, whose column ids (3, 4) the catalog reassigns.
KIT_SPEC = {"spec-id": 0, "fields": [{"source-id": 3, "field-id": 1000, "name": "id_bucket",
                                      "transform": "bucket[16]"}]}
KIT_ORDER = {"order-id": 1, "fields": [
    {"source-id": 3, "transform": "bucket[16]", "direction": "asc", "null-order": "nulls-first"},
    {"source-id": 3, "transform": "identity", "direction": "asc", "null-order": "nulls-first"}]}


def strip_ids(schema):
    return [(f["id"], f["name"], f["type"], f["required"], f.get("doc")) for f in schema["fields"]]


def current_schema(metadata):
    return next(s for s in metadata["schemas"] if s["schema-id"] == metadata["current-schema-id"])


@pytest.fixture
def ns(rest):
    namespace = [unique("tbl")]
    rest.create_namespace(namespace)
    return namespace


@pytest.fixture
def table(rest, ns):
    rest.create_table(ns, "t")
    return ns, "t"


def snapshot_ids(metadata):
    return sorted(s["snapshot-id"] for s in metadata.get("snapshots", []))


# -- create and load (CatalogTests) ----------------------------------------------------------------

def test_basic_create_table(rest, ns):
    response = rest.create_table(ns, "tbl", schema=simple_schema(first_id=3))
    metadata = metadata_of(response)
    # Column ids are reassigned from 1 (the kit's TABLE_SCHEMA), the table is unpartitioned and unsorted.
    assert strip_ids(current_schema(metadata)) == [(1, "id", "int", True, "unique ID 🤪"),
                                                   (2, "data", "string", True, None)]
    assert metadata["last-column-id"] == 2
    assert metadata["format-version"] == 2
    assert metadata["location"]
    assert uuid.UUID(metadata["table-uuid"])
    spec = next(s for s in metadata["partition-specs"] if s["spec-id"] == metadata["default-spec-id"])
    assert spec["fields"] == []
    assert metadata["last-partition-id"] == 999
    order = next(o for o in metadata["sort-orders"] if o["order-id"] == metadata["default-sort-order-id"])
    assert order == {"order-id": 0, "fields": []}
    assert isinstance(metadata["properties"], dict)
    assert metadata.get("current-snapshot-id") in (None, -1)
    assert response.body["metadata-location"]
    assert rest.catalog("HEAD", rest.table_path(ns, "tbl")).status == 204


def test_complete_create_table(rest, ns):
    properties = {"user": "someone", "created-at": "2022-02-25T00:38:19"}
    response = rest.create_table(ns, "tbl", schema=simple_schema(first_id=3), **{
        "partition-spec": KIT_SPEC, "write-order": KIT_ORDER, "properties": properties})
    loaded = metadata_of(rest.load_table(ns, "tbl"))
    for metadata in (metadata_of(response), loaded):
        assert strip_ids(current_schema(metadata))[0][0] == 1
        spec = next(s for s in metadata["partition-specs"] if s["spec-id"] == metadata["default-spec-id"])
        # The kit's TABLE_SPEC: bucket[16] of the reassigned id column.
        assert spec == {"spec-id": 0, "fields": [{"source-id": 1, "field-id": 1000, "name": "id_bucket",
                                                  "transform": "bucket[16]"}]}
        assert metadata["last-partition-id"] == 1000
        # TABLE_WRITE_ORDER: order id 1 over the reassigned column.
        assert metadata["default-sort-order-id"] == 1
        order = next(o for o in metadata["sort-orders"] if o["order-id"] == 1)
        assert [(f["source-id"], f["transform"], f["direction"], f["null-order"]) for f in order["fields"]] == [
            (1, "bucket[16]", "asc", "nulls-first"), (1, "identity", "asc", "nulls-first")]
        assert properties.items() <= metadata["properties"].items()
    assert loaded["table-uuid"] == metadata_of(response)["table-uuid"]


def test_create_table_with_requested_location(rest, ns):
    location = f"s3://akko-warehouse/custom/{unique('loc')}"
    metadata = metadata_of(rest.create_table(ns, "tbl", location=location))
    assert metadata["location"].rstrip("/") == location


def test_create_v3_table_with_default_values(rest, ns):
    schema = {"type": "struct", "schema-id": 0, "fields": [
        {"id": 1, "name": "colWithDefault", "required": True, "type": "int", "write-default": 10,
         "initial-default": 12}]}
    rest.create_table(ns, "tbl", schema=schema, properties={"format-version": "3"})
    metadata = metadata_of(rest.load_table(ns, "tbl"))
    assert metadata["format-version"] == 3
    field = current_schema(metadata)["fields"][0]
    assert (field["initial-default"], field["write-default"]) == (12, 10)


def test_create_table_that_already_exists(rest, table):
    ns, name = table
    other = {"type": "struct", "fields": [{"id": 1, "name": "some_id", "required": True, "type": "int"}]}
    response = rest.create_table(ns, name, schema=other, expect=409)
    assert response.error()["type"] == "AlreadyExistsException"
    assert strip_ids(current_schema(metadata_of(rest.load_table(ns, name))))[0][1] == "id"


def test_create_table_in_missing_namespace(rest):
    response = rest.create_table([unique("missing")], "tbl", expect=404)
    assert response.error()["type"] == "NoSuchNamespaceException"


def test_load_missing_table(rest, ns):
    response = rest.load_table(ns, "nope", expect=404)
    assert response.error()["type"] == "NoSuchTableException"
    assert rest.catalog("HEAD", rest.table_path(ns, "nope")).status == 404
    # The kit: a table in a namespace that does not exist is NoSuchTableException too.
    response = rest.load_table([unique("non-existing")], "tbl", expect=404)
    assert response.error()["type"] == "NoSuchTableException"


def test_table_name_with_dot(rest, ns):
    rest.create_table(ns, "ta.ble")
    assert {"namespace": ns, "name": "ta.ble"} in rest.catalog("GET", f"/namespaces/{ns_path(ns)}/tables").body[
        "identifiers"]
    assert strip_ids(current_schema(metadata_of(rest.load_table(ns, "ta.ble"))))[0][1] == "id"
    rest.drop_table(ns, "ta.ble")
    assert rest.catalog("HEAD", rest.table_path(ns, "ta.ble")).status == 404


def test_tables_in_nested_namespace(rest):
    parent = [unique("outer")]
    inner = parent + ["inner"]
    rest.create_namespace(parent)
    rest.create_namespace(inner)
    rest.create_table(inner, "t")
    assert rest.catalog("GET", f"/namespaces/{ns_path(inner)}/tables").body["identifiers"] == [
        {"namespace": inner, "name": "t"}]
    assert rest.catalog("GET", f"/namespaces/{ns_path(parent)}/tables").body["identifiers"] == []


def test_list_tables_and_views_are_separate(rest, ns):
    rest.create_table(ns, "t1")
    rest.create_table(ns, "t2")
    rest.create_view(ns, "v1")
    tables = rest.catalog("GET", f"/namespaces/{ns_path(ns)}/tables").body["identifiers"]
    views = rest.catalog("GET", f"/namespaces/{ns_path(ns)}/views").body["identifiers"]
    assert sorted(t["name"] for t in tables) == ["t1", "t2"]
    assert [v["name"] for v in views] == ["v1"]


def test_list_tables_of_missing_namespace(rest):
    response = rest.catalog("GET", f"/namespaces/{ns_path([unique('missing')])}/tables")
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchNamespaceException"


# -- ETags and snapshot modes ----------------------------------------------------------------------

def test_etag_and_if_none_match(rest, table):
    ns, name = table
    first = rest.load_table(ns, name)
    etag = first.header("etag")
    assert etag, first.headers
    again = rest.load_table(ns, name)
    assert again.header("etag") == etag
    not_modified = rest.load_table(ns, name, expect=304, headers={"If-None-Match": etag})
    assert not_modified.raw == b""
    commit = rest.commit(ns, name, updates=[{"action": "set-properties", "updates": {"k": "v"}}])
    new_etag = commit.header("etag")
    assert new_etag and new_etag != etag, commit.headers
    # The old tag no longer matches; the commit response's tag does.
    changed = rest.load_table(ns, name, headers={"If-None-Match": etag})
    assert changed.header("etag") == new_etag
    assert changed.body["metadata"]["properties"]["k"] == "v"
    rest.load_table(ns, name, expect=304, headers={"If-None-Match": new_etag})
    rest.load_table(ns, name, expect=200, headers={"If-None-Match": '"something-else"'})


def test_create_response_carries_an_etag_that_load_honours(rest, ns):
    created = rest.create_table(ns, "t")
    etag = created.header("etag")
    assert etag, created.headers
    rest.load_table(ns, "t", expect=304, headers={"If-None-Match": etag})


def test_snapshots_refs_versus_all(rest, akko, table):
    ns, name = table
    append_snapshot(rest, akko.data_dir, ns, name, 1001)
    append_snapshot(rest, akko.data_dir, ns, name, 1002)
    all_ = rest.load_table(ns, name, query={"snapshots": "all"})
    refs = rest.load_table(ns, name, query={"snapshots": "refs"})
    default = rest.load_table(ns, name)
    # TestRESTCatalog.testTableSnapshotLoading: refs keeps only snapshots a branch or tag points
    # at; the snapshot log stays complete; the default is all.
    assert snapshot_ids(all_.body["metadata"]) == [1001, 1002]
    assert snapshot_ids(refs.body["metadata"]) == [1002]
    assert [e["snapshot-id"] for e in refs.body["metadata"]["snapshot-log"]] == [1001, 1002]
    assert snapshot_ids(default.body["metadata"]) == [1001, 1002]
    assert refs.body["metadata"]["current-snapshot-id"] == 1002
    # Different representations of one version have distinct ETags (the spec's etag parameter).
    assert refs.header("etag") != all_.header("etag")
    rest.load_table(ns, name, expect=304, query={"snapshots": "refs"}, headers={"If-None-Match": refs.header("etag")})
    response = rest.load_table(ns, name, expect=400, query={"snapshots": "some"})
    assert response.error()["type"] == "BadRequestException"


def test_snapshots_refs_keeps_tagged_snapshots(rest, akko, table):
    ns, name = table
    append_snapshot(rest, akko.data_dir, ns, name, 2001)
    append_snapshot(rest, akko.data_dir, ns, name, 2002)
    append_snapshot(rest, akko.data_dir, ns, name, 2003)
    rest.commit(ns, name, updates=[{"action": "set-snapshot-ref", "ref-name": "v1", "type": "tag",
                                    "snapshot-id": 2001}])
    refs = rest.load_table(ns, name, query={"snapshots": "refs"})
    assert snapshot_ids(refs.body["metadata"]) == [2001, 2003]


# -- staged create (create transactions) -----------------------------------------------------------

def create_changes(metadata):
    """What Java's RESTSessionCatalog sends to commit a create transaction: the whole initial state."""
    schema = current_schema(metadata)
    spec = next(s for s in metadata["partition-specs"] if s["spec-id"] == metadata["default-spec-id"])
    order = next(o for o in metadata["sort-orders"] if o["order-id"] == metadata["default-sort-order-id"])
    return [
        {"action": "assign-uuid", "uuid": metadata["table-uuid"]},
        {"action": "upgrade-format-version", "format-version": metadata["format-version"]},
        {"action": "add-schema", "schema": schema, "last-column-id": metadata["last-column-id"]},
        {"action": "set-current-schema", "schema-id": -1},
        {"action": "add-spec", "spec": spec},
        {"action": "set-default-spec", "spec-id": -1},
        {"action": "add-sort-order", "sort-order": order},
        {"action": "set-default-sort-order", "sort-order-id": -1},
        {"action": "set-location", "location": metadata["location"]},
        {"action": "set-properties", "updates": metadata["properties"]},
    ]


def test_staged_create_then_assert_create_commit(rest, ns):
    staged = rest.create_table(ns, "staged", schema=simple_schema(first_id=3), properties={"prop1": "val1"},
                               **{"stage-create": True, "partition-spec": KIT_SPEC})
    metadata = metadata_of(staged)
    # Staged: metadata is initialized but not committed, and the table does not exist yet.
    assert staged.body.get("metadata-location") is None
    assert rest.catalog("HEAD", rest.table_path(ns, "staged")).status == 404
    assert rest.catalog("GET", f"/namespaces/{ns_path(ns)}/tables").body["identifiers"] == []
    chosen_uuid = str(uuid.uuid4())
    changes = create_changes(metadata)
    changes[0]["uuid"] = chosen_uuid
    committed = rest.commit(ns, "staged", requirements=[{"type": "assert-create"}], updates=changes)
    assert committed.body["metadata-location"]
    loaded = metadata_of(rest.load_table(ns, "staged"))
    assert loaded["table-uuid"] == chosen_uuid
    assert strip_ids(current_schema(loaded))[0][:2] == (1, "id")
    assert loaded["properties"]["prop1"] == "val1"
    assert loaded["last-partition-id"] == 1000
    # A second create transaction for the same name loses: the table exists now.
    response = rest.commit(ns, "staged", requirements=[{"type": "assert-create"}], updates=changes, expect=409)
    assert response.error()["type"] == "CommitFailedException"
    assert metadata_of(rest.load_table(ns, "staged"))["table-uuid"] == chosen_uuid


def test_staged_create_with_a_first_snapshot(rest, akko, ns):
    staged = metadata_of(rest.create_table(ns, "ctas", **{"stage-create": True}))
    snapshot, _ = write_snapshot(akko.data_dir, staged, 3001)
    changes = create_changes(staged) + [
        {"action": "add-snapshot", "snapshot": snapshot},
        {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": 3001}]
    rest.commit(ns, "ctas", requirements=[{"type": "assert-create"}], updates=changes)
    loaded = metadata_of(rest.load_table(ns, "ctas"))
    assert loaded["current-snapshot-id"] == 3001
    assert (loaded["refs"]["main"]["snapshot-id"], loaded["refs"]["main"]["type"]) == (3001, "branch")


def test_staged_create_of_an_existing_name(rest, table):
    ns, name = table
    response = rest.create_table(ns, name, expect=409, **{"stage-create": True})
    assert response.error()["type"] == "AlreadyExistsException"


# -- requirements, each passing and failing --------------------------------------------------------

def requirement_cases(metadata):
    """(requirement that holds, the same requirement that does not), for a fresh unpartitioned table."""
    return {
        "assert-table-uuid": ({"type": "assert-table-uuid", "uuid": metadata["table-uuid"]},
                              {"type": "assert-table-uuid", "uuid": str(uuid.uuid4())}),
        "assert-ref-snapshot-id": ({"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": None},
                                   {"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 42}),
        "assert-last-assigned-field-id": ({"type": "assert-last-assigned-field-id", "last-assigned-field-id": 2},
                                          {"type": "assert-last-assigned-field-id", "last-assigned-field-id": 3}),
        "assert-current-schema-id": ({"type": "assert-current-schema-id", "current-schema-id": 0},
                                     {"type": "assert-current-schema-id", "current-schema-id": 1}),
        "assert-last-assigned-partition-id": (
            {"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": 999},
            {"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": 1000}),
        "assert-default-spec-id": ({"type": "assert-default-spec-id", "default-spec-id": 0},
                                   {"type": "assert-default-spec-id", "default-spec-id": 1}),
        "assert-default-sort-order-id": ({"type": "assert-default-sort-order-id", "default-sort-order-id": 0},
                                         {"type": "assert-default-sort-order-id", "default-sort-order-id": 1}),
    }


@pytest.mark.parametrize("kind", ["assert-table-uuid", "assert-ref-snapshot-id", "assert-last-assigned-field-id",
                                  "assert-current-schema-id", "assert-last-assigned-partition-id",
                                  "assert-default-spec-id", "assert-default-sort-order-id"])
def test_requirement_passes_and_fails(rest, table, kind):
    ns, name = table
    before = rest.load_table(ns, name).body
    holds, fails = requirement_cases(before["metadata"])[kind]
    response = rest.commit(ns, name, requirements=[fails],
                           updates=[{"action": "set-properties", "updates": {"failed": "yes"}}], expect=409)
    assert response.error()["type"] == "CommitFailedException"
    after_failure = rest.load_table(ns, name).body
    assert after_failure["metadata-location"] == before["metadata-location"]
    assert "failed" not in after_failure["metadata"]["properties"]
    rest.commit(ns, name, requirements=[holds], updates=[{"action": "set-properties", "updates": {"passed": "yes"}}])
    assert rest.load_table(ns, name).body["metadata"]["properties"]["passed"] == "yes"


def test_assert_create_fails_on_an_existing_table(rest, table):
    ns, name = table
    response = rest.commit(ns, name, requirements=[{"type": "assert-create"}],
                           updates=[{"action": "set-properties", "updates": {"a": "b"}}], expect=409)
    assert response.error()["type"] == "CommitFailedException"


def test_assert_ref_snapshot_id_with_a_snapshot(rest, akko, table):
    ns, name = table
    append_snapshot(rest, akko.data_dir, ns, name, 4001)
    # The ref exists now: asserting it is absent fails, asserting its id holds.
    response = rest.commit(ns, name, requirements=[{"type": "assert-ref-snapshot-id", "ref": "main",
                                                    "snapshot-id": None}], updates=[], expect=409)
    assert response.error()["type"] == "CommitFailedException"
    rest.commit(ns, name, requirements=[{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 4001}],
                updates=[])


def test_uuid_validation_after_drop_and_recreate(rest, table):
    # CatalogTests.testUUIDValidation: a commit prepared against the dropped table fails on the new one.
    ns, name = table
    old_uuid = metadata_of(rest.load_table(ns, name))["table-uuid"]
    rest.drop_table(ns, name)
    other = {"type": "struct", "fields": [{"id": 1, "name": "some_id", "required": True, "type": "int"}]}
    rest.create_table(ns, name, schema=other)
    response = rest.commit(ns, name, requirements=[{"type": "assert-table-uuid", "uuid": old_uuid}],
                           updates=[{"action": "add-schema", "schema": {"type": "struct", "schema-id": 1, "fields": [
                               {"id": 1, "name": "some_id", "required": True, "type": "int"},
                               {"id": 2, "name": "new_col", "required": False, "type": "long"}]}}], expect=409)
    assert response.error()["type"] == "CommitFailedException"
    assert [f["name"] for f in current_schema(metadata_of(rest.load_table(ns, name)))["fields"]] == ["some_id"]


def test_unknown_requirement_or_update_is_400_and_changes_nothing(rest, table):
    ns, name = table
    before = rest.load_table(ns, name).body["metadata-location"]
    response = rest.commit(ns, name, requirements=[{"type": "assert-something-new"}], updates=[], expect=400)
    assert response.error()["type"] == "BadRequestException"
    response = rest.commit(ns, name, updates=[{"action": "set-properties", "updates": {"a": "b"}},
                                              {"action": "frobnicate"}], expect=400)
    assert response.error()["type"] == "BadRequestException"
    response = rest.commit(ns, name, updates=[{"action": "set-properties", "updates": "not-a-map"}], expect=400)
    assert response.error()["type"] == "BadRequestException"
    response = rest.commit(ns, name, updates=[{"action": "set-current-schema", "schema-id": 77}], expect=400)
    response.error()
    assert rest.load_table(ns, name).body["metadata-location"] == before


def test_commit_to_a_missing_table(rest, ns):
    response = rest.commit(ns, "nope", updates=[{"action": "set-properties", "updates": {"a": "b"}}], expect=404)
    assert response.error()["type"] == "NoSuchTableException"


# -- updates ---------------------------------------------------------------------------------------

def test_add_schema_and_set_current_schema(rest, table):
    ns, name = table
    new_schema = {"type": "struct", "schema-id": 1, "fields": [
        {"id": 1, "name": "id", "required": True, "type": "int", "doc": "unique ID 🤪"},
        {"id": 2, "name": "data", "required": True, "type": "string"},
        {"id": 3, "name": "new_col", "required": False, "type": "long"}]}
    response = rest.commit(ns, name, requirements=[
        {"type": "assert-current-schema-id", "current-schema-id": 0},
        {"type": "assert-last-assigned-field-id", "last-assigned-field-id": 2}], updates=[
        {"action": "add-schema", "schema": new_schema}, {"action": "set-current-schema", "schema-id": -1}])
    metadata = metadata_of(response)
    assert metadata["current-schema-id"] == 1
    assert metadata["last-column-id"] == 3
    assert [f["name"] for f in current_schema(metadata)["fields"]] == ["id", "data", "new_col"]
    assert sorted(s["schema-id"] for s in metadata["schemas"]) == [0, 1]
    # CatalogTests.testUpdateTableSchemaThenRevert: setting schema 0 back works and keeps both.
    metadata = metadata_of(rest.commit(ns, name, updates=[{"action": "set-current-schema", "schema-id": 0}]))
    assert metadata["current-schema-id"] == 0 and len(metadata["schemas"]) == 2


def test_concurrent_schema_change_fails_the_stale_writer(rest, table):
    # CatalogTests.testUpdateTableSchemaAssignmentConflict, as the requirements Java sends.
    ns, name = table
    stale = [{"type": "assert-current-schema-id", "current-schema-id": 0},
             {"type": "assert-last-assigned-field-id", "last-assigned-field-id": 2}]
    winner = {"type": "struct", "schema-id": 1, "fields": [
        {"id": 1, "name": "id", "required": True, "type": "int"}, {"id": 2, "name": "data", "required": True,
                                                                  "type": "string"},
        {"id": 3, "name": "another_col", "required": False, "type": "string"}]}
    loser = {"type": "struct", "schema-id": 1, "fields": winner["fields"][:2] + [
        {"id": 3, "name": "new_col", "required": False, "type": "long"}]}
    rest.commit(ns, name, requirements=stale, updates=[{"action": "add-schema", "schema": winner},
                                                       {"action": "set-current-schema", "schema-id": -1}])
    response = rest.commit(ns, name, requirements=stale, updates=[{"action": "add-schema", "schema": loser},
                                                                  {"action": "set-current-schema", "schema-id": -1}],
                           expect=409)
    assert response.error()["type"] == "CommitFailedException"
    assert [f["name"] for f in current_schema(metadata_of(rest.load_table(ns, name)))["fields"]][-1] == "another_col"


def test_add_spec_and_set_default_spec(rest, table):
    ns, name = table
    spec = {"spec-id": 1, "fields": [{"source-id": 1, "field-id": 1000, "name": "id_bucket",
                                      "transform": "bucket[16]"}]}
    metadata = metadata_of(rest.commit(ns, name, requirements=[
        {"type": "assert-default-spec-id", "default-spec-id": 0},
        {"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": 999}], updates=[
        {"action": "add-spec", "spec": spec}, {"action": "set-default-spec", "spec-id": -1}]))
    assert metadata["default-spec-id"] == 1
    assert metadata["last-partition-id"] == 1000
    default = next(s for s in metadata["partition-specs"] if s["spec-id"] == 1)
    assert [(f["source-id"], f["field-id"], f["transform"]) for f in default["fields"]] == [(1, 1000, "bucket[16]")]
    # Revert to the unpartitioned spec (CatalogTests.testUpdateTableSpecThenRevert).
    metadata = metadata_of(rest.commit(ns, name, updates=[{"action": "set-default-spec", "spec-id": 0}]))
    assert metadata["default-spec-id"] == 0 and metadata["last-partition-id"] == 1000


def test_add_sort_order_and_set_default(rest, table):
    ns, name = table
    order = {"order-id": 1, "fields": [{"source-id": 1, "transform": "identity", "direction": "desc",
                                        "null-order": "nulls-last"}]}
    metadata = metadata_of(rest.commit(ns, name, requirements=[
        {"type": "assert-default-sort-order-id", "default-sort-order-id": 0}], updates=[
        {"action": "add-sort-order", "sort-order": order}, {"action": "set-default-sort-order", "sort-order-id": -1}]))
    assert metadata["default-sort-order-id"] == 1
    assert next(o for o in metadata["sort-orders"] if o["order-id"] == 1)["fields"] == order["fields"]


def test_set_and_remove_properties(rest, table):
    ns, name = table
    rest.commit(ns, name, updates=[{"action": "set-properties", "updates": {"a": "1", "b": "2"}}])
    metadata = metadata_of(rest.commit(ns, name, updates=[{"action": "remove-properties", "removals": ["a", "zz"]}]))
    assert metadata["properties"].get("b") == "2" and "a" not in metadata["properties"]


def test_set_location(rest, table):
    ns, name = table
    location = f"s3://akko-warehouse/moved/{unique('loc')}"
    metadata = metadata_of(rest.commit(ns, name, updates=[{"action": "set-location", "location": location}]))
    assert metadata["location"].rstrip("/") == location


def test_snapshots_and_refs(rest, akko, table):
    ns, name = table
    append_snapshot(rest, akko.data_dir, ns, name, 5001)
    append_snapshot(rest, akko.data_dir, ns, name, 5002)
    metadata = metadata_of(rest.commit(ns, name, updates=[
        {"action": "set-snapshot-ref", "ref-name": "audit", "type": "branch", "snapshot-id": 5001,
         "max-ref-age-ms": 86400000},
        {"action": "set-snapshot-ref", "ref-name": "v1", "type": "tag", "snapshot-id": 5001}]))
    assert metadata["refs"]["audit"]["snapshot-id"] == 5001 and metadata["refs"]["audit"]["type"] == "branch"
    assert (metadata["refs"]["v1"]["snapshot-id"], metadata["refs"]["v1"]["type"]) == (5001, "tag")
    assert metadata["current-snapshot-id"] == 5002
    metadata = metadata_of(rest.commit(ns, name, updates=[{"action": "remove-snapshot-ref", "ref-name": "audit"},
                                                          {"action": "remove-snapshot-ref", "ref-name": "v1"}]))
    assert set(metadata["refs"]) == {"main"}
    metadata = metadata_of(rest.commit(ns, name, updates=[{"action": "remove-snapshots", "snapshot-ids": [5001]}]))
    assert snapshot_ids(metadata) == [5002]
    assert metadata["current-snapshot-id"] == 5002
    # Rolling main back to a removed snapshot is refused.
    response = rest.commit(ns, name, updates=[{"action": "set-snapshot-ref", "ref-name": "main", "type": "branch",
                                               "snapshot-id": 5001}], expect=400)
    response.error()


def test_add_snapshot_with_a_stale_sequence_number_fails(rest, akko, table):
    ns, name = table
    append_snapshot(rest, akko.data_dir, ns, name, 6001)
    metadata = metadata_of(rest.load_table(ns, name))
    snapshot, _ = write_snapshot(akko.data_dir, {**metadata, "last-sequence-number": 0}, 6002)
    # Java's TableMetadata: "Cannot add snapshot with sequence number ... older than last sequence number".
    response = rest.catalog("POST", rest.table_path(ns, name), body={
        "requirements": [], "updates": [{"action": "add-snapshot", "snapshot": snapshot}]})
    assert response.status in (400, 409), response
    response.error()
    assert snapshot_ids(metadata_of(rest.load_table(ns, name))) == [6001]


def test_upgrade_format_version(rest, table):
    ns, name = table
    assert metadata_of(rest.load_table(ns, name))["format-version"] == 2
    metadata = metadata_of(rest.commit(ns, name, updates=[{"action": "upgrade-format-version", "format-version": 3}]))
    assert metadata["format-version"] == 3
    # Java's TableMetadata refuses a downgrade, and a version the spec does not define.
    for version in (2, 4):
        response = rest.commit(ns, name, updates=[{"action": "upgrade-format-version", "format-version": version}],
                               expect=400)
        response.error()
    assert metadata_of(rest.load_table(ns, name))["format-version"] == 3


def test_assign_uuid_with_the_same_uuid_is_a_no_op(rest, table):
    ns, name = table
    current = metadata_of(rest.load_table(ns, name))["table-uuid"]
    metadata = metadata_of(rest.commit(ns, name, updates=[{"action": "assign-uuid", "uuid": current}]))
    assert metadata["table-uuid"] == current


# -- multi-table transactions ----------------------------------------------------------------------

def test_transaction_is_all_or_nothing(rest, ns):
    rest.create_table(ns, "a")
    rest.create_table(ns, "b")
    before = {n: rest.load_table(ns, n).body["metadata-location"] for n in ("a", "b")}
    body = {"table-changes": [
        {"identifier": {"namespace": ns, "name": "a"}, "requirements": [],
         "updates": [{"action": "set-properties", "updates": {"txn": "1"}}]},
        {"identifier": {"namespace": ns, "name": "b"},
         "requirements": [{"type": "assert-current-schema-id", "current-schema-id": 7}],
         "updates": [{"action": "set-properties", "updates": {"txn": "1"}}]}]}
    response = rest.catalog("POST", "/transactions/commit", body=body)
    assert response.status == 409, response
    assert response.error()["type"] == "CommitFailedException"
    for n in ("a", "b"):
        loaded = rest.load_table(ns, n).body
        assert loaded["metadata-location"] == before[n], n
        assert "txn" not in loaded["metadata"]["properties"]
    body["table-changes"][1]["requirements"][0]["current-schema-id"] = 0
    response = rest.catalog("POST", "/transactions/commit", body=body)
    assert response.status == 204, response
    for n in ("a", "b"):
        assert rest.load_table(ns, n).body["metadata"]["properties"]["txn"] == "1"


def test_transaction_with_a_missing_table_changes_nothing(rest, ns):
    rest.create_table(ns, "a")
    body = {"table-changes": [
        {"identifier": {"namespace": ns, "name": "a"}, "requirements": [],
         "updates": [{"action": "set-properties", "updates": {"txn": "1"}}]},
        {"identifier": {"namespace": ns, "name": "missing"}, "requirements": [],
         "updates": [{"action": "set-properties", "updates": {"txn": "1"}}]}]}
    response = rest.catalog("POST", "/transactions/commit", body=body)
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchTableException"
    assert "txn" not in rest.load_table(ns, "a").body["metadata"]["properties"]


def test_transaction_with_an_unknown_update_changes_nothing(rest, ns):
    rest.create_table(ns, "a")
    rest.create_table(ns, "b")
    body = {"table-changes": [
        {"identifier": {"namespace": ns, "name": "a"}, "requirements": [],
         "updates": [{"action": "set-properties", "updates": {"txn": "1"}}]},
        {"identifier": {"namespace": ns, "name": "b"}, "requirements": [], "updates": [{"action": "frobnicate"}]}]}
    response = rest.catalog("POST", "/transactions/commit", body=body)
    assert response.status == 400, response
    assert response.error()["type"] == "BadRequestException"
    assert "txn" not in rest.load_table(ns, "a").body["metadata"]["properties"]


def test_transaction_requires_identifiers(rest, table):
    ns, name = table
    body = {"table-changes": [{"requirements": [], "updates": [{"action": "set-properties", "updates": {"a": "b"}}]}]}
    response = rest.catalog("POST", "/transactions/commit", body=body)
    assert response.status == 400, response


# -- rename, drop, register ------------------------------------------------------------------------

def test_rename_table(rest, table):
    ns, name = table
    before = metadata_of(rest.load_table(ns, name))["table-uuid"]
    response = rest.catalog("POST", "/tables/rename", body={"source": {"namespace": ns, "name": name},
                                                            "destination": {"namespace": ns, "name": "table_renamed"}})
    assert response.status == 204, response
    assert rest.catalog("HEAD", rest.table_path(ns, name)).status == 404
    assert metadata_of(rest.load_table(ns, "table_renamed"))["table-uuid"] == before


def test_rename_table_across_namespaces(rest, table):
    ns, name = table
    other = [unique("other")]
    rest.create_namespace(other)
    response = rest.catalog("POST", "/tables/rename", body={"source": {"namespace": ns, "name": name},
                                                            "destination": {"namespace": other, "name": name}})
    assert response.status == 204, response
    assert rest.catalog("HEAD", rest.table_path(other, name)).status == 204
    assert rest.catalog("HEAD", rest.table_path(ns, name)).status == 404


def test_rename_missing_source_table(rest, ns):
    response = rest.catalog("POST", "/tables/rename", body={"source": {"namespace": ns, "name": "nope"},
                                                            "destination": {"namespace": ns, "name": "renamed"}})
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchTableException"
    assert rest.catalog("HEAD", rest.table_path(ns, "renamed")).status == 404


def test_rename_to_missing_namespace(rest, table):
    ns, name = table
    response = rest.catalog("POST", "/tables/rename", body={
        "source": {"namespace": ns, "name": name}, "destination": {"namespace": [unique("non_existing")],
                                                                   "name": "renamedTable"}})
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchNamespaceException"
    assert rest.catalog("HEAD", rest.table_path(ns, name)).status == 204


def test_rename_onto_an_existing_table_or_view(rest, table):
    ns, name = table
    rest.create_table(ns, "taken")
    rest.create_view(ns, "taken_view")
    for target in ("taken", "taken_view"):
        response = rest.catalog("POST", "/tables/rename", body={"source": {"namespace": ns, "name": name},
                                                                "destination": {"namespace": ns, "name": target}})
        assert response.status == 409, response
        assert response.error()["type"] == "AlreadyExistsException"
    assert rest.catalog("HEAD", rest.table_path(ns, name)).status == 204


def table_files(data_dir, location):
    root = local_path(data_dir, location.rstrip("/"))
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_drop_table_without_purge_keeps_files(rest, akko, table):
    ns, name = table
    append_snapshot(rest, akko.data_dir, ns, name, 7001)
    loaded = rest.load_table(ns, name).body
    rest.drop_table(ns, name, purge=False)
    assert rest.catalog("HEAD", rest.table_path(ns, name)).status == 404
    assert local_path(akko.data_dir, loaded["metadata-location"]).exists()
    response = rest.drop_table(ns, name, expect=404)
    assert response.error()["type"] == "NoSuchTableException"


def test_drop_table_with_purge_removes_files(rest, akko, ns):
    metadata = metadata_of(rest.create_table(ns, "purged"))
    uri = f"{metadata['location'].rstrip('/')}/data/{uuid.uuid4()}.parquet"
    size = write_parquet(akko.data_dir, uri, "SELECT 1::INT AS id, 'x' AS data", "{id: 1, data: 2}")
    append_snapshot(rest, akko.data_dir, ns, "purged", 7101, [data_file_entry(uri, size, 1)])
    loaded = rest.load_table(ns, "purged").body
    files = table_files(akko.data_dir, loaded["metadata"]["location"])
    assert local_path(akko.data_dir, uri) in files and len(files) >= 4, files
    rest.drop_table(ns, "purged", purge=True)
    assert table_files(akko.data_dir, loaded["metadata"]["location"]) == []
    assert not local_path(akko.data_dir, loaded["metadata-location"]).exists()


def test_register_table(rest, akko, table):
    ns, name = table
    append_snapshot(rest, akko.data_dir, ns, name, 8001)
    loaded = rest.load_table(ns, name).body
    rest.drop_table(ns, name, purge=False)
    response = rest.catalog("POST", f"/namespaces/{ns_path(ns)}/register",
                            body={"name": "registered", "metadata-location": loaded["metadata-location"]})
    assert response.status == 200, response
    assert response.body["metadata-location"] == loaded["metadata-location"]
    registered = metadata_of(rest.load_table(ns, "registered"))
    assert registered["table-uuid"] == loaded["metadata"]["table-uuid"]
    assert registered["current-snapshot-id"] == 8001
    # The registered table takes commits.
    append_snapshot(rest, akko.data_dir, ns, "registered", 8002)
    assert metadata_of(rest.load_table(ns, "registered"))["current-snapshot-id"] == 8002


def test_register_existing_table(rest, table):
    ns, name = table
    location = rest.load_table(ns, name).body["metadata-location"]
    response = rest.catalog("POST", f"/namespaces/{ns_path(ns)}/register",
                            body={"name": name, "metadata-location": location})
    assert response.status == 409, response
    assert response.error()["type"] == "AlreadyExistsException"


def test_register_in_missing_namespace_or_missing_file(rest, table):
    ns, name = table
    location = rest.load_table(ns, name).body["metadata-location"]
    response = rest.catalog("POST", f"/namespaces/{ns_path([unique('missing')])}/register",
                            body={"name": "r", "metadata-location": location})
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchNamespaceException"
    response = rest.catalog("POST", f"/namespaces/{ns_path(ns)}/register",
                            body={"name": "r", "metadata-location": location + ".missing"})
    assert response.status in (400, 404), response
    assert rest.catalog("HEAD", rest.table_path(ns, "r")).status == 404


# -- metrics and credentials -----------------------------------------------------------------------

def test_metrics_report_is_accepted(rest, table):
    ns, name = table
    scan = {"report-type": "scan-report", "table-name": f"{'.'.join(ns)}.{name}", "snapshot-id": -1,
            "filter": True, "schema-id": 0, "projected-field-ids": [1, 2], "projected-field-names": ["id", "data"],
            "metrics": {"total-planning-duration": {"count": 1, "time-unit": "nanoseconds",
                                                    "total-duration": 2644235116},
                        "result-data-files": {"unit": "count", "value": 1}}}
    response = rest.catalog("POST", rest.table_path(ns, name) + "/metrics", body=scan)
    assert response.status == 204, response
    assert response.raw == b""
    commit = {"report-type": "commit-report", "table-name": f"{'.'.join(ns)}.{name}", "snapshot-id": 1,
              "sequence-number": 1, "operation": "append",
              "metrics": {"total-duration": {"count": 1, "time-unit": "nanoseconds", "total-duration": 1000}}}
    assert rest.catalog("POST", rest.table_path(ns, name) + "/metrics", body=commit).status == 204


def test_metrics_report_for_a_missing_table(rest, ns):
    response = rest.catalog("POST", rest.table_path(ns, "nope") + "/metrics",
                            body={"report-type": "scan-report", "table-name": "nope", "snapshot-id": -1,
                                  "filter": True, "schema-id": 0, "projected-field-ids": [],
                                  "projected-field-names": [], "metrics": {}})
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchTableException"


def test_credentials_are_scoped_to_the_table_location(rest, table):
    ns, name = table
    location = metadata_of(rest.load_table(ns, name))["location"]
    response = rest.catalog("GET", rest.table_path(ns, name) + "/credentials")
    assert response.status == 200, response
    credentials = response.body["storage-credentials"]
    assert isinstance(credentials, list) and credentials, response
    for credential in credentials:
        assert credential["prefix"].rstrip("/") == location.rstrip("/"), (credential, location)
        config = credential["config"]
        assert all(isinstance(v, str) for v in config.values())
        assert config.get("s3.access-key-id") and config.get("s3.secret-access-key"), config


def test_credentials_of_a_missing_table(rest, ns):
    response = rest.catalog("GET", rest.table_path(ns, "nope") + "/credentials")
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchTableException"


def test_vended_credentials_on_load(rest, table):
    ns, name = table
    response = rest.load_table(ns, name, headers={"X-Iceberg-Access-Delegation": "vended-credentials"})
    location = response.body["metadata"]["location"]
    credentials = response.body.get("storage-credentials") or []
    config = response.body.get("config") or {}
    # Either form of the spec: storage-credentials scoped to the table, or s3.* keys in config.
    assert any(c["prefix"].rstrip("/") == location.rstrip("/") for c in credentials) or \
        ("s3.access-key-id" in config and "s3.secret-access-key" in config), response
