"""pgjdbc (PostgreSQL's JDBC driver) against akko; the same Java program against PostgreSQL 15
gives the reference output, section by section."""
import subprocess

import pytest

from conftest import ROOT, AkkoServer

JAR = "/usr/share/java/postgresql.jar"
SOURCE = ROOT / "tests" / "integration" / "java" / "JdbcCheck.java"
SECTIONS = ["setup", "insert", "select", "types", "batch", "transactions", "fetchsize", "tables", "columns",
            "primarykeys", "schemas", "catalogs", "typeinfo"]
# socketTimeout: a statement that hangs fails its section instead of the whole run.
URL_OPTIONS = {"default": "socketTimeout=20", "binary": "socketTimeout=20&prepareThreshold=1&binaryTransfer=true"}


@pytest.fixture(scope="module")
def classes(tmp_path_factory):
    out = tmp_path_factory.mktemp("jdbc")
    subprocess.run(["javac", "-d", str(out), "-cp", JAR, str(SOURCE)], check=True, capture_output=True, timeout=120)
    return out


def run_java(classes, url, user, password=None):
    args = ["java", "-Duser.timezone=UTC", "-cp", f"{classes}:{JAR}", "JdbcCheck", url, user]
    if password:
        args.append(password)
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    sections = {}
    for line in result.stdout.splitlines():
        name, _, rest = line.partition("|")
        sections.setdefault(name, []).append(rest)
    return sections


@pytest.fixture(scope="module", params=sorted(URL_OPTIONS))
def outputs(request, classes, tmp_path_factory, postgres):
    # A server per run: a catalog query that wedges the engine must not stall other tests.
    akko = AkkoServer(tmp_path_factory.mktemp("jdbc-akko") / "data")
    request.addfinalizer(akko.stop)
    options = URL_OPTIONS[request.param]
    akko_url = f"jdbc:postgresql://{akko.host}:{akko.pg_port}/{akko.database}?sslmode=disable&{options}"
    pg_url = f"jdbc:postgresql://{postgres.host}:{postgres.port}/{postgres.database}?sslmode=disable&{options}"
    return run_java(classes, akko_url, akko.user, akko.password), run_java(classes, pg_url, postgres.user)


@pytest.mark.parametrize("section", SECTIONS)
def test_jdbc_section_matches_postgres(outputs, section):
    akko_out, pg_out = outputs
    assert section in pg_out and not pg_out[section][0].startswith("ERROR"), pg_out.get(section)
    assert akko_out.get(section) == pg_out[section]


def test_jdbc_reference_values(outputs):
    """The reference run itself, checked against values computed here."""
    _, pg_out = outputs
    assert pg_out["insert"] == [f"{i}|1" for i in range(1, 10)]
    assert len(pg_out["select"]) == 18 and pg_out["select"][:9] == pg_out["select"][9:]
    assert pg_out["batch"] == ["50|50", f"50|{sum(range(50))}|v0|v9"]
    assert pg_out["transactions"] == ["error|22P02", "after error|25P02", "1001"]
    assert pg_out["fetchsize"] == [f"1005|{sum(range(1, 1006))}|x1005"] * 3
    assert pg_out["primarykeys"] == ["id|1"]
