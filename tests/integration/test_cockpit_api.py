"""The cockpit's JSON API against a running akko (docs/cockpit-api.md): who am I, subsystem status,
architecture, logs, metrics history, SLO alerts (and their Prometheus rules, checked and tested with
Debian's promtool), saved queries and dashboards with their owner rules. Real HTTP with urllib.
Expected values come from a second source: ports.json, the server's own log file, /metrics, the
statements the test ran, or figures worked out by hand from the SRE workbook's burn-rate formula."""
import base64
import json
import re
import subprocess
import time
import urllib.error
import urllib.request

import psycopg2
import pytest
import yaml

from conftest import ADMIN_PASSWORD, AkkoServer

PASSWORD = "cockpit-pw-1"
ROUTES = ["/api/v1/me", "/api/v1/status", "/api/v1/architecture", "/api/v1/logs", "/api/v1/metrics/history",
          "/api/v1/alerts", "/api/v1/alerts/rules", "/api/v1/saved-queries", "/api/v1/saved-queries/x",
          "/api/v1/dashboards", "/api/v1/dashboards/x"]


def basic(user="admin", password=ADMIN_PASSWORD):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def request(server, method, path, body=None, authorization=None, raw=None):
    """(status, headers, body bytes); HTTP errors are answers too."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if authorization:
        req.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def call(server, method, path, body=None, auth=None, expect=200, raw=None):
    status, headers, data = request(server, method, path, body, auth or server.admin_auth, raw)
    assert status == expect, (method, path, status, data[:500])
    return json.loads(data) if data and headers.get("Content-Type", "").startswith("application/json") else data


def error_of(server, method, path, body=None, auth=None, expect=400, raw=None):
    document = call(server, method, path, body, auth, expect, raw)
    assert set(document) == {"error"}, document
    return document["error"]


def sql(server, text, auth=None):
    return call(server, "POST", "/api/v1/query", {"sql": text}, auth)


def bearer(server, user, password):
    token = call(server, "POST", "/api/v1/auth/login", {"user": user, "password": password}, auth="none")
    return "Bearer " + token["access_token"]


def wait_for(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    akko = AkkoServer(tmp_path_factory.mktemp("cockpit") / "data")
    akko.admin_auth = bearer(akko, "admin", ADMIN_PASSWORD)
    for statement in [f"CREATE USER carol PASSWORD '{PASSWORD}' IN ROLE \"akko-analyst\"",
                      f"CREATE USER eve PASSWORD '{PASSWORD}' IN ROLE \"akko-user\""]:
        sql(akko, statement)
    akko.carol = bearer(akko, "carol", PASSWORD)
    akko.eve = bearer(akko, "eve", PASSWORD)
    yield akko
    akko.stop()


# --- authentication ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ROUTES)
def test_every_route_needs_credentials(server, path):
    for authorization in [None, "Bearer not-a-token"]:
        status, headers, body = request(server, "GET", path, authorization=authorization)
        assert status == 401, (path, authorization, body)
        assert headers["WWW-Authenticate"].startswith("Basic")
        assert json.loads(body)["error"]["code"] == "invalid_authorization"


def test_a_wrong_password_is_refused(server):
    status, _, body = request(server, "GET", "/api/v1/me", authorization=basic("carol", "wrong"))
    assert status == 401
    assert json.loads(body)["error"]["code"] == "invalid_password"


def test_basic_auth_works_as_well_as_bearer(server):
    assert call(server, "GET", "/api/v1/me", auth=basic())["user"] == "admin"


# --- me ------------------------------------------------------------------------------------------

def test_me_names_the_roles_the_users_were_created_in(server):
    assert call(server, "GET", "/api/v1/me") == {"user": "admin", "roles": ["akko-admin"], "superuser": True}
    assert call(server, "GET", "/api/v1/me", auth=server.carol) == {"user": "carol", "roles": ["akko-analyst"],
                                                                     "superuser": False}
    sql(server, 'GRANT "akko-viewer" TO eve')
    assert call(server, "GET", "/api/v1/me", auth=server.eve)["roles"] == ["akko-user", "akko-viewer"]
    sql(server, 'REVOKE "akko-viewer" FROM eve')
    assert call(server, "GET", "/api/v1/me", auth=server.eve)["roles"] == ["akko-user"]


# --- status and architecture ---------------------------------------------------------------------

def ports(server):
    return json.loads((server.data_dir / "ports.json").read_text())


def test_status_probes_every_subsystem(server):
    subsystems = call(server, "GET", "/api/v1/status", auth=server.eve)["subsystems"]
    by_name = {entry["name"]: entry for entry in subsystems}
    assert list(by_name) == ["sql_engine", "catalog", "metastore", "object_store", "s3_api", "pgwire", "ai_backend"]
    for entry in subsystems:
        assert set(entry) == {"name", "status", "latency_ms", "detail", "endpoint"}
        assert entry["latency_ms"] >= 0
    for name in ["sql_engine", "catalog", "metastore", "object_store", "s3_api", "pgwire"]:
        assert by_name[name]["status"] == "ok", by_name[name]
    assert by_name["ai_backend"]["status"] == "not_configured"
    bound = ports(server)
    assert by_name["pgwire"]["endpoint"].endswith(f":{bound['pg']}")
    assert by_name["s3_api"]["endpoint"].endswith(f":{bound['s3']}")
    assert f":{bound['http']}/iceberg/v1" in by_name["catalog"]["endpoint"]
    assert by_name["object_store"]["endpoint"] == "s3://akko-warehouse/"
    assert by_name["metastore"]["endpoint"] == str(server.data_dir / "metastore.db")


def test_status_catalog_probe_counts_namespaces(server):
    def count():
        detail = call(server, "GET", "/api/v1/status")["subsystems"][1]["detail"]
        return int(re.match(r"(\d+) top-level namespaces?$", detail).group(1))
    before = count()
    sql(server, "CREATE SCHEMA cockpit_status_probe")
    assert count() == before + 1
    sql(server, "DROP SCHEMA cockpit_status_probe")
    assert count() == before


def test_ready_keeps_its_shape(server):
    status, _, body = request(server, "GET", "/ready")
    document = json.loads(body)
    assert status == 200
    assert set(document) == {"status", "checks"}
    assert set(document["checks"]) == {"engine", "metastore", "pgwire"}


def test_architecture_from_the_live_configuration(server):
    document = call(server, "GET", "/api/v1/architecture", auth=server.eve)
    components = {c["id"]: c for c in document["components"]}
    bound = ports(server)
    assert components["pgwire"]["details"] == {"port": bound["pg"], "tls": "available"}
    assert components["pgwire"]["endpoint"] == f"postgresql://127.0.0.1:{bound['pg']}"
    assert components["http_api"]["endpoint"] == f"http://127.0.0.1:{bound['http']}/api/v1"
    assert components["http_api"]["details"]["tls"] is False
    assert components["s3_api"]["details"]["enabled"] is True
    assert components["s3_api"]["details"]["port"] == bound["s3"]
    assert components["metastore"]["details"] == {"kind": "sqlite"}
    assert components["metastore"]["endpoint"] == str(server.data_dir / "metastore.db")
    assert components["object_store"]["details"]["warehouse"] == "s3://akko-warehouse/"
    assert components["object_store"]["details"]["kind"] == "local"
    assert components["auth"]["details"]["oidc_issuer"] is None
    for component in document["components"]:
        assert component["layer"] in {"client", "adapter", "core", "storage"}
    for edge in document["edges"]:
        assert edge["from"] in components and edge["to"] in components, edge
    edges = {(e["from"], e["to"]) for e in document["edges"]}
    for path in [("sql_clients", "pgwire"), ("pgwire", "sql_engine"), ("http_api", "sql_engine"),
                 ("sql_engine", "catalog"), ("catalog", "metastore"), ("catalog", "object_store"),
                 ("s3_api", "object_store"), ("lake_engines", "iceberg_rest")]:
        assert path in edges, path
    assert ADMIN_PASSWORD not in json.dumps(document)


def test_architecture_names_postgresql_without_its_password(postgres, fresh_akko):
    connection = psycopg2.connect(postgres.dsn())
    connection.autocommit = True
    connection.cursor().execute("CREATE DATABASE cockpit_architecture")
    connection.close()
    secret = "never-shown-pw"
    akko = fresh_akko(extra_args=["--metastore", f"postgresql://postgres:{secret}@127.0.0.1:{postgres.port}/"
                                                 f"cockpit_architecture?application_name=akko"])
    akko.admin_auth = basic()
    document = call(akko, "GET", "/api/v1/architecture")
    metastore = next(c for c in document["components"] if c["id"] == "metastore")
    assert metastore["details"] == {"kind": "postgresql"}
    assert metastore["endpoint"] == f"postgresql://127.0.0.1:{postgres.port}/cockpit_architecture"
    status = call(akko, "GET", "/api/v1/status")["subsystems"]
    assert secret not in json.dumps(document) and secret not in json.dumps(status)
    assert next(s for s in status if s["name"] == "metastore")["status"] == "ok"


# --- logs ----------------------------------------------------------------------------------------

def log_file_lines(server):
    lines = []
    for text in server.log_text().splitlines():
        try:
            lines.append(json.loads(text))
        except ValueError:
            pass
    return lines


def test_logs_are_the_servers_own_lines_newest_first(server):
    marker = f"cockpit_log_marker_{time.time_ns()}"
    for i in range(3):
        sql(server, f"SELECT '{marker}' AS m, {i} AS i")
    found = call(server, "GET", f"/api/v1/logs?q={marker}&limit=10")["lines"]
    assert [line.get("sql") for line in found] == [f"SELECT '{marker}' AS m, {i} AS i" for i in (2, 1, 0)]
    # The same lines, in the opposite order, in the log file the server writes.
    in_file = [line for line in log_file_lines(server) if marker in json.dumps(line)]
    assert in_file == list(reversed(found))
    assert len(call(server, "GET", "/api/v1/logs?limit=4")["lines"]) == 4
    newest = call(server, "GET", "/api/v1/logs?limit=5000")["lines"]
    assert len(newest) == len(log_file_lines(server))
    stamps = [line["ts"] for line in newest]
    assert stamps == sorted(stamps, reverse=True)
    assert call(server, "GET", "/api/v1/logs")["capacity"] == 5000


def test_logs_filter_by_level_and_text(server):
    marker = f"cockpit_missing_table_{time.time_ns()}"
    call(server, "POST", "/api/v1/query", {"sql": f"SELECT * FROM {marker}"}, expect=404)
    warnings = call(server, "GET", "/api/v1/logs?level=warn&limit=5000")["lines"]
    assert warnings and all(line["level"] in ("warn", "error") for line in warnings)
    assert any(marker in line.get("sql", "") for line in warnings)
    # Case-insensitive text search.
    upper = call(server, "GET", f"/api/v1/logs?q={marker.upper()}")["lines"]
    assert any(line.get("status") == "undefined_table" for line in upper), upper
    assert call(server, "GET", "/api/v1/logs?q=no-line-has-this-text-" + marker)["lines"] == []


def test_logs_refuse_bad_parameters(server):
    for query in ["level=loud", "limit=0", "limit=5001", "limit=ten", "limit=-1", "q=%zz"]:
        assert error_of(server, "GET", f"/api/v1/logs?{query}")["code"] == "invalid_input", query


def test_logs_are_for_admins(server):
    for auth in [server.carol, server.eve]:
        error = error_of(server, "GET", "/api/v1/logs", auth=auth, expect=403)
        assert error["code"] == "permission_denied"


# --- metrics history -----------------------------------------------------------------------------

def history(server, window="15m"):
    return call(server, "GET", f"/api/v1/metrics/history?window={window}", auth=server.eve)


def scrape(server):
    """(statements, cumulative le buckets) summed over every series of /metrics."""
    status, _, body = request(server, "GET", "/metrics")
    assert status == 200
    total, buckets = 0.0, {}
    for line in body.decode().splitlines():
        if line.startswith("aden_query_total{"):
            total += float(line.rsplit(" ", 1)[1])
        match = re.match(r'aden_query_duration_seconds_bucket\{.*le="([^"]+)"\} (\S+)', line)
        if match:
            buckets[match.group(1)] = buckets.get(match.group(1), 0.0) + float(match.group(2))
    return total, buckets


def histogram_quantile(q, buckets):
    """Prometheus' histogram_quantile over {le: cumulative count}."""
    bounds = sorted((float(le), count) for le, count in buckets.items())
    total = bounds[-1][1]
    rank = q * total
    previous_bound, previous_count = 0.0, 0.0
    for bound, count in bounds:
        if count >= rank:
            if bound == float("inf"):
                return previous_bound
            return previous_bound + (bound - previous_bound) * (rank - previous_count) / (count - previous_count)
        previous_bound, previous_count = bound, count
    raise AssertionError("no bucket holds the rank")


