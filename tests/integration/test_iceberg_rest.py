"""Iceberg REST catalog conformance, part 1: configuration, OAuth2, the error model, namespaces,
pagination and hostile input. Written from the OpenAPI spec (shared/specs/iceberg-rest-catalog-
open-api.yaml), porting the namespace cases of the upstream REST compatibility kit (apache/iceberg
CatalogTests, TestRESTCatalog); every expectation cites the spec or the kit, never our output."""
import json
import socket
import urllib.parse

import pytest

from conftest import ADMIN_PASSWORD
# own_server and rest are fixtures (the module's own server and a logged-in client).
from iceberg_rest_client import (RestClient, ns_path, own_server, rest, simple_schema, unique,  # noqa: F401
                                 view_schema, view_version)

# What the issue requires the server to implement, as the spec's endpoint strings.
REQUIRED_ENDPOINTS = {
    "GET /v1/{prefix}/namespaces",
    "POST /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "DELETE /v1/{prefix}/namespaces/{namespace}",
    "POST /v1/{prefix}/namespaces/{namespace}/properties",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "POST /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/register",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials",
    "POST /v1/{prefix}/tables/rename",
    "POST /v1/{prefix}/transactions/commit",
    "GET /v1/{prefix}/namespaces/{namespace}/views",
    "POST /v1/{prefix}/namespaces/{namespace}/views",
    "GET /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "POST /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}",
    "POST /v1/{prefix}/views/rename",
}

# Every operation the spec defines under /v1/{prefix}, as "<verb> <path>" (the spec's paths section).
SPEC_ENDPOINTS = REQUIRED_ENDPOINTS | {
    "GET /v1/{prefix}/namespaces/{namespace}/functions",
    "GET /v1/{prefix}/namespaces/{namespace}/functions/{function}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/tasks",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/unregister",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign",
    "POST /v1/{prefix}/namespaces/{namespace}/register-view",
}


def s3_properties(config):
    return {**config.get("defaults", {}), **config.get("overrides", {})}


# -- configuration ---------------------------------------------------------------------------------

def test_config_shape_and_s3_properties(rest, akko):
    config = rest.config
    # CatalogConfig: defaults and overrides are required string maps.
    assert isinstance(config["defaults"], dict) and isinstance(config["overrides"], dict)
    assert all(isinstance(v, str) for v in s3_properties(config).values())
    props = s3_properties(config)
    # What Spark/Trino/PyIceberg need to reach our S3 API: endpoint, path-style access, region
    # (Java's S3FileIO reads s3.endpoint, s3.path-style-access and client.region).
    assert "s3.endpoint" in props, props
    ports = json.loads((akko.data_dir / "ports.json").read_text())
    if ports.get("s3"):
        assert urllib.parse.urlsplit(props["s3.endpoint"]).port == ports["s3"], props
    assert props.get("s3.path-style-access") == "true", props
    assert props.get("client.region") or props.get("s3.region"), props


def test_config_endpoints_cover_the_required_set(rest):
    endpoints = rest.config.get("endpoints")
    assert isinstance(endpoints, list), rest.config
    # The spec's format: "<HTTP verb> <resource path from OpenAPI REST spec>".
    assert len(endpoints) == len(set(endpoints)), endpoints
    assert set(endpoints) <= SPEC_ENDPOINTS, set(endpoints) - SPEC_ENDPOINTS
    assert REQUIRED_ENDPOINTS <= set(endpoints), REQUIRED_ENDPOINTS - set(endpoints)


