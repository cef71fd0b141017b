"""Iceberg REST catalog conformance, part 3: views (create, load, replace, properties, location,
drop, rename, list), ported from the upstream kit's ViewCatalogTests and written from the spec's
CreateViewRequest / CommitViewRequest / LoadViewResult."""
import time
import uuid

import pytest

# own_server and rest are fixtures (the module's own server and a logged-in client).
from iceberg_rest_client import ns_path, own_server, rest, unique, view_version  # noqa: F401


@pytest.fixture
def ns(rest):
    namespace = [unique("views")]
    rest.create_namespace(namespace)
    return namespace


def commit_view(rest, ns, name, requirements=(), updates=(), expect=200):
    body = {"identifier": {"namespace": ns, "name": name}, "requirements": list(requirements),
            "updates": list(updates)}
    response = rest.catalog("POST", rest.view_path(ns, name), body=body)
    assert response.status == expect, response
    return response


def current_version(metadata):
    return next(v for v in metadata["versions"] if v["version-id"] == metadata["current-version-id"])


def test_basic_create_view(rest, ns):
    sql = "select * from ns.tbl"
    created = rest.create_view(ns, "view", sql=sql, properties={"prop1": "val1"})
    loaded = rest.catalog("GET", rest.view_path(ns, "view"))
    assert loaded.status == 200, loaded
    for response in (created, loaded):
        metadata = response.body["metadata"]
        assert response.body["metadata-location"]
        assert uuid.UUID(metadata["view-uuid"])
        assert metadata["format-version"] == 1
        assert metadata["location"]
        version = current_version(metadata)
        assert version["representations"] == [{"type": "sql", "sql": sql, "dialect": "spark"}]
        assert version["default-namespace"] == ns
        schema = next(s for s in metadata["schemas"] if s["schema-id"] == version["schema-id"])
        assert [f["name"] for f in schema["fields"]] == ["one"]
        assert len(metadata["version-log"]) == 1
        assert metadata["properties"]["prop1"] == "val1"
    assert created.body["metadata"]["view-uuid"] == loaded.body["metadata"]["view-uuid"]
    assert rest.catalog("HEAD", rest.view_path(ns, "view")).status == 204


def test_create_view_that_already_exists(rest, ns):
    rest.create_view(ns, "view")
    response = rest.create_view(ns, "view", sql="select 2 as one", expect=409)
    assert response.error()["type"] == "AlreadyExistsException"
    loaded = rest.catalog("GET", rest.view_path(ns, "view")).body["metadata"]
    assert current_version(loaded)["representations"][0]["sql"] == "SELECT 1 AS one"


def test_view_and_table_names_collide(rest, ns):
    rest.create_table(ns, "tbl")
    rest.create_view(ns, "view")
    response = rest.create_view(ns, "tbl", expect=409)
    assert response.error()["type"] == "AlreadyExistsException"
    response = rest.create_table(ns, "view", expect=409)
    assert response.error()["type"] == "AlreadyExistsException"
    # Loading one kind by the other's name is "does not exist" of the kind asked for.
    response = rest.catalog("GET", rest.view_path(ns, "tbl"))
    assert response.status == 404 and response.error()["type"] == "NoSuchViewException", response
    response = rest.catalog("GET", rest.table_path(ns, "view"))
    assert response.status == 404 and response.error()["type"] == "NoSuchTableException", response
    assert rest.catalog("HEAD", rest.view_path(ns, "tbl")).status == 404
    assert rest.catalog("HEAD", rest.table_path(ns, "view")).status == 404


def test_load_missing_view(rest, ns):
    response = rest.catalog("GET", rest.view_path(ns, "nope"))
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchViewException"
    # ViewCatalogTests.loadViewWithNonExistingNamespace
    response = rest.catalog("GET", rest.view_path([unique("non-existing")], "view"))
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchViewException"


