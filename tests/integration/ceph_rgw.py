"""A throwaway Ceph RGW on loopback: one monitor, one memstore OSD, one radosgw (beast).

Debian 12 ships Ceph 16 (Pacific), whose radosgw has no standalone (dbstore) backend, so the
gateway needs a RADOS cluster beneath it. Everything lives in one temporary directory, runs as
the current user with cephx off, and is gone after stop(). Readiness is read from the daemons
themselves: `ceph osd stat` for the OSD, an S3 request answering for the gateway.

Usable from pytest (the `rgw` fixture in conftest.py) and from benchmarks:
    python3 tests/integration/ceph_rgw.py   # prints the endpoint and keys, runs until Ctrl-C
"""
import json
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid

ACCESS_KEY = "AKKOTESTACCESSKEY000"
SECRET_KEY = "akko-test-secret-key-0000000000000000000"
STARTUP_TIMEOUT_SECONDS = 120


def _die_with_parent():
    # The daemons must not outlive a test run that crashed before stop().
    import ctypes
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CephRgw:
    def __init__(self, base_dir=None, memstore_bytes=4 << 30):
        if base_dir:
            pathlib.Path(base_dir).mkdir(parents=True, exist_ok=True)
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="akko-ceph-", dir=base_dir))
        self.processes = []
        self.last_refusal = ""
        self.access_key = ACCESS_KEY
        self.secret_key = SECRET_KEY
        self.region = "us-east-1"
        started = time.monotonic()
        try:
            self._start(memstore_bytes)
        except BaseException:
            self.stop(keep_logs=True)
            raise
        self.startup_seconds = time.monotonic() - started

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def _start(self, memstore_bytes):
        d = self.dir
        for sub in ("mon", "osd", "run", "log"):
            (d / sub).mkdir(exist_ok=True)
        mon_port = _free_port()
        self.port = _free_port()
        fsid = str(uuid.uuid4())
        self.conf = d / "ceph.conf"
        self.conf.write_text(f"""[global]
fsid = {fsid}
mon host = v1:127.0.0.1:{mon_port}
ms bind msgr2 = false
ms bind ipv6 = false
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
run dir = {d}/run
admin socket = {d}/run/$name.asok
log file = {d}/log/$name.log
pid file = {d}/run/$name.pid
keyring = {d}/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
mon max pg per osd = 1000
# A one-node cluster has nothing to batch: commit monitor changes at once (default 1 s each),
# which is most of the start-up time while the gateway creates its pools.
paxos propose interval = 0.01
paxos min wait = 0.001
osd pool default pg autoscale mode = off
[mon]
mon data = {d}/mon
# A throwaway monitor: starting on a host with under 5% free disk (its default refusal) is fine.
mon data avail crit = 0
mon cluster log file = {d}/log/cluster.log
[osd]
osd data = {d}/osd
osd objectstore = memstore
memstore device bytes = {memstore_bytes}
osd max object name len = 460
osd max object namespace len = 64
# The OSD's own crush updates at boot race its first monitor map ("wrong fsid", the OSD exits
# at random): it is placed in the crush map before it starts instead.
osd crush update on start = false
osd class update on start = false
[client.rgw.akko]
rgw frontends = beast endpoint=127.0.0.1:{self.port}
rgw data = {d}/rgw
rgw dns name = localhost
rgw enable usage log = false
rgw thread pool size = 64
""")
        (d / "keyring").write_text("")
        conf = ["-c", str(self.conf)]
        self._run(["monmaptool", "--create", "--clobber", "--fsid", fsid, "--addv", "a",
                   f"[v1:127.0.0.1:{mon_port}]", str(d / "monmap")])
        self._run(["ceph-mon", *conf, "--mkfs", "-i", "a", "--monmap", str(d / "monmap")])
        self._spawn(["ceph-mon", *conf, "-f", "-i", "a"], "mon")
        osd_uuid = str(uuid.uuid4())
        osd_id = self._run(["ceph", *conf, "--connect-timeout", "60", "osd", "new", osd_uuid]).strip()
        self._run(["ceph", *conf, "osd", "crush", "add", f"osd.{osd_id}", "1.0", "root=default"])
        self._run(["ceph-osd", *conf, "-i", osd_id, "--mkfs", "--osd-uuid", osd_uuid])
        self._spawn(["ceph-osd", *conf, "-f", "-i", osd_id], "osd")
        self._wait_osd_up()
        self._spawn(["radosgw", *conf, "-f", "-n", "client.rgw.akko"], "rgw")
        self._wait_s3()
        self._run(["radosgw-admin", *conf, "user", "create", "--uid", "akko", "--display-name", "akko",
                   "--access-key", self.access_key, "--secret-key", self.secret_key])

    def _run(self, args):
        result = subprocess.run(args, capture_output=True, text=True, timeout=STARTUP_TIMEOUT_SECONDS)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result.stdout

    def _spawn(self, args, name):
        log = open(self.dir / "log" / f"{name}.out", "w")
        self.processes.append((name, subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                                      preexec_fn=_die_with_parent)))

    def _check_alive(self):
        for name, process in self.processes:
            if process.poll() is not None:
                raise RuntimeError(f"ceph {name} exited ({process.returncode}); logs in {self.dir / 'log'}")

    def _deadline_loop(self, what):
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            self._check_alive()
            yield
        raise RuntimeError(f"ceph: {what} not ready after {STARTUP_TIMEOUT_SECONDS} s; logs in {self.dir / 'log'}"
                           f"{'; last refusal: ' + self.last_refusal if self.last_refusal else ''}")

    def _wait_osd_up(self):
        # `ceph osd stat` is a round trip to the monitor, which learns of the OSD when it boots.
        # A busy monitor may refuse a command for a moment (EPERM "problem getting command
        # descriptions"): asked again until the deadline, the last refusal reported with it.
        for _ in self._deadline_loop("osd"):
            result = subprocess.run(["ceph", "-c", str(self.conf), "--connect-timeout", "10", "osd", "stat", "-f", "json"],
                                    capture_output=True, text=True, timeout=STARTUP_TIMEOUT_SECONDS)
            if result.returncode == 0:
                stat = json.loads(result.stdout)
                if stat.get("num_up_osds", 0) >= 1 and stat.get("num_in_osds", 0) >= 1:
                    return
            else:
                self.last_refusal = result.stderr
            time.sleep(0.05)

    def _wait_s3(self):
        # An anonymous ListBuckets answers once the gateway has its pools and serves requests.
        for _ in self._deadline_loop("radosgw"):
            try:
                with urllib.request.urlopen(self.endpoint + "/", timeout=5) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                pass
            time.sleep(0.05)

    def client(self):
        import boto3
        from botocore.config import Config
        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name=self.region,
                            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))

    def stop(self, keep_logs=False):
        # Killed outright: the cluster is throwaway (memstore keeps nothing), and a clean OSD
        # shutdown takes seconds.
        for _, process in reversed(self.processes):
            if process.poll() is None:
                process.kill()
        for _, process in self.processes:
            process.wait()
        self.processes = []
        if keep_logs:
            for sub in ("mon", "osd", "rgw"):
                shutil.rmtree(self.dir / sub, ignore_errors=True)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def main():
    rgw = CephRgw()
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    print(json.dumps({"endpoint": rgw.endpoint, "access_key_id": rgw.access_key, "secret_access_key": rgw.secret_key,
                      "region": rgw.region, "startup_seconds": round(rgw.startup_seconds, 2)}), flush=True)
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    rgw.stop()


if __name__ == "__main__":
    main()
