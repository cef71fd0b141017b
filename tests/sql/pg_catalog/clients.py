"""Drives one Python PostgreSQL client against a server, printing what it returns.

usage: clients.py psycopg2|sqlalchemy|pandas HOST PORT
Run with SQLAlchemy 1.4 (Debian's python3-sqlalchemy) or 2.0 on PYTHONPATH; PGUSER and
PGPASSWORD override the role (default akko/akko).
"""
import os
import sys

import psycopg2

mode, host, port = sys.argv[1], sys.argv[2], sys.argv[3]
user, password = os.environ.get("PGUSER", "akko"), os.environ.get("PGPASSWORD", "akko")
url = f"postgresql+psycopg2://{user}:{password}@{host}:{port}/akko"

if mode == "psycopg2":
    conn = psycopg2.connect(host=host, port=port, user=user, password=password, dbname="akko",
                            application_name="h_psycopg2")
    cur = conn.cursor()
    cur.execute("SELECT %s AS n, current_database()", (7,))
    print(cur.fetchall())
    conn.commit()
    conn.close()
elif mode == "sqlalchemy":
    import sqlalchemy
    from sqlalchemy import inspect

    engine = sqlalchemy.create_engine(url, connect_args={"application_name": "h_sqlalchemy"})
    insp = inspect(engine)
    print("version", sqlalchemy.__version__, engine.dialect.server_version_info)
    print("schemas", insp.get_schema_names())
    print("default", insp.default_schema_name)
    print("tables", insp.get_table_names())
    print("views", insp.get_view_names())
    for table in ["customers", "orders", "kinds", "big_orders"]:
        print(table, "columns", [(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in insp.get_columns(table)])
        print(table, "pk", insp.get_pk_constraint(table))
        print(table, "fks", insp.get_foreign_keys(table))
        print(table, "indexes", insp.get_indexes(table))
        print(table, "unique", insp.get_unique_constraints(table))
    print("has_table", insp.has_table("customers"), insp.has_table("nope"))
    engine.dispose()
elif mode == "pandas":
    import pandas as pd
    import sqlalchemy

    engine = sqlalchemy.create_engine(url, connect_args={"application_name": "h_pandas"})
    frame = pd.DataFrame({"id": [1, 2], "label": ["a", "b"], "score": [1.5, 2.5], "ok": [True, False],
                          "ts": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    frame.to_sql("pandas_t", engine, index=False, if_exists="replace")
    print(pd.read_sql("SELECT * FROM pandas_t ORDER BY id", engine))
    print(pd.read_sql_table("pandas_t", engine))
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("DROP TABLE pandas_t"))
    engine.dispose()
else:
    raise SystemExit(f"unknown mode {mode}")
