"""Floating point text output, value by value against PostgreSQL 15: the shortest digits that
round-trip, switched to exponent form where PostgreSQL switches."""
import random
import subprocess


def values():
    rng = random.Random(20261124)
    out = [0.0, -0.0, 1.0, 0.1, 1 / 3, 2 ** 53, 2 ** 53 + 2, 1e15, 1e16, 1e-4, 1e-5, 123456.0, 5e-324, 1.7976931348623157e308]
    for _ in range(400):
        out.append(rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30))
        out.append(float(rng.randint(-10 ** 9, 10 ** 9)))
    return out


def psql_lines(env, sql):
    result = subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def pg_env(postgres):
    import os
    return {**os.environ, "PGHOST": postgres.host, "PGPORT": str(postgres.port), "PGUSER": postgres.user,
            "PGDATABASE": postgres.database}


def compare(akko, postgres, sql, count):
    want = psql_lines(pg_env(postgres), sql)
    assert len(want) == count
    assert psql_lines(akko.psql_env(), sql) == want


def test_float8_text_matches_postgres(akko, postgres):
    rows = ", ".join(f"({i}, '{v!r}')" for i, v in enumerate(values()))
    compare(akko, postgres, f"SELECT v::float8 FROM (VALUES {rows}) AS t(i, v) ORDER BY i", len(values()))


def test_float4_text_matches_postgres(akko, postgres):
    # float4 holds magnitudes from about 1e-38 to 3e38.
    kept = [v for v in values() if v == 0 or 1e-37 < abs(v) < 1e37]
    rows = ", ".join(f"({i}, '{v!r}')" for i, v in enumerate(kept))
    compare(akko, postgres, f"SELECT v::float4 FROM (VALUES {rows}) AS t(i, v) ORDER BY i", len(kept))
