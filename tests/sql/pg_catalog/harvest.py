#!/usr/bin/python3
"""Harvests the catalog queries real PostgreSQL clients send, into the fixtures beside it.

Needs a PostgreSQL 15 server started with log_statement=all and
log_line_prefix='%m [%p] %a: ', on which role akko (superuser, password akko) exists:

  runuser -u postgres -- initdb -D DIR -U postgres --auth=trust -E UTF8 --locale=C.UTF-8
  runuser -u postgres -- pg_ctl -D DIR -l DIR/server.log -o "-p 55432 -k DIR \
      -c listen_addresses=127.0.0.1 -c log_statement=all -c log_line_prefix='%m [%p] %a: '" start
  psql -h 127.0.0.1 -p 55432 -U postgres -c "CREATE ROLE akko SUPERUSER LOGIN PASSWORD 'akko'"

usage: harvest.py SERVER_LOG [PORT] [SQLALCHEMY_2_LIB]
(node pg must be reachable: NODE_PATH=.../node_modules; client output goes to a temp dir)

It recreates database akko from schema.sql, runs each client (psql -E, psycopg2,
SQLAlchemy 1.4 and 2.0 Inspector, pandas, pgjdbc DatabaseMetaData, node pg), takes the
statements each sent from the server log, and writes <client>.test: every statement,
with PostgreSQL's own result for the ones listed in EXPECT below. Object OIDs in the
statements become ${oid:NAME}; the runner resolves them on the server under test.
"""
import os
import re
import subprocess
import sys
import tempfile

import psycopg2

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = tempfile.mkdtemp(prefix="pg_catalog_harvest")
LOG = sys.argv[1]
PORT = sys.argv[2] if len(sys.argv) > 2 else "55432"
SA20 = sys.argv[3] if len(sys.argv) > 3 else None
DSN = f"host=127.0.0.1 port={PORT} user=akko password=akko"

PSQL_COMMANDS = r"""\conninfo
\l
\dn
\dt
\d
\d customers
\d orders
\d kinds
\d big_orders
\dv
\di
\df
\du
\x
SELECT 1 AS one;
\x
\dt+
\d+ customers
"""

CLIENTS = {
    "psql": (["psql", "-X", "-E", f"host=127.0.0.1 port={PORT} user=akko dbname=akko application_name=h_psql"],
             PSQL_COMMANDS, None),
    "psycopg2": (["/usr/bin/python3", "clients.py", "psycopg2", "127.0.0.1", PORT], None, None),
    "sqlalchemy14": (["/usr/bin/python3", "clients.py", "sqlalchemy", "127.0.0.1", PORT], None, None),
    "sqlalchemy20": (["/usr/bin/python3", "clients.py", "sqlalchemy", "127.0.0.1", PORT], None, SA20),
    "pandas": (["/usr/bin/python3", "clients.py", "pandas", "127.0.0.1", PORT], None, None),
    "jdbc": (["java", "-cp", f"{WORK}:/usr/share/java/postgresql.jar", "Harvest",
              f"jdbc:postgresql://127.0.0.1:{PORT}/akko"], None, None),
    "node_pg": (["node", "harvest.js", PORT], None, None),
}
APP = {"psql": "h_psql", "psycopg2": "h_psycopg2", "sqlalchemy14": "h_sqlalchemy",
       "sqlalchemy20": "h_sqlalchemy", "pandas": "h_pandas", "jdbc": "h_jdbc", "node_pg": "h_node"}

