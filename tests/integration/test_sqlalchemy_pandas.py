"""SQLAlchemy (postgresql+psycopg2) and pandas against akko, with PostgreSQL 15 as reference."""
import datetime

import pandas as pd
import pandas.testing
import pytest
import sqlalchemy as sa


@pytest.fixture(scope="module")
def engines(akko, postgres):
    engines = {
        "akko": sa.create_engine(akko.url("postgresql+psycopg2") + "?sslmode=disable"),
        "pg": sa.create_engine(f"postgresql+psycopg2://{postgres.user}@{postgres.host}:{postgres.port}/{postgres.database}"),
    }
    for engine in engines.values():
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS sa_items"))
            # text, not varchar(n): DuckDB keeps no length on its one string type (docs/pgwire.md).
            conn.execute(sa.text("CREATE TABLE sa_items (id integer PRIMARY KEY, name text NOT NULL, "
                                 "price numeric(10,2), added timestamp, flag boolean)"))
    yield engines
    for engine in engines.values():
        engine.dispose()


def default_schema(engine):
    return sa.inspect(engine).default_schema_name


def test_inspector_schema_and_table_names(engines):
    for name, engine in engines.items():
        inspector = sa.inspect(engine)
        schema = inspector.default_schema_name
        assert schema in inspector.get_schema_names(), name
        assert "sa_items" in inspector.get_table_names(schema=schema), name
        assert inspector.has_table("sa_items"), name
        assert not inspector.has_table("sa_no_such_table"), name


def test_inspector_columns(engines):
    def columns(engine):
        return [(c["name"], str(c["type"]), c["nullable"]) for c in sa.inspect(engine).get_columns("sa_items")]

    got = {name: columns(engine) for name, engine in engines.items()}
    assert got["akko"] == got["pg"]
    assert [c[0] for c in got["pg"]] == ["id", "name", "price", "added", "flag"]


def test_inspector_primary_key(engines):
    got = {name: sa.inspect(engine).get_pk_constraint("sa_items")["constrained_columns"]
           for name, engine in engines.items()}
    assert got["akko"] == got["pg"] == ["id"]


def test_core_insert_select(engines):
    rows = [{"id": 1, "name": "widget", "price": "9.99", "added": datetime.datetime(2024, 1, 2, 3, 4, 5), "flag": True},
            {"id": 2, "name": "gadget", "price": None, "added": None, "flag": False}]

    def run(engine):
        meta = sa.MetaData()
        table = sa.Table("sa_items", meta, autoload_with=engine)
        with engine.begin() as conn:
            conn.execute(table.delete())
            conn.execute(table.insert(), rows)
        with engine.connect() as conn:
            result = conn.execute(sa.select(table).where(table.c.id >= sa.bindparam("lo")).order_by(table.c.id),
                                  {"lo": 1})
            return [tuple(r) for r in result]

    got = {name: run(engine) for name, engine in engines.items()}
    assert got["akko"] == got["pg"]
    assert [r[1] for r in got["pg"]] == ["widget", "gadget"]


def make_frame():
    return pd.DataFrame({
        "i": pd.Series([1, -2, 3_000_000_000], dtype="int64"),
        "f": [1.5, float("nan"), -0.25],
        "s": ["a", None, "ü tab\tnl\n"],
        "b": [True, False, True],
        "t": pd.to_datetime(["2024-01-01 00:00:00", "2024-06-30 12:34:56.789", "1999-12-31 23:59:59"]),
    })


def test_pandas_to_sql_read_sql_round_trip(engines):
    original = make_frame()
    frames = {}
    for name, engine in engines.items():
        original.to_sql("pd_frame", engine, if_exists="replace", index=False, chunksize=2)
        frames[name] = pd.read_sql("SELECT * FROM pd_frame ORDER BY i", engine)
    expected = original.sort_values("i").reset_index(drop=True)
    # NaN written by to_sql comes back as NULL → NaN on both servers.
    pandas.testing.assert_frame_equal(frames["pg"], expected)
    pandas.testing.assert_frame_equal(frames["akko"], frames["pg"])
    assert dict(frames["akko"].dtypes) == dict(original.dtypes)


def test_pandas_read_sql_with_params(engines):
    got = {}
    for name, engine in engines.items():
        got[name] = pd.read_sql(sa.text("SELECT g AS n, g * 1.5 AS x FROM generate_series(1, :n) AS t(g) ORDER BY g"),
                                engine, params={"n": 4})
    pandas.testing.assert_frame_equal(got["akko"], got["pg"])
    assert got["pg"]["n"].tolist() == [1, 2, 3, 4]
