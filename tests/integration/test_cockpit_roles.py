"""The cockpit respects the user's role (issue 7): on `akko serve --demo`, alice (admin) and eve
(akko-user) run the same query in the workbench in Debian's chromium (browser/roles.mjs). alice's
grid shows the customers as psycopg2 reads them as admin; eve's shows them masked, and each
masked value is recomputed here from alice's with the masking rules docs/access-control.md
states (the first letter and the domain of an email, the last four digits of a phone, '****'
for the national id), not taken from the server."""
import psycopg2
import pytest

from browser_script import run_browser_script, screenshot_dir
from conftest import AkkoServer
from documented_masks import mask_email, mask_phone

SQL = "SELECT customer_id, email, phone, national_id FROM banking.customers ORDER BY customer_id LIMIT 8"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    server = AkkoServer(tmp_path_factory.mktemp("roles") / "data", extra_args=["--demo", "--demo-scale", "0.01"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def seen(demo, tmp_path_factory):
    config = {"url": f"http://127.0.0.1:{demo.http_port}/", "users": [["alice", "alice123"], ["eve", "eve123"]],
              "sql": SQL, "screenshots": screenshot_dir(tmp_path_factory)}
    return run_browser_script("roles.mjs", config, timeout=300)


def test_alice_sees_the_customers_as_they_are(demo, seen):
    conn = psycopg2.connect(demo.dsn())
    with conn.cursor() as cur:
        cur.execute(SQL)
        truth = [[str(v) for v in row] for row in cur.fetchall()]
    conn.close()
    alice = seen["users"]["alice"]
    assert alice["role"] == "admin"
    assert alice["header"] == ["customer_id", "email", "phone", "national_id"]
    assert alice["rows"] == truth
    assert not seen["page_errors"] and not seen["external_requests"]


def test_eve_sees_them_masked(seen):
    eve, alice = seen["users"]["eve"], seen["users"]["alice"]
    assert eve["role"] == "user"
    assert len(eve["rows"]) == len(alice["rows"]) == 8
    for (cid, email, phone, _), masked in zip(alice["rows"], eve["rows"]):
        assert masked == [cid, mask_email(email), mask_phone(phone), "****"]
