"""TLS on every listener, and requiring it: real clients (psql, psycopg2, curl, awscli, Python's ssl
module) verify the server's certificate themselves.

Expected behaviour comes from the clients and from PostgreSQL's documentation, not from akko:
libpq's sslmode=verify-full checks the chain and the host name against the certificate's SAN
(libpq docs, 34.19.1); a pg_hba.conf of hostssl lines refuses a connection that did not negotiate
TLS with SQLSTATE 28000 invalid_authorization_specification (PostgreSQL docs, Appendix A, and
hba.c "no pg_hba.conf entry ... no encryption"), before any password exchange. Certificates for
the configured case are made here with the openssl CLI: a CA and a leaf it signs.
"""
import json
import ssl
import struct
import subprocess
import uuid

import psycopg2
import pytest

from conftest import AkkoServer
from pgproto import SSL_REQUEST, PgConn, error_fields

AWS = "/usr/bin/aws"


def run(args, env=None, check=True, timeout=120):
    result = subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def openssl(*args):
    return run(["openssl", *args])


def psql(server, conninfo, sql="SELECT 41 + 1"):
    env = {"PGPASSWORD": server.password, "PGCONNECT_TIMEOUT": "10", "PATH": "/usr/bin:/bin"}
    base = f"port={server.pg_port} user={server.user} dbname={server.database} "
    return run(["psql", "-X", "-A", "-t", "-c", sql, base + conninfo], env=env, check=False, timeout=60)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a leaf for localhost and 127.0.0.1 signed by it, and a key that belongs to neither."""
    d = tmp_path_factory.mktemp("pki")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d / "ca.key", "-out", d / "ca.crt",
            "-days", "2", "-subj", "/CN=akko test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", d / "server.key", "-out", d / "server.csr",
            "-subj", "/CN=localhost")
    (d / "leaf.ext").write_text("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", d / "server.csr", "-CA", d / "ca.crt", "-CAkey", d / "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", d / "leaf.ext", "-out", d / "server.crt")
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", d / "other.key")
    openssl("x509", "-in", d / "server.crt", "-outform", "DER", "-out", d / "server.der")
    return d


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    """HTTPS on the HTTP and S3 ports with the generated certificate; PostgreSQL TLS optional."""
    server = AkkoServer(tmp_path_factory.mktemp("tls-http") / "data", extra_args=["--http-tls", "true"])
    server.ca = server.data_dir / "tls" / "server.crt"
    yield server
    server.stop()


@pytest.fixture(scope="module")
def configured_server(tmp_path_factory, pki):
    """require_tls (from the environment, spelled as PostgreSQL would: on) with a configured certificate."""
    server = AkkoServer(tmp_path_factory.mktemp("tls-required") / "data",
                        extra_args=["--tls-cert", pki / "server.crt", "--tls-key", pki / "server.key"],
                        env={"AKKO_REQUIRE_TLS": "on"})
    server.ca = pki / "ca.crt"
    yield server
    server.stop()


def ssl_request(server):
    """A raw connection to the PostgreSQL port after SSLRequest; returns it and the server's one-byte answer."""
    conn = PgConn("127.0.0.1", server.pg_port)
    conn.send_startup(SSL_REQUEST)
    return conn, conn.read_byte()


# -- PostgreSQL wire ------------------------------------------------------------------------------

def test_psql_verify_full_with_the_generated_certificate(https_server):
    for host in ("localhost", "127.0.0.1"):
        result = psql(https_server, f"host={host} sslmode=verify-full sslrootcert={https_server.ca}",
                      "SELECT 41 + 1")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "42"


def test_psql_reports_an_ssl_connection(https_server):
    result = psql(https_server, f"host=localhost sslmode=verify-full sslrootcert={https_server.ca}", r"\conninfo")
    assert result.returncode == 0, result.stderr
    assert "SSL connection (protocol: TLSv1." in result.stdout


def test_verify_full_refuses_a_certificate_from_another_issuer(https_server, pki):
    # The generated certificate is not signed by our CA: libpq must refuse it.
    result = psql(https_server, f"host=localhost sslmode=verify-full sslrootcert={pki / 'ca.crt'}")
    assert result.returncode != 0
    assert "certificate verify failed" in result.stderr


def test_plain_connections_still_work_when_tls_is_not_required(https_server):
    result = psql(https_server, "host=127.0.0.1 sslmode=disable")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "42"


def test_psql_verify_full_with_a_configured_certificate(configured_server):
    for host in ("localhost", "127.0.0.1"):
        result = psql(configured_server, f"host={host} sslmode=verify-full sslrootcert={configured_server.ca}")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "42"


def test_the_configured_certificate_is_the_one_presented(configured_server, pki):
    conn, answer = ssl_request(configured_server)
    assert answer == b"S"
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    with context.wrap_socket(conn.sock, server_hostname="localhost") as tls:
        assert tls.getpeercert(binary_form=True) == (pki / "server.der").read_bytes()


