"""A small Iceberg REST catalog client for the conformance tests, written from the OpenAPI spec
(shared/specs/iceberg-rest-catalog-open-api.yaml) with the standard library only: it sends exactly
what a test asks for and hands back status, headers and the decoded body, so a test can check the
wire format itself rather than trust a client library's interpretation of it."""
import http.client
import json
import time
import urllib.parse
import uuid

import psycopg2
import pytest

from conftest import ADMIN_PASSWORD, AkkoServer
from lake_files import MANIFEST_LIST_SCHEMA, duckdb, local_path, manifest_entry_schema, read_avro, write_avro

SEPARATOR = "\x1f"


def unique(prefix):
    """A name no other test (or earlier run in the same session) uses."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def ns_path(namespace):
    """A namespace as one path segment: parts joined by the unit separator, then URL-encoded (%1F)."""
    return urllib.parse.quote(SEPARATOR.join(namespace), safe="")


class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        self.body = None
        if raw:
            try:
                self.body = json.loads(raw)
            except ValueError:
                self.body = None

    def header(self, name):
        return self.headers.get(name.lower())

    def error(self):
        """The Iceberg error model, checked for shape: {"error": {"message", "type", "code"}}."""
        assert isinstance(self.body, dict) and isinstance(self.body.get("error"), dict), (self.status, self.raw)
        error = self.body["error"]
        assert isinstance(error.get("message"), str) and isinstance(error.get("type"), str), error
        assert error.get("code") == self.status, (error, self.status)
        return error

    def __repr__(self):
        return f"<{self.status} {self.raw[:500]!r}>"


class RestClient:
    def __init__(self, server, token=None):
        self.host = server.host
        self.port = server.http_port
        self.root = "/iceberg"
        self.token = token
        self.prefix = ""

    # -- transport -------------------------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, query=None, raw_body=None, auth=True):
        """path is below /iceberg (e.g. "/v1/config"); body is JSON-encoded unless raw_body is given."""
        target = self.root + path
        if query:
            target += "?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)
        all_headers = {}
        if body is not None:
            raw_body = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        if isinstance(raw_body, str):
            raw_body = raw_body.encode()
        if auth and self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        all_headers.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, target, body=raw_body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            conn.close()

    def catalog(self, method, path, **kwargs):
        """A route under /v1/{prefix}: path starts after the prefix, e.g. "/namespaces"."""
        prefix = f"/{urllib.parse.quote(self.prefix, safe='')}" if self.prefix else ""
        return self.request(method, f"/v1{prefix}{path}", **kwargs)

    # -- OAuth2 and config -----------------------------------------------------------------------

    def fetch_token(self, client_id="admin", secret=ADMIN_PASSWORD, grant_type="client_credentials"):
        form = urllib.parse.urlencode({"grant_type": grant_type, "client_id": client_id,
                                       "client_secret": secret, "scope": "catalog"})
        return self.request("POST", "/v1/oauth/tokens", raw_body=form, auth=False,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})

    def login(self):
        response = self.fetch_token()
        assert response.status == 200, response
        self.token = response.body["access_token"]
        config = self.request("GET", "/v1/config")
        assert config.status == 200, config
        self.config = config.body
        self.prefix = {**config.body.get("defaults", {}), **config.body.get("overrides", {})}.get("prefix", "")
        return self

    # -- namespaces ------------------------------------------------------------------------------

    def create_namespace(self, namespace, properties=None, expect=200):
        body = {"namespace": namespace}
        if properties is not None:
            body["properties"] = properties
        response = self.catalog("POST", "/namespaces", body=body)
        assert response.status == expect, response
        return response

    def list_namespaces(self, parent=None, **query):
        if parent is not None:
            query["parent"] = SEPARATOR.join(parent)
        return self.catalog("GET", "/namespaces", query=query)

    def all_pages(self, path, key, page_size, **query):
        """Follows next-page-token from an empty first token until it is null or absent."""
        items, token, pages = [], "", 0
        while True:
            response = self.catalog("GET", path, query={**query, "pageToken": token, "pageSize": page_size})
            assert response.status == 200, response
            page = response.body[key]
            assert len(page) <= page_size, (len(page), page_size)
            items.extend(page)
            pages += 1
            token = response.body.get("next-page-token")
            if token is None:
                return items, pages
            assert pages < 1000, "pagination does not end"

    # -- tables ----------------------------------------------------------------------------------

    def create_table(self, namespace, name, schema=None, expect=200, **fields):
        body = {"name": name, "schema": schema or simple_schema(), **fields}
        response = self.catalog("POST", f"/namespaces/{ns_path(namespace)}/tables", body=body)
        assert response.status == expect, response
        return response

    def table_path(self, namespace, name):
        return f"/namespaces/{ns_path(namespace)}/tables/{urllib.parse.quote(name, safe='')}"

    def load_table(self, namespace, name, expect=200, **kwargs):
        response = self.catalog("GET", self.table_path(namespace, name), **kwargs)
        assert response.status == expect, response
        return response

    def commit(self, namespace, name, requirements=(), updates=(), expect=200):
        body = {"identifier": {"namespace": namespace, "name": name}, "requirements": list(requirements),
                "updates": list(updates)}
        response = self.catalog("POST", self.table_path(namespace, name), body=body)
        assert response.status == expect, response
        return response

    def drop_table(self, namespace, name, purge=None, expect=204):
        query = {"purgeRequested": "true" if purge else "false"} if purge is not None else None
        response = self.catalog("DELETE", self.table_path(namespace, name), query=query)
        assert response.status == expect, response
        return response

    # -- views -----------------------------------------------------------------------------------

    def view_path(self, namespace, name):
        return f"/namespaces/{ns_path(namespace)}/views/{urllib.parse.quote(name, safe='')}"

    def create_view(self, namespace, name, sql="SELECT 1 AS one", expect=200, **fields):
        body = {"name": name, "schema": view_schema(), "view-version": view_version(namespace, sql),
                "properties": {}, **fields}
        response = self.catalog("POST", f"/namespaces/{ns_path(namespace)}/views", body=body)
        assert response.status == expect, response
        return response


def simple_schema(first_id=1):
    """The upstream kit's SCHEMA: required id int (with a doc) and required data string."""
    return {"type": "struct", "schema-id": 0, "fields": [
        {"id": first_id, "name": "id", "required": True, "type": "int", "doc": "unique ID 🤪"},
        {"id": first_id + 1, "name": "data", "required": True, "type": "string"}]}