def probe(rest, endpoint):
    """Calls one endpoint with valid arguments on objects made for it; returns the status."""
    verb, path = endpoint.split(" ", 1)
    ns = [unique("probe")]
    rest.create_namespace(ns)
    table, view = "t", "v"
    rest.create_table(ns, table)
    rest.create_view(ns, view)
    metadata = rest.load_table(ns, table).body
    values = {"{prefix}/": "", "{namespace}": ns_path(ns), "{table}": table, "{view}": view,
              "{function}": "f", "{plan-id}": "p"}
    concrete = path[len("/v1/"):]
    for key, value in values.items():
        concrete = concrete.replace(key, value)
    bodies = {
        "/namespaces": {"namespace": [unique("probe_new")]},
        f"/namespaces/{ns_path(ns)}/properties": {"updates": {"a": "b"}},
        f"/namespaces/{ns_path(ns)}/tables": {"name": "t2", "schema": simple_schema()},
        f"/namespaces/{ns_path(ns)}/tables/{table}": {"requirements": [], "updates": []},
        f"/namespaces/{ns_path(ns)}/register": {"name": "t3", "metadata-location": metadata["metadata-location"]},
        f"/namespaces/{ns_path(ns)}/tables/{table}/metrics": SCAN_REPORT,
        "/tables/rename": {"source": {"namespace": ns, "name": table}, "destination": {"namespace": ns, "name": "t4"}},
        "/transactions/commit": {"table-changes": [
            {"identifier": {"namespace": ns, "name": table}, "requirements": [], "updates": []}]},
        f"/namespaces/{ns_path(ns)}/views": {"name": "v2", "schema": view_schema(),
                                             "view-version": view_version(ns, "SELECT 1 AS one"), "properties": {}},
        f"/namespaces/{ns_path(ns)}/views/{view}": {"requirements": [], "updates": []},
        "/views/rename": {"source": {"namespace": ns, "name": view}, "destination": {"namespace": ns, "name": "v3"}},
        f"/namespaces/{ns_path(ns)}/tables/{table}/plan": {},
        f"/namespaces/{ns_path(ns)}/tables/{table}/tasks": {"plan-task": "x"},
        f"/namespaces/{ns_path(ns)}/tables/{table}/unregister": None,
        f"/namespaces/{ns_path(ns)}/tables/{table}/sign": {"region": "us-east-1", "uri": "s3://x/y",
                                                           "method": "GET", "headers": {}},
        f"/namespaces/{ns_path(ns)}/register-view": {"name": "v4", "metadata-location": "s3://nowhere/v.json"},
    }
    body = bodies.get("/" + concrete) if verb == "POST" else None
    if verb == "DELETE" and path.endswith("{namespace}"):
        rest.catalog("DELETE", f"/namespaces/{ns_path(ns)}/tables/{table}")
        rest.catalog("DELETE", f"/namespaces/{ns_path(ns)}/views/{view}")
    return rest.catalog(verb, "/" + concrete, body=body)


SCAN_REPORT = {
    "report-type": "scan-report", "table-name": "t", "snapshot-id": -1, "filter": True, "schema-id": 0,
    "projected-field-ids": [1], "projected-field-names": ["id"],
    "metrics": {"total-planning-duration": {"count": 1, "time-unit": "nanoseconds", "total-duration": 2644235116},
                "result-data-files": {"unit": "count", "value": 1}}}


@pytest.mark.parametrize("endpoint", sorted(SPEC_ENDPOINTS))
def test_listed_endpoints_answer_and_unlisted_do_not(rest, endpoint):
    listed = endpoint in rest.config.get("endpoints", [])
    response = probe(rest, endpoint)
    if listed:
        assert 200 <= response.status < 300, (endpoint, response)
    else:
        # Not implemented: a clean refusal, never a success or a crash.
        assert response.status in (400, 404, 405, 406, 501), (endpoint, response)


# -- OAuth2 ----------------------------------------------------------------------------------------

def test_oauth_client_credentials(akko):
    client = RestClient(akko)
    response = client.fetch_token()
    assert response.status == 200, response
    # OAuthTokenResponse: access_token and token_type required; bearer for client credentials.
    assert isinstance(response.body["access_token"], str) and response.body["access_token"]
    assert response.body["token_type"].lower() == "bearer"
    if "expires_in" in response.body:
        assert isinstance(response.body["expires_in"], int) and response.body["expires_in"] > 0
    client.token = response.body["access_token"]
    assert client.request("GET", "/v1/config").status == 200


def test_oauth_wrong_secret_is_invalid_client(akko):
    response = RestClient(akko).fetch_token(secret=ADMIN_PASSWORD + "-wrong")
    # RFC 6749 5.2 and the spec's OAuthError: 401 with error invalid_client.
    assert response.status == 401, response
    assert response.body["error"] == "invalid_client", response


def test_oauth_unknown_client_is_invalid_client(akko):
    response = RestClient(akko).fetch_token(client_id="nobody-" + unique("x"))
    assert response.status == 401, response
    assert response.body["error"] == "invalid_client", response


def test_oauth_unsupported_grant_type(akko):
    response = RestClient(akko).fetch_token(grant_type="password")
    # RFC 6749 5.2: unsupported_grant_type is a 400.
    assert response.status == 400, response
    assert response.body["error"] == "unsupported_grant_type", response