# Statements whose PostgreSQL result the runner compares: (client, regex on the
# statement, 1-based result columns to compare or "*", whether to sort the rows first
# because the statement leaves the order open). Columns holding OIDs, sizes or role names
# that differ by design between the two servers are left out.
EXPECT = [
    ("psql", r"WHERE c\.relkind IN \('r','p',''\)", "1,2,3,4", False),                # \dt, \dt+
    ("psql", r"WHERE c\.relkind IN \('r','p','v','m','S','f',''\)", "1,2,3,4", False),  # \d
    ("psql", r"WHERE c\.relkind IN \('v',''\)", "1,2,3,4", False),                     # \dv
    ("psql", r"WHERE c\.relkind IN \('i','I',''\)", "1,2,3,4,5", False),               # \di
    ("psql", r"FROM pg_catalog\.pg_namespace n\nWHERE n\.nspname !~ '\^pg_'", "1", False),  # \dn
    ("psql", r"pg_catalog\.pg_get_function_result", "*", False),                       # \df
    ("psql", r"^SELECT c\.oid,\n  n\.nspname,\n  c\.relname", "2,3", False),          # \d NAME lookup
    ("psql", r"^SELECT c\.relchecks, c\.relkind, c\.relhasindex", "1,2,3,4,5,6,7,8,9,10,12,13,14,15", False),
    ("psql", r"^SELECT a\.attname,\n  pg_catalog\.format_type", "1,2,3,4,5,6,7", False),  # \d columns
    ("psql", r"^SELECT c2\.relname, i\.indisprimary", "1,2,3,4,5,6,7,8,9,10,11", False),  # \d indexes
    ("psql", r"^SELECT true as sametable, conname", "1,2,3,4", False),                   # \d foreign keys
    ("psql", r"^SELECT conname, conrelid::pg_catalog\.regclass AS ontable", "*", False),  # \d referenced by
    ("psql", r"FROM pg_catalog\.pg_policy pol", "*", False),
    ("psql", r"FROM pg_catalog\.pg_trigger t", "*", False),
    ("psql", r"FROM pg_catalog\.pg_inherits i", "*", False),
    ("psql", r"FROM pg_catalog\.pg_statistic_ext", "*", False),
    ("psql", r"FROM pg_catalog\.pg_publication p", "*", False),
    ("sqlalchemy14", r"^select current_schema\(\)", "*", False),
    ("sqlalchemy14", r"^show standard_conforming_strings", "*", False),
    ("sqlalchemy14", r"NOT LIKE 'pg_%'", "*", False),                                 # get_schema_names
    ("sqlalchemy14", r"^SELECT c\.relname FROM pg_class c", "*", True),                # get_table/view_names
    ("sqlalchemy14", r"^\s*SELECT a\.attname,\s+pg_catalog\.format_type", "1,2,3,4,6,7", False),  # get_columns
    ("sqlalchemy14", r"ix\.indisprimary\s+\) k ON", "*", False),                      # get_pk_constraint
    ("sqlalchemy14", r"r\.contype = 'p'", "*", False),
    ("sqlalchemy14", r"r\.contype = 'f' AND", "*", False),                             # get_foreign_keys
    ("sqlalchemy14", r"ix\.indisprimary = 'f'", "1,2,3,4,5,7,8,9,10,11,12", False),    # get_indexes
    ("sqlalchemy14", r"cons\.contype = 'u'", "*", True),                               # get_unique_constraints
    ("sqlalchemy14", r"^select relname from pg_class", "*", False),                     # has_table
    ("sqlalchemy20", r"NOT LIKE 'pg_%'", "*", False),
    ("sqlalchemy20", r"relkind = ANY \(ARRAY\['r', 'p'\]\)", "*", True),
    ("sqlalchemy20", r"relkind = ANY \(ARRAY\['v'\]\)", "*", True),
    ("sqlalchemy20", r"attname AS name, pg_catalog\.format_type", "1,2,3,4,5,6,7,8", False),    # get_columns
    ("sqlalchemy20", r"pg_catalog\.pg_constraint\.contype = 'p'", "2,3,4,5", False),   # get_pk_constraint
    ("sqlalchemy20", r"pg_catalog\.pg_constraint\.contype = 'u'", "2,3,4,5", False),   # get_unique_constraints
    ("sqlalchemy20", r"pg_catalog\.pg_constraint\.contype = 'f' LEFT OUTER JOIN", "1,2,3,4", False),  # get_foreign_keys
    ("sqlalchemy20", r"relname = 'customers' AND", "*", False),                         # has_table
    ("pandas", r"relname='pandas_t'", "*", False),
    ("pandas", r"^SELECT \* FROM pandas_t ORDER BY id", "*", False),
    ("jdbc", r"^select current_schema\(\)", "*", False),
    ("jdbc", r"^SELECT nspname AS TABLE_SCHEM", "*", True),                             # getSchemas (public sorts apart from main)
    ("jdbc", r"^SELECT NULL AS TABLE_CAT, n\.nspname AS TABLE_SCHEM", "2,3,4,5", False),  # getTables
    ("jdbc", r"^SELECT \* FROM \(SELECT n\.nspname,c\.relname,a\.attname", "1,2,3,4,5,6,7,9,10,11,12,13,15", False),  # getColumns
    ("jdbc", r"WHERE pg_type\.oid = \$1", "*", False),                                # type lookups
    ("jdbc", r"^SELECT n\.nspname = ANY\(current_schemas\(true\)\)", "2,3", False),
    ("jdbc", r"AS KEY_SEQ, ci\.relname AS PK_NAME", "2,3,4,5,6", False),                 # getPrimaryKeys
    ("jdbc", r"name='max_index_keys'", "*", False),
    ("jdbc", r"AS PKTABLE_SCHEM", "2,3,4,6,7,8,9,10,11,12,13,14", False),                # getImportedKeys
    ("jdbc", r"tmp\.INDEX_QUALIFIER", "2,3,4,6,7,8,9,10", False),                      # getIndexInfo
    ("jdbc", r"^SELECT \$1::int\[\] AS a", "*", False),
    ("node_pg", r".", "*", False),
    ("psycopg2", r"^SELECT 7 AS n", "*", False),
]

