"""C20, C21, C25 for repository credentials: no page, log or error shows them, and they go only to DataCite."""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from portal.datacite.retry import RetryPolicy
from portal.models import AuditEvent, Contact, DataCiteCall, OutboxMessage, RepositoryCredential, Role
from portal.models.types import utcnow
from portal.services import credentials, handover
from portal.services.datacite_calls import Caller, Connector
from portal.web.common import CONNECTOR_EXTENSION
from tests.services.fake_datacite import FakeDataCite

PASSWORD = "Never-Show-This-Pa55"
API_KEY = "DC.NeverShowThisApiKey0123456789ab"


def needles(symbol: str, secret: str, sealed: str = "") -> list[str]:
    basic = base64.b64encode(f"{symbol}:{secret}".encode()).decode()
    found = [secret, basic, secret[3:] if secret.startswith("DC.") else secret[:-2]]
    return found + ([sealed, sealed.split(".", 2)[2][:24]] if sealed else [])


def assert_clean(text: str, secrets: list[str], where: str) -> None:
    for needle in secrets:
        assert needle not in text, f"{where} shows {needle[:6]}…"


@pytest.fixture
def world(app, session, make):
    org = make.organisation(session, "Alpha University", datacite_member_id="ALPHA")
    repo = make.repository(session, org, "ALPHA.DATA", prefixes=("10.80001",))
    keyed = make.repository(session, org, "ALPHA.KEYED", prefixes=("10.80002",))
    contact = Contact(organisation_id=org.id, name="Tomás Contact", email="tomas@alpha.example")
    session.add(contact)
    session.commit()
    fake = FakeDataCite().add("ALPHA.DATA", PASSWORD, "10.80001")
    fake.add_doi("10.80001/public", "ALPHA.DATA", "findable", url="https://example.org/p", titles=[{"title": "P"}])
    app.extensions[CONNECTOR_EXTENSION] = fake.connector(app.config)
    return {"org": org, "repo": repo, "keyed": keyed, "contact": contact, "fake": fake,
            "agent": make.user(session, Role.agent), "admin": make.user(session, Role.admin),
            "member": make.user(session, Role.member, org=org)}


def body(response: Any) -> str:
    text = response.get_data(as_text=True)
    response.close()
    return text


def test_no_page_shows_a_stored_credential(app, client, login_as, session, world):
    agent_client = login_as(world["agent"], app.test_client())
    repo, keyed = world["repo"], world["keyed"]
    body(agent_client.post(f"/desk/repositories/{repo.id}/credential", data={"secret": PASSWORD}))
    body(agent_client.post(f"/desk/repositories/{keyed.id}/credential", data={"secret": API_KEY}))
    session.expire_all()
    rows = {r.repository_id: r for r in session.exec(select(RepositoryCredential)).all()}
    secrets = needles("ALPHA.DATA", PASSWORD, rows[repo.id].secret) + needles("ALPHA.KEYED", API_KEY,
                                                                              rows[keyed.id].secret)
    body(agent_client.post(f"/desk/repositories/{repo.id}/test-registration"))
    body(agent_client.post(f"/desk/repositories/{repo.id}/handover", data={"recipient": f"contact:{world['contact'].id}"}))
    transcript_id = session.exec(select(__import__("portal").models.DiagnosisTranscript)).one().id
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "credential-handover")).one()
    assert_clean(mail.body_text, secrets, "the hand-over mail")
    handover_path = re.search(r"http://localhost(/handover/\S+)", mail.body_text).group(1)

    pages: list[tuple[str, Any]] = []
    for r in (repo, keyed):
        for path in ("", "/credential", "/credential/clear", "/handover", "/doi", "/dois", "/calls"):
            pages.append((f"GET desk{path}", agent_client.get(f"/desk/repositories/{r.id}{path}")))
        pages.append(("lookup", agent_client.post(f"/desk/repositories/{r.id}/doi", data={"doi": "10.80001/public"})))
        pages.append(("lookup error", agent_client.post(f"/desk/repositories/{r.id}/doi", data={"doi": "10.80001/x"})))
        pages.append(("recent", agent_client.post(f"/desk/repositories/{r.id}/dois", data={"page": "1"})))
        pages.append(("verify", agent_client.post(f"/desk/repositories/{r.id}/credential/verify",
                                                  follow_redirects=True)))
        pages.append(("bad value", agent_client.post(f"/desk/repositories/{r.id}/credential",
                                                     data={"secret": PASSWORD + "\n" + API_KEY})))
    pages.append(("transcript", agent_client.get(f"/desk/repositories/{repo.id}/transcripts/{transcript_id}")))
    pages.append(("organisation", agent_client.get(f"/desk/members/{world['org'].id}")))
    admin_client = login_as(world["admin"], app.test_client())
    pages.append(("audit log", admin_client.get("/admin/audit?per_page=200")))
    pages.append(("system", admin_client.get("/admin/system")))
    member_client = login_as(world["member"], app.test_client())
    pages.append(("member organisation", member_client.get("/member/organisation")))
    pages.append(("member credential", member_client.get(f"/member/repositories/{repo.id}/credential")))
    anonymous = app.test_client()
    pages.append(("hand-over page", anonymous.get(handover_path)))
    pages.append(("hand-over done", anonymous.post(handover_path, data={"secret": PASSWORD})))
    pages.append(("hand-over used", anonymous.get(handover_path)))
    pages.append(("api", anonymous.get("/api/health")))
    for where, response in pages:
        assert response.status_code < 500, where
        assert_clean(body(response), secrets, where)
    for event in session.exec(select(AuditEvent)).all():
        assert_clean(event.detail, secrets, f"audit {event.action}")
    for call in session.exec(select(DataCiteCall)).all():
        assert_clean(json.dumps(call.model_dump(), default=str), secrets, f"call {call.operation}")
    for row in session.exec(select(RepositoryCredential)).all():
        assert_clean(repr(row) + str(row), secrets, "credential repr")


