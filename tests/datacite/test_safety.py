"""C25 (credentials only ever go to DataCite) and C21 (secrets never reach logs, errors or reprs)."""

from __future__ import annotations

import base64
import json
import logging
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from portal.datacite import BaseURLRefused, Credentials, DataCiteClient, RetryPolicy, user_agent
from portal.datacite.errors import AuthError, DataCiteError, OutageError
from portal.datacite.retry import CircuitBreaker
from portal.vault import Secret
from tests.datacite.fakes import (
    CREDS,
    PASSWORD,
    UA,
    FakeClock,
    Script,
    doi_document,
    json_response,
    make_client,
)

EVIL = "https://landing.member-controlled.example"


# ---------------------------------------------------------------- the base URL allow-list


@pytest.mark.parametrize(("environment", "base"), [("production", "https://api.datacite.org"),
                                                   ("test", "https://api.test.datacite.org")])
def test_production_and_test_have_fixed_https_addresses(environment, base):
    with DataCiteClient(environment, user_agent=UA) as client:
        assert client.base_url == base


@pytest.mark.parametrize(("environment", "sandbox_url"), [
    ("sandbox", "https://api.evil.example"),  # not on this machine
    ("sandbox", "http://10.0.0.5:5099"),
    ("sandbox", "ftp://127.0.0.1"),
    ("sandbox", "http://user:pw@127.0.0.1:5099"),
    ("production", "http://127.0.0.1:5099"),  # only the sandbox takes a URL
    ("staging", None),
])
def test_other_base_urls_are_refused_before_any_request(environment, sandbox_url):
    with pytest.raises(BaseURLRefused):
        DataCiteClient(environment, sandbox_url=sandbox_url, user_agent=UA)


def test_sandbox_defaults_to_loopback_and_accepts_any_url_with_an_injected_transport():
    with DataCiteClient("sandbox", user_agent=UA) as client:
        assert client.base_url == "http://127.0.0.1:5099"
    script = Script().add(httpx.Response(200, text="OK"))
    with DataCiteClient("sandbox", sandbox_url="http://sandbox.internal", user_agent=UA,
                        transport=script.transport) as client:
        assert client.heartbeat()
    assert script.requests[0].url.host == "sandbox.internal"


def test_real_connections_verify_tls_follow_no_redirects_and_have_explicit_timeouts():
    with DataCiteClient("production", user_agent=UA, timeout=12.5) as client:
        http = client._http
        assert http.follow_redirects is False
        assert http.timeout == httpx.Timeout(12.5, connect=10.0)
        context = http._transport._pool._ssl_context  # httpx internals: the only way to see the TLS setup
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_redirect_is_not_followed_and_no_second_request_is_made():
    script = Script().add(httpx.Response(302, headers={"Location": f"{EVIL}/steal"}))
    with make_client(script) as client:
        with pytest.raises(DataCiteError) as caught:
            client.get_doi("10.1234/abc", CREDS)
    assert not caught.value.retryable
    assert [r.url.host for r in script.requests] == ["api.test.datacite.org"]


def test_no_request_ever_leaves_for_another_host_whatever_datacite_answers():
    """Member-controlled URLs in attributes and next links pointing elsewhere never receive a request."""
    first = {"data": [doi_document("10.1234/a")["data"]], "meta": {"total": 2, "totalPages": 2},
             "links": {"next": f"{EVIL}/dois?page%5Bcursor%5D=NEXT&page%5Bsize%5D=1"}}
    second = {"data": [doi_document("10.1234/b")["data"]], "meta": {"total": 2, "totalPages": 2}, "links": {}}
    script = Script().add(json_response(200, first), json_response(200, second),
                          json_response(201, doi_document("10.1234/c")), json_response(200, doi_document("10.1234/c")))
    with make_client(script) as client:
        assert [d.doi for d in client.iter_dois(CREDS, size=1)] == ["10.1234/a", "10.1234/b"]
        client.create_draft(CREDS, {"url": f"{EVIL}/landing"}, doi="10.1234/c")
        client.publish(CREDS, "10.1234/c", {"url": f"{EVIL}/landing"})
    assert {r.url.host for r in script.requests} == {"api.test.datacite.org"}
    assert script.requests[1].url.params["page[cursor]"] == "NEXT"
    assert all(r.headers["Authorization"].startswith("Basic ") for r in script.requests)


def test_the_origin_guard_stops_a_request_to_another_host_before_it_is_sent():
    script = Script()
    with make_client(script) as client:
        with pytest.raises(BaseURLRefused):
            client._http.get(f"{EVIL}/x", auth=CREDS.auth())
    assert script.requests == []


# ---------------------------------------------------------------- credentials on the wire


