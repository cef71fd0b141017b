"""`akko init` and the banking demo (docs/init.md, docs/demo.md).

- Idempotence: init three times on one directory gives the same end state, read straight from the
  SQLite metastore with Python's sqlite3 and from the bucket directories, not through akko; the
  state holds what issue 7 lists (buckets, namespaces, five roles and their grants, the admin,
  the demo users with <name>123, masks and policies, 27 tables).
- Determinism: the same seed and scale give the same rows in two data directories (a checksum of
  every table), another seed other rows; DuckDB reading the Parquet data files itself computes
  the same checksum as the server for a table.
- Reconciliation: the analytics models agree with the raw data, each figure computed a second way
  from raw (deduplicated by hand) in the same query; the distributions have the promised shape.
- Roles on the demo: eve's PII is masked, dave sees the active accounts of his region only, bob may
  write staging but not banking, carol reads unmasked.
- The cockpit's banking dashboard: its eight saved queries and the dashboard exist once after three
  runs, pass the cockpit API's validation, run for alice, eve and dave, and agree with raw.
"""
import base64
import json
import re
import sqlite3
import subprocess
import urllib.request

import psycopg2
import psycopg2.errorcodes
import pytest

from conftest import ADMIN_PASSWORD, AKKO_BIN, AkkoServer
from lake_files import current_files, duckdb, load_metadata, local_path

SCALE = "0.02"  # 1,000 customers, 20,000 transactions: seconds, not minutes
TABLES = sorted(f"{ns}.{t}" for ns, tables in {
    "banking": ["branches", "customers", "accounts", "merchants", "cards", "loans", "transactions"],
    "raw": ["customers", "accounts", "transactions", "branches", "merchants", "cards", "loans"],
    "staging": ["customers", "accounts", "transactions", "branches", "merchants", "cards", "loans"],
    "analytics": ["dim_customer", "dim_account", "dim_merchant", "fact_transaction", "daily_balances",
                  "fraud_summary"],
}.items() for t in tables)
DEMO_USERS = {"alice": "akko-admin", "bob": "akko-engineer", "carol": "akko-analyst", "eve": "akko-user",
              "dave": "akko-viewer"}


