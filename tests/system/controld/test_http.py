"""The HTTP layer of dnsfleet-controld end to end: TLS only, headers on every response,
problem documents, the body limit, CORS for the portal only, and the rate limit."""
import socket
import ssl
import time

import requests

from conftest import PORTAL_ORIGIN, STAFF_LOGIN


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    doc = response.json()
    assert doc["status"] == status
    assert doc["title"]
    assert doc["type"]
    assert doc["request_id"] == response.headers["X-Request-Id"]
    return doc


def test_plain_http_gets_no_http_answer(controld):
    # A plain HTTP request to the TLS port: the handshake fails and no HTTP response comes back.
    with socket.create_connection(("127.0.0.1", controld.port), timeout=5) as s:
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try:
            data = s.recv(4096)
        except (ConnectionResetError, socket.timeout):
            data = b""
    assert not data.startswith(b"HTTP/")
    try:
        requests.get("http://127.0.0.1:%d/api/v1/health" % controld.port, timeout=5)
        raise AssertionError("plain HTTP got an answer")
    except requests.exceptions.ConnectionError:
        pass


def test_tls_13_preferred_and_12_accepted(controld):
    context = ssl.create_default_context(cafile=controld.certificate)
    with socket.create_connection(("127.0.0.1", controld.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() == "TLSv1.3"
    context = ssl.create_default_context(cafile=controld.certificate)
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", controld.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() == "TLSv1.2"
            cipher = tls.cipher()[0]
            assert "ECDHE" in cipher and ("GCM" in cipher or "CHACHA20" in cipher), cipher


def test_certificate_names_localhost_too(controld):
    r = requests.get("https://localhost:%d/api/v1/health" % controld.port,
                     verify=controld.certificate, timeout=5)
    assert r.status_code == 200


def test_health(controld):
    r = controld.session.get(controld.url("/health"))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"status": "ok"}


def test_every_response_has_request_id_and_security_headers(controld):
    s = controld.session
    responses = [
        s.get(controld.url("/health")),
        s.get(controld.url("/no/such/thing")),
        s.delete(controld.url("/health")),
        s.get(controld.url("/auth/me")),
        s.post(controld.url("/health"), data=b"x" * 70000,
               headers={"Content-Type": "application/json"}),
    ]
    ids = set()
    for r in responses:
        request_id = r.headers.get("X-Request-Id", "")
        assert len(request_id) == 32 and all(c in "0123456789abcdef" for c in request_id), \
            (r.status_code, r.headers)
        ids.add(request_id)
        assert r.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Cache-Control"] == "no-store"
        assert r.headers["Referrer-Policy"] == "no-referrer"
    assert len(ids) == len(responses)


def test_client_request_id_is_not_echoed(controld):
    r = controld.session.get(controld.url("/health"), headers={"X-Request-Id": "forged-id"})
    assert r.headers["X-Request-Id"] != "forged-id"


def test_unknown_path_is_404_problem(controld):
    r = controld.session.get(controld.url("/contracts/DF-00000000/nothing-here"))
    doc = _problem(r, 404)
    assert doc["instance"] == "/api/v1/contracts/DF-00000000/nothing-here"
    # Outside the API too.
    _problem(controld.session.get(controld.base + "/"), 404)


def test_wrong_method_is_405_problem_with_allow(controld):
    r = controld.session.delete(controld.url("/health"))
    _problem(r, 405)
    assert r.headers["Allow"] == "GET"


def test_authenticated_route_without_credentials_is_401_problem(controld):
    _problem(controld.session.get(controld.url("/auth/me")), 401)
    _problem(controld.session.get(controld.url("/auth/me"),
                                  headers={"Authorization": "Bearer not-a-token"}), 401)


def test_body_over_the_limit_is_413_problem(controld):
    r = controld.session.post(controld.url("/auth/login"), data=b"{" + b" " * 70000 + b"}",
                              headers={"Content-Type": "application/json"})
    _problem(r, 413)


def test_malformed_json_is_400_problem_with_position(controld):
    r = controld.session.post(controld.url("/auth/login"), data=b'{"login": "a",\n "password": }',
                              headers={"Content-Type": "application/json"})
    doc = _problem(r, 400)
    assert "line 2" in doc["detail"], doc


def test_json_body_needs_json_content_type(controld):
    r = controld.session.post(controld.url("/auth/login"),
                              data=b'{"login": "%s", "password": "x"}' % STAFF_LOGIN.encode(),
                              headers={"Content-Type": "text/plain"})
    _problem(r, 415)


def test_cors_only_for_the_portal_origin(controld):
    r = controld.session.get(controld.url("/health"), headers={"Origin": PORTAL_ORIGIN})
    assert r.headers["Access-Control-Allow-Origin"] == PORTAL_ORIGIN
    assert r.headers["Access-Control-Allow-Credentials"] == "true"
    assert "X-Request-Id" in r.headers["Access-Control-Expose-Headers"]

    r = controld.session.get(controld.url("/health"), headers={"Origin": "https://evil.test"})
    assert r.status_code == 200
    assert "Access-Control-Allow-Origin" not in r.headers
    assert "Access-Control-Allow-Credentials" not in r.headers


def test_cors_preflight(controld):
    r = controld.session.options(controld.url("/auth/me"), headers={
        "Origin": PORTAL_ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-csrf-token"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == PORTAL_ORIGIN
    assert "GET" in r.headers["Access-Control-Allow-Methods"]
    assert "X-CSRF-Token" in r.headers["Access-Control-Allow-Headers"]

    r = controld.session.options(controld.url("/auth/me"), headers={
        "Origin": "https://evil.test", "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in r.headers
    assert "Access-Control-Allow-Methods" not in r.headers


def test_rate_limit_per_source_address(controld_factory):
    daemon = controld_factory(**{"rate-limit-burst": 5.0, "rate-limit-per-second": 0.01})
    # The readiness probe took some tokens; at most five pass, then 429 with Retry-After.
    statuses = [daemon.session.get(daemon.url("/health")).status_code for _ in range(8)]
    assert statuses[-1] == 429, statuses
    assert statuses.count(200) <= 5 and statuses.count(200) >= 1, statuses
    r = daemon.session.get(daemon.url("/health"))
    doc = _problem(r, 429)
    assert int(r.headers["Retry-After"]) >= 1
    assert doc["title"]


def _keep_alive_connection(daemon):
    context = ssl.create_default_context(cafile=daemon.certificate)
    context.check_hostname = False
    conn = context.wrap_socket(socket.create_connection(("127.0.0.1", daemon.port), timeout=5))
    conn.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
        chunk = conn.recv(4096)
        assert chunk, answer
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer
    return conn


def test_idle_keep_alive_connections_do_not_hold_the_threads(controld_factory):
    # Each open connection holds one of the server's threads: idle clients as many as the
    # threads must not stall a new one for long, and the server closes them itself.
    daemon = controld_factory(threads=2)
    idle = [_keep_alive_connection(daemon) for _ in range(2)]
    started = time.monotonic()
    assert daemon.session.get(daemon.url("/health"), timeout=10).status_code == 200
    assert time.monotonic() - started < 4.0
    for conn in idle:
        conn.settimeout(5)
        assert conn.recv(4096) == b""  # closed by the server, not by us
        conn.close()


def test_sigterm_stops_cleanly(controld_factory):
    daemon = controld_factory()
    assert daemon.stop() == 0
    assert "stopped" in daemon.log()
