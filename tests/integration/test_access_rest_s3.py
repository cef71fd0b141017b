"""Authorization on the Iceberg REST catalog and the S3 API (docs/iceberg-rest.md and docs/s3-api.md,
"Authorization"): one user per built-in role, and every cell of the matrix below checked through the
protocol itself. Expected answers follow from the rules the docs state (the roles' grants in
docs/access-control.md, the Iceberg REST spec's 403 ForbiddenException, S3's 403 AccessDenied);
nothing expected is copied from the server's answers.
"""
import boto3
import botocore.config
import psycopg2
import pytest
from botocore.exceptions import ClientError

from access_users import USERS, create_role_users
from conftest import AkkoServer
from iceberg_rest_client import RestClient, simple_schema

PASSWORD = "rest-s3-pw"
WAREHOUSE = "akko-warehouse"
OTHER_BUCKET = "side-files"
ROLES = list(USERS)


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    server = AkkoServer(tmp_path_factory.mktemp("access_rest_s3") / "data")
    admin = psycopg2.connect(server.dsn())
    admin.autocommit = True
    cur = admin.cursor()
    for sql in [
        "CREATE SCHEMA banking",
        "CREATE SCHEMA staging",
        "CREATE TABLE banking.customers (id INTEGER, email VARCHAR, ssn VARCHAR)",
        "CREATE TABLE banking.accounts (id INTEGER, status VARCHAR)",
        "CREATE TABLE staging.notes (id INTEGER, note VARCHAR)",
        "INSERT INTO banking.customers VALUES (1, 'alice@example.org', '756.1111.2222.33')",
        "INSERT INTO banking.accounts VALUES (101, 'active'), (102, 'closed')",
        "INSERT INTO staging.notes VALUES (1, 'one')",
        'CREATE MASK email_mask ON banking.customers (email) TO "akko-user", "akko-viewer" USING (mask_email(email))',
        "CREATE POLICY active_only ON banking.accounts TO \"akko-viewer\" USING (status = 'active')",
    ]:
        cur.execute(sql)
    create_role_users(cur, PASSWORD)
    admin.close()
    s3_client(server, "admin", server.password).create_bucket(Bucket=OTHER_BUCKET)
    s3_client(server, "admin", server.password).put_object(Bucket=OTHER_BUCKET, Key="report.csv", Body=b"a,b\n")
    yield server
    server.stop()


def rest_as(server, user):
    client = RestClient(server)
    token = client.fetch_token(client_id=user, secret=PASSWORD)
    assert token.status == 200, token
    client.token = token.body["access_token"]
    return client


def s3_client(server, user, password=PASSWORD):
    config = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"},
                                    s3={"addressing_style": "path"}, signature_version="s3v4")
    return boto3.client("s3", endpoint_url=server.s3_endpoint, region_name="us-east-1", config=config,
                        aws_access_key_id=user, aws_secret_access_key=password)


