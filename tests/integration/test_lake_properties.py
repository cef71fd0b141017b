"""PostgreSQL's ALTER TABLE ... SET (key = value) / RESET (key) set and remove an Iceberg table's
properties; the metadata file (read with json, not through akko) is the second source."""
import psycopg2
import pytest

from lake_files import load_metadata


@pytest.fixture
def cur(akko):
    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = True
    cursor = conn.cursor()
    cursor.execute("CREATE SCHEMA IF NOT EXISTS props")
    cursor.execute("DROP TABLE IF EXISTS props.t")
    cursor.execute("CREATE TABLE props.t (a INTEGER)")
    yield cursor
    conn.close()


def test_set_and_reset_properties(akko, cur):
    cur.execute("""ALTER TABLE props.t SET ("write.metadata.previous-versions-max" = 5, owner = 'Ana', 'k' = v)""")
    _, metadata = load_metadata(akko.data_dir, "props", "t")
    assert metadata["properties"]["write.metadata.previous-versions-max"] == "5"
    assert metadata["properties"]["owner"] == "Ana"
    assert metadata["properties"]["k"] == "v"
    cur.execute("SET search_path = props")
    cur.execute("ALTER TABLE t RESET (owner, k)")
    _, metadata = load_metadata(akko.data_dir, "props", "t")
    assert "owner" not in metadata["properties"] and "k" not in metadata["properties"]
    assert metadata["properties"]["write.metadata.previous-versions-max"] == "5"
    cur.execute("""SELECT value FROM props."t$properties" WHERE key = 'write.metadata.previous-versions-max'""")
    assert cur.fetchall() == [("5",)]


def test_format_version_upgrades_the_table(akko, cur):
    cur.execute("""ALTER TABLE props.t SET ("format-version" = 3)""")
    _, metadata = load_metadata(akko.data_dir, "props", "t")
    assert metadata["format-version"] == 3
    assert "format-version" not in metadata["properties"]
    cur.execute("INSERT INTO props.t VALUES (1)")
    cur.execute("SELECT a FROM props.t")
    assert cur.fetchall() == [(1,)]


def test_bad_property_statements_change_nothing(akko, cur):
    location, _ = load_metadata(akko.data_dir, "props", "t")
    with pytest.raises(psycopg2.Error) as error:
        cur.execute("""ALTER TABLE props.missing SET (a = 1)""")
    assert error.value.pgcode == "42P01"
    with pytest.raises(psycopg2.Error) as error:
        cur.execute("""ALTER TABLE props.t SET ("format-version" = 1)""")
    assert error.value.pgcode == "22023", error.value.pgerror
    with pytest.raises(psycopg2.Error) as error:
        cur.execute("""ALTER TABLE props.t SET ("format-version" = 'two')""")
    assert error.value.pgcode == "22023"
    assert load_metadata(akko.data_dir, "props", "t")[0] == location