@pytest.mark.parametrize("token", [None, "not-a-token", "Bearer"])
def test_requests_without_a_valid_token_are_401(akko, token):
    client = RestClient(akko, token=token)
    for method, path in (("GET", "/v1/config"), ("GET", "/v1/namespaces"), ("POST", "/v1/namespaces")):
        response = client.request(method, path, body={"namespace": [unique("unauth")]} if method == "POST" else None)
        assert response.status == 401, (method, path, response)
        assert response.error()["type"] == "NotAuthorizedException", response


def test_unauthenticated_create_changes_nothing(akko, rest):
    name = unique("unauth")
    RestClient(akko).request("POST", "/v1/namespaces", body={"namespace": [name]})
    assert rest.catalog("HEAD", f"/namespaces/{ns_path([name])}").status == 404


# -- namespaces (CatalogTests) ---------------------------------------------------------------------

def test_create_namespace(rest):
    ns = [unique("newdb")]
    assert rest.catalog("HEAD", f"/namespaces/{ns_path(ns)}").status == 404
    response = rest.create_namespace(ns)
    assert response.body["namespace"] == ns
    assert ns in rest.list_namespaces().body["namespaces"]
    assert rest.catalog("HEAD", f"/namespaces/{ns_path(ns)}").status == 204


def test_create_existing_namespace(rest):
    ns = [unique("newdb")]
    rest.create_namespace(ns)
    response = rest.create_namespace(ns, expect=409)
    assert response.error()["type"] == "AlreadyExistsException"
    assert rest.catalog("HEAD", f"/namespaces/{ns_path(ns)}").status == 204


def test_create_namespace_with_properties_and_load(rest):
    ns = [unique("newdb")]
    rest.create_namespace(ns, {"prop": "val", "owner": "Hank Bendickson"})
    response = rest.catalog("GET", f"/namespaces/{ns_path(ns)}")
    assert response.status == 200, response
    assert response.body["namespace"] == ns
    # Created properties are a subset of what comes back (the server may add its own).
    assert {"prop": "val", "owner": "Hank Bendickson"}.items() <= response.body["properties"].items()


def test_load_missing_namespace(rest):
    response = rest.catalog("GET", f"/namespaces/{ns_path([unique('missing')])}")
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchNamespaceException"


def test_update_namespace_properties_reports_updated_removed_missing(rest):
    ns = [unique("props")]
    rest.create_namespace(ns, {"owner": "user", "created-at": "sometime", "foo": "1"})
    response = rest.catalog("POST", f"/namespaces/{ns_path(ns)}/properties",
                            body={"removals": ["foo", "bar"], "updates": {"owner": "Raoul", "new": "x"}})
    assert response.status == 200, response
    # The spec's example: updated, removed and missing keys.
    assert sorted(response.body["updated"]) == ["new", "owner"]
    assert response.body["removed"] == ["foo"]
    assert response.body["missing"] == ["bar"]
    props = rest.catalog("GET", f"/namespaces/{ns_path(ns)}").body["properties"]
    assert {"owner": "Raoul", "new": "x", "created-at": "sometime"}.items() <= props.items()
    assert "foo" not in props


def test_update_namespace_properties_same_key_in_both_is_422(rest):
    ns = [unique("props")]
    rest.create_namespace(ns, {"a": "1"})
    response = rest.catalog("POST", f"/namespaces/{ns_path(ns)}/properties",
                            body={"removals": ["a"], "updates": {"a": "2"}})
    assert response.status == 422, response
    response.error()
    assert rest.catalog("GET", f"/namespaces/{ns_path(ns)}").body["properties"]["a"] == "1"


def test_namespace_properties_of_missing_namespace(rest):
    response = rest.catalog("POST", f"/namespaces/{ns_path([unique('missing')])}/properties",
                            body={"updates": {"test": "value"}})
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchNamespaceException"
    response = rest.catalog("POST", f"/namespaces/{ns_path([unique('missing')])}/properties",
                            body={"removals": ["a", "b"]})
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchNamespaceException"


def test_drop_namespace(rest):
    ns = [unique("drop")]
    rest.create_namespace(ns)
    assert rest.catalog("DELETE", f"/namespaces/{ns_path(ns)}").status == 204
    assert rest.catalog("HEAD", f"/namespaces/{ns_path(ns)}").status == 404
    response = rest.catalog("DELETE", f"/namespaces/{ns_path(ns)}")
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchNamespaceException"