def test_metrics_history_counts_the_statements_run(server):
    for attempt in range(3):
        # Start right after a sample, so that the burst falls between two samples.
        times = history(server)["time_ms"]
        last = times[-1] if times else 0
        start_ms = wait_for(lambda: (lambda t: t[-1] if t and t[-1] > last else None)(history(server)["time_ms"]),
                            "a new sample")
        before, buckets_before = scrape(server)
        for i in range(20):
            sql(server, f"SELECT {i}")
        after, buckets_after = scrape(server)
        assert after - before == 20
        burst_end_ms = time.time() * 1000
        series = wait_for(lambda: (lambda s: s if s["time_ms"][-1] > burst_end_ms else None)(history(server)),
                          "a sample after the burst")
        points = [i for i, t in enumerate(series["time_ms"]) if t > start_ms]
        counted = [series["queries_per_second"][i] * (series["time_ms"][i] - series["time_ms"][i - 1]) / 1000
                   for i in points]
        assert round(sum(counted)) == 20, (counted, series)
        holding = [i for i, n in zip(points, counted) if round(n) > 0]
        if len(holding) == 1:
            break
    else:
        pytest.fail("every burst straddled two samples")
    point = holding[0]
    assert round(counted[points.index(point)]) == 20
    delta = {le: buckets_after[le] - buckets_before.get(le, 0) for le in buckets_after}
    assert series["p50_ms"][point] == pytest.approx(histogram_quantile(0.5, delta) * 1000)
    assert series["p95_ms"][point] == pytest.approx(histogram_quantile(0.95, delta) * 1000)
    assert series["error_ratio"][point] == 0
    # Connections open at that moment: a whole number; storage measured from the first sample on.
    assert all(c >= 0 and c == int(c) for c in series["connections"])
    assert all(isinstance(b, (int, float)) and b >= 0 for b in series["storage_bytes"])
    assert series["window"] == "15m" and series["step_seconds"] == 5