def test_password_goes_as_basic_auth_and_api_key_as_bearer_per_request():
    script = Script().add(*(json_response(200, doi_document("10.1234/a")) for _ in range(3)))
    key = Credentials("MPQM.QLDNEC", Secret("DC.abcdefghijklmnopqrstuvwxyz012345"))
    with make_client(script) as client:
        client.get_doi("10.1234/a", CREDS)
        client.get_doi("10.1234/a", key)
        client.get_doi("10.1234/a")
    basic = base64.b64encode(f"MPQM.QLDNEC:{PASSWORD}".encode()).decode()
    assert script.requests[0].headers["Authorization"] == f"Basic {basic}"
    assert script.requests[1].headers["Authorization"] == "Bearer DC.abcdefghijklmnopqrstuvwxyz012345"
    assert "Authorization" not in script.requests[2].headers  # nothing stored on the client
    assert all(r.headers["User-Agent"] == UA for r in script.requests)


def test_credentials_refuse_plain_strings_and_hide_the_secret():
    with pytest.raises(TypeError):
        Credentials("ABC.DEF", PASSWORD)
    with pytest.raises(ValueError):
        Credentials("ABC.DEF", Secret(""))
    assert PASSWORD not in repr(CREDS) and PASSWORD not in str(CREDS)
    assert "DC.abc" not in repr(Credentials("A.B", Secret("DC.abc")).auth())


def test_user_agent_identifies_the_portal_with_a_mailto():
    assert user_agent("0.1.0", "https://portal.example", "desk@rsp.example") == \
        "RSP-Portal/0.1.0 (https://portal.example; mailto:desk@rsp.example)"
    for bad in [("0.1 beta", "https://p.example", "a@b.example"), ("1", "p.example", "a@b.example"),
                ("1", "https://p.example", "nobody"), ("1", "https://p.example\r\nX: y", "a@b.example")]:
        with pytest.raises(ValueError):
            user_agent(*bad)


# ---------------------------------------------------------------- C21: nothing secret in logs, on a real socket


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep the test output quiet
        pass

    def _send(self, status: int, document: object, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(payload)
        except OSError:
            pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.startswith("/dois/10.1234/slow"):
            time.sleep(1.5)
            self._send(200, doi_document("10.1234/slow"))
        elif self.path.startswith("/dois/10.1234/boom"):
            self._send(500, {"status": 400, "title": "[503] No server available to handle the request"})
        elif self.path.startswith("/clients/"):
            self._send(200, {"data": {"id": "mpqm.qldnec", "type": "clients", "attributes": {
                "symbol": "MPQM.QLDNEC", "contactEmail": "x@y.example", "hasPassword": True, "isActive": True}}},
                {"X-Credential-Username": "mpqm.qldnec"})
        else:
            self._send(200, doi_document("10.1234/ok"))

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._send(401, {"errors": [{"status": "401", "title": "Bad credentials."}]})


@pytest.fixture
def local_datacite() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_no_secret_in_any_log_record_or_error_at_debug_level(local_datacite, caplog):
    for name in ("", "httpx", "httpcore", "portal", "portal.datacite"):
        caplog.set_level(logging.DEBUG, logger=name)
    key = "DC.KEYabcdefghijklmnopqrstuvwxyz0123"
    clock = FakeClock()
    texts: list[str] = []
    with DataCiteClient("sandbox", sandbox_url=local_datacite, user_agent=UA, timeout=0.5, sleep=clock.sleep,
                        clock=clock, retry=RetryPolicy(attempts=2),
                        breaker=CircuitBreaker(threshold=100, clock=clock)) as client:
        assert client.get_doi("10.1234/ok", CREDS).doi == "10.1234/ok"
        assert client.verify_credentials(CREDS).ok
        client.get_doi("10.1234/ok", Credentials("MPQM.QLDNEC", Secret(key)))
        for call, expected in [
            (lambda: client.create_draft(CREDS, {"titles": [{"title": "t"}]}, doi="10.1234/new"), AuthError),
            (lambda: client.get_doi("10.1234/boom", CREDS), OutageError),
            (lambda: client.get_doi("10.1234/slow", CREDS), OutageError),
        ]:
            with pytest.raises(expected) as caught:
                call()
            texts += [str(caught.value), repr(caught.value), caught.value.explanation, caught.value.fix]
    basic = base64.b64encode(f"MPQM.QLDNEC:{PASSWORD}".encode()).decode()
    logged = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    everything = "\n".join(logged + texts + [caplog.text])
    assert any(r.name.startswith("httpcore") for r in caplog.records)  # the noisy loggers really were on
    assert any("GET /dois/10.1234/ok -> 200" in line for line in logged)
    for secret in (PASSWORD, basic, key, key[3:]):
        assert secret not in everything