# Statements the engine does not see: the session layer answers them.
SESSION_LAYER = re.compile(r"^\s*(SHOW\s+TRANSACTION\s+ISOLATION\s+LEVEL|SET\s+SESSION\s+CHARACTERISTICS)", re.I)

ENTRY = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \w+ \[\d+\] (\S*): (\w+):  (.*)$")
STATEMENT = re.compile(r"^(?:statement|execute [^:]*): (.*)$", re.S)
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def parse_log(text, app):
    """(sql, params) sent by application `app`, in order."""
    entries = []
    for line in text.split("\n"):
        m = ENTRY.match(line)
        if m:
            entries.append([m.group(1), m.group(2), m.group(3)])
        elif entries:
            entries[-1][2] += "\n" + line
    out = []
    for name, level, body in entries:
        if name != app:
            continue
        if level == "LOG":
            m = STATEMENT.match(body)
            if m:
                out.append([m.group(1).rstrip(), []])
        elif level == "DETAIL" and body.startswith("parameters:") and out:
            params = {}
            for m in PARAM.finditer(body):
                value = m.group(2)
                params[int(m.group(1))] = None if value == "NULL" else value[1:-1].replace("''", "'")
            out[-1][1] = [params[i] for i in sorted(params)]
    return out


def object_oids(conn):
    cur = conn.cursor()
    cur.execute("SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' UNION ALL SELECT oid, conname FROM pg_constraint "
                "WHERE connamespace = 'public'::regnamespace UNION ALL SELECT 'public'::regnamespace::oid, 'main'")
    return {str(oid): name for oid, name in cur.fetchall()}


def substitute_oids(sql, oids):
    def repl(m):
        return "${oid:" + oids[m.group(0)] + "}" if m.group(0) in oids else m.group(0)
    return re.sub(r"\b\d{4,}\b", repl, sql)


def resolve(text, by_name):
    if text is None:
        return None
    text = re.sub(r"\$\{oid:([^}]*)\}", lambda m: by_name[m.group(1)], text)
    return text.replace("${schema}", "public")


def canonical(value):
    if value is None:
        return "NULL"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def pg_result(conn, sql, params, columns):
    """PostgreSQL's rows for `sql`, the listed columns only, as text."""
    cur = conn.cursor()
    # psycopg2 interpolates %s; turn $n into it (catalog SQL has no literal % outside strings
    # that matter here, so escape every % first).
    query = sql.replace("%", "%%")
    order = []

    def repl(m):
        order.append(int(m.group(1)))
        return "%s"
    query = re.sub(r"\$(\d+)", repl, query)
    cur.execute(query, [params[i - 1] for i in order])
    if columns is None or cur.description is None:
        return None, None
    names = [d[0] for d in cur.description]
    picked = list(range(len(names))) if columns == "*" else [int(c) - 1 for c in columns.split(",")]
    if any(i >= len(names) for i in picked):
        sys.exit(f"columns {columns} out of range for {names} in {sql[:200]}")
    header = ",".join(names[i] for i in picked)
    rows = ["\t".join(canonical(row[i]) for i in picked) for row in cur.fetchall()]
    return header, rows