def test_metrics_history_windows(server):
    assert history(server, "1h")["step_seconds"] == 15
    assert history(server, "6h")["step_seconds"] == 60
    assert history(server, "6h")["window"] == "6h"
    for window in ["2h", "15", "1d"]:
        assert error_of(server, "GET", f"/api/v1/metrics/history?window={window}")["code"] == "invalid_input"


# --- alerts --------------------------------------------------------------------------------------

def rules_file(server):
    status, headers, body = request(server, "GET", "/api/v1/alerts/rules", authorization=server.eve)
    assert status == 200
    assert headers["Content-Type"].startswith("application/yaml")
    return body.decode()


def test_alerts_match_the_exported_rules(server):
    document = call(server, "GET", "/api/v1/alerts", auth=server.eve)
    exported = yaml.safe_load(rules_file(server))
    alerting = [rule for group in exported["groups"] for rule in group["rules"] if "alert" in rule]
    assert [rule["alert"] for rule in document["rules"]] == [rule["alert"] for rule in alerting]
    # The SRE workbook's pairs: 1 h and 5 m windows at 14.4x (page), 6 h and 30 m at 6x (ticket).
    expected = {"AkkoQueryAvailabilityFastBurn": ("availability", "1h", "5m", 14.4, "page"),
                "AkkoQueryAvailabilitySlowBurn": ("availability", "6h", "30m", 6, "ticket"),
                "AkkoQueryLatencyFastBurn": ("latency", "1h", "5m", 14.4, "page"),
                "AkkoQueryLatencySlowBurn": ("latency", "6h", "30m", 6, "ticket")}
    for rule, exported_rule in zip(document["rules"], alerting):
        slo, long_window, short_window, factor, severity = expected[rule["alert"]]
        assert (rule["slo"], rule["long_window"], rule["short_window"], rule["burn_rate_threshold"],
                rule["severity"]) == (slo, long_window, short_window, factor, severity)
        assert exported_rule["labels"] == {"severity": severity, "slo": slo}
        assert f"_rate{long_window} > ({factor} * (1 - 0.99))" in exported_rule["expr"]
        assert f"_rate{short_window} > ({factor} * (1 - 0.99))" in exported_rule["expr"]
        # No statement failed on the server, none took a second: nothing burns.
        assert rule["state"] == "ok"
        for burn in (rule["long_burn_rate"], rule["short_burn_rate"]):
            assert burn is None or burn == 0
    assert [s["name"] for s in document["slos"]] == ["availability", "latency"]
    assert document["slos"][1]["threshold_seconds"] == 1