def status_of(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ClientError as error:
        return error.response["ResponseMetadata"]["HTTPStatusCode"], error.response["Error"]["Code"]
    return 200, None


def table_prefix(server, namespace, name):
    """The table's location as a warehouse key, and one of its data files, as the admin sees them."""
    location = rest_as(server, "adm").load_table([namespace], name).body["metadata"]["location"].rstrip("/")
    assert location.startswith(f"s3://{WAREHOUSE}/"), location
    prefix = location[len(f"s3://{WAREHOUSE}/"):]
    listed = s3_client(server, "adm").list_objects_v2(Bucket=WAREHOUSE, Prefix=prefix + "/")
    data = [o["Key"] for o in listed.get("Contents", []) if o["Key"].endswith(".parquet")]
    assert data, listed
    return prefix, data[0]


# -- Iceberg REST ----------------------------------------------------------------------------------

# Who may load a table's metadata: SELECT, and no row filter or mask (the files would bypass them).
LOAD = {
    ("banking", "customers"): {"admin", "engineer", "analyst"},  # masked for user and viewer
    ("banking", "accounts"): {"admin", "engineer", "analyst", "user"},  # filtered for viewer
    ("staging", "notes"): {"admin", "engineer", "analyst", "user"},  # viewer has no grant there
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("table", sorted(LOAD))
def test_rest_load_table(lake, role, table):
    client = rest_as(lake, USERS[role])
    path = client.table_path([table[0]], table[1])
    expected = 200 if role in LOAD[table] else 403
    response = client.catalog("GET", path)
    assert response.status == expected, response
    if expected == 403:
        assert response.body["error"]["type"] == "ForbiddenException"
    assert client.catalog("HEAD", path).status == (204 if expected == 200 else 403)
    credentials = client.catalog("GET", path + "/credentials")
    assert credentials.status == expected, credentials


@pytest.mark.parametrize("role", ROLES)
def test_rest_lists_only_referenceable_tables(lake, role):
    client = rest_as(lake, USERS[role])
    for namespace, visible in [("banking", {"admin", "engineer", "analyst", "user", "viewer"}),
                               ("staging", {"admin", "engineer", "analyst", "user"})]:
        response = client.catalog("GET", f"/namespaces/{namespace}/tables")
        assert response.status == 200, response
        names = {i["name"] for i in response.body["identifiers"]}
        expected = {"customers", "accounts"} if namespace == "banking" else {"notes"}
        assert expected <= names if role in visible else names.isdisjoint(expected), (role, namespace, names)


# Creating in a namespace needs CREATE there: the engineer holds ALL on staging through etl.
CREATE = {"staging": {"admin", "engineer"}, "banking": {"admin"}}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("namespace", sorted(CREATE))
def test_rest_create_and_drop_table(lake, role, namespace):
    client = rest_as(lake, USERS[role])
    name = f"made_by_{USERS[role]}"
    expected = 200 if role in CREATE[namespace] else 403
    response = client.create_table([namespace], name, schema=simple_schema(), expect=expected)
    if expected == 403:
        assert response.body["error"]["type"] == "ForbiddenException"
        return
    assert client.load_table([namespace], name).status == 200
    client.drop_table([namespace], name, expect=204)


@pytest.mark.parametrize("role", ROLES)
def test_rest_namespace_ddl_is_for_superusers(lake, role):
    client = rest_as(lake, USERS[role])
    response = client.catalog("POST", "/namespaces", body={"namespace": [f"ns_{USERS[role]}"]})
    assert response.status == (200 if role == "admin" else 403), response


@pytest.mark.parametrize("role", ROLES)
def test_rest_commit_that_alters_needs_create(lake, role):
    client = rest_as(lake, USERS[role])
    response = client.catalog("POST", client.table_path(["staging"], "notes"),
                              body={"requirements": [],
                                    "updates": [{"action": "set-properties", "updates": {"touched-by": role}}]})
    assert response.status == (200 if role in ("admin", "engineer") else 403), response


def test_rest_rename_needs_create_on_both_sides(lake):
    client = rest_as(lake, "eng")
    client.create_table(["staging"], "to_move", schema=simple_schema())
    body = {"source": {"namespace": ["staging"], "name": "to_move"},
            "destination": {"namespace": ["banking"], "name": "moved"}}
    assert client.catalog("POST", "/tables/rename", body=body).status == 403
    body["destination"]["namespace"] = ["staging"]
    assert client.catalog("POST", "/tables/rename", body=body).status == 204
    client.drop_table(["staging"], "moved")


# -- S3 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("table", sorted(LOAD))
def test_s3_read_data_files(lake, role, table):
    prefix, data_file = table_prefix(lake, *table)
    client = s3_client(lake, USERS[role])
    expected = (200, None) if role in LOAD[table] else (403, "AccessDenied")
    assert status_of(client.get_object, Bucket=WAREHOUSE, Key=data_file) == expected
    assert status_of(client.head_object, Bucket=WAREHOUSE, Key=data_file)[0] == expected[0]
    assert status_of(client.list_objects_v2, Bucket=WAREHOUSE, Prefix=prefix + "/data/") == expected


def test_s3_analyst_reads_customers_bytes_user_does_not(lake):
    _, data_file = table_prefix(lake, "banking", "customers")
    raw = s3_client(lake, "adm").get_object(Bucket=WAREHOUSE, Key=data_file)["Body"].read()
    assert s3_client(lake, "ana").get_object(Bucket=WAREHOUSE, Key=data_file)["Body"].read() == raw
    assert status_of(s3_client(lake, "usr").get_object, Bucket=WAREHOUSE, Key=data_file) == (403, "AccessDenied")


@pytest.mark.parametrize("role", ROLES)
def test_s3_write_under_a_table_needs_insert(lake, role):
    client = s3_client(lake, USERS[role])
    notes, _ = table_prefix(lake, "staging", "notes")
    customers, _ = table_prefix(lake, "banking", "customers")
    key = f"{notes}/data/extra-{USERS[role]}.bin"
    may_write_staging = role in ("admin", "engineer")
    assert status_of(client.put_object, Bucket=WAREHOUSE, Key=key, Body=b"x")[0] == (200 if may_write_staging else 403)
    if may_write_staging:
        assert status_of(client.delete_object, Bucket=WAREHOUSE, Key=key) == (200, None)
    expected = (200, None) if role == "admin" else (403, "AccessDenied")
    banking_key = f"{customers}/data/extra-{USERS[role]}.bin"
    assert status_of(client.put_object, Bucket=WAREHOUSE, Key=banking_key, Body=b"x") == expected
    assert status_of(client.create_multipart_upload, Bucket=WAREHOUSE, Key=banking_key)[0] == expected[0]
    if role == "admin":
        client.delete_object(Bucket=WAREHOUSE, Key=banking_key)


@pytest.mark.parametrize("role", ROLES)
def test_s3_outside_tables_and_other_buckets(lake, role):
    client = s3_client(lake, USERS[role])
    admin = role == "admin"
    allowed = (200, None) if admin else (403, "AccessDenied")
    # Nothing in the warehouse outside a table, and no listing of it all.
    assert status_of(client.put_object, Bucket=WAREHOUSE, Key="loose/file.bin", Body=b"x") == allowed
    assert status_of(client.list_objects_v2, Bucket=WAREHOUSE) == allowed
    assert status_of(client.list_objects_v2, Bucket=WAREHOUSE, Prefix="banking/") == allowed
    # Other buckets need pg_read_server_files / pg_write_server_files, which no built-in role but
    # the admin's holds.
    assert status_of(client.get_object, Bucket=OTHER_BUCKET, Key="report.csv") == allowed
    assert status_of(client.put_object, Bucket=OTHER_BUCKET, Key=f"by-{role}.csv", Body=b"x") == allowed
    assert status_of(client.create_bucket, Bucket=f"new-{USERS[role]}") == allowed
    names = {b["Name"] for b in client.list_buckets()["Buckets"]}
    assert names == ({WAREHOUSE, OTHER_BUCKET} | {f"new-{USERS[role]}"} if admin else {WAREHOUSE}), names


def test_s3_file_roles_open_other_buckets(lake):
    admin = psycopg2.connect(lake.dsn())
    admin.autocommit = True
    admin.cursor().execute(f"CREATE USER filer PASSWORD '{PASSWORD}' IN ROLE pg_read_server_files")
    admin.close()
    client = s3_client(lake, "filer")
    assert client.get_object(Bucket=OTHER_BUCKET, Key="report.csv")["Body"].read() == b"a,b\n"
    assert status_of(client.put_object, Bucket=OTHER_BUCKET, Key="filer.csv", Body=b"x") == (403, "AccessDenied")
    assert OTHER_BUCKET in {b["Name"] for b in client.list_buckets()["Buckets"]}


def test_s3_new_table_is_found_at_once(lake):
    client = rest_as(lake, "eng")
    location = client.create_table(["staging"], "fresh", schema=simple_schema()).body["metadata"]["location"]
    key = location.rstrip("/")[len(f"s3://{WAREHOUSE}/"):] + "/data/first.bin"
    assert status_of(s3_client(lake, "eng").put_object, Bucket=WAREHOUSE, Key=key, Body=b"x") == (200, None)
    assert status_of(s3_client(lake, "ana").get_object, Bucket=WAREHOUSE, Key=key) == (200, None)
    assert status_of(s3_client(lake, "vie").get_object, Bucket=WAREHOUSE, Key=key) == (403, "AccessDenied")