def test_psycopg2_sslmode_require(configured_server):
    conn = psycopg2.connect(host="127.0.0.1", port=configured_server.pg_port, user=configured_server.user,
                            password=configured_server.password, dbname=configured_server.database,
                            sslmode="require", connect_timeout=10)
    try:
        assert conn.info.ssl_in_use
        assert conn.info.ssl_attribute("protocol") in ("TLSv1.2", "TLSv1.3")
        with conn.cursor() as cursor:
            cursor.execute("SELECT 6 * 7")
            assert cursor.fetchone() == (42,)
    finally:
        conn.close()


def test_psycopg2_sslmode_prefer_negotiates_tls_when_required(configured_server):
    conn = psycopg2.connect(host="127.0.0.1", port=configured_server.pg_port, user=configured_server.user,
                            password=configured_server.password, dbname=configured_server.database,
                            sslmode="prefer", connect_timeout=10)
    try:
        assert conn.info.ssl_in_use
    finally:
        conn.close()


def test_require_tls_refuses_psycopg2_without_tls(configured_server):
    with pytest.raises(psycopg2.OperationalError) as refused:
        psycopg2.connect(host="127.0.0.1", port=configured_server.pg_port, user=configured_server.user,
                         password=configured_server.password, dbname=configured_server.database,
                         sslmode="disable", connect_timeout=10)
    assert "requires TLS" in str(refused.value)


def test_require_tls_refuses_psql_without_tls(configured_server):
    result = psql(configured_server, "host=127.0.0.1 sslmode=disable")
    assert result.returncode != 0
    assert "FATAL" in result.stderr and "requires TLS" in result.stderr


def test_require_tls_answers_28000_before_authentication(configured_server):
    conn = PgConn("127.0.0.1", configured_server.pg_port)
    try:
        # A wrong password: the refusal must come first, so no authentication request is ever sent.
        seen = conn.startup(configured_server.user, configured_server.database, "not-the-password")
        assert [kind for kind, _ in seen] == ["E"], seen
        fields = error_fields(seen[0][1])
        assert fields["S"] == "FATAL"
        assert fields["C"] == "28000"
        assert configured_server.user in fields["M"] and "TLS" in fields["M"]
        assert conn.at_eof()
    finally:
        conn.close()


def test_require_tls_accepts_startup_after_tls(configured_server, pki):
    conn, answer = ssl_request(configured_server)
    assert answer == b"S"
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    conn.sock = context.wrap_socket(conn.sock, server_hostname="127.0.0.1")
    try:
        seen = conn.startup(configured_server.user, configured_server.database, configured_server.password)
        assert seen[-1][0] == "Z", seen
    finally:
        conn.close()


def test_cancel_requests_need_no_tls(configured_server):
    # libpq (before 17) sends CancelRequest in clear on a new connection: it must not be refused with an error.
    conn = PgConn("127.0.0.1", configured_server.pg_port)
    try:
        conn.send_raw(struct.pack("!III", 16, 80877102, 0) + struct.pack("!i", 0))
        assert conn.at_eof() and conn.buffer == b""
    finally:
        conn.close()


# -- HTTP API, metrics, Iceberg REST --------------------------------------------------------------

def curl(*args):
    return run(["curl", "-sS", "--max-time", "30", *args], check=False, timeout=60)


def full_banner(server):
    """The harness stops reading at "akko is ready"; the connection lines follow, up to "data:"."""
    while not server.banner[-1].lstrip().startswith("data:"):
        line = server.process.stdout.readline()
        assert line, "the server closed its standard output mid-banner:\n" + "".join(server.banner)
        server.banner.append(line)
    return "".join(server.banner)


def test_banner_names_https(https_server, configured_server):
    for server in (https_server, configured_server):
        banner = full_banner(server)
        assert f"https://127.0.0.1:{server.http_port}/api/v1/query" in banner
        assert f"cockpit:    https://127.0.0.1:{server.http_port}/\n" in banner
        assert f"https://127.0.0.1:{server.http_port}/metrics" in banner
        assert f"https://127.0.0.1:{server.s3_port}" in banner
        assert "http://" not in banner
    assert "sslmode=require" in full_banner(configured_server)


def test_curl_https_query_api(https_server):
    for host in ("localhost", "127.0.0.1"):
        result = curl("--cacert", https_server.ca, "-u", f"admin:{https_server.password}",
                      "-H", "Content-Type: application/json", "--data", json.dumps({"sql": "SELECT 41 + 1 AS x"}),
                      f"https://{host}:{https_server.http_port}/api/v1/query")
        assert result.returncode == 0, result.stderr
        assert "42" in result.stdout


def test_curl_https_health_and_metrics(https_server):
    result = curl("--cacert", https_server.ca, f"https://localhost:{https_server.http_port}/health")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"status": "ok"}
    result = curl("--cacert", https_server.ca, f"https://localhost:{https_server.http_port}/metrics")
    assert result.returncode == 0, result.stderr
    assert "aden_" in result.stdout


def test_curl_without_the_certificate_does_not_trust_it(https_server):
    result = curl(f"https://localhost:{https_server.http_port}/health")
    assert result.returncode == 60, result.stderr  # CURLE_PEER_FAILED_VERIFICATION


