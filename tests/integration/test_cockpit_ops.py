"""The cockpit's operations and platform pages in a real browser: Monitoring, Logs, Alerts,
Governance and Architecture (docs/cockpit.md), on `akko serve --demo`.

Debian's chromium, driven by playwright-core (browser/ops.mjs), logs in as alice (admin) and as
eve (user) and reports what the pages showed; each value is checked here against a second
source: the Prometheus text of /metrics parsed in Python, the server's own log file, the
alerts API, SHOW GRANTS and the audit log through psycopg2, ports.json. Screenshots go to
$AKKO_SCREENSHOTS (docs/screenshots to refresh the documentation's) or a temporary directory."""
import base64
import json
import pathlib
import re
import urllib.error
import urllib.request
import uuid

import psycopg2
import pytest

from conftest import AkkoServer
from browser_script import run_browser_script, screenshot_dir

ROLE = "ops_auditors"
TABLE = "banking.customers"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    server = AkkoServer(tmp_path_factory.mktemp("ops") / "data", extra_args=["--demo", "--demo-scale", "0.02"])
    yield server
    server.stop()


def connect(server, user):
    conn = psycopg2.connect(server.dsn(user=user, password=f"{user}123"))
    conn.autocommit = True
    return conn


def rows(server, user, sql, parameters=None):
    with connect(server, user) as conn, conn.cursor() as cur:
        cur.execute(sql, parameters)
        return cur.fetchall()