def init(data_dir, *args):
    out = subprocess.run([str(AKKO_BIN), "init", "--data-dir", str(data_dir), "--admin-password", ADMIN_PASSWORD,
                          *args], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def metastore_state(data_dir):
    """Everything init ensures, as the metastore and the bucket directories hold it. The access
    model's version counter is left out: it counts changes, and GRANT of a held privilege counts."""
    db = sqlite3.connect(f"file:{data_dir / 'metastore.db'}?mode=ro", uri=True)
    try:
        state = {table: sorted(db.execute(f"SELECT {columns} FROM {table}").fetchall()) for table, columns in {
            "users": "name, is_superuser, created_at, password_hash IS NOT NULL",
            "roles": "name, builtin, created_at",
            "role_members": "member_name, role_name",
            "grants": "grantee, privilege, namespace, object_name",
            "row_policies": "namespace, table_name, name, roles, predicate, created_at",
            "column_masks": "namespace, table_name, name, column_name, roles, expression, created_at",
            "user_attributes": "user_name, attribute, value",
            "namespaces": "name, parent",
            "catalog_objects": "namespace, name, kind, metadata_location",
            "server_settings": "name, value",
        }.items()}
    finally:
        db.close()
    state["buckets"] = sorted(p.name for p in (data_dir / "objects").iterdir())
    return state


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("init") / "data"
    outputs = [init(data_dir, "--demo", "--scale", SCALE)]
    states = [metastore_state(data_dir)]
    for _ in range(2):
        outputs.append(init(data_dir, "--demo", "--scale", SCALE))
        states.append(metastore_state(data_dir))
    return data_dir, outputs, states


def test_three_runs_give_one_end_state(demo_dir):
    _, outputs, states = demo_dir
    assert states[1] == states[0]
    assert states[2] == states[0]
    # The first run made everything, the later ones found it.
    assert "banking data: generating 27 tables" in outputs[0]
    for later in outputs[1:]:
        assert "(created" not in later and " created," not in later.replace("0 created,", "")
        assert "banking data: present (27 tables, seed 42, scale 0.02)" in later
        assert "masks and row policies: 0 created, 32 present" in later


def test_the_end_state_is_what_issue_7_lists(demo_dir):
    data_dir, _, states = demo_dir
    state = states[0]
    assert state["buckets"] == sorted(["akko-warehouse", "akko-landing", "akko-exports", "akko-models",
                                       "akko-backups"])
    # "main" is the engine's default schema, there on every start.
    assert {name for name, _ in state["namespaces"]} == {"analytics", "banking", "raw", "staging", "main"}
    roles = {name for name, builtin, _ in state["roles"] if builtin}
    assert {"akko-admin", "akko-engineer", "akko-analyst", "akko-user", "akko-viewer"} <= roles
    assert {u for u, *_ in state["users"]} == {"admin", *DEMO_USERS}
    members = set(state["role_members"])
    for user, role in DEMO_USERS.items():
        assert (user, role) in members
    grants = set(state["grants"])
    for ns in ("raw", "staging", "analytics"):
        assert ("akko-engineer", "CREATE", ns, "") in grants, grants
        assert ("akko-engineer", "INSERT", ns, "") in grants
    assert ("akko-viewer", "SELECT", "analytics", "") in grants
    assert ("dave", "region", "Lake Geneva") in state["user_attributes"]
    tables = sorted(f"{ns}.{name}" for ns, name, kind, _ in state["catalog_objects"] if kind == "table")
    assert tables == TABLES
    # PII masked on the four customer tables (six columns each) and card numbers on three.
    masked = {(ns, t, c) for ns, t, _, c, *_ in state["column_masks"]}
    for ns, t in [("banking", "customers"), ("raw", "customers"), ("staging", "customers"),
                  ("analytics", "dim_customer")]:
        for column in ("full_name", "email", "phone", "national_id", "date_of_birth", "address"):
            assert (ns, t, column) in masked
    assert len(state["row_policies"]) == 5


def test_init_prints_progress_and_warns_about_demo_passwords(demo_dir):
    _, outputs, _ = demo_dir
    first = outputs[0]
    for n in range(1, 28):
        assert f"[{n:>2}/27]" in first
    assert "DEMO ONLY" in first and "alice123" in first
    assert re.search(r"akko init: done in [0-9.]+ s", first)


def test_init_without_demo_makes_no_demo_users_and_is_idempotent(tmp_path):
    data_dir = tmp_path / "plain"
    init(data_dir)
    first = metastore_state(data_dir)
    init(data_dir)
    assert metastore_state(data_dir) == first
    assert {u for u, *_ in first["users"]} == {"admin"}
    assert not first["catalog_objects"] and not first["column_masks"]
    assert {name for name, _ in first["namespaces"]} == {"analytics", "banking", "raw", "staging", "main"}


def test_bad_scale_is_refused_and_changes_nothing(tmp_path):
    data_dir = tmp_path / "bad"
    init(data_dir)
    before = metastore_state(data_dir)
    for scale in ("0", "-1", "1000", "abc"):
        out = subprocess.run([str(AKKO_BIN), "init", "--data-dir", str(data_dir), "--demo", "--scale", scale],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode != 0
        assert "scale" in (out.stdout + out.stderr).lower()
    assert metastore_state(data_dir) == before


# ---------------------------------------------------------------------------------------------
# Determinism

def checksums(server, tables):
    conn = psycopg2.connect(server.dsn())
    try:
        with conn.cursor() as cur:
            sums = {}
            for table in tables:
                cur.execute(f"SELECT count(*), md5(coalesce(string_agg(CAST(t AS VARCHAR), chr(10) "
                            f"ORDER BY CAST(t AS VARCHAR)), '')) FROM {table} t")
                sums[table] = cur.fetchone()
            return sums
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_servers(demo_dir, tmp_path_factory):
    data_dir, _, _ = demo_dir
    twin = tmp_path_factory.mktemp("twin") / "data"
    init(twin, "--demo", "--scale", SCALE)
    other = tmp_path_factory.mktemp("other_seed") / "data"
    init(other, "--demo", "--scale", SCALE, "--seed", "7")
    servers = [AkkoServer(d) for d in (data_dir, twin, other)]
    yield servers
    for server in servers:
        server.stop()


def test_same_seed_same_rows_other_seed_other_rows(demo_servers):
    first, twin, other = (checksums(s, TABLES) for s in demo_servers)
    assert first == twin
    for table in ("banking.customers", "banking.transactions", "analytics.fact_transaction"):
        assert first[table] != other[table], table
    # Branches do not depend on the seed.
    assert first["banking.branches"] == other["banking.branches"]
    assert first["banking.transactions"][0] == 20000 and first["banking.customers"][0] == 1000


def test_duckdb_reading_the_files_gets_the_server_checksum(demo_servers):
    server = demo_servers[0]
    for namespace, table in [("banking", "customers"), ("analytics", "dim_account")]:
        _, metadata = load_metadata(server.data_dir, namespace, table)
        files = [str(local_path(server.data_dir, f["file_path"])) for f in current_files(server.data_dir, metadata)]
        listed = ", ".join(f"'{f}'" for f in files)
        (row,) = duckdb(f"SELECT count(*), md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR))) "
                        f"FROM read_parquet([{listed}]) t")
        count, digest = checksums(server, [f"{namespace}.{table}"])[f"{namespace}.{table}"]
        assert [str(count), digest] == [str(v) for v in row]


# ---------------------------------------------------------------------------------------------
# Reconciliation: each pair is one figure computed from the model and again from raw.

RECONCILIATIONS = {
    "transactions: fact = distinct raw": """
        SELECT (SELECT count(*) FROM analytics.fact_transaction),
               (SELECT count(DISTINCT transaction_id) FROM raw.transactions)""",
    "amount: fact = raw, each id once": """
        SELECT (SELECT sum(amount) FROM analytics.fact_transaction),
               (SELECT sum(a) FROM (SELECT transaction_id, min(amount::DECIMAL(12, 2)) AS a FROM raw.transactions
                                    GROUP BY transaction_id))""",
    "fraud: summary = raw purchases flagged": """
        SELECT (SELECT sum(fraud_transactions) FROM analytics.fraud_summary),
               (SELECT count(DISTINCT transaction_id) FROM raw.transactions
                WHERE is_fraud AND transaction_type = 'purchase')""",
    "purchases: summary = raw": """
        SELECT (SELECT sum(transactions) FROM analytics.fraud_summary),
               (SELECT count(DISTINCT transaction_id) FROM raw.transactions WHERE transaction_type = 'purchase')""",
    "balances: sum of current = opening + net of raw": """
        SELECT (SELECT sum(current_balance) FROM analytics.dim_account),
               (SELECT (SELECT sum(opening_balance::DECIMAL(14, 2)) FROM raw.accounts) +
                       (SELECT sum(CASE WHEN transaction_type = 'transfer_in' THEN a ELSE -a END)
                        FROM (SELECT transaction_id, min(transaction_type) AS transaction_type,
                                     min(amount::DECIMAL(12, 2)) AS a FROM raw.transactions GROUP BY transaction_id)))""",
    "daily balances: last day = current balance": """
        SELECT (SELECT count(*) FROM analytics.dim_account a JOIN
                  (SELECT account_id, arg_max(balance, booked_on) AS last FROM analytics.daily_balances GROUP BY ALL) d
                  USING (account_id) WHERE d.last <> a.current_balance), 0""",
    "customers: staging = banking (cleaning undoes raw's mess)": """
        SELECT (SELECT count(*) FROM (SELECT * FROM staging.customers EXCEPT SELECT * FROM banking.customers)) +
               (SELECT count(*) FROM (SELECT * FROM banking.customers EXCEPT SELECT * FROM staging.customers)), 0""",
    "customers: dimension = raw": """
        SELECT (SELECT count(*) FROM analytics.dim_customer), (SELECT count(DISTINCT customer_id) FROM raw.customers)""",
    "accounts per customer: dimension = raw": """
        SELECT (SELECT sum(accounts) FROM analytics.dim_customer), (SELECT count(*) FROM raw.accounts)""",
}


@pytest.mark.parametrize("name", sorted(RECONCILIATIONS))
def test_models_agree_with_raw(demo_servers, name):
    conn = psycopg2.connect(demo_servers[0].dsn())
    try:
        with conn.cursor() as cur:
            cur.execute(RECONCILIATIONS[name])
            model, raw = cur.fetchone()
    finally:
        conn.close()
    assert model == raw, name


def test_distributions_have_the_promised_shape(demo_servers):
    conn = psycopg2.connect(demo_servers[0].dsn())
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT avg(is_fraud::INTEGER), avg(amount), median(amount) FROM analytics.fact_transaction "
                        "WHERE transaction_type = 'purchase'")
            fraud_share, mean, median = cur.fetchone()
            cur.execute("SELECT month(booked_at) FROM analytics.fact_transaction GROUP BY 1 ORDER BY count(*) DESC "
                        "LIMIT 1")
            busiest_month = cur.fetchone()[0]
            cur.execute("SELECT count(DISTINCT category) FROM analytics.fact_transaction WHERE transaction_type = "
                        "'purchase'")
            categories = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM raw.transactions")
            raw_rows = cur.fetchone()[0]
    finally:
        conn.close()
    assert 0.0005 < float(fraud_share) < 0.01  # a small share flagged
    assert float(mean) > 1.3 * float(median)  # right-skewed amounts
    assert busiest_month == 12  # the December peak
    assert categories == 10
    assert raw_rows > 20000  # raw carries replayed duplicates that staging drops


# ---------------------------------------------------------------------------------------------
# The demo's roles

def demo_conn(server, user):
    conn = psycopg2.connect(server.dsn(user=user, password=f"{user}123"))
    conn.autocommit = True
    return conn


def rows(conn, sql):
    with conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def sqlstate(conn, sql):
    with conn.cursor() as cur:
        try:
            cur.execute(sql)
        except psycopg2.Error as error:
            return error.pgcode
    return None


def test_demo_users_see_what_their_roles_allow(demo_servers):
    server = demo_servers[0]
    admin = psycopg2.connect(server.dsn())
    truth = rows(admin, "SELECT customer_id, email, phone, national_id FROM banking.customers ORDER BY 1 LIMIT 20")
    accounts = rows(admin, "SELECT account_id, status, region FROM analytics.dim_account")
    admin.close()

    carol = demo_conn(server, "carol")
    assert rows(carol, "SELECT customer_id, email, phone, national_id FROM banking.customers ORDER BY 1 LIMIT 20") \
        == truth
    carol.close()

    eve = demo_conn(server, "eve")
    masked = rows(eve, "SELECT customer_id, email, phone, national_id FROM banking.customers ORDER BY 1 LIMIT 20")
    for (cid, email, phone, nid), (_, m_email, m_phone, m_nid) in zip(truth, masked):
        local, domain = email.split("@")
        assert m_email == local[0] + "****@" + domain  # mask_email as docs/access-control.md states it
        assert m_phone[-5:] == phone[-5:] and m_phone.count("*") == sum(c.isdigit() for c in phone) - 4
        assert m_nid == "****"
    assert sqlstate(eve, "CREATE TABLE staging.eve_was_here (i INTEGER)") == psycopg2.errorcodes.INSUFFICIENT_PRIVILEGE
    eve.close()

    dave = demo_conn(server, "dave")
    seen = rows(dave, "SELECT account_id, status, region FROM analytics.dim_account")
    assert sorted(seen) == sorted(a for a in accounts if a[1] == "active" and a[2] == "Lake Geneva")
    assert seen
    assert {r[0] for r in rows(dave, "SELECT DISTINCT region FROM analytics.fact_transaction")} == {"Lake Geneva"}
    assert sqlstate(dave, "SELECT * FROM raw.customers") == psycopg2.errorcodes.INSUFFICIENT_PRIVILEGE
    assert sqlstate(dave, "SELECT * FROM banking.accounts") == psycopg2.errorcodes.INSUFFICIENT_PRIVILEGE
    dave.close()

    bob = demo_conn(server, "bob")
    assert sqlstate(bob, "CREATE TABLE staging.bob_scratch AS SELECT 1 AS i") is None
    assert sqlstate(bob, "DROP TABLE staging.bob_scratch") is None
    assert sqlstate(bob, "CREATE TABLE banking.bob_scratch (i INTEGER)") == psycopg2.errorcodes.INSUFFICIENT_PRIVILEGE
    bob.close()

    alice = demo_conn(server, "alice")
    assert rows(alice, "SELECT count(*) FROM akko_system.audit_log WHERE protocol = 'init'")[0][0] > 0
    alice.close()


def test_serve_demo_runs_init_before_it_is_ready(tmp_path):
    server = AkkoServer(tmp_path / "served", extra_args=["--demo", "--demo-scale", "0.01"])
    try:
        banner = "".join(server.banner)
        assert "init: banking data: generating 27 tables (seed 42, scale 0.01)" in banner
        conn = psycopg2.connect(server.dsn())
        assert rows(conn, "SELECT count(*) FROM analytics.fact_transaction")[0][0] == 10000
        conn.close()
    finally:
        server.stop()
    again = AkkoServer(tmp_path / "served", extra_args=["--demo", "--demo-scale", "0.01"])
    try:
        assert "init: banking data: present" in "".join(again.banner)
    finally:
        again.stop()


# ---------------------------------------------------------------------------------------------
# The cockpit's banking dashboard: eight shared saved queries and the dashboard that shows them

BANKING_QUERIES = ["banking-accounts-by-status", "banking-amount-by-category", "banking-balance-by-region",
                   "banking-customers-by-age-band", "banking-daily-volume", "banking-monthly-fraud-rate",
                   "banking-top-merchants", "banking-transactions-by-channel"]


def cockpit_items(data_dir):
    db = sqlite3.connect(f"file:{data_dir / 'metastore.db'}?mode=ro", uri=True)
    try:
        return db.execute("SELECT kind, id, owner, name, shared, document FROM cockpit_items ORDER BY kind, id").fetchall()
    finally:
        db.close()


def saved_query_sql(data_dir):
    return {id: json.loads(document)["sql"] for kind, id, _, _, _, document in cockpit_items(data_dir)
            if kind == "saved_query"}


def test_banking_dashboard_and_its_queries_exist_once_after_three_runs(demo_dir):
    data_dir, outputs, _ = demo_dir
    items = cockpit_items(data_dir)
    assert [(kind, id) for kind, id, *_ in items] == \
        [("dashboard", "banking-overview")] + [("saved_query", id) for id in BANKING_QUERIES]
    assert all(owner == "admin" and shared for _, _, owner, _, shared, _ in items)
    names = [name for *_, name, _, _ in items]
    assert len(set(names)) == len(names) and names[0] == "Banking overview"
    dashboard = json.loads(items[0][5])
    assert sorted(tile["saved_query_id"] for tile in dashboard["tiles"]) == BANKING_QUERIES
    for _, id, _, _, _, document in items[1:]:
        chart = json.loads(document)["chart"]
        assert chart["type"] in ("bar", "line", "area", "pie") and chart["x"] and chart["y"], id
    assert 'dashboard: "Banking overview" (created) with its saved queries (8 created, 0 present)' in outputs[0]
    for later in outputs[1:]:
        assert 'dashboard: "Banking overview" (present) with its saved queries (0 created, 8 present)' in later


def test_banking_dashboard_is_what_the_cockpit_api_accepts(demo_servers):
    """The API validates what it stores (docs/cockpit-api.md): the demo's items read back and sent
    again unchanged must pass that validation."""
    server = demo_servers[0]
    auth = "Basic " + base64.b64encode(f"alice:alice123".encode()).decode()

    def call(method, path, body=None):
        request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": auth, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    dashboard = call("GET", "/api/v1/dashboards/banking-overview")
    assert call("PUT", "/api/v1/dashboards/banking-overview", dashboard)["tiles"] == dashboard["tiles"]
    for id in BANKING_QUERIES:
        query = call("GET", f"/api/v1/saved-queries/{id}")
        assert call("PUT", f"/api/v1/saved-queries/{id}", query)["sql"] == query["sql"]


@pytest.mark.parametrize("user", ["alice", "eve", "dave"])
def test_every_banking_query_runs_for_the_demo_roles(demo_servers, user):
    server = demo_servers[0]
    conn = demo_conn(server, user)
    try:
        for id, text in saved_query_sql(server.data_dir).items():
            assert rows(conn, text), (user, id)
    finally:
        conn.close()


def test_banking_queries_agree_with_raw(demo_servers):
    """Two figures of the dashboard against hand-written queries on raw (duplicates dropped by
    hand), and dave's balance by region against raw's accounts of his region."""
    server = demo_servers[0]
    sql = saved_query_sql(server.data_dir)
    dedup = ("(SELECT transaction_id, min(account_id) AS account_id, min(merchant_id) AS merchant_id, "
             "min(transaction_type) AS transaction_type, min(channel) AS channel, "
             "min(amount::DECIMAL(12, 2)) AS amount FROM raw.transactions GROUP BY transaction_id)")
    admin = psycopg2.connect(server.dsn())
    admin.autocommit = True
    try:
        by_channel = rows(admin, f"SELECT channel, count(*) FROM {dedup} t GROUP BY channel")
        by_category = rows(admin, f"SELECT m.category, sum(t.amount) FROM {dedup} t JOIN raw.merchants m "
                                  f"USING (merchant_id) WHERE t.transaction_type = 'purchase' GROUP BY m.category")
        lake_geneva = rows(admin, f"""
            SELECT sum(a.opening_balance::DECIMAL(14, 2) + coalesce(n.net, 0)), count(*)
            FROM raw.accounts a JOIN raw.branches b USING (branch_id)
            LEFT JOIN (SELECT account_id, sum(CASE WHEN transaction_type = 'transfer_in' THEN amount ELSE -amount END)
                       AS net FROM {dedup} t GROUP BY account_id) n USING (account_id)
            WHERE lower(a.status) = 'active' AND b.region = 'Lake Geneva'""")
    finally:
        admin.close()
    alice = demo_conn(server, "alice")
    dave = demo_conn(server, "dave")
    try:
        assert sorted(rows(alice, sql["banking-transactions-by-channel"])) == sorted(by_channel)
        assert sorted((c, a) for c, a, _ in rows(alice, sql["banking-amount-by-category"])) == sorted(by_category)
        assert [(b, n) for _, b, n in rows(dave, sql["banking-balance-by-region"])] == lake_geneva
        assert [r for r, *_ in rows(dave, sql["banking-balance-by-region"])] == ["Lake Geneva"]
    finally:
        alice.close()
        dave.close()
