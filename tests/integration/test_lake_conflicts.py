"""Transactions that mix DDL with writes, against other sessions: a lost update is refused even
after the transaction's own ALTER, a rename never leaves the transaction's rows behind, and
rolling back a CREATE TABLE AS keeps what other sessions committed into the new table."""
import psycopg2
import pytest


def connect(akko, autocommit):
    conn = psycopg2.connect(akko.dsn())
    conn.autocommit = autocommit
    return conn


def test_alter_does_not_hide_a_concurrent_update(akko):
    setup = connect(akko, True)
    setup.cursor().execute("DROP TABLE IF EXISTS lost_update")
    setup.cursor().execute("CREATE TABLE lost_update (id INTEGER, v INTEGER)")
    setup.cursor().execute("INSERT INTO lost_update VALUES (1, 0)")
    mine = connect(akko, False)
    cur = mine.cursor()
    cur.execute("UPDATE lost_update SET v = v + 1 WHERE id = 1")
    setup.cursor().execute("UPDATE lost_update SET v = v + 100 WHERE id = 1")
    cur.execute("ALTER TABLE lost_update ADD COLUMN note VARCHAR")
    with pytest.raises(psycopg2.Error) as error:
        mine.commit()
    assert error.value.pgcode == "40001"
    check = setup.cursor()
    check.execute("SELECT id, v FROM lost_update")
    assert check.fetchall() == [(1, 100)]
    mine.close()
    setup.close()


def test_rename_after_writing_in_the_same_transaction_is_refused(akko):
    setup = connect(akko, True)
    setup.cursor().execute("DROP TABLE IF EXISTS renamed_rows")
    setup.cursor().execute("CREATE TABLE renamed_rows (id INTEGER)")
    mine = connect(akko, False)
    cur = mine.cursor()
    cur.execute("INSERT INTO renamed_rows VALUES (1), (2)")
    with pytest.raises(psycopg2.Error) as error:
        cur.execute("ALTER TABLE renamed_rows RENAME TO renamed_rows_2")
    assert error.value.pgcode == "0A000"
    mine.rollback()
    check = setup.cursor()
    check.execute("SELECT count(*) FROM renamed_rows")
    assert check.fetchone() == (0,)
    mine.close()
    setup.close()


def test_rolled_back_ctas_keeps_rows_other_sessions_committed(akko):
    setup = connect(akko, True)
    setup.cursor().execute("DROP TABLE IF EXISTS shared_ctas")
    mine = connect(akko, False)
    mine.cursor().execute("CREATE TABLE shared_ctas AS SELECT 1 AS x")
    setup.cursor().execute("INSERT INTO shared_ctas VALUES (42)")
    mine.rollback()
    check = setup.cursor()
    check.execute("SELECT x FROM shared_ctas")
    assert check.fetchall() == [(42,)]
    mine.close()
    setup.close()
