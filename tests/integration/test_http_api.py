"""The HTTP API against a running akko: SQL over JSON and CSV, authentication, tokens,
health, readiness and metrics. Standard library only (urllib, http.client, socket)."""
import base64
import csv
import http.client
import io
import json
import os
import socket
import time
import urllib.error
import urllib.request

from conftest import ADMIN_PASSWORD

def basic(user="admin", password=ADMIN_PASSWORD):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

def request(server, method, path, body=None, authorization=None, headers=None):
    """(status, headers, body bytes) of one request; HTTP errors are answers too."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    req = urllib.request.Request(f"http://127.0.0.1:{server.http_port}{path}", data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if authorization:
        req.add_header("Authorization", authorization)
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()

def query(server, sql, authorization=None, **fields):
    status, headers, body = request(server, "POST", "/api/v1/query", {"sql": sql, **fields},
                                    authorization or basic())
    return status, headers, body

def query_json(server, sql, **fields):
    status, _, body = query(server, sql, **fields)
    assert status == 200, body
    return json.loads(body)

def test_health_needs_no_auth(akko):
    status, headers, body = request(akko, "GET", "/health")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}
    assert headers["Content-Type"] == "application/json"

def test_ready_reports_checks(akko):
    status, _, body = request(akko, "GET", "/ready")
    document = json.loads(body)
    assert status == 200, document
    assert document["status"] == "ready"
    for name, check in document["checks"].items():
        assert check["ok"] is True, name
        assert check["latency_ms"] >= 0

def test_metrics_exposition(akko):
    query_json(akko, "SELECT 1")
    status, headers, body = request(akko, "GET", "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = body.decode()
    for family in ("aden_query_duration_seconds", "aden_query_total", "aden_connections", "aden_connections_total",
                   "aden_http_requests_total", "aden_http_request_duration_seconds", "process_cpu_seconds_total",
                   "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds"):
        assert f"# TYPE {family} " in text, family
    assert 'aden_query_total{protocol="http",status="ok"}' in text
    assert 'aden_query_duration_seconds_bucket{protocol="http",status="ok",le="+Inf"}' in text
    assert 'aden_http_requests_total{method="POST",route="/api/v1/query",status="200"}' in text

def test_missing_credentials_get_a_challenge(akko):
    status, headers, body = request(akko, "POST", "/api/v1/query", {"sql": "SELECT 1"})
    assert status == 401
    assert headers["WWW-Authenticate"].startswith('Basic realm="akko"')
    assert json.loads(body)["error"]["code"] == "invalid_authorization"

def test_wrong_password(akko):
    status, _, body = query(akko, "SELECT 1", authorization=basic(password="wrong"))
    assert status == 401
    error = json.loads(body)["error"]
    assert error["code"] == "invalid_password" and error["sqlstate"] == "28P01"

def test_token_flow(akko):
    status, _, body = request(akko, "POST", "/api/v1/tokens", authorization=basic())
    assert status == 200, body
    token = json.loads(body)["token"]
    result = query_json(akko, "SELECT 42 AS answer", authorization=f"Bearer {token}")
    assert result["rows"] == [[42]]
    # A token buys no further tokens, and a made-up one buys nothing.
    assert request(akko, "POST", "/api/v1/tokens", authorization=f"Bearer {token}")[0] == 401
    assert query(akko, "SELECT 1", authorization="Bearer akko_0000")[0] == 401

def test_result_document(akko):
    result = query_json(akko, "SELECT 1 AS i, 'x\"y' AS s, NULL::INTEGER AS n, 2.5::DOUBLE AS d, "
                              "12.345::DECIMAL(10,3) AS m, true AS b, DATE '2024-02-29' AS day, "
                              "[1, 2, NULL] AS l, {'k': [1]} AS st, 'NaN'::DOUBLE AS nan")
    assert [c["name"] for c in result["columns"]] == ["i", "s", "n", "d", "m", "b", "day", "l", "st", "nan"]
    types = {c["name"]: c["type"] for c in result["columns"]}
    assert types["i"] == "INTEGER" and types["m"] == "DECIMAL(10,3)" and types["l"] == "INTEGER[]"
    assert result["rows"] == [[1, 'x"y', None, 2.5, 12.345, True, "2024-02-29", [1, 2, None], {"k": [1]}, "NaN"]]
    assert result["row_count"] == 1
    assert result["command"] == "SELECT 1"
    assert result["elapsed_ms"] >= 0

def test_parameters(akko):
    result = query_json(akko, "SELECT $1::INTEGER + $2 AS total, $3 AS text, $4::BOOLEAN AS flag",
                        parameters=[40, 2, "hello", True])
    assert result["rows"] == [[42, "hello", True]]
    status, _, body = query(akko, "SELECT $1; SELECT $1", parameters=[1])
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_input"

def test_commands_and_multiple_statements(akko):
    result = query_json(akko, "DROP TABLE IF EXISTS http_t; CREATE TABLE http_t (id INTEGER, name VARCHAR); "
                              "INSERT INTO http_t VALUES (1, 'a'), (2, 'b'), (3, NULL)")
    assert result["columns"] == [] and result["rows"] == []
    assert result["command"] == "INSERT 0 3" and result["row_count"] == 3
    result = query_json(akko, "UPDATE http_t SET name = 'c' WHERE id = 3; SELECT * FROM http_t ORDER BY id")
    assert result["rows"] == [[1, "a"], [2, "b"], [3, "c"]]

def test_failed_statement_rolls_back_the_batch(akko):
    query_json(akko, "DROP TABLE IF EXISTS http_tx; CREATE TABLE http_tx (id INTEGER)")
    status, _, body = query(akko, "INSERT INTO http_tx VALUES (1); SELECT * FROM http_no_such_table")
    assert status == 404
    error = json.loads(body)["error"]
    assert error["code"] == "undefined_table" and error["sqlstate"] == "42P01"
    assert error["position"] > 0
    assert query_json(akko, "SELECT count(*) FROM http_tx")["rows"] == [[0]]

def test_errors(akko):
    status, _, body = query(akko, "SELEC 1")
    assert status == 400 and json.loads(body)["error"]["sqlstate"] == "42601"
    status, _, body = request(akko, "POST", "/api/v1/query", b"{not json", basic())
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_input"
    status, _, body = request(akko, "POST", "/api/v1/query", {"query": "SELECT 1"}, basic())
    assert status == 400
    status, _, _ = query(akko, "SELECT 1", format="xml")
    assert status == 400
    status, _, body = request(akko, "GET", "/api/v1/nothing", authorization=basic())
    assert status == 404
    status, headers, _ = request(akko, "GET", "/api/v1/query", authorization=basic())
    assert status == 405 and headers["Allow"] == "POST"

def test_copy_is_refused(akko):
    status, _, body = query(akko, "COPY (SELECT 1) TO STDOUT")
    assert status == 501
    assert json.loads(body)["error"]["code"] == "feature_not_supported"

def test_csv(akko):
    status, headers, body = query(akko, "SELECT * FROM (VALUES (1, 'a,b', 'say \"hi\"'), (2, NULL, '')) "
                                        "AS t(id, x, y) ORDER BY id", format="csv")
    assert status == 200
    assert headers["Content-Type"].startswith("text/csv")
    text = body.decode()
    assert text == 'id,x,y\r\n1,"a,b","say ""hi"""\r\n2,,""\r\n'
    assert list(csv.reader(io.StringIO(text))) == [["id", "x", "y"], ["1", "a,b", 'say "hi"'], ["2", "", ""]]