# ---------------------------------------------------------------- C21 on a real socket


class LoopbackDataCite:
    """A DataCite stand-in on a real loopback socket, so httpx and httpcore log as they would in production."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if self.mode == "401":
            response = Response(json.dumps({"errors": [{"status": "401", "title": "Bad credentials."}]}), 401)
        elif self.mode == "500":
            response = Response(json.dumps({"errors": [{"status": "500", "title": "Internal Server Error"}]}), 500)
        else:
            expected = "Basic " + base64.b64encode(f"ALPHA.DATA:{PASSWORD}".encode()).decode()
            owner = request.headers.get("Authorization") == expected
            attributes = {"symbol": "ALPHA.DATA", "name": "Alpha", "isActive": True}
            if owner:
                attributes["hasPassword"] = True
            response = Response(json.dumps({"data": {"id": "alpha.data", "type": "clients", "attributes": attributes}}))
            if owner:
                response.headers["X-Credential-Username"] = "alpha.data"
        response.content_type = "application/vnd.api+json"
        return response(environ, start_response)

    def __enter__(self) -> LoopbackDataCite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture
def loopback() -> Iterator[LoopbackDataCite]:
    with LoopbackDataCite() as server:
        yield server


def test_secrets_stay_out_of_logs_through_save_verify_401_and_500(app, client, login_as, session, world, loopback,
                                                                   caplog):
    repo = world["repo"]
    repo.api_target = "sandbox"  # the loopback server stands in for the sandbox: a real socket, no transport
    session.add(repo)
    session.commit()
    app.config["DATACITE_SANDBOX_URL"] = loopback.url
    app.extensions[CONNECTOR_EXTENSION] = Connector(config=app.config, retry=RetryPolicy(attempts=1))
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "portal", "werkzeug", "sqlalchemy.engine"):
        caplog.set_level(logging.DEBUG, logger=name)  # restored after the test
    login_as(world["agent"])
    pages = [body(client.post(f"/desk/repositories/{repo.id}/credential", data={"secret": PASSWORD},
                              follow_redirects=True))]
    assert "Verified:" in pages[0]
    for mode in ("401", "500", "ok"):
        loopback.mode = mode
        pages.append(body(client.post(f"/desk/repositories/{repo.id}/credential/verify", follow_redirects=True)))
        pages.append(body(client.post(f"/desk/repositories/{repo.id}/doi", data={"doi": "10.80001/abc"})))
    assert "Verification failed" in pages[1] and "could not be verified now" in pages[3]
    session.expire_all()
    sealed = session.exec(select(RepositoryCredential)).one().secret
    secrets = needles("ALPHA.DATA", PASSWORD, sealed)
    assert "GET /clients/alpha.data" in caplog.text  # the calls were logged, without their secrets
    # SQL echo at DEBUG may print the sealed form (as for TOTP seeds); never the plaintext or the header.
    assert_clean(caplog.text, needles("ALPHA.DATA", PASSWORD), "the logs")
    for record in caplog.records:
        assert_clean(repr(record.args), needles("ALPHA.DATA", PASSWORD), "log arguments")
    for where, page in enumerate(pages):
        assert_clean(page, secrets, f"page {where}")
    statuses = [c.status for c in session.exec(select(DataCiteCall).order_by(DataCiteCall.id)).all()]
    assert 401 in statuses and 500 in statuses


# ---------------------------------------------------------------- C25: only DataCite ever sees them


def test_member_controlled_landing_pages_never_receive_the_credential(app, client, login_as, session, world):
    fake: FakeDataCite = world["fake"]
    repo = world["repo"]
    repo.domains = "landing.member.example"
    session.add(repo)
    session.commit()
    fake.add_doi("10.80001/landing", "ALPHA.DATA", "draft", url="https://landing.member.example/record/1",
                 titles=[{"title": "Landing"}])
    credentials.set_credential(session, repo, secret=PASSWORD, vault=app.extensions["portal.vault"], via="agent",
                               caller=Caller(user=world["agent"]), ip="", now=utcnow())
    policy = handover.HandoverPolicy.from_config(app.config)
    handover.issue_handover(session, repo, recipient_key=f"contact:{world['contact'].id}", policy=policy,
                            caller=Caller(user=world["agent"]), ip="", now=utcnow())
    login_as(world["agent"])
    for method, path, data in (("POST", "/credential/verify", None), ("POST", "/doi", {"doi": "10.80001/landing"}),
                               ("POST", "/dois", {"page": "1"}), ("POST", "/test-registration", None),
                               ("GET", "", None)):
        body(client.open(f"/desk/repositories/{repo.id}{path}", method=method, data=data))
    assert len(fake.requests) >= 6
    assert {(r.url.scheme, r.url.host) for r in fake.requests} == {("https", "api.test.datacite.org")}
    transcript = session.exec(select(__import__("portal").models.DiagnosisTranscript)).one()
    assert "https://landing.member.example/rsp-portal-test-registration" in transcript.body