def test_plain_http_to_the_https_port_fails(https_server):
    result = curl(f"http://127.0.0.1:{https_server.http_port}/health")
    assert result.returncode != 0
    assert '"status"' not in result.stdout


def test_https_with_a_configured_certificate(configured_server, pki):
    result = curl("--cacert", pki / "ca.crt", f"https://localhost:{configured_server.http_port}/health")
    assert result.returncode == 0, result.stderr
    pem = ssl.get_server_certificate(("127.0.0.1", configured_server.http_port))
    assert ssl.PEM_cert_to_DER_cert(pem) == (pki / "server.der").read_bytes()


def test_iceberg_rest_config_names_the_s3_endpoint_over_https(https_server):
    result = curl("--cacert", https_server.ca, "-u", f"admin:{https_server.password}",
                  f"https://localhost:{https_server.http_port}/iceberg/v1/config")
    assert result.returncode == 0, result.stderr
    overrides = json.loads(result.stdout)["overrides"]
    assert overrides["s3.endpoint"] == f"https://127.0.0.1:{https_server.s3_port}"


# -- S3 API ---------------------------------------------------------------------------------------

def test_awscli_over_https(https_server, tmp_path):
    env = https_server.s3_env()
    config = tmp_path / "aws-config"
    # Path style: a bucket.localhost host name is not in the certificate.
    config.write_text("[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n")
    env.update({"AWS_CONFIG_FILE": str(config), "AWS_CA_BUNDLE": str(https_server.ca)})
    endpoint = f"https://localhost:{https_server.s3_port}"
    bucket = f"tls-{uuid.uuid4().hex[:12]}"
    (tmp_path / "up.txt").write_bytes(b"over TLS\n" * 1000)

    def aws(*args, check=True):
        return run([AWS, "--endpoint-url", endpoint, *args], env=env, check=check)

    aws("s3", "mb", f"s3://{bucket}")
    aws("s3", "cp", tmp_path / "up.txt", f"s3://{bucket}/up.txt", "--no-progress")
    assert "up.txt" in aws("s3", "ls", f"s3://{bucket}/").stdout
    aws("s3", "cp", f"s3://{bucket}/up.txt", tmp_path / "down.txt", "--no-progress")
    assert (tmp_path / "down.txt").read_bytes() == (tmp_path / "up.txt").read_bytes()

    # Without the CA bundle awscli does not trust the certificate; plain HTTP gets no S3 answer.
    del env["AWS_CA_BUNDLE"]
    untrusted = aws("s3", "ls", f"s3://{bucket}/", check=False)
    assert untrusted.returncode != 0 and "SSL" in untrusted.stderr
    plain = run([AWS, "--endpoint-url", f"http://localhost:{https_server.s3_port}", "s3", "ls", f"s3://{bucket}/",
                 "--cli-read-timeout", "10", "--cli-connect-timeout", "10"], env=env, check=False)
    assert plain.returncode != 0


# -- start-up -------------------------------------------------------------------------------------

def failed_start(tmp_path, *args, env=None):
    with pytest.raises(RuntimeError) as failure:
        server = AkkoServer(tmp_path / "data", extra_args=[str(a) for a in args], env=env)
        server.stop()
    return str(failure.value)


def test_mismatched_key_pair_fails_start_up(tmp_path, pki):
    message = failed_start(tmp_path, "--http-tls", "true", "--tls-cert", pki / "server.crt",
                           "--tls-key", pki / "other.key")
    assert "does not match" in message or "mismatch" in message, message
    assert str(pki / "other.key") in message


def test_mismatched_key_pair_fails_start_up_even_without_http_tls(tmp_path, pki):
    message = failed_start(tmp_path, "--tls-cert", pki / "server.crt", "--tls-key", pki / "other.key")
    assert "does not match" in message or "mismatch" in message, message


def test_missing_certificate_file_fails_start_up(tmp_path, pki):
    message = failed_start(tmp_path, "--tls-cert", tmp_path / "absent.crt", "--tls-key", pki / "server.key")
    assert "absent.crt" in message, message


def test_certificate_without_key_fails_start_up(tmp_path, pki):
    message = failed_start(tmp_path, "--tls-cert", pki / "server.crt")
    assert "tls_cert and tls_key" in message, message


def test_a_bad_boolean_fails_start_up(tmp_path):
    message = failed_start(tmp_path, "--require-tls", "maybe")
    assert "require_tls" in message and "maybe" in message, message


def test_openssl_cli_sees_the_generated_certificate_as_documented(https_server):
    # The certificate the docs describe: CN=localhost, SAN localhost and the loopback addresses, EC P-256.
    text = openssl("x509", "-in", https_server.ca, "-noout", "-text").stdout
    assert "DNS:localhost" in text and "IP Address:127.0.0.1" in text
    assert "prime256v1" in text or "P-256" in text
    # And `openssl s_client` completes a handshake on the HTTP port, verifying against it.
    result = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{https_server.http_port}",
                             "-CAfile", str(https_server.ca), "-verify_return_error", "-verify_hostname",
                             "localhost", "-brief"], input="", capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "Verification: OK" in result.stderr