# Hand-worked scenarios, one sample a minute, evaluated at 360 m (burn = bad fraction / 0.01):
# - spike: 100 good statements a minute throughout, 200 failed ones a minute in the last 10 minutes.
#   1 h: 2000 failed of 6000 + 2000 = 25%, burn 25 > 14.4; 5 m: 1000 of 1500, burn 66.7 > 14.4:
#   the fast burn pages. 6 h: 2000 of 36000 + 2000, burn 5.3 < 6: no slow-burn ticket.
# - steady: 92 good and 8 failed a minute: 8% on every window, burn 8: above 6, below 14.4: the
#   slow burn alone.
# - slow statements: 100 a minute, 80 within 1 s: 20% slow, burn 20: both latency alerts.
PROMTOOL_TESTS = """
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'aden_query_total{protocol="http",status="ok"}'
        values: '0+100x360'
      - series: 'aden_query_total{protocol="pgwire",status="internal_error"}'
        values: '0x350 200+200x9'
      - series: 'aden_query_total{protocol="http",status="syntax_error"}'
        values: '0+50x360'
    alert_rule_test:
      - {eval_time: 360m, alertname: AkkoQueryAvailabilityFastBurn, exp_alerts: [FAST_AVAILABILITY]}
      - {eval_time: 360m, alertname: AkkoQueryAvailabilitySlowBurn, exp_alerts: []}
      - {eval_time: 340m, alertname: AkkoQueryAvailabilityFastBurn, exp_alerts: []}
  - interval: 1m
    input_series:
      - series: 'aden_query_total{protocol="http",status="ok"}'
        values: '0+92x360'
      - series: 'aden_query_total{protocol="http",status="internal_error"}'
        values: '0+8x360'
    alert_rule_test:
      - {eval_time: 360m, alertname: AkkoQueryAvailabilitySlowBurn, exp_alerts: [SLOW_AVAILABILITY]}
      - {eval_time: 360m, alertname: AkkoQueryAvailabilityFastBurn, exp_alerts: []}
  - interval: 1m
    input_series:
      - series: 'aden_query_duration_seconds_bucket{protocol="http",status="ok",le="1"}'
        values: '0+80x360'
      - series: 'aden_query_duration_seconds_count{protocol="http",status="ok"}'
        values: '0+100x360'
      - series: 'aden_query_total{protocol="http",status="ok"}'
        values: '0+100x360'
    alert_rule_test:
      - {eval_time: 360m, alertname: AkkoQueryLatencyFastBurn, exp_alerts: [FAST_LATENCY]}
      - {eval_time: 360m, alertname: AkkoQueryLatencySlowBurn, exp_alerts: [SLOW_LATENCY]}
      - {eval_time: 360m, alertname: AkkoQueryAvailabilityFastBurn, exp_alerts: []}
"""


