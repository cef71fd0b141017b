"""The principals both access-control test files start from: one user per built-in role, the viewer
granted the banking schema, and an etl role owning staging (held by the engineer)."""

USERS = {"admin": "adm", "engineer": "eng", "analyst": "ana", "user": "usr", "viewer": "vie"}


def create_role_users(cur, password):
    for sql in [
        'GRANT SELECT ON SCHEMA banking TO "akko-viewer"',
        "CREATE ROLE etl",
        "GRANT ALL ON SCHEMA staging TO etl",
        f"CREATE USER adm PASSWORD '{password}' IN ROLE \"akko-admin\"",
        f"CREATE USER eng PASSWORD '{password}' IN ROLE \"akko-engineer\", etl",
        f"CREATE USER ana PASSWORD '{password}' IN ROLE \"akko-analyst\"",
        f"CREATE USER usr PASSWORD '{password}' IN ROLE \"akko-user\"",
        f"CREATE USER vie PASSWORD '{password}' IN ROLE \"akko-viewer\"",
    ]:
        cur.execute(sql)
