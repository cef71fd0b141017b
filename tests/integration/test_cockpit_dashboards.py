"""The cockpit's Dashboards page in a real browser (Debian's chromium driven by playwright-core,
browser/dashboards.mjs) on `akko serve --demo`:

- alice, eve and dave open the banking dashboard the demo ships; every tile's chart (read from
  its ECharts instance) holds what the tile's saved query returns when run through
  POST /api/v1/query as that user, each user seeing their own view (dave one region);
- a dashboard-wide filter narrows only the tiles whose result has its column, to what a
  hand-written query as admin gives; Refresh runs every tile again;
- alice makes a dashboard from two saved queries; the API keeps it and it shows after a reload.

Screenshots go to $AKKO_SCREENSHOTS (docs/screenshots to refresh the documentation's) or the
test's temporary directory."""
import base64
import json
import pathlib
import urllib.error
import urllib.request

import pytest

from conftest import ADMIN_PASSWORD, AkkoServer
from browser_script import run_browser_script, screenshot_dir

USERS = {"alice": "alice123", "eve": "eve123", "dave": "dave123"}
DASHBOARD = "banking-overview"
NEW_DASHBOARD = {"name": "Browser test: two tiles",
                 "queries": ["banking-customers-by-age-band", "banking-balance-by-region"]}
FILTER = {"column": "region", "label": "Region", "value": "Ticino"}