def test_large_result_streams(akko):
    connection = http.client.HTTPConnection("127.0.0.1", akko.http_port, timeout=120)
    body = json.dumps({"sql": "SELECT i, 'row ' || i AS label FROM range(1000000) t(i)"})
    connection.request("POST", "/api/v1/query", body, {"Authorization": basic(), "Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Transfer-Encoding") == "chunked"
    result = json.loads(response.read())
    assert result["row_count"] == 1000000 and len(result["rows"]) == 1000000
    assert result["rows"][999999] == [999999, "row 999999"]
    connection.close()

def test_oversized_body_gets_413(akko):
    status, _, _ = request(akko, "POST", "/api/v1/query", b"x" * (17 * 1024 * 1024), basic())
    assert status == 413

def test_keep_alive(akko):
    connection = http.client.HTTPConnection("127.0.0.1", akko.http_port, timeout=30)
    for i in range(3):
        connection.request("POST", "/api/v1/query", json.dumps({"sql": f"SELECT {i}"}), {"Authorization": basic()})
        response = connection.getresponse()
        assert json.loads(response.read())["rows"] == [[i]]
    connection.close()

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def test_disconnect_cancels_the_statement(fresh_akko):
    server = fresh_akko()
    body = json.dumps({"sql": "SELECT count(*) FROM range(20000000000)"}).encode()
    sock = socket.create_connection(("127.0.0.1", server.http_port), timeout=10)
    sock.sendall(b"POST /api/v1/query HTTP/1.1\r\nHost: akko\r\nAuthorization: " + basic().encode() +
                 b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    before = cpu_seconds(server.process.pid)
    deadline = time.monotonic() + 30
    while cpu_seconds(server.process.pid) - before < 0.5:
        assert time.monotonic() < deadline, "the statement did not start"
        time.sleep(0.02)
    sock.close()
    # Once cancelled, the process goes quiet.
    deadline = time.monotonic() + 15
    while True:
        start = cpu_seconds(server.process.pid)
        time.sleep(0.5)
        if cpu_seconds(server.process.pid) - start < 0.1:
            break
        assert time.monotonic() < deadline, "the statement kept running after the client left"
    status, _, body = request(server, "GET", "/metrics")
    assert 'aden_query_total{protocol="http",status="query_canceled"} 1' in body.decode()
