"""C04: every cookie-authenticated state change needs a valid CSRF token; GET never changes data."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from portal.models import AuditEvent, Role
from portal.models.types import utcnow
from portal.services.programme.renewal import upcoming_year
from portal.web.access import ACCESS
from tests.factories import tampered
from tests.security.test_access_matrix import RULES, build_url

STATE_CHANGING = [(e, m, r) for e, m, r in RULES if m in {"POST", "PUT", "PATCH", "DELETE"} and not r.startswith("/api/")]
GETS = [(e, m, r) for e, m, r in RULES if m == "GET" and e != "static"]


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True  # on here, whatever other modules do
    return app_config


@pytest.fixture
def world(session, make):
    org = make.organisation(session, "Alpha University", datacite_member_id="ALPHA")
    repo = make.repository(session, org, "ALPHA.DATA")
    from portal.models import Contact, DiagnosisTranscript

    contact = Contact(organisation_id=org.id, name="C", email="c@alpha.example")
    transcript = DiagnosisTranscript(repository_id=repo.id, body="Diagnosis transcript: test")
    session.add_all([contact, transcript])
    session.commit()
    admin = make.user(session, Role.admin)
    make.user(session, Role.admin)
    target = make.user(session, Role.member, org=org)
    users = {"admin": admin, "agent": make.user(session, Role.agent), "publisher": make.user(session, Role.publisher),
             "datacite_staff": make.user(session, Role.datacite_staff), "member": make.user(session, Role.member, org=org)}
    from portal.models import Holiday, SlaPolicy
    from portal.services.sla.seed import seed_default_sla

    helpdesk = make.helpdesk_world(session, org_a=org, repo_a=repo, member_a=users["member"], agent=users["agent"])
    token, _ = make.api_token(session, users["agent"])
    calendar = seed_default_sla(session)
    from portal.models import DocRevision
    from tests.conftest import ROOT

    revision = DocRevision(slug="troubleshooting/bad-credentials", number=1, content_hash="x", action="publish",
                           text=(ROOT / "docs_content/troubleshooting/bad-credentials.md").read_text() + "\nOlder.\n")
    from portal.models import JobRun, OutboxMessage

    run = JobRun(job="outbox.deliver", slot="2026-01-01T00:00Z", status="succeeded")
    mail = OutboxMessage(to_addr="c@alpha.example", subject="Hello", body_text="Hi", status="failed")
    from portal.models import InboundMail, Mailbox

    mailbox = Mailbox(name="support", address="support@rsp.example")
    held = InboundMail(message_id="<held@elsewhere.example>", from_addr="stranger@elsewhere.example", outcome="held",
                       ticket_id=helpdesk["number"], body="Please answer me instead.")
    session.add_all([revision, run, mail, mailbox, held])
    session.commit()
    params = {"org_id": org.id, "repo_id": repo.id, "contact_id": contact.id, "user_id": target.id,
              "token": "x", "filename": "style.css", "token_id": token.id, **helpdesk, "transcript_id": transcript.id,
              "calendar_id": calendar.id,
              "holiday_id": session.execute(select(Holiday.id)).scalars().first(),
              "policy_id": session.execute(select(SlaPolicy.id)).scalars().first(),
              "slug": "troubleshooting/bad-credentials", "revision_id": revision.id,
              "job": "outbox.deliver", "run_id": run.id, "mail_id": mail.id, "version": "4.8",
              "requirement": "req.dois", "step": "call_held", "document_id": 999_999,
              "year": upcoming_year(utcnow().date()),
              "mailbox_id": mailbox.id, "inbound_id": held.id}
    return users, params


def allowed_user(users, endpoint):
    for role in ("admin", "agent", "publisher", "datacite_staff", "member"):
        if role in ACCESS[endpoint]:
            return users[role]
    return None


def csrf_token_of(client, path="/account"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def row_counts(session):
    return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables}


@pytest.mark.parametrize(("endpoint", "method", "rule"), STATE_CHANGING, ids=[f"{m} {r}" for _e, m, r in STATE_CHANGING])
def test_state_change_refused_without_a_valid_token(app, login_as, session, world, endpoint, method, rule, caplog):
    users, params = world
    url = build_url(rule, params)
    user = allowed_user(users, endpoint)
    client = app.test_client()
    if user is not None:
        login_as(user, client)
    other = login_as(users["admin"], app.test_client())
    foreign_token = csrf_token_of(other)
    good_token = csrf_token_of(client) if user is not None else None
    before = row_counts(session)
    for label, token in (("missing", None), ("wrong length", "abc"), ("from another session", foreign_token),
                         ("tampered", tampered(good_token or foreign_token))):
        data = {} if token is None else {"csrf_token": token}
        with caplog.at_level(logging.WARNING, logger="portal.security"):
            response = client.open(url, method=method, data=data)
        assert response.status_code == 403, f"{label}: {method} {url}"
        assert "CSRF refusal" in caplog.text
        caplog.clear()
    after = row_counts(session)
    refusals = after.pop("audit_event") - before.pop("audit_event")
    assert refusals == 4
    assert after == before
    assert session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "security.csrf_failure")).one()[0] >= 4
    if good_token is not None:
        response = client.open(url, method=method, data={"csrf_token": good_token})
        assert response.status_code != 403, f"valid token refused: {method} {url}"


def test_expired_token_is_refused(app, login_as, session, world, monkeypatch):
    import time

    from itsdangerous.timed import TimestampSigner

    users, _params = world
    client = login_as(users["agent"], app.test_client())
    app.config["WTF_CSRF_TIME_LIMIT"] = 600
    token = csrf_token_of(client)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + 3600)  # an hour later
    response = client.post("/account", data={"csrf_token": token, "name": "X"})
    assert response.status_code == 403
    monkeypatch.undo()
    assert client.post("/account", data={"csrf_token": token, "name": "X"}).status_code == 302


@pytest.mark.parametrize(("endpoint", "method", "rule"), GETS, ids=[f"{m} {r}" for _e, m, r in GETS])
def test_get_never_changes_data(app, login_as, session, world, endpoint, method, rule):
    users, params = world
    user = allowed_user(users, endpoint)
    client = app.test_client()
    if user is not None:
        login_as(user, client)
    before = row_counts(session)
    client.get(build_url(rule, params)).close()
    after = row_counts(session)
    # Presence is who has a ticket open right now, not data: opening a ticket records it.
    before.pop("ticket_presence"), after.pop("ticket_presence")
    assert after == before


def test_a_tampered_token_never_decodes_to_the_same_bytes():
    import base64
    import random

    rng = random.Random(7)
    for size in (20, 32):  # an HMAC-SHA1 signature (CSRF tokens) and a 256-bit secret (links)
        for _ in range(500):
            text = base64.urlsafe_b64encode(rng.randbytes(size)).decode().rstrip("=")
            changed = tampered(text)
            pad = "=" * (-len(text) % 4)
            assert base64.urlsafe_b64decode(changed + pad) != base64.urlsafe_b64decode(text + pad)
    # what the old tampering did: replacing the last two characters can leave the bytes as they were
    assert base64.urlsafe_b64decode("AAAAAAAAAAAAAAAAAAAAAAAAAxx=") == base64.urlsafe_b64decode("AAAAAAAAAAAAAAAAAAAAAAAAAxy=")
