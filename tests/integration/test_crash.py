"""Nothing committed is lost: the server is killed (SIGKILL) while clients commit, and after
a restart on the same data directory every acknowledged commit is there, once."""
import signal
import threading

import psycopg2

from conftest import AkkoServer

WRITERS = 4


def test_sigkill_during_commits_loses_no_acknowledged_row(fresh_akko):
    server = fresh_akko()
    setup = psycopg2.connect(server.dsn())
    setup.autocommit = True
    setup.cursor().execute("CREATE TABLE ledger (writer integer, seq integer, payload text, PRIMARY KEY (writer, seq))")
    setup.close()

    acknowledged = {writer: [] for writer in range(WRITERS)}
    enough = threading.Barrier(WRITERS + 1)

    def write(writer):
        conn = psycopg2.connect(server.dsn())
        seq = 0
        signalled = False
        try:
            while True:
                with conn.cursor() as cur:
                    # One row per autocommit statement, and a two-statement transaction.
                    cur.execute("INSERT INTO ledger VALUES (%s, %s, %s)", (writer, seq, "x" * 200))
                    conn.commit()
                    acknowledged[writer].append(seq)
                    cur.execute("BEGIN")
                    cur.execute("INSERT INTO ledger VALUES (%s, %s, 'a')", (writer, seq + 1))
                    cur.execute("INSERT INTO ledger VALUES (%s, %s, 'b')", (writer, seq + 2))
                    conn.commit()
                    acknowledged[writer].extend([seq + 1, seq + 2])
                seq += 3
                if seq >= 150 and not signalled:
                    signalled = True
                    enough.wait()
        except psycopg2.Error:
            # The server died under this writer: what it had acknowledged is recorded. Dying
            # before the kill is a failure, and must not leave the test waiting.
            if not signalled:
                enough.abort()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    enough.wait(timeout=120)  # every writer has committed at least 150 rows and keeps going
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    server.log.close()

    restarted = AkkoServer(server.data_dir)
    try:
        conn = psycopg2.connect(restarted.dsn())
        cur = conn.cursor()
        cur.execute("SELECT writer, seq FROM ledger")
        present = {}
        for writer, seq in cur.fetchall():
            present.setdefault(writer, []).append(seq)
        for writer in range(WRITERS):
            rows = sorted(present.get(writer, []))
            assert len(rows) == len(set(rows))
            assert set(acknowledged[writer]) <= set(rows), f"writer {writer} lost acknowledged rows"
            # A transaction is all or nothing: its two rows are both there or neither is.
            for seq in rows:
                if seq % 3 == 1:
                    assert seq + 1 in rows
                if seq % 3 == 2:
                    assert seq - 1 in rows
        conn.close()
    finally:
        restarted.stop()