def test_drop_non_empty_namespace(rest):
    ns = [unique("nonempty")]
    rest.create_namespace(ns)
    rest.create_table(ns, "newtable")
    response = rest.catalog("DELETE", f"/namespaces/{ns_path(ns)}")
    assert response.status == 409, response
    assert response.error()["type"] == "NamespaceNotEmptyException"
    rest.drop_table(ns, "newtable")
    assert rest.catalog("DELETE", f"/namespaces/{ns_path(ns)}").status == 204


def test_drop_namespace_holding_a_view_is_not_empty(rest):
    ns = [unique("nonempty")]
    rest.create_namespace(ns)
    rest.create_view(ns, "v")
    response = rest.catalog("DELETE", f"/namespaces/{ns_path(ns)}")
    assert response.status == 409, response
    assert response.error()["type"] == "NamespaceNotEmptyException"


def test_list_namespaces_adds_and_removes(rest):
    starting = rest.list_namespaces().body["namespaces"]
    ns1, ns2 = [unique("newdb_1")], [unique("newdb_2")]
    rest.create_namespace(ns1)
    rest.create_namespace(ns2)
    listed = rest.list_namespaces().body["namespaces"]
    assert sorted(map(tuple, listed)) == sorted(map(tuple, starting + [ns1, ns2]))
    rest.catalog("DELETE", f"/namespaces/{ns_path(ns1)}")
    listed = rest.list_namespaces().body["namespaces"]
    assert sorted(map(tuple, listed)) == sorted(map(tuple, starting + [ns2]))


def test_nested_namespaces_with_parent(rest):
    parent = [unique("accounting")]
    tax, credits = parent + ["tax"], parent + ["credits"]
    paid = tax + ["paid"]
    rest.create_namespace(parent)
    assert rest.list_namespaces(parent).body["namespaces"] == []
    for ns in (tax, credits, paid):
        rest.create_namespace(ns)
    # The spec's example: parent=accounting gives [accounting, tax] only, not deeper levels;
    # parent=accounting%1Ftax gives [accounting, tax, paid].
    assert sorted(rest.list_namespaces(parent).body["namespaces"]) == sorted([tax, credits])
    assert rest.list_namespaces(tax).body["namespaces"] == [paid]
    top = rest.list_namespaces().body["namespaces"]
    assert parent in top and tax not in top and paid not in top
    # A multipart namespace in the path is %1F-separated.
    response = rest.catalog("GET", f"/namespaces/{ns_path(paid)}")
    assert response.status == 200 and response.body["namespace"] == paid, response
    # A parent with children is not empty.
    response = rest.catalog("DELETE", f"/namespaces/{ns_path(parent)}")
    assert response.status == 409 and response.error()["type"] == "NamespaceNotEmptyException", response
    for ns in (paid, credits, tax, parent):
        assert rest.catalog("DELETE", f"/namespaces/{ns_path(ns)}").status == 204, ns


def test_list_namespaces_of_missing_parent(rest):
    response = rest.list_namespaces([unique("missing")])
    assert response.status == 404, response
    assert response.error()["type"] == "NoSuchNamespaceException"


def test_empty_parent_is_treated_as_absent(rest):
    # "For backward compatibility, empty string is treated as absent for now."
    with_empty = rest.catalog("GET", "/namespaces", query={"parent": ""})
    assert with_empty.status == 200, with_empty
    assert sorted(with_empty.body["namespaces"]) == sorted(rest.list_namespaces().body["namespaces"])


def test_namespace_with_dot_is_one_level(rest):
    ns = [unique("new") + ".db"]
    rest.create_namespace(ns)
    assert rest.catalog("HEAD", f"/namespaces/{ns_path(ns)}").status == 204
    assert ns in rest.list_namespaces().body["namespaces"]
    assert rest.catalog("GET", f"/namespaces/{ns_path(ns)}").body["namespace"] == ns
    assert rest.catalog("DELETE", f"/namespaces/{ns_path(ns)}").status == 204


# -- pagination (TestRESTCatalog.testPaginationForListNamespaces/Tables) ---------------------------