def test_prometheus_rules_pass_promtool(server, tmp_path):
    text = rules_file(server)
    (tmp_path / "rules.yml").write_text(text)
    checked = subprocess.run(["promtool", "check", "rules", "rules.yml"], cwd=tmp_path, capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # Labels are what the scenario expects; annotations are prose, taken from the file under test.
    annotations = {rule["alert"]: rule["annotations"] for group in yaml.safe_load(text)["groups"]
                   for rule in group["rules"] if "alert" in rule}

    def expected(alert, severity, slo):
        return json.dumps({"exp_labels": {"severity": severity, "slo": slo},
                           "exp_annotations": annotations[alert]})
    tests = (PROMTOOL_TESTS
             .replace("FAST_AVAILABILITY", expected("AkkoQueryAvailabilityFastBurn", "page", "availability"))
             .replace("SLOW_AVAILABILITY", expected("AkkoQueryAvailabilitySlowBurn", "ticket", "availability"))
             .replace("FAST_LATENCY", expected("AkkoQueryLatencyFastBurn", "page", "latency"))
             .replace("SLOW_LATENCY", expected("AkkoQueryLatencySlowBurn", "ticket", "latency")))
    (tmp_path / "tests.yml").write_text(tests)
    tested = subprocess.run(["promtool", "test", "rules", "tests.yml"], cwd=tmp_path, capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr


# --- saved queries and dashboards ---------------------------------------------------------------

def ids(listing):
    return [item["id"] for item in listing]


def test_saved_query_owner_rules(server):
    created = call(server, "POST", "/api/v1/saved-queries",
                   {"name": "Carol's accounts", "sql": "SELECT 42 AS answer", "chart": {"type": "bar"}},
                   auth=server.carol, expect=201)
    qid = created["id"]
    assert created["owner"] == "carol" and created["shared"] is False
    path = f"/api/v1/saved-queries/{qid}"
    assert call(server, "GET", path, auth=server.carol) == created
    # Private: eve neither sees nor touches it; the admin sees it.
    assert qid not in ids(call(server, "GET", "/api/v1/saved-queries", auth=server.eve))
    assert error_of(server, "GET", path, auth=server.eve, expect=404)["code"] == "not_found"
    assert error_of(server, "DELETE", path, auth=server.eve, expect=404)["code"] == "not_found"
    assert qid in ids(call(server, "GET", "/api/v1/saved-queries"))
    # Shared: eve sees it but may not change or delete it.
    shared = call(server, "PUT", path, {"name": "Accounts", "sql": "SELECT 43 AS answer", "shared": True},
                  auth=server.carol)
    assert shared["sql"] == "SELECT 43 AS answer" and shared["created_at"] == created["created_at"]
    assert shared["updated_at"] >= created["updated_at"]
    assert call(server, "GET", path, auth=server.eve)["name"] == "Accounts"
    assert qid in ids(call(server, "GET", "/api/v1/saved-queries", auth=server.eve))
    error = error_of(server, "PUT", path, {"name": "mine now", "sql": "SELECT 1"}, auth=server.eve, expect=403)
    assert error["code"] == "permission_denied" and "carol" in error["message"]
    assert error_of(server, "DELETE", path, auth=server.eve, expect=403)["code"] == "permission_denied"
    # The admin may change it; it stays carol's.
    fixed = call(server, "PUT", path, {"name": "Fixed", "sql": "SELECT 44 AS answer", "shared": True})
    assert fixed["owner"] == "carol"
    # The viewer runs the SQL through /api/v1/query, as themself.
    assert sql(server, fixed["sql"], auth=server.eve)["rows"] == [[44]]
    status, _, body = request(server, "DELETE", path, authorization=server.carol)
    assert status == 204 and body == b""
    assert error_of(server, "GET", path, auth=server.carol, expect=404)["code"] == "not_found"


def test_saved_sql_is_stored_never_run(server):
    sql(server, "CREATE TABLE cockpit_kept (id INTEGER)")
    sql(server, "INSERT INTO cockpit_kept VALUES (1)")
    created = call(server, "POST", "/api/v1/saved-queries", {"name": "danger", "sql": "DROP TABLE cockpit_kept"},
                   expect=201)
    call(server, "PUT", f"/api/v1/saved-queries/{created['id']}", {"name": "danger", "sql": "DELETE FROM cockpit_kept"})
    assert sql(server, "SELECT count(*) FROM cockpit_kept")["rows"] == [[1]]


def test_saved_queries_refuse_bad_input(server):
    cases = [
        (b"{not json", "the request body must be a JSON object"),
        (b"[]", "the request body must be a JSON object"),
        (b"", "the request body must be a JSON object"),
        (json.dumps({"sql": "SELECT 1"}).encode(), '"name" is required (a string)'),
        (json.dumps({"name": 5, "sql": "SELECT 1"}).encode(), '"name" must be a string'),
        (json.dumps({"name": "n", "sql": None}).encode(), '"sql" is required (a string)'),
        (json.dumps({"name": "n", "sql": "SELECT 1", "chart": "bar"}).encode(), '"chart" must be a JSON object'),
        (json.dumps({"name": "n", "sql": "SELECT 1", "shared": 1}).encode(), '"shared" must be true or false'),
        (json.dumps({"name": "n", "sql": "SELECT 1", "extra": 1}).encode(), 'unknown field "extra"'),
        (json.dumps({"name": "n" * 201, "sql": "SELECT 1"}).encode(), '"name" is longer than 200 bytes'),
    ]
    before = call(server, "GET", "/api/v1/saved-queries")
    for raw, message in cases:
        error = error_of(server, "POST", "/api/v1/saved-queries", raw=raw)
        assert (error["code"], error["message"]) == ("invalid_input", message), raw
    oversized = json.dumps({"name": "big", "sql": "SELECT 1", "description": "x" * (1024 * 1024)}).encode()
    assert error_of(server, "POST", "/api/v1/saved-queries", raw=oversized, expect=413)["code"] == "invalid_input"
    assert call(server, "GET", "/api/v1/saved-queries") == before
    assert error_of(server, "GET", "/api/v1/saved-queries/0000000000000000", expect=404)["code"] == "not_found"
    assert error_of(server, "PUT", "/api/v1/saved-queries/0000000000000000", {"name": "n", "sql": "SELECT 1"},
                    expect=404)["code"] == "not_found"
    assert error_of(server, "DELETE", "/api/v1/saved-queries/nope", expect=404)["code"] == "not_found"
    assert error_of(server, "GET", "/api/v1/saved-queries/a/b", expect=404)["code"] == "not_found"


def test_dashboards(server):
    query = call(server, "POST", "/api/v1/saved-queries", {"name": "q", "sql": "SELECT 1 AS x", "shared": True},
                 auth=server.carol, expect=201)
    private = call(server, "POST", "/api/v1/saved-queries", {"name": "p", "sql": "SELECT 2"}, auth=server.carol,
                   expect=201)
    tile = {"saved_query_id": query["id"], "title": "Ones", "chart": {"type": "line", "x": "x"},
            "x": 0, "y": 0, "w": 6, "h": 4}
    board = {"name": "Carol's board", "description": "d", "refresh_seconds": 30,
             "filters": [{"column": "region", "values": ["north"]}], "tiles": [tile]}
    created = call(server, "POST", "/api/v1/dashboards", board, auth=server.carol, expect=201)
    for field, value in board.items():
        assert created[field] == value, field
    assert created["owner"] == "carol" and created["shared"] is False
    path = f"/api/v1/dashboards/{created['id']}"
    assert error_of(server, "GET", path, auth=server.eve, expect=404)["code"] == "not_found"
    assert created["id"] not in ids(call(server, "GET", "/api/v1/dashboards", auth=server.eve))
    # Eve may build her own board on carol's shared query, not on her private one.
    eves = call(server, "POST", "/api/v1/dashboards", {"name": "Eve's", "tiles": [tile]}, auth=server.eve,
                expect=201)
    assert eves["refresh_seconds"] == 0 and eves["filters"] == [] and eves["description"] == ""
    error = error_of(server, "POST", "/api/v1/dashboards",
                     {"name": "Eve's", "tiles": [{**tile, "saved_query_id": private["id"]}]}, auth=server.eve)
    assert error["message"] == f'a tile names saved query "{private["id"]}", which does not exist'
    shared = call(server, "PUT", path, {**board, "shared": True}, auth=server.carol)
    assert shared["shared"] is True
    assert call(server, "GET", path, auth=server.eve)["tiles"] == [tile]
    assert error_of(server, "PUT", path, board, auth=server.eve, expect=403)["code"] == "permission_denied"
    assert error_of(server, "DELETE", path, auth=server.eve, expect=403)["code"] == "permission_denied"
    bad = [
        ({**board, "refresh_seconds": 1}, '"refresh_seconds" must be 0 (no refresh) or from 5 to 86400'),
        ({**board, "refresh_seconds": "30"}, '"refresh_seconds" must be an integer from 0 to 86400'),
        ({**board, "tiles": {}}, '"tiles" must be an array'),
        ({**board, "tiles": [{**tile, "w": 0}]}, '"tiles[0].w" must be an integer from 1 to 1000'),
        ({**board, "tiles": [{**tile, "saved_query_id": "0000000000000000"}]},
         'a tile names saved query "0000000000000000", which does not exist'),
        ({**board, "filters": ["region"]}, 'each of "filters" must be a JSON object of at most 4096 bytes'),
    ]
    for body, message in bad:
        assert error_of(server, "PUT", path, body, auth=server.carol)["message"] == message, body
    assert call(server, "GET", path, auth=server.carol) == shared
    assert request(server, "DELETE", path, authorization=server.carol)[0] == 204
    assert request(server, "DELETE", f"/api/v1/dashboards/{eves['id']}", authorization=server.admin_auth)[0] == 204
    assert error_of(server, "GET", path, auth=server.carol, expect=404)["code"] == "not_found"
