"""The cockpit: the single-page app built into akko, served at "/" on the HTTP port.

Over plain HTTP: every file of the Vite build is served with the bytes Vite wrote (the build
tree's src/cockpit/dist is the second source), its content type, cache headers and a gzip
copy; page paths fall back to index.html while API paths keep their own 404.

In a real browser (Debian's chromium driven by playwright-core, browser/cockpit.mjs): log in
as admin and see the role badge, run SELECT 42 with Ctrl+Enter, cancel a statement that would
run for minutes, open a table in the catalog. What the pages showed is checked against the
server through the HTTP API. Screenshots go to $AKKO_SCREENSHOTS (docs/screenshots to refresh
the documentation's) or the test's temporary directory."""
import base64
import gzip
import json
import mimetypes
import pathlib
import time
import urllib.error
import urllib.request

import pytest

from conftest import ADMIN_PASSWORD, AKKO_BIN
from browser_script import run_browser_script, screenshot_dir

DIST = pathlib.Path(AKKO_BIN).resolve().parent / "src" / "cockpit" / "dist"


def fetch(server, path, method="GET", headers=None, body=None):
    """(status, headers, body bytes); HTTP errors are answers too. urllib does not decode gzip."""
    request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", data=body, method=method,
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def sql(server, text):
    auth = "Basic " + base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()
    status, _, body = fetch(server, "/api/v1/query", "POST", {"Authorization": auth, "Content-Type": "application/json"},
                            json.dumps({"sql": text}).encode())
    result = json.loads(body)
    assert status == 200 and "error" not in result, (text, result)
    return result


def built_files():
    assert (DIST / "index.html").is_file(), f"no Vite build at {DIST}: build the akko target first"
    return {"/" + str(p.relative_to(DIST)): p.read_bytes() for p in DIST.rglob("*") if p.is_file()}


def expected_type(path):
    guessed, _ = mimetypes.guess_type(path)
    return {"application/javascript": "text/javascript"}.get(guessed, guessed)


def test_every_built_file_is_served_as_vite_wrote_it(akko):
    files = built_files()
    assert any(path.startswith("/assets/") and path.endswith(".js") for path in files)
    for path, content in files.items():
        status, headers, body = fetch(akko, path)
        assert status == 200, path
        assert body == content, path
        assert headers["Content-Type"].split(";")[0] == expected_type(path), path
        assert headers["X-Content-Type-Options"] == "nosniff"
        if path.startswith("/assets/"):
            # Vite names these by content hash.
            assert headers["Cache-Control"] == "public, max-age=31536000, immutable", path
        else:
            assert headers["Cache-Control"] == "no-cache", path
        status, headers, packed = fetch(akko, path, headers={"Accept-Encoding": "gzip, deflate, br"})
        if headers.get("Content-Encoding") == "gzip":
            assert gzip.decompress(packed) == content, path
            assert len(packed) < len(content)
        else:
            assert packed == content
    # The big script is the one worth compressing: it must be.
    largest = max((p for p in files if p.endswith(".js")), key=lambda p: len(files[p]))
    assert fetch(akko, largest, headers={"Accept-Encoding": "gzip"})[1]["Content-Encoding"] == "gzip"