@pytest.mark.parametrize("count", [21, 30])
def test_paginate_namespaces(rest, count):
    parent = [unique("pages")]
    rest.create_namespace(parent)
    children = [parent + [f"newdb{i:02d}"] for i in range(count)]
    for ns in children:
        rest.create_namespace(ns)
    items, pages = rest.all_pages("/namespaces", "namespaces", 10, parent="\x1f".join(parent))
    # Every item exactly once, across ceil(count / 10) pages (a last empty page is allowed).
    assert sorted(items) == sorted(children)
    assert pages in (-(-count // 10), -(-count // 10) + 1), pages
    # Without pageToken a paginating server returns everything in one response.
    response = rest.list_namespaces(parent)
    assert sorted(response.body["namespaces"]) == sorted(children)
    assert response.body.get("next-page-token") is None


@pytest.mark.parametrize("count", [21, 30])
def test_paginate_tables(rest, count):
    ns = [unique("pages")]
    rest.create_namespace(ns)
    names = [f"newtable{i:02d}" for i in range(count)]
    for name in names:
        rest.create_table(ns, name)
    items, pages = rest.all_pages(f"/namespaces/{ns_path(ns)}/tables", "identifiers", 10)
    assert sorted(i["name"] for i in items) == names
    assert all(i["namespace"] == ns for i in items)
    assert pages in (-(-count // 10), -(-count // 10) + 1), pages
    response = rest.catalog("GET", f"/namespaces/{ns_path(ns)}/tables")
    assert sorted(i["name"] for i in response.body["identifiers"]) == names
    assert response.body.get("next-page-token") is None


def test_paginate_views(rest):
    ns = [unique("pages")]
    rest.create_namespace(ns)
    names = [f"view{i:02d}" for i in range(12)]
    for name in names:
        rest.create_view(ns, name)
    items, _ = rest.all_pages(f"/namespaces/{ns_path(ns)}/views", "identifiers", 5)
    assert sorted(i["name"] for i in items) == names


def test_pagination_sees_an_item_added_between_pages_at_most_once(rest):
    parent = [unique("pages")]
    rest.create_namespace(parent)
    children = [parent + [f"c{i:02d}"] for i in range(6)]
    for ns in children:
        rest.create_namespace(ns)
    first = rest.catalog("GET", "/namespaces", query={"parent": "\x1f".join(parent), "pageToken": "", "pageSize": 3})
    assert first.status == 200 and len(first.body["namespaces"]) == 3, first
    rest.create_namespace(parent + ["c00a"])  # sorts inside the first page
    items = list(first.body["namespaces"])
    token = first.body["next-page-token"]
    while token is not None:
        page = rest.catalog("GET", "/namespaces", query={"parent": "\x1f".join(parent), "pageToken": token,
                                                         "pageSize": 3})
        items += page.body["namespaces"]
        token = page.body.get("next-page-token")
    assert len(items) == len(set(map(tuple, items))), items
    assert set(map(tuple, children)) <= set(map(tuple, items))


@pytest.mark.parametrize("size", ["0", "-1", "ten"])
def test_invalid_page_size_is_400(rest, size):
    # page-size: integer, minimum 1.
    response = rest.catalog("GET", "/namespaces", query={"pageToken": "", "pageSize": size})
    assert response.status == 400, response
    assert response.error()["type"] == "BadRequestException"


def test_garbage_page_token_is_400(rest):
    ns = [unique("pages")]
    rest.create_namespace(ns)
    response = rest.catalog("GET", f"/namespaces/{ns_path(ns)}/tables",
                            query={"pageToken": "\x01garbage\x02", "pageSize": "2"})
    assert response.status == 400, response


# -- the error model -------------------------------------------------------------------------------

def test_malformed_json_is_bad_request(rest):
    for path in ("/namespaces", f"/namespaces/{ns_path(['x'])}/properties", "/transactions/commit",
                 "/tables/rename"):
        response = rest.catalog("POST", path, raw_body='{"namespace": [', headers={"Content-Type": "application/json"})
        assert response.status == 400, (path, response)
        assert response.error()["type"] == "BadRequestException", (path, response)
        assert response.header("content-type").startswith("application/json")


@pytest.mark.parametrize("body", [
    {"namespace": "flat-string"},
    {"namespace": [1, 2]},
    {"namespace": []},
    {},
    {"namespace": ["ok"], "properties": {"a": 1}},
    {"namespace": ["ok"], "properties": ["a"]},
    [],
    "namespace",
])
def test_invalid_json_types_for_create_namespace(rest, body):
    response = rest.catalog("POST", "/namespaces", body=body)
    assert response.status == 400, (body, response)
    assert response.error()["type"] == "BadRequestException"


def test_invalid_json_types_for_create_table(rest):
    ns = [unique("types")]
    rest.create_namespace(ns)
    for body in ({"name": 5, "schema": simple_schema()}, {"name": "t"}, {"name": "t", "schema": 5},
                 {"name": "t", "schema": {"type": "struct", "fields": "x"}},
                 {"name": "t", "schema": simple_schema(), "properties": {"a": True}},
                 {"name": "t", "schema": {"type": "struct", "fields": [{"id": 1, "name": "a", "required": True,
                                                                       "type": "no-such-type"}]}}):
        response = rest.catalog("POST", f"/namespaces/{ns_path(ns)}/tables", body=body)
        assert response.status == 400, (body, response)
        assert response.error()["type"] == "BadRequestException"
    assert rest.catalog("GET", f"/namespaces/{ns_path(ns)}/tables").body["identifiers"] == []


def test_unknown_route_is_not_a_success(rest):
    response = rest.catalog("GET", "/no-such-route")
    assert response.status in (404, 405), response


# -- hostile input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["..", "a/b", "a\x00b"])
def test_hostile_namespace_names_are_400(rest, name):
    response = rest.catalog("POST", "/namespaces", body={"namespace": [name]})
    assert response.status == 400, (name, response)
    assert response.error()["type"] == "BadRequestException"


@pytest.mark.parametrize("name", ["..", "ta/ble", "a\x00b", ""])
def test_hostile_table_names_are_400(rest, name):
    ns = [unique("hostile")]
    rest.create_namespace(ns)
    response = rest.catalog("POST", f"/namespaces/{ns_path(ns)}/tables", body={"name": name, "schema": simple_schema()})
    assert response.status == 400, (name, response)
    assert response.error()["type"] == "BadRequestException"
    response = rest.catalog("POST", "/tables/rename", body={"source": {"namespace": ns, "name": "nothing"},
                                                            "destination": {"namespace": ns, "name": name}})
    assert response.status in (400, 404), response
    assert rest.catalog("GET", f"/namespaces/{ns_path(ns)}/tables").body["identifiers"] == []


def test_hostile_table_location_outside_the_warehouse_is_refused(rest, akko):
    ns = [unique("hostile")]
    rest.create_namespace(ns)
    for location in ("s3://akko-warehouse/../../etc", "file:///etc", "s3://akko-warehouse/a/../../b"):
        response = rest.catalog("POST", f"/namespaces/{ns_path(ns)}/tables",
                                body={"name": "t", "schema": simple_schema(), "location": location})
        assert response.status in (400, 403), (location, response)
    assert not (akko.data_dir / "etc").exists()


def test_path_traversal_in_the_url_is_not_a_success(rest):
    for raw in ("/namespaces/..%2F..%2Fetc", "/namespaces/%2E%2E", "/namespaces/a%00b"):
        response = rest.catalog("GET", raw)
        assert response.status in (400, 404), (raw, response)


def test_huge_body_is_413(akko, rest):
    # Sent by hand: the header announces 1 GiB, and the server must refuse without reading it all.
    target = f"{rest.root}/v1/namespaces"
    head = (f"POST {target} HTTP/1.1\r\nHost: {akko.host}\r\nAuthorization: Bearer {rest.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {1 << 30}\r\n\r\n").encode()
    with socket.create_connection((akko.host, akko.http_port), timeout=60) as sock:
        sock.sendall(head)
        try:
            chunk = b" " * (1 << 20)
            for _ in range(16):
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        try:
            while b"\r\n" not in data:
                more = sock.recv(4096)
                if not more:
                    break
                data += more
        except ConnectionResetError:
            pass
    status_line = data.split(b"\r\n", 1)[0].decode(errors="replace")
    assert status_line.split(" ")[1:2] == ["413"], data[:300]
    # The server still serves.
    assert rest.list_namespaces().status == 200


def test_deeply_nested_json_is_400_not_a_crash(rest):
    body = "[" * 100000 + "]" * 100000
    response = rest.catalog("POST", "/namespaces", raw_body=body, headers={"Content-Type": "application/json"})
    assert response.status in (400, 413), response
    assert rest.list_namespaces().status == 200
