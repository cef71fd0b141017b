"""Integration-test harness: a real akko server and, where a test compares, a real PostgreSQL 15.

Both start on free loopback ports. Readiness is read from the processes themselves (akko's
"ready" line, pg_ctl -w), never guessed with sleeps.
"""
import json
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
AKKO_BIN = pathlib.Path(os.environ.get("AKKO_BIN", ROOT / "build" / "akko"))
ADMIN_PASSWORD = "test-admin-pw"
PG_BIN = pathlib.Path("/usr/lib/postgresql/15/bin")


class AkkoServer:
    def __init__(self, data_dir, extra_args=(), env=None):
        self.data_dir = pathlib.Path(data_dir)
        self.log_path = self.data_dir.parent / (self.data_dir.name + ".log")
        self.log = open(self.log_path, "w")
        args = [str(AKKO_BIN), "serve", "--data-dir", str(self.data_dir), "--http-port", "0", "--pg-port", "0",
                "--s3-port", "0", "--admin-password", ADMIN_PASSWORD, *extra_args]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                        env={**os.environ, **(env or {})})
        self.banner = []
        for line in self.process.stdout:
            self.banner.append(line)
            if line.startswith("akko is ready"):
                break
        else:
            raise RuntimeError("akko exited before it was ready:\n" + "".join(self.banner) + self.log_path.read_text())
        ports = json.loads((self.data_dir / "ports.json").read_text())
        self.pg_port = ports["pg"]
        self.http_port = ports["http"]
        self.s3_port = ports.get("s3")  # absent when the warehouse is an external S3 service
        self.host = "127.0.0.1"
        self.user = "admin"
        self.password = ADMIN_PASSWORD
        self.database = "akko"

    def dsn(self, **overrides):
        params = {"host": self.host, "port": self.pg_port, "user": self.user, "password": self.password,
                  "dbname": self.database, "sslmode": "disable"}
        params.update(overrides)
        return " ".join(f"{k}={v}" for k, v in params.items())

    def url(self, driver="postgresql"):
        return f"{driver}://{self.user}:{self.password}@{self.host}:{self.pg_port}/{self.database}"

    @property
    def s3_endpoint(self):
        return f"http://{self.host}:{self.s3_port}"

    def s3_env(self):
        """Environment for awscli, boto3 and friends: the admin's access key, no stray AWS settings."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ACCESS_KEY_ID": self.user, "AWS_SECRET_ACCESS_KEY": self.password,
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                    "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
        return env

    def psql_env(self):
        return {**os.environ, "PGHOST": self.host, "PGPORT": str(self.pg_port), "PGUSER": self.user,
                "PGPASSWORD": self.password, "PGDATABASE": self.database, "PGSSLMODE": "disable"}

    def stop(self, sig=None):
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            self.process.wait(timeout=60)
        self.log.close()
        return self.process.returncode

    def log_text(self):
        self.log.flush()
        return self.log_path.read_text()


class RealPostgres:
    """A throwaway PostgreSQL 15 cluster owned by the `postgres` OS user when run as root."""

    def __init__(self, base_dir):
        self.dir = pathlib.Path(base_dir) / "pg"
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(base_dir, 0o755)
        self._run([PG_BIN / "initdb", "-D", self.dir / "data", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                   "--locale=C"])
        self._run([PG_BIN / "pg_ctl", "-D", self.dir / "data", "-w", "-l", self.dir / "log",
                   "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
                         f" -c TimeZone=UTC", "start"])
        self.host = "127.0.0.1"
        self.user = "postgres"
        self.database = "postgres"

    def _run(self, args):
        args = [str(a) for a in args]
        if self.as_root:
            args = ["runuser", "-u", "postgres", "--", *args]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def dsn(self):
        return f"host={self.host} port={self.port} user={self.user} dbname={self.database}"

    def stop(self):
        self._run([PG_BIN / "pg_ctl", "-D", self.dir / "data", "-m", "immediate", "-w", "stop"])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def akko(tmp_path_factory):
    server = AkkoServer(tmp_path_factory.mktemp("akko") / "data")
    yield server
    server.stop()


@pytest.fixture
def fresh_akko(tmp_path):
    """A server of the test's own, for tests that stop, kill or overload it."""
    servers = []

    def start(**kwargs):
        server = AkkoServer(tmp_path / f"data{len(servers)}", **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    base = tempfile.mkdtemp(prefix="akko-pg-")
    server = RealPostgres(base)
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)
