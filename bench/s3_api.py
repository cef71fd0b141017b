#!/usr/bin/python3
"""S3 API: small-object operations per second and large-object throughput, AKKO vs Ceph RGW.

One run starts akko (its S3 port over the local store) and a throwaway Ceph RGW on loopback
(tests/integration/ceph_rgw.py: one monitor, one memstore OSD, radosgw with beast). Both get
the same requests from the same clients:

- Small objects (4 KiB): wrk with presigned URLs (botocore signs them for each server; the
  client then does no signing and no hashing), GET of one object and PUT over 256 keys, at
  AKKO_BENCH_S3_CLIENTS concurrent connections. ops/s and wrk's p50/p99 latency.
- Large objects (AKKO_BENCH_S3_LARGE_MIB, 1 GiB): one stream each way with curl and a
  presigned URL (`curl -T file`, `curl -o /dev/null`), and awscli's multipart `s3 cp` both
  ways. The baseline is the disk under the scratch directory in the same run: dd writing the
  same file with `conv=fsync` (through the page cache, then one fsync: what a server that
  syncs an object before answering does) and reading it back with `iflag=direct` (from the
  device). akko's GET is measured twice: cold (its file evicted from the page cache with
  `dd iflag=nocache`) and warm.

Caveat on the peer: RGW's memstore OSD keeps objects in RAM, so RGW never touches the disk;
its figures are a network-and-gateway ceiling, not a disk-backed store's.

Every transfer is checked: wrk must see no non-2xx answer; the small PUT bodies and the large
object are read back and compared by SHA-256 on both servers.

Knobs: AKKO_BENCH_S3_SECONDS [5], AKKO_BENCH_S3_CLIENTS ["1 16 64"], AKKO_BENCH_S3_LARGE_MIB [1024],
AKKO_BENCH_S3_AWSCLI [1]: 0 skips the awscli multipart runs.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time

import boto3
from botocore.config import Config

import benchlib

sys.path.insert(0, str(benchlib.ROOT / "tests" / "integration"))
from ceph_rgw import CephRgw  # noqa: E402

SECONDS = benchlib.env_int("AKKO_BENCH_S3_SECONDS", 5)
CLIENTS = benchlib.env_list("AKKO_BENCH_S3_CLIENTS", [1, 16, 64])
LARGE_MIB = benchlib.env_int("AKKO_BENCH_S3_LARGE_MIB", 1024)
AWSCLI = benchlib.env_int("AKKO_BENCH_S3_AWSCLI", 1)
SMALL_BYTES = 4096
PUT_KEYS = 256
BUCKET = "bench"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
MIB = 1 << 20


class Target:
    """One S3 service: its endpoint, keys and a boto3 client that signs for it."""

    def __init__(self, name, endpoint, access_key, secret_key):
        self.name = name
        self.endpoint = endpoint
        self.access_key = access_key
        self.secret_key = secret_key
        self.client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access_key,
                                   aws_secret_access_key=secret_key, region_name="us-east-1",
                                   config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))

    def presign(self, method, key):
        operation = {"GET": "get_object", "PUT": "put_object"}[method]
        return self.client.generate_presigned_url(operation, Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=3600)

    def env(self):
        environment = {**os.environ, "AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
        environment.pop("AWS_CA_BUNDLE", None)
        return environment


def wrk(url, clients, script=None):
    """Runs wrk; returns ops/s and the p50/p99 latencies in ms it measured."""
    args = ["wrk", "--latency", "-t", str(min(clients, 2)), "-c", str(clients), "-d", f"{SECONDS}s"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests against {url}:\n{out}")
    percentiles = {m.group(1): float(m.group(2)) * UNITS[m.group(3)]
                   for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)$", out, re.M)}
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"ops_per_s": rate, "p50_ms": percentiles["50"], "p99_ms": percentiles["99"]}


def lua_quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def put_script(target, base, body):
    """A wrk script that PUTs the body to PUT_KEYS presigned URLs in turn (each wrk thread its own order)."""
    paths = []
    for i in range(PUT_KEYS):
        url = target.presign("PUT", f"small/put-{i:03d}")
        paths.append(url[len(target.endpoint):])
    script = base / f"put-{target.name}.lua"
    script.write_text(
        "local paths = {" + ",".join(lua_quote(p) for p in paths) + "}\n"
        f"local body = {lua_quote(body.decode('ascii'))}\n"
        "local next_path = math.random(#paths)\n"
        "request = function()\n"
        "  next_path = next_path % #paths + 1\n"
        "  return wrk.format(\"PUT\", paths[next_path], {[\"Content-Type\"] = \"application/octet-stream\"}, body)\n"
        "end\n")
    return script


def small_objects(target, base, body):
    target.client.put_object(Bucket=BUCKET, Key="small/get", Body=body)
    get_url = target.presign("GET", "small/get")
    script = put_script(target, base, body)
    results = []
    for clients in CLIENTS:
        get = wrk(get_url, clients)
        put = wrk(target.endpoint + "/", clients, script)
        results.append({"clients": clients, "get": get, "put": put})
        print(f"  {target.name}, {clients} client(s): GET {get['ops_per_s']:.0f} ops/s (p50 {get['p50_ms']:.2f} ms, "
              f"p99 {get['p99_ms']:.2f} ms); PUT {put['ops_per_s']:.0f} ops/s (p50 {put['p50_ms']:.2f} ms, "
              f"p99 {put['p99_ms']:.2f} ms)", flush=True)
    want = hashlib.sha256(body).hexdigest()
    # A short run at one client may not reach every key: check those written, and that there are some.
    listed = target.client.list_objects_v2(Bucket=BUCKET, Prefix="small/put-")
    keys = [entry["Key"] for entry in listed.get("Contents", [])]
    if not keys:
        raise RuntimeError(f"{target.name}: no small PUT reached the store")
    for key in keys:
        got = target.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        if hashlib.sha256(got).hexdigest() != want:
            raise RuntimeError(f"{target.name}: {key} came back different ({len(got)} bytes)")
    return results


def timed(args, env=None):
    started = time.perf_counter()
    out = subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout
    return time.perf_counter() - started, out


def curl(args):
    seconds, out = timed(["curl", "-sS", "-H", "Expect:", "-w", "%{http_code} %{size_download} %{size_upload}",
                          *args])
    code, down, up = out.split()
    if code != "200":
        raise RuntimeError(f"curl {' '.join(args)}: HTTP {code}")
    return seconds, int(down), int(up)


def sha256_of_get(target, key):
    process = subprocess.Popen(["curl", "-sS", "--fail", target.presign("GET", key)], stdout=subprocess.PIPE)
    digest = hashlib.sha256()
    for piece in iter(lambda: process.stdout.read(MIB), b""):
        digest.update(piece)
    if process.wait() != 0:
        raise RuntimeError(f"{target.name}: reading {key} back failed")
    return digest.hexdigest()


def mib_per_s(seconds):
    return LARGE_MIB / seconds


def disk_baseline(base, source):
    copy = base / "disk-copy"
    write_s, _ = timed(["dd", f"if={source}", f"of={copy}", "bs=8M", "conv=fsync", "status=none"])
    read_s, _ = timed(["dd", f"if={copy}", "of=/dev/null", "bs=8M", "iflag=direct", "status=none"])
    copy.unlink()
    return {"write_mib_s": mib_per_s(write_s), "read_direct_mib_s": mib_per_s(read_s)}


def large_object(target, base, source, source_sha256, evict=None):
    key = "large/object"
    result = {}
    seconds, _, sent = curl(["-T", str(source), "-o", "/dev/null", target.presign("PUT", key)])
    if sent != LARGE_MIB * MIB:
        raise RuntimeError(f"{target.name}: curl sent {sent} bytes")
    result["curl_put_mib_s"] = mib_per_s(seconds)
    gets = [("curl_get_mib_s", None)]
    if evict:
        gets = [("curl_get_cold_mib_s", evict), ("curl_get_warm_mib_s", None)]
    for name, before in gets:
        if before:
            before()
        seconds, received, _ = curl(["-o", "/dev/null", target.presign("GET", key)])
        if received != LARGE_MIB * MIB:
            raise RuntimeError(f"{target.name}: curl received {received} bytes")
        result[name] = mib_per_s(seconds)
    if sha256_of_get(target, key) != source_sha256:
        raise RuntimeError(f"{target.name}: the large object came back different")
    if AWSCLI:
        aws = ["aws", "--endpoint-url", target.endpoint, "s3", "cp", "--only-show-errors"]
        seconds, _ = timed([*aws, str(source), f"s3://{BUCKET}/large/multipart"], env=target.env())
        result["aws_put_mib_s"] = mib_per_s(seconds)
        if evict:
            evict("large/multipart")
        download = base / f"download-{target.name}"
        seconds, _ = timed([*aws, f"s3://{BUCKET}/large/multipart", str(download)], env=target.env())
        result["aws_get_mib_s"] = mib_per_s(seconds)
        if file_sha256(download) != source_sha256:
            raise RuntimeError(f"{target.name}: awscli's download differs from the upload")
        download.unlink()
        target.client.delete_object(Bucket=BUCKET, Key="large/multipart")
    target.client.delete_object(Bucket=BUCKET, Key=key)
    print(f"  {target.name}: " + ", ".join(f"{k} {v:.0f}" for k, v in result.items()), flush=True)
    return result


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(8 * MIB), b""):
            digest.update(piece)
    return digest.hexdigest()


def make_source(path):
    """LARGE_MIB of random bytes (incompressible, nothing for any layer to shortcut); returns its SHA-256."""
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(LARGE_MIB):
            piece = os.urandom(MIB)
            digest.update(piece)
            f.write(piece)
    return digest.hexdigest()


def akko_evictor(server):
    """Drops the page cache of an object's file in akko's data directory, so the next GET reads the disk."""
    def evict(key="large/object"):
        # A bucket is a directory of the local store; a plain key is a file at that path under it.
        paths = [p for p in server.data_dir.rglob(key) if p.is_file() and p.parent.parent.name == BUCKET]
        if len(paths) != 1:
            raise RuntimeError(f"akko's file for {key} not found under {server.data_dir}: {paths}")
        subprocess.run(["dd", f"if={paths[0]}", "iflag=nocache", "count=0", "status=none"], check=True)
    return evict


def main():
    for tool in ("wrk", "curl", "aws" if AWSCLI else "curl"):
        if not shutil.which(tool):
            sys.exit(f"s3_api: {tool} not found (scripts/setup installs it)")
    base = benchlib.work_dir("akko-bench-s3api-")
    rgw = server = None
    try:
        print(f"== S3 API: 4 KiB objects ({SECONDS} s per point, wrk, presigned URLs) and one "
              f"{LARGE_MIB} MiB object; akko vs Ceph RGW (memstore)", flush=True)
        rgw = CephRgw(base / "rgw", memstore_bytes=(LARGE_MIB * 3 + 1024) * MIB)
        server = benchlib.AkkoServer(base / "akko")
        s3_port = json.loads((server.data_dir / "ports.json").read_text())["s3"]
        targets = [Target("akko", f"http://127.0.0.1:{s3_port}", "admin", benchlib.ADMIN_PASSWORD),
                   Target("rgw", rgw.endpoint, rgw.access_key, rgw.secret_key)]
        for target in targets:
            target.client.create_bucket(Bucket=BUCKET)

        body = (b"0123456789abcdef" * (SMALL_BYTES // 16))
        small = {t.name: small_objects(t, base, body) for t in targets}

        source = base / "large-source"
        source_sha256 = make_source(source)
        disk = disk_baseline(base, source)
        print(f"  disk: dd write+fsync {disk['write_mib_s']:.0f} MiB/s, dd read O_DIRECT "
              f"{disk['read_direct_mib_s']:.0f} MiB/s", flush=True)
        large = {"akko": large_object(targets[0], base, source, source_sha256, akko_evictor(server)),
                 "rgw": large_object(targets[1], base, source, source_sha256)}
        source.unlink()

        rows = []
        for a, r in zip(small["akko"], small["rgw"]):
            for op in ("get", "put"):
                rows.append([f"4 KiB {op.upper()}", a["clients"], f"{a[op]['ops_per_s']:.0f}",
                             f"{a[op]['p50_ms']:.2f} / {a[op]['p99_ms']:.2f}", f"{r[op]['ops_per_s']:.0f}",
                             f"{r[op]['p50_ms']:.2f} / {r[op]['p99_ms']:.2f}",
                             benchlib.fmt_ratio(a[op]["ops_per_s"], r[op]["ops_per_s"])])
        print()
        print(benchlib.table(["operation", "clients", "akko ops/s", "akko p50 / p99 ms", "RGW ops/s",
                              "RGW p50 / p99 ms", "akko / RGW"], rows))
        a, r = large["akko"], large["rgw"]
        rows = [[f"PUT, curl (one stream)", f"{a['curl_put_mib_s']:.0f}", f"{r['curl_put_mib_s']:.0f}",
                 benchlib.fmt_ratio(a["curl_put_mib_s"], r["curl_put_mib_s"]),
                 benchlib.fmt_ratio(a["curl_put_mib_s"], disk["write_mib_s"]) + " of dd write+fsync"],
                [f"GET, curl, akko cold", f"{a['curl_get_cold_mib_s']:.0f}", f"{r['curl_get_mib_s']:.0f}",
                 benchlib.fmt_ratio(a["curl_get_cold_mib_s"], r["curl_get_mib_s"]),
                 benchlib.fmt_ratio(a["curl_get_cold_mib_s"], disk["read_direct_mib_s"]) + " of dd read O_DIRECT"],
                [f"GET, curl, akko warm", f"{a['curl_get_warm_mib_s']:.0f}", f"{r['curl_get_mib_s']:.0f}",
                 benchlib.fmt_ratio(a["curl_get_warm_mib_s"], r["curl_get_mib_s"]),
                 benchlib.fmt_ratio(a["curl_get_warm_mib_s"], disk["read_direct_mib_s"]) + " of dd read O_DIRECT"]]
        if AWSCLI:
            rows += [["PUT, aws s3 cp (multipart)", f"{a['aws_put_mib_s']:.0f}", f"{r['aws_put_mib_s']:.0f}",
                      benchlib.fmt_ratio(a["aws_put_mib_s"], r["aws_put_mib_s"]),
                      benchlib.fmt_ratio(a["aws_put_mib_s"], disk["write_mib_s"]) + " of dd write+fsync"],
                     ["GET, aws s3 cp (ranged parts, to a file), akko cold", f"{a['aws_get_mib_s']:.0f}",
                      f"{r['aws_get_mib_s']:.0f}", benchlib.fmt_ratio(a["aws_get_mib_s"], r["aws_get_mib_s"]),
                      benchlib.fmt_ratio(a["aws_get_mib_s"], disk["read_direct_mib_s"]) + " of dd read O_DIRECT"]]
        print()
        print(benchlib.table([f"{LARGE_MIB} MiB object", "akko MiB/s", "RGW MiB/s", "akko / RGW", "akko / disk"], rows))
        print(f"(disk: dd write+fsync {disk['write_mib_s']:.0f} MiB/s, dd read O_DIRECT {disk['read_direct_mib_s']:.0f} "
              f"MiB/s; RGW on a memstore OSD keeps objects in RAM)")
        benchlib.write_result("s3_api", {"seconds": SECONDS, "small_bytes": SMALL_BYTES, "large_mib": LARGE_MIB,
                                         "small": small, "large": large, "disk": disk})
    finally:
        if server:
            server.stop()
        if rgw:
            rgw.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