def view_schema():
    return {"type": "struct", "schema-id": 0, "fields": [{"id": 1, "name": "one", "required": False, "type": "int"}]}


def view_version(namespace, sql, version_id=1):
    return {"version-id": version_id, "timestamp-ms": int(time.time() * 1000), "schema-id": 0,
            "summary": {"engine-name": "akko-tests"},
            "representations": [{"type": "sql", "sql": sql, "dialect": "spark"}],
            "default-namespace": namespace}


def metadata_of(response):
    assert "metadata" in response.body, response
    return response.body["metadata"]


@pytest.fixture(scope="module", name="akko", params=["sqlite", "postgresql"])
def own_server(request, tmp_path_factory):
    """A server per REST test module and metastore backend: the suite fills the catalog with views
    other engines wrote and names other tests do not expect, so it keeps them away from the
    session's server. Every test runs on both metastores."""
    data_dir = tmp_path_factory.mktemp("akko_rest") / "data"
    args = []
    if request.param == "postgresql":
        postgres = request.getfixturevalue("postgres")
        database = f"akko_rest_{data_dir.parent.name.lower().replace('-', '_')}"
        connection = psycopg2.connect(postgres.dsn())
        connection.autocommit = True
        connection.cursor().execute(f'CREATE DATABASE "{database}"')
        connection.close()
        args = ["--metastore", f"postgresql://postgres@127.0.0.1:{postgres.port}/{database}"]
    server = AkkoServer(data_dir, args)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def rest(akko):
    """A client holding a bearer token got with the admin's client credentials, as Spark does."""
    return RestClient(akko).login()


# -- a client-side writer: data files, manifests and manifest lists written the way Spark does ----

def write_parquet(data_dir, uri, select, field_ids):
    """Parquet with field ids, written by DuckDB itself; returns the file size."""
    local = local_path(data_dir, uri)
    local.parent.mkdir(parents=True, exist_ok=True)
    duckdb(f"COPY ({select}) TO '{local}' (FORMAT parquet, FIELD_IDS {field_ids})")
    return local.stat().st_size