def get(server, path, user="alice"):
    auth = "Basic " + base64.b64encode(f"{user}:{user}123".encode()).decode()
    request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", headers={"Authorization": auth})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def prometheus_sum(text, family):
    """Sum of a family's samples in Prometheus text, read without the cockpit's parser."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{family}(?:\{{[^}}]*\}})?\s+([0-9.eE+-]+)$", line)
        if match:
            total += float(match.group(1))
    return total


@pytest.fixture(scope="module")
def markers(demo):
    log_marker = f"ops_missing_{uuid.uuid4().hex[:10]}"
    with connect(demo, "alice") as conn, conn.cursor() as cur:
        with pytest.raises(psycopg2.errors.UndefinedTable):
            cur.execute(f"SELECT * FROM {log_marker}")
    audit_marker = f"ops-audit-{uuid.uuid4().hex[:10]}"
    assert rows(demo, "alice", f"SELECT '{audit_marker}' AS marker") == [(audit_marker,)]
    return {"log": log_marker, "audit": audit_marker}


@pytest.fixture(scope="module")
def seen(demo, markers, tmp_path_factory):
    screenshots = screenshot_dir(tmp_path_factory)
    config = {
        "url": f"http://127.0.0.1:{demo.http_port}/",
        "admin": ["alice", "alice123"],
        "restricted": ["eve", "eve123"],
        "log_marker": markers["log"],
        "audit_marker": markers["audit"],
        "role": ROLE,
        "table": TABLE,
        "screenshots": screenshots,
    }
    answer = run_browser_script("ops.mjs", config, timeout=600)
    answer["screenshots"] = pathlib.Path(config["screenshots"])
    return answer


def test_nothing_is_loaded_from_elsewhere_and_no_script_fails(seen):
    assert seen["external_requests"] == []
    assert seen["page_errors"] == []


def test_monitoring_count_agrees_with_metrics(demo, seen):
    shown = seen["monitoring"]
    # /metrics as the browser read it right after the page drew: nothing ran in between.
    assert shown["statements"] == prometheus_sum(shown["metrics"], "aden_query_total")
    assert shown["headline"].replace(",", "") == str(shown["statements"])
    # And the counter only grows: the server's own /metrics now has at least as many.
    with urllib.request.urlopen(f"http://127.0.0.1:{demo.http_port}/metrics", timeout=30) as response:
        assert prometheus_sum(response.read().decode(), "aden_query_total") >= shown["statements"] > 0
    assert {c["id"] for c in shown["charts"]} == {"qps", "latency", "errors", "connections", "storage"}
    status, body = get(demo, "/api/v1/metrics/history?window=15m")
    assert status == 200 and len(json.loads(body)["time_ms"]) > 0
    assert all(c["points"] > 0 and c["canvas"] for c in shown["charts"])
    assert shown["window_1h_status"] == 200


def test_logs_find_the_failed_statement(demo, markers, seen):
    assert seen["logs"]["rows"] and all(row["event"] == "statement" for row in seen["logs"]["rows"])
    expanded = seen["logs"]["expanded"]
    assert markers["log"] in expanded["sql"]
    # The same line, word for word, in the log the server wrote to stderr.
    written = [json.loads(line) for line in demo.log_text().splitlines()
               if line.startswith("{") and markers["log"] in line]
    assert expanded in written
    assert expanded["status"] == "undefined_table" and expanded["user"] == "alice"


def test_logs_are_for_admins_only(demo, seen):
    assert "Admins only" in seen["restricted_logs"]
    assert get(demo, "/api/v1/logs", user="eve")[0] == 403


def test_alerts_list_the_rules_the_api_evaluates(demo, seen):
    status, body = get(demo, "/api/v1/alerts")
    assert status == 200
    rules = json.loads(body)["rules"]
    assert len(rules) == 4
    assert [(r["alert"], r["state"]) for r in seen["alerts"]] == [(r["alert"], r["state"]) for r in rules]
    assert {r["alert"] for r in rules} == {"AkkoQueryAvailabilityFastBurn", "AkkoQueryAvailabilitySlowBurn",
                                          "AkkoQueryLatencyFastBurn", "AkkoQueryLatencySlowBurn"}
    status, yaml = get(demo, "/api/v1/alerts/rules")
    assert status == 200 and seen["rules_yaml"].strip() == yaml.strip()


def test_governance_creates_a_role_and_grants_it(demo, seen):
    assert seen["create_role_sql"] == f'CREATE ROLE "{ROLE}"'
    namespace, table = TABLE.split(".")
    assert seen["grant_sql"] == f'GRANT SELECT ON TABLE "{namespace}"."{table}" TO "{ROLE}"'
    granted = rows(demo, "alice", f"SHOW GRANTS FOR {ROLE}")
    assert granted == [(ROLE, "SELECT", "table", TABLE)]
    assert seen["grant_rows"] == ["|".join(row) for row in granted]


def test_governance_is_read_only_for_a_user(demo, seen):
    restricted = seen["restricted_governance"]
    assert restricted["read_only"] == 1 and restricted["actions"] == 0
    assert sorted(restricted["grants"]) == sorted("|".join(row) for row in rows(demo, "eve", "SHOW GRANTS"))
    assert seen["restricted_audit"] == 1


def test_audit_search_finds_the_statement(demo, markers, seen):
    recorded = rows(demo, "alice", 'SELECT "user", protocol, operation, outcome FROM akko_system.audit_log '
                                   "WHERE operation = %s", (f"SELECT '{markers['audit']}' AS marker",))
    assert recorded == [("alice", "pgwire", f"SELECT '{markers['audit']}' AS marker", "ok")]
    assert [(r["user"], r["protocol"], r["operation"], r["outcome"]) for r in seen["audit"]] == recorded


def test_architecture_shows_every_component_and_port(demo, seen):
    status, body = get(demo, "/api/v1/architecture")
    components = json.loads(body)["components"]
    assert sorted(node["id"] for node in seen["architecture"]) == sorted(c["id"] for c in components)
    ports = json.loads((demo.data_dir / "ports.json").read_text())
    expected = {"pgwire": ports["pg"], "cockpit": ports["http"], "http_api": ports["http"],
                "iceberg_rest": ports["http"], "s3_api": ports["s3"]}
    nodes = {node["id"]: node for node in seen["architecture"]}
    for component, port in expected.items():
        assert nodes[component]["port"] == str(port), component
        assert f"port {port}" in " ".join(nodes[component]["text"]), component


def test_screenshots_of_each_page(seen):
    for name in ["monitoring", "logs", "alerts", "governance", "governance-audit", "architecture", "logs-restricted",
                 "governance-restricted"]:
        shot = seen["screenshots"] / f"{name}.png"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