def test_page_paths_fall_back_to_index_and_api_paths_do_not(akko):
    index = built_files()["/index.html"]
    for path in ["/", "/workbench", "/catalog/banking/accounts", "/home?x=1"]:
        status, headers, body = fetch(akko, path)
        assert (status, body) == (200, index), path
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    status, headers, body = fetch(akko, "/", "HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) == len(index)
    for path in ["/missing.js", "/assets/nothing-1234.css"]:
        assert fetch(akko, path)[0] == 404, path
    status, headers, body = fetch(akko, "/api/v1/nothing")
    assert status == 404 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "not_found"
    status, headers, _ = fetch(akko, "/workbench", "POST", body=b"{}")
    assert status == 405 and headers["Allow"] == "GET, HEAD"
    # The API routes still answer.
    assert fetch(akko, "/health")[0] == 200
    assert fetch(akko, "/metrics")[0] == 200


def poll(condition, what, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def payments(akko):
    sql(akko, "CREATE SCHEMA IF NOT EXISTS cockpit_ui")
    sql(akko, "CREATE TABLE cockpit_ui.payments (id BIGINT, merchant VARCHAR, category VARCHAR, "
              "amount DECIMAL(10,2), booked DATE)")
    sql(akko, "COMMENT ON COLUMN cockpit_ui.payments.amount IS 'in EUR, VAT included'")
    sql(akko, "INSERT INTO cockpit_ui.payments SELECT i, 'merchant ' || (i % 7), "
              "['groceries', 'travel', 'fuel', 'dining', 'utilities'][1 + i % 5], "
              "round(5 + (i * 37 % 200) + (i % 3) * 0.25, 2), DATE '2024-01-01' + i::INTEGER FROM range(1, 201) t(i)")
    return ("cockpit_ui", "payments")


@pytest.fixture(scope="module")
def browser_run(akko, payments, tmp_path_factory):
    screenshots = screenshot_dir(tmp_path_factory)
    config = {
        "url": f"http://127.0.0.1:{akko.http_port}/",
        "user": "admin",
        "password": ADMIN_PASSWORD,
        "table": list(payments),
        "chart_sql": "SELECT category, sum(amount) AS total, count(*) AS payments\n"
                     "FROM cockpit_ui.payments\nGROUP BY category\nORDER BY total DESC",
        "screenshots": screenshots,
    }
    seen = run_browser_script("cockpit.mjs", config, timeout=300)
    seen["screenshots"] = pathlib.Path(config["screenshots"])
    return seen


def test_nothing_is_loaded_from_elsewhere_and_no_script_fails(browser_run):
    assert browser_run["external_requests"] == []
    assert browser_run["page_errors"] == []


def test_role_badge_names_the_user_and_role(akko, browser_run):
    roles = sql(akko, "SELECT current_user_roles()")["rows"][0][0]
    assert "akko-admin" in roles
    assert browser_run["badge"] == {"user": "admin", "role": "admin"}


def test_home_shows_a_card_per_subsystem(akko, browser_run):
    status, _, body = fetch(akko, "/api/v1/status", headers={
        "Authorization": "Basic " + base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()})
    if status == 200:
        listed = json.loads(body)
        expected = {(s["name"], s["status"]) for s in (listed if isinstance(listed, list) else listed["subsystems"])}
    else:
        checks = json.loads(fetch(akko, "/ready")[2])["checks"]
        expected = {(name, "ok" if check["ok"] else "down") for name, check in checks.items()}
    assert {(card["name"], card["status"]) for card in browser_run["home_cards"]} == expected


def test_ctrl_enter_runs_the_statement(browser_run):
    assert browser_run["answer"] == {"header": ["answer"], "cells": ["42"]}


def test_cancel_stops_the_statement_on_the_server(akko, browser_run):
    assert browser_run["canceled"]["status"].startswith("Canceled")
    statement = browser_run["canceled"]["sql"].replace("'", "''")
    outcomes = poll(lambda: sql(akko, f"SELECT outcome FROM akko_system.audit_log WHERE operation = '{statement}'")["rows"],
                    "the canceled statement's audit record")
    assert outcomes == [["query_canceled"]]


def test_chart_query_grid_has_every_group(akko, browser_run):
    groups = sql(akko, "SELECT count(DISTINCT category) FROM cockpit_ui.payments")["rows"][0][0]
    assert browser_run["chart_rows"] == groups == 5


def test_catalog_shows_the_tables_columns_and_snapshots(akko, browser_run):
    declared = [("id", "BIGINT"), ("merchant", "VARCHAR"), ("category", "VARCHAR"), ("amount", "DECIMAL(10,2)"),
                ("booked", "DATE")]
    listed = sql(akko, "SELECT column_name, data_type, column_comment AS c FROM information_schema.columns "
                       "WHERE table_schema = 'cockpit_ui' AND table_name = 'payments' ORDER BY ordinal_position")["rows"]
    assert [(c["name"], c["type"]) for c in browser_run["columns"]] == declared == [(n, t) for n, t, _ in listed]
    assert [c["description"] for c in browser_run["columns"]] == ["", "", "", "in EUR, VAT included", ""]
    snapshots = sql(akko, 'SELECT snapshot_id FROM cockpit_ui."payments$snapshots" ORDER BY committed_at DESC')["rows"]
    assert browser_run["snapshots"] == [f"snapshot {row[0]}" for row in snapshots]


def test_screenshots_of_each_page(browser_run):
    for name in ["login", "home", "workbench", "workbench-chart", "workbench-canceled", "catalog",
                 "catalog-snapshots", "catalog-access"]:
        shot = browser_run["screenshots"] / f"{name}.png"
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_logout_returns_to_the_login_form(browser_run):
    assert browser_run["logged_out"]