def test_create_view_in_missing_namespace(rest):
    response = rest.create_view([unique("missing")], "view", expect=404)
    assert response.error()["type"] == "NoSuchNamespaceException"


def test_create_view_with_invalid_body(rest, ns):
    for body in ({"name": "v", "schema": {"type": "struct", "fields": []}, "properties": {}},
                 {"name": "v", "schema": {"type": "struct", "fields": []}, "view-version": {"version-id": "x"},
                  "properties": {}},
                 {"name": "v", "view-version": view_version(ns, "select 1"), "properties": {}}):
        response = rest.catalog("POST", f"/namespaces/{ns_path(ns)}/views", body=body)
        assert response.status == 400, (body, response)
        assert response.error()["type"] == "BadRequestException"
    assert rest.catalog("GET", f"/namespaces/{ns_path(ns)}/views").body["identifiers"] == []


def test_replace_view_version(rest, ns):
    created_response = rest.create_view(ns, "view")
    created = created_response.body["metadata"]
    new_schema = {"type": "struct", "schema-id": 1, "fields": [
        {"id": 1, "name": "one", "required": False, "type": "int"},
        {"id": 2, "name": "two", "required": False, "type": "string"}]}
    new_version = {"version-id": 2, "timestamp-ms": int(time.time() * 1000), "schema-id": 1,
                   "summary": {"engine-name": "akko-tests"},
                   "representations": [{"type": "sql", "sql": "SELECT 1 AS one, 'a' AS two", "dialect": "spark"}],
                   "default-namespace": ns}
    response = commit_view(rest, ns, "view", requirements=[{"type": "assert-view-uuid", "uuid": created["view-uuid"]}],
                           updates=[{"action": "add-schema", "schema": new_schema},
                                    {"action": "add-view-version", "view-version": new_version},
                                    {"action": "set-current-view-version", "view-version-id": -1}])
    for metadata in (response.body["metadata"], rest.catalog("GET", rest.view_path(ns, "view")).body["metadata"]):
        assert metadata["view-uuid"] == created["view-uuid"]
        version = current_version(metadata)
        assert version["representations"][0]["sql"] == "SELECT 1 AS one, 'a' AS two"
        schema = next(s for s in metadata["schemas"] if s["schema-id"] == version["schema-id"])
        assert [f["name"] for f in schema["fields"]] == ["one", "two"]
        assert len(metadata["versions"]) == 2 and len(metadata["version-log"]) == 2
    assert response.body["metadata-location"] != created_response.body["metadata-location"]


def test_replace_view_with_the_wrong_uuid(rest, ns):
    rest.create_view(ns, "view")
    response = commit_view(rest, ns, "view", requirements=[{"type": "assert-view-uuid", "uuid": str(uuid.uuid4())}],
                           updates=[{"action": "set-properties", "updates": {"a": "b"}}], expect=409)
    assert response.error()["type"] == "CommitFailedException"
    # properties is optional in ViewMetadata.
    assert "a" not in rest.catalog("GET", rest.view_path(ns, "view")).body["metadata"].get("properties", {})


def test_update_view_properties_and_location(rest, ns):
    rest.create_view(ns, "view", properties={"keep": "1", "drop": "2"})
    metadata = commit_view(rest, ns, "view", updates=[{"action": "set-properties", "updates": {"new": "3"}},
                                                      {"action": "remove-properties", "removals": ["drop"]}]
                           ).body["metadata"]
    assert {"keep": "1", "new": "3"}.items() <= metadata["properties"].items()
    assert "drop" not in metadata["properties"]
    location = f"s3://akko-warehouse/views-moved/{unique('loc')}"
    metadata = commit_view(rest, ns, "view", updates=[{"action": "set-location", "location": location}]).body[
        "metadata"]
    assert metadata["location"].rstrip("/") == location


