"""A tiny PostgreSQL v3 protocol client for raw-protocol tests: startup, SCRAM-SHA-256,
and the frontend messages as plain functions. Messages come back as (type, payload)."""
import base64
import hashlib
import hmac
import os
import socket
import struct

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102


def cstr(text):
    return text.encode() + b"\0"


class ServerClosed(Exception):
    pass


class PgConn:
    def __init__(self, host, port, timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""
        self.pid = None
        self.secret = None
        self.parameters = {}

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, kind, payload=b""):
        self.sock.sendall(kind.encode() + struct.pack("!I", len(payload) + 4) + payload)

    def send_startup(self, code_or_params):
        if isinstance(code_or_params, int):
            body = struct.pack("!I", code_or_params)
        else:
            body = struct.pack("!I", 196608) + b"".join(cstr(k) + cstr(v) for k, v in code_or_params.items()) + b"\0"
        self.sock.sendall(struct.pack("!I", len(body) + 4) + body)

    def _fill(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ServerClosed(f"server closed the connection ({len(self.buffer)} bytes pending)")
            self.buffer += chunk

    def read_byte(self):
        self._fill(1)
        b, self.buffer = self.buffer[:1], self.buffer[1:]
        return b

    def recv(self):
        self._fill(5)
        kind = self.buffer[:1].decode()
        length = struct.unpack("!I", self.buffer[1:5])[0]
        self._fill(1 + length)
        payload = self.buffer[5:1 + length]
        self.buffer = self.buffer[1 + length:]
        return kind, payload

    def at_eof(self):
        """True when the server has closed the connection and nothing is left to read."""
        try:
            self._fill(len(self.buffer) + 1)
        except (ServerClosed, ConnectionResetError):
            return True
        return False

    def recv_until(self, kinds=("Z",)):
        messages = []
        while True:
            message = self.recv()
            messages.append(message)
            if message[0] in kinds:
                return messages

    # --- startup -------------------------------------------------------------------
    def startup(self, user, database, password=None):
        """Returns the messages of the startup phase up to ReadyForQuery or an ErrorResponse."""
        self.send_startup({"user": user, "database": database, "client_encoding": "UTF8"})
        seen = []
        scram = None
        while True:
            kind, payload = self.recv()
            seen.append((kind, payload))
            if kind == "E":
                return seen
            if kind == "R":
                code = struct.unpack("!I", payload[:4])[0]
                if code == 10:
                    scram = ScramClient(user, password)
                    first = scram.client_first().encode()
                    self.send("p", cstr("SCRAM-SHA-256") + struct.pack("!I", len(first)) + first)
                elif code == 11:
                    self.send("p", scram.client_final(payload[4:].decode()).encode())
                elif code == 12:
                    scram.verify_server_final(payload[4:].decode())
                elif code == 3:
                    self.send("p", cstr(password))
                elif code != 0:
                    raise AssertionError(f"unsupported authentication request {code}")
            elif kind == "K":
                self.pid, self.secret = struct.unpack("!ii", payload)
            elif kind == "S":
                name, value = payload.split(b"\0")[:2]
                self.parameters[name.decode()] = value.decode()
            elif kind == "Z":
                return seen

    # --- messages ------------------------------------------------------------------
    def query(self, sql):
        self.send("Q", cstr(sql))

    def parse(self, sql, name="", oids=()):
        self.send("P", cstr(name) + cstr(sql) + struct.pack("!h", len(oids)) + b"".join(struct.pack("!I", o) for o in oids))

    def bind(self, portal="", statement="", params=(), result_formats=()):
        body = cstr(portal) + cstr(statement) + struct.pack("!h", 0) + struct.pack("!h", len(params))
        for p in params:
            if p is None:
                body += struct.pack("!i", -1)
            else:
                data = p.encode() if isinstance(p, str) else p
                body += struct.pack("!i", len(data)) + data
        body += struct.pack("!h", len(result_formats)) + b"".join(struct.pack("!h", f) for f in result_formats)
        self.send("B", body)

    def describe(self, kind, name=""):
        self.send("D", kind.encode() + cstr(name))

    def execute(self, portal="", max_rows=0):
        self.send("E", cstr(portal) + struct.pack("!i", max_rows))

    def sync(self):
        self.send("S")

    def flush(self):
        self.send("H")

    def terminate(self):
        self.send("X")

    def simple(self, sql):
        """Runs a simple query and returns its messages up to ReadyForQuery."""
        self.query(sql)
        return self.recv_until()


def error_fields(payload):
    fields = {}
    for part in payload.split(b"\0"):
        if part:
            fields[part[:1].decode()] = part[1:].decode()
    return fields


def data_row(payload):
    count = struct.unpack("!h", payload[:2])[0]
    values, at = [], 2
    for _ in range(count):
        length = struct.unpack("!i", payload[at:at + 4])[0]
        at += 4
        if length < 0:
            values.append(None)
        else:
            values.append(payload[at:at + length])
            at += length
    return values


def summarize(messages):
    """Message kinds, with the command tag, error SQLSTATE and ready status spelled out."""
    out = []
    for kind, payload in messages:
        if kind == "C":
            out.append("C:" + payload.rstrip(b"\0").decode())
        elif kind == "E":
            out.append("E:" + error_fields(payload).get("C", "?"))
        elif kind == "Z":
            out.append("Z:" + payload.decode())
        elif kind in ("N", "S"):
            continue  # notices and parameter changes may differ
        else:
            out.append(kind)
    return out


class ScramClient:
    def __init__(self, user, password):
        self.password = password.encode()
        self.nonce = base64.b64encode(os.urandom(18)).decode()
        self.first_bare = f"n=,r={self.nonce}"

    def client_first(self):
        return "n,," + self.first_bare

    def client_final(self, server_first):
        attrs = dict(item.split("=", 1) for item in server_first.split(","))
        assert attrs["r"].startswith(self.nonce)
        salt = base64.b64decode(attrs["s"])
        salted = hashlib.pbkdf2_hmac("sha256", self.password, salt, int(attrs["i"]))
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={attrs['r']}"
        self.auth_message = f"{self.first_bare},{server_first},{without_proof}".encode()
        signature = hmac.new(stored_key, self.auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        self.server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        return f"{without_proof},p={base64.b64encode(proof).decode()}"

    def verify_server_final(self, server_final):
        expected = hmac.new(self.server_key, self.auth_message, hashlib.sha256).digest()
        assert server_final == "v=" + base64.b64encode(expected).decode(), "server signature mismatch"


def connect_akko(akko, password=None, database=None):
    conn = PgConn(akko.host, akko.pg_port)
    seen = conn.startup(akko.user, database or akko.database, password or akko.password)
    assert seen[-1][0] == "Z", summarize(seen)
    return conn


def connect_pg(pg):
    conn = PgConn(pg.host, pg.port)
    seen = conn.startup(pg.user, pg.database)
    assert seen[-1][0] == "Z", summarize(seen)
    return conn
