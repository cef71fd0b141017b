"""node-postgres (`pg`, `pg-cursor`) against akko; the same script against PostgreSQL 15 is the
reference. Needs `npm ci` in tests/integration/node (scripts/setup does it)."""
import json
import os
import subprocess

import pytest

from conftest import ROOT

NODE_DIR = ROOT / "tests" / "integration" / "node"
SECTIONS = ["params", "named", "array_mode", "dml", "cursor", "errors", "multi"]


def run_node(config):
    assert (NODE_DIR / "node_modules" / "pg").is_dir(), "run `npm ci` in tests/integration/node"
    result = subprocess.run(["node", "check.js", json.dumps(config)], cwd=NODE_DIR, capture_output=True, text=True,
                            timeout=120, env={**os.environ, "TZ": "UTC"})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def outputs(akko, postgres):
    akko_out = run_node({"host": akko.host, "port": akko.pg_port, "user": akko.user, "password": akko.password,
                         "database": akko.database})
    pg_out = run_node({"host": postgres.host, "port": postgres.port, "user": postgres.user,
                       "database": postgres.database})
    return akko_out, pg_out


@pytest.mark.parametrize("section", SECTIONS)
def test_node_section_matches_postgres(outputs, section):
    akko_out, pg_out = outputs
    assert akko_out[section] == pg_out[section]


def test_node_reference_values(outputs):
    _, pg_out = outputs
    row = pg_out["params"]["rows"][0]
    assert row["a"] == 42 and row["b"] == "héllo 'q' \"d\"\t" and row["f"] == "hex:0001feff" and row["h"] is None
    assert row["i"] == "-9007199254740993"
    assert pg_out["named"] == [0, 2, 4, 6]
    assert pg_out["cursor"] == {"sizes": [100] * 10 + [5], "sum": sum(range(1, 1006))}
    assert pg_out["errors"] == ["42P01", "42601", "22P02", "22P02", "23505", "25P02", 1]
    assert pg_out["multi"] == [[{"a": 1}], [{"b": 2, "c": 3}]]