def data_file_entry(uri, size, record_count):
    return {"content": 0, "file_path": uri, "file_format": "PARQUET", "partition": {},
            "record_count": record_count, "file_size_in_bytes": size, "value_counts": None,
            "null_value_counts": None, "lower_bounds": None, "upper_bounds": None, "key_metadata": None,
            "split_offsets": None, "equality_ids": None, "sort_order_id": None}


def write_snapshot(data_dir, metadata, snapshot_id, data_files=(), parent_manifests=()):
    """Writes an unpartitioned append snapshot's manifest (when it adds files) and manifest list
    under the table's metadata directory; returns (snapshot for add-snapshot, its manifest list
    entries, so a child snapshot can carry them on)."""
    location = metadata["location"].rstrip("/")
    sequence = metadata.get("last-sequence-number", 0) + 1
    parent = metadata.get("current-snapshot-id")
    if parent == -1:
        parent = None
    manifests = list(parent_manifests)
    if data_files:
        manifest_uri = f"{location}/metadata/{uuid.uuid4()}-m0.avro"
        schema = next(s for s in metadata["schemas"] if s["schema-id"] == metadata["current-schema-id"])
        length = write_avro(local_path(data_dir, manifest_uri), manifest_entry_schema([]), {
            "schema": json.dumps(schema), "schema-id": str(schema["schema-id"]), "partition-spec": "[]",
            "partition-spec-id": "0", "format-version": "2", "content": "data"},
            [{"status": 1, "snapshot_id": snapshot_id, "sequence_number": None, "file_sequence_number": None,
              "data_file": f} for f in data_files])
        manifests.insert(0, {
            "manifest_path": manifest_uri, "manifest_length": length, "partition_spec_id": 0, "content": 0,
            "sequence_number": sequence, "min_sequence_number": sequence, "added_snapshot_id": snapshot_id,
            "added_files_count": len(data_files), "existing_files_count": 0, "deleted_files_count": 0,
            "added_rows_count": sum(f["record_count"] for f in data_files), "existing_rows_count": 0,
            "deleted_rows_count": 0, "partitions": [], "key_metadata": None})
    list_uri = f"{location}/metadata/snap-{snapshot_id}-1-{uuid.uuid4()}.avro"
    write_avro(local_path(data_dir, list_uri), MANIFEST_LIST_SCHEMA, {
        "snapshot-id": str(snapshot_id), "parent-snapshot-id": str(parent), "sequence-number": str(sequence),
        "format-version": "2"}, manifests)
    added = sum(f["record_count"] for f in data_files)
    snapshot = {"snapshot-id": snapshot_id, "sequence-number": sequence, "timestamp-ms": int(time.time() * 1000),
                "manifest-list": list_uri, "schema-id": metadata["current-schema-id"],
                "summary": {"operation": "append", "added-data-files": str(len(data_files)),
                            "added-records": str(added)}}
    if parent is not None:
        snapshot["parent-snapshot-id"] = parent
    return snapshot, manifests


def append_snapshot(rest, data_dir, namespace, name, snapshot_id, data_files=(), ref="main"):
    """add-snapshot + set-snapshot-ref, guarded by assert-ref-snapshot-id, as Spark commits an append."""
    metadata = metadata_of(rest.load_table(namespace, name))
    parent_manifests = ()
    current = metadata.get("current-snapshot-id")
    if current not in (None, -1):
        snap = next(s for s in metadata["snapshots"] if s["snapshot-id"] == current)
        parent_manifests = read_avro(local_path(data_dir, snap["manifest-list"]))["records"]
    snapshot, _ = write_snapshot(data_dir, metadata, snapshot_id, data_files, parent_manifests)
    head = metadata.get("refs", {}).get(ref, {}).get("snapshot-id")
    return rest.commit(namespace, name,
                       requirements=[{"type": "assert-ref-snapshot-id", "ref": ref, "snapshot-id": head}],
                       updates=[{"action": "add-snapshot", "snapshot": snapshot},
                                {"action": "set-snapshot-ref", "ref-name": ref, "type": "branch",
                                 "snapshot-id": snapshot_id}])