def call(server, user, password, method, path, body=None):
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def run_sql(server, user, text, parameters=None):
    password = ADMIN_PASSWORD if user == "admin" else USERS[user]
    body = {"sql": text, **({"parameters": parameters} if parameters else {})}
    result = call(server, user, password, "POST", "/api/v1/query", body)
    assert "error" not in result, (text, result)
    return result


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    server = AkkoServer(tmp_path_factory.mktemp("dashboards") / "data", extra_args=["--demo", "--demo-scale", "0.02"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def saved_queries(demo):
    return {q["id"]: q for q in call(demo, "admin", ADMIN_PASSWORD, "GET", "/api/v1/saved-queries")}


@pytest.fixture(scope="module")
def browser_run(demo, tmp_path_factory):
    screenshots = screenshot_dir(tmp_path_factory)
    config = {"url": f"http://127.0.0.1:{demo.http_port}/", "dashboard_id": DASHBOARD, "users": USERS,
              "filter": FILTER, "new_dashboard": NEW_DASHBOARD, "screenshots": screenshots}
    seen = run_browser_script("dashboards.mjs", config, timeout=600)
    seen["screenshots"] = pathlib.Path(config["screenshots"])
    return seen


def expected_drawing(result, chart):
    """What a chart of `result` must hold: categories and series values, or a pie's slices."""
    names = [c["name"] for c in result["columns"]]
    x, y = names.index(chart["x"]), names.index(chart["y"][0])
    if chart["type"] == "pie":
        return None, [[[str(row[x]), float(row[y])] for row in result["rows"]]]
    return [str(row[x]) for row in result["rows"]], [[float(row[y]) for row in result["rows"]]]


def drawn(tile):
    series = [[[p[0], float(p[1])] if isinstance(p, list) else float(p) for p in s["data"]] for s in tile["series"]]
    return tile["x"], series


def test_nothing_is_loaded_from_elsewhere_and_no_script_fails(browser_run):
    assert browser_run["external_requests"] == []
    assert browser_run["page_errors"] == []


def test_every_user_sees_the_banking_dashboard(demo, browser_run):
    stored = call(demo, "admin", ADMIN_PASSWORD, "GET", f"/api/v1/dashboards/{DASHBOARD}")
    assert stored["name"] == "Banking overview" and stored["shared"] and len(stored["tiles"]) == 8
    in_grid_order = [t["saved_query_id"] for t in sorted(stored["tiles"], key=lambda t: (t["y"], t["x"]))]
    for user in USERS:
        assert DASHBOARD in browser_run["users"][user]["listed"], user
        assert [t["query_id"] for t in browser_run["users"][user]["tiles"]] == in_grid_order, user


@pytest.mark.parametrize("user", list(USERS))
def test_each_chart_holds_what_its_saved_query_returns_for_the_user(demo, browser_run, saved_queries, user):
    for tile in browser_run["users"][user]["tiles"]:
        query = saved_queries[tile["query_id"]]
        assert tile["state"] == "done", (user, tile)
        assert tile["kind"] == query["chart"]["type"], tile["title"]
        result = run_sql(demo, user, query["sql"])
        assert result["rows"], (user, query["name"])
        assert drawn(tile) == expected_drawing(result, query["chart"]), (user, query["name"])


def test_dave_sees_his_region_and_eve_sees_every_row(demo, browser_run):
    tiles = {user: {t["query_id"]: t for t in browser_run["users"][user]["tiles"]} for user in USERS}
    assert tiles["dave"]["banking-balance-by-region"]["x"] == ["Lake Geneva"]
    assert [name for name, _ in tiles["dave"]["banking-accounts-by-status"]["series"][0]["data"]] == ["active"]
    # Computed as admin from the account dimension, the row policy written out by hand.
    (balance,), = run_sql(demo, "admin", "SELECT sum(current_balance) FROM analytics.dim_account "
                                         "WHERE status = 'active' AND region = 'Lake Geneva'")["rows"]
    assert tiles["dave"]["banking-balance-by-region"]["series"][0]["data"] == [pytest.approx(float(balance))]
    regions = run_sql(demo, "admin", "SELECT DISTINCT region FROM analytics.dim_account ORDER BY 1")["rows"]
    # eve has no row policy: her tiles are alice's, and the PII masks touch none of their columns.
    for user in ("eve", "alice"):
        assert tiles[user]["banking-balance-by-region"]["x"] == [r for r, in regions]
    assert {k: drawn(t) for k, t in tiles["eve"].items()} == {k: drawn(t) for k, t in tiles["alice"].items()}


def test_a_filter_narrows_only_the_tiles_with_its_column(demo, browser_run):
    before = {t["query_id"]: t for t in browser_run["users"]["alice"]["tiles"]}
    after = {t["query_id"]: t for t in browser_run["users"]["alice"]["filtered_tiles"]}
    balance = after["banking-balance-by-region"]
    assert balance["filtered"] == "filtered: Region"
    (total,), = run_sql(demo, "admin", "SELECT sum(current_balance) FROM analytics.dim_account WHERE region = $1",
                        [FILTER["value"]])["rows"]
    assert balance["x"] == [FILTER["value"]] and balance["series"][0]["data"] == [pytest.approx(float(total))]
    for id, tile in after.items():
        if id != "banking-balance-by-region":
            assert tile["filtered"] == "" and drawn(tile) == drawn(before[id]), id


def test_refresh_runs_every_tile_again(browser_run):
    assert browser_run["users"]["alice"]["refresh_requests"] == 8


def test_a_new_dashboard_is_kept_and_shows_after_a_reload(demo, browser_run, saved_queries):
    run = browser_run["users"]["alice"]
    made = call(demo, "alice", USERS["alice"], "GET", f"/api/v1/dashboards/{run['new_dashboard_id']}")
    assert made["name"] == NEW_DASHBOARD["name"] and made["owner"] == "alice" and not made["shared"]
    assert [(t["saved_query_id"], t["x"], t["y"], t["w"], t["h"]) for t in made["tiles"]] == [
        (NEW_DASHBOARD["queries"][0], 0, 0, 6, 4), (NEW_DASHBOARD["queries"][1], 6, 0, 6, 4)]
    assert made["tiles"][1]["chart"] == {"type": "pie"}
    assert run["new_dashboard_title"] == NEW_DASHBOARD["name"]
    tiles = run["new_dashboard_tiles"]
    assert [t["query_id"] for t in tiles] == NEW_DASHBOARD["queries"]
    assert [t["kind"] for t in tiles] == ["bar", "pie"]
    for tile in tiles:
        query = saved_queries[tile["query_id"]]
        chart = {**query["chart"], "type": tile["kind"]}
        assert drawn(tile) == expected_drawing(run_sql(demo, "alice", query["sql"]), chart)
    # eve does not see alice's private dashboard.
    listed = call(demo, "eve", USERS["eve"], "GET", "/api/v1/dashboards")
    assert [d["id"] for d in listed] == [DASHBOARD]


def test_screenshots(browser_run):
    for name in ["dashboards", "dashboard-banking", "dashboard-dave", "dashboard-filtered", "dashboard-edit"]:
        shot = browser_run["screenshots"] / f"{name}.png"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