def test_replace_missing_view_or_unknown_update(rest, ns):
    response = commit_view(rest, ns, "nope", updates=[{"action": "set-properties", "updates": {"a": "b"}}],
                           expect=404)
    assert response.error()["type"] == "NoSuchViewException"
    rest.create_view(ns, "view")
    response = commit_view(rest, ns, "view", updates=[{"action": "frobnicate"}], expect=400)
    assert response.error()["type"] == "BadRequestException"
    response = commit_view(rest, ns, "view", updates=[{"action": "set-current-view-version", "view-version-id": 9}],
                           expect=400)
    response.error()


def test_drop_view(rest, ns):
    rest.create_view(ns, "view")
    assert rest.catalog("DELETE", rest.view_path(ns, "view")).status == 204
    assert rest.catalog("HEAD", rest.view_path(ns, "view")).status == 404
    response = rest.catalog("DELETE", rest.view_path(ns, "view"))
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchViewException"


def test_drop_view_does_not_drop_a_table(rest, ns):
    rest.create_table(ns, "tbl")
    response = rest.catalog("DELETE", rest.view_path(ns, "tbl"))
    assert response.status == 404 and response.error()["type"] == "NoSuchViewException", response
    response = rest.catalog("DELETE", rest.table_path(ns, "tbl"))
    assert response.status == 204, response


def test_list_views(rest, ns):
    assert rest.catalog("GET", f"/namespaces/{ns_path(ns)}/views").body["identifiers"] == []
    rest.create_view(ns, "view1")
    rest.create_view(ns, "view2")
    rest.create_table(ns, "tbl")
    listed = rest.catalog("GET", f"/namespaces/{ns_path(ns)}/views").body["identifiers"]
    assert sorted(listed, key=lambda i: i["name"]) == [{"namespace": ns, "name": "view1"},
                                                       {"namespace": ns, "name": "view2"}]
    response = rest.catalog("GET", f"/namespaces/{ns_path([unique('missing')])}/views")
    assert response.status == 404 and response.error()["type"] == "NoSuchNamespaceException", response


def rename(rest, source, destination):
    return rest.catalog("POST", "/views/rename", body={"source": {"namespace": source[0], "name": source[1]},
                                                       "destination": {"namespace": destination[0],
                                                                       "name": destination[1]}})


def test_rename_view(rest, ns):
    created = rest.create_view(ns, "view").body["metadata"]
    response = rename(rest, (ns, "view"), (ns, "renamed"))
    assert response.status == 204, response
    assert rest.catalog("HEAD", rest.view_path(ns, "view")).status == 404
    assert rest.catalog("GET", rest.view_path(ns, "renamed")).body["metadata"]["view-uuid"] == created["view-uuid"]


def test_rename_view_across_namespaces(rest, ns):
    other = [unique("views")]
    rest.create_namespace(other)
    rest.create_view(ns, "view")
    assert rename(rest, (ns, "view"), (other, "view")).status == 204
    assert rest.catalog("HEAD", rest.view_path(other, "view")).status == 204


def test_rename_view_errors(rest, ns):
    rest.create_view(ns, "view")
    rest.create_view(ns, "other_view")
    rest.create_table(ns, "tbl")
    response = rename(rest, (ns, "view"), ([unique("non_existing")], "view"))
    assert response.status == 404 and response.error()["type"] == "NoSuchNamespaceException", response
    response = rename(rest, (ns, "missing"), (ns, "x"))
    assert response.status == 404 and response.error()["type"] == "NoSuchViewException", response
    for target in ("other_view", "tbl"):
        response = rename(rest, (ns, "view"), (ns, target))
        assert response.status == 409 and response.error()["type"] == "AlreadyExistsException", (target, response)
    # A table is not renamed through the view route.
    response = rename(rest, (ns, "tbl"), (ns, "tbl2"))
    assert response.status == 404 and response.error()["type"] == "NoSuchViewException", response
    assert rest.catalog("HEAD", rest.view_path(ns, "view")).status == 204