def raw_text(value, cursor):
    return value


# Results keep PostgreSQL's own text for every value, as the wire carries it.
psycopg2.extensions.register_type(psycopg2.extensions.new_type(tuple(range(1, 20000)), "RAW", raw_text))


def reset_database():
    admin = psycopg2.connect(DSN + " dbname=postgres")
    admin.autocommit = True
    admin.cursor().execute("DROP DATABASE IF EXISTS akko")
    admin.cursor().execute("CREATE DATABASE akko OWNER akko")
    admin.close()
    conn = psycopg2.connect(DSN + " dbname=akko")
    conn.cursor().execute(open(os.path.join(HERE, "schema.sql")).read())
    conn.commit()
    conn.autocommit = True
    return conn


def main():
    conn = reset_database()
    oids = object_oids(conn)
    conn.close()
    subprocess.run(["javac", "-d", WORK, os.path.join(HERE, "Harvest.java")], check=True)
    version = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    harvested = {}
    for client, (argv, stdin, pythonpath) in CLIENTS.items():
        if client == "sqlalchemy20" and not pythonpath:
            print("skipping sqlalchemy20: no SQLAlchemy 2.0 lib given")
            continue
        start = os.path.getsize(LOG)
        env = dict(os.environ, PGPASSWORD="akko")
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        run = subprocess.run(argv, input=stdin, capture_output=True, text=True, cwd=HERE, env=env)
        if run.returncode != 0:
            sys.exit(f"{client} failed: {run.stderr}")
        with open(os.path.join(WORK, client + ".out"), "w") as out:
            out.write(run.stdout)
        with open(LOG) as log:
            log.seek(start)
            harvested[client] = parse_log(log.read(), APP[client])
    # Expected results come from replaying each fixture, in order, on a fresh database:
    # what the C++ runner does on AKKO.
    for client, statements in harvested.items():
        write_fixture(client, statements, oids, version)


def write_fixture(client, statements, oids, version):
    conn = reset_database()
    fresh = object_oids(conn)
    by_name = {name: oid for oid, name in fresh.items()}
    lines = [f"# Statements {client} sent to PostgreSQL 15 ({version}) against schema.sql,",
             "# harvested by harvest.py from the server log. 'query' records carry PostgreSQL's",
             "# own result (listed columns; the schema public reads as main on AKKO).",
             "# Format: a record is 'statement ok' or 'statement skip REASON' or 'query COLUMNS',",
             "# then 'param VALUE' lines ($1, $2, ...; \\N is NULL), the SQL, and for a query",
             "# '----' and the expected rows (tab-separated); a blank line ends a record.", ""]
    count = 0
    for sql, params in statements:
        sql = "\n".join(line for line in sql.split("\n") if line.strip())
        sql = substitute_oids(sql, oids).replace("'public'", "'${schema}'")
        params = [None if p is None else substitute_oids(p, oids) for p in params]
        count += 1
        expect = next(((cols, rowsort) for c, pattern, cols, rowsort in EXPECT if c == client and re.search(pattern, sql)),
                      None)
        if SESSION_LAYER.match(sql):
            lines.append("statement skip session layer")
        elif expect:
            header, rows = pg_result(conn, resolve(sql, by_name), [resolve(p, by_name) for p in params], expect[0])
            if expect[1]:
                rows.sort()
            lines.append("# columns: " + header)
            lines.append("query " + expect[0] + (" rowsort" if expect[1] else ""))
        else:
            pg_result(conn, resolve(sql, by_name), [resolve(p, by_name) for p in params], None)
            lines.append("statement ok")
        lines += ["param " + ("\\N" if p is None else p) for p in params]
        lines.append(sql)
        if expect and not SESSION_LAYER.match(sql):
            lines.append("----")
            lines += rows
        lines.append("")
    conn.close()
    with open(os.path.join(HERE, client + ".test"), "w") as out:
        out.write("\n".join(lines))
    print(f"{client}: {count} statements")


if __name__ == "__main__":
    main()
