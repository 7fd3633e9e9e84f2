"""C01/C02: every route is in the access matrix, and every role gets exactly what the matrix says."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlmodel import select

from portal import create_app
from portal.db import engine_of
from portal.models import (
    Contact,
    DiagnosisTranscript,
    DocRevision,
    Holiday,
    InboundMail,
    JobRun,
    Mailbox,
    OutboxMessage,
    Role,
    SlaPolicy,
)
from portal.models.types import utcnow
from portal.services import api_tokens
from portal.services.programme.renewal import upcoming_year
from portal.services.sla.seed import seed_default_sla
from portal.web.access import ACCESS, ANONYMOUS, TOKEN
from tests.conftest import ROOT, base_config

ROLES = ["anonymous", "member_a", "member_b", "agent", "publisher", "datacite_staff", "admin"]
ROLE_OF = {"member_a": Role.member, "member_b": Role.member, "agent": Role.agent, "publisher": Role.publisher,
           "datacite_staff": Role.datacite_staff, "admin": Role.admin}


def _rules() -> list[tuple[str, str, str]]:
    app = create_app(base_config("sqlite://", __import__("pathlib").Path("/tmp")))
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    engine_of(app).dispose()
    return sorted(found)


RULES = _rules()

# Allowed roles normally get 200 on GET. These endpoints answer otherwise, on purpose.
GET_EXCEPTIONS: dict[str, dict[str, int]] = {
    "docs.index": {"signed_in": 302},  # signed-in people go to their home page
    "auth.login": {"signed_in": 302},
    "auth.home": {"signed_in": 302},
    "auth.two_factor": {"*": 302},  # no password step in progress: back to the sign-in form
    "auth.recovery": {"*": 302},
    "auth.reset": {"*": 400},  # the fixture token is not a valid link
    "auth.invitation": {"*": 400},
    "auth.two_factor_qr": {"*": 404},  # no enrolment in progress
    "handover.form": {"*": 400},  # the fixture token is not a valid hand-over link
    "desk.canned_render": {"*": 404},  # the fixture gives no ticket number in the query
    "desk.reports_csv": {"*": 404},
    "docs.rsp_badge": {"*": 404},  # not listed in the RSP programme: the badge URL answers 404
    "admin.programme_document": {"*": 404},  # the fixture names no stored document  # no table= argument: the 404 page names the tables there are
    "auth.token_revoke": {"*": 404},  # the fixture token is the second admin's: nobody else's own (C02)
    "static": {"*": 200},
    "docs.asset": {"*": 404},  # the fixture file name is not an image in the docs folder
}


# Routes naming an object of organisation A: member B must get 404, never the object (C02).
TENANT_SCOPED = {
    "member.ticket", "member.ticket_reply", "member.ticket_close", "member.ticket_rate", "member.attachment",
    "member.credential",
}


# Staff routes given organisation A's member ticket: DataCite staff see only their own requests (C02).
STAFF_FOREIGN = {"staff.request_page", "staff.request_reply", "staff.attachment"}


@pytest.fixture
def world(session, make) -> dict[str, Any]:
    org_a = make.organisation(session, "Alpha University", datacite_member_id="ALPHA")
    org_b = make.organisation(session, "Beta Institute", datacite_member_id="BETA")
    repo_a = make.repository(session, org_a, "ALPHA.DATA")
    make.repository(session, org_b, "BETA.DATA")
    contact = Contact(organisation_id=org_a.id, name="Alpha Contact", email="contact@alpha.example")
    session.add(contact)
    transcript = DiagnosisTranscript(repository_id=repo_a.id, body="Diagnosis transcript: test")
    session.add(transcript)
    session.commit()
    users = {
        "member_a": make.user(session, Role.member, org=org_a, name="Member of Alpha"),
        "member_b": make.user(session, Role.member, org=org_b, name="Member of Beta"),
        "agent": make.user(session, Role.agent),
        "publisher": make.user(session, Role.publisher),
        "datacite_staff": make.user(session, Role.datacite_staff),
        "admin": make.user(session, Role.admin),
    }
    second_admin = make.user(session, Role.admin, name="Second admin")
    target = make.user(session, Role.member, org=org_a, name="Target person")
    helpdesk = make.helpdesk_world(session, org_a=org_a, repo_a=repo_a, member_a=users["member_a"],
                                   agent=users["agent"])
    foreign_token, _ = make.api_token(session, second_admin)
    tokens = {role: make.api_token(session, person)[1] for role, person in users.items()
              if api_tokens.allowed_scopes(person.role)}
    calendar = seed_default_sla(session)
    holiday = session.exec(select(Holiday).where(Holiday.calendar_id == calendar.id)).first()
    policy = session.exec(select(SlaPolicy)).first()
    revision = DocRevision(slug="troubleshooting/bad-credentials", number=1, content_hash="x", action="publish",
                           text=(ROOT / "docs_content/troubleshooting/bad-credentials.md").read_text() + "\nOlder.\n")
    run = JobRun(job="outbox.deliver", slot="2026-01-01T00:00Z", status="succeeded")
    mail = OutboxMessage(to_addr="someone@alpha.example", subject="Hello", body_text="Hi", status="failed")
    mailbox = Mailbox(name="support", address="support@rsp.example")
    held = InboundMail(message_id="<held@elsewhere.example>", from_addr="stranger@elsewhere.example", outcome="held",
                       ticket_id=helpdesk["number"], body="Please answer me instead.")
    session.add_all([revision, run, mail, mailbox, held])
    session.commit()
    params = {"org_id": org_a.id, "repo_id": repo_a.id, "contact_id": contact.id, "user_id": target.id,
              "token": "not-a-real-token", "filename": "style.css", "token_id": foreign_token.id, **helpdesk,
              "transcript_id": transcript.id,
              "calendar_id": calendar.id, "holiday_id": holiday.id, "policy_id": policy.id,
              "slug": "troubleshooting/bad-credentials", "revision_id": revision.id,
              "job": "outbox.deliver", "run_id": run.id, "mail_id": mail.id, "version": "4.8",
              "requirement": "req.dois", "step": "call_held", "document_id": 999_999,
              "year": upcoming_year(utcnow().date()),
              "mailbox_id": mailbox.id, "inbound_id": held.id}
    return {"users": users, "params": params, "org_a": org_a, "org_b": org_b, "tokens": tokens}


def build_url(rule: str, params: dict[str, Any]) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(params[m.group(1)]), rule)


def client_for(app, login_as, world, role: str):
    c = app.test_client()
    if role != ANONYMOUS:
        login_as(world["users"][role], c)
    return c


def test_tenant_scoped_routes_exist():
    endpoints = {endpoint for endpoint, _m, _r in RULES}
    assert TENANT_SCOPED <= endpoints and STAFF_FOREIGN <= endpoints


def test_every_route_is_in_the_matrix():
    missing = sorted({endpoint for endpoint, _m, _r in RULES if endpoint not in ACCESS})
    assert not missing, f"routes missing from portal.web.access.ACCESS: {missing}"


def test_matrix_has_no_stale_entries():
    endpoints = {endpoint for endpoint, _m, _r in RULES}
    assert not set(ACCESS) - endpoints


@pytest.mark.parametrize(("endpoint", "method", "rule"), RULES, ids=[f"{m} {r}" for _e, m, r in RULES])
def test_route_as_every_role(app, login_as, world, endpoint, method, rule):
    url = build_url(rule, world["params"])
    allowed = ACCESS[endpoint]
    if allowed == TOKEN:
        check_token_route(app, login_as, world, endpoint, method, url)
        return
    for role in ROLES:
        matrix_role = ANONYMOUS if role == ANONYMOUS else ROLE_OF[role].value
        c = client_for(app, login_as, world, role)
        response = c.open(url, method=method)
        response.close()
        where = f"{method} {url} as {role}"
        if matrix_role not in allowed:
            if role == ANONYMOUS:
                if url.startswith("/api/"):
                    assert response.status_code == 401, where
                else:
                    assert response.status_code == 302, where
                    assert "/login" in response.headers["Location"], where
            else:
                assert response.status_code == 403, where
            continue
        if (role == "member_b" and endpoint in TENANT_SCOPED) or (role == "datacite_staff" and endpoint in STAFF_FOREIGN):
            assert response.status_code == 404, where
            continue
        if method == "GET":
            exceptions = GET_EXCEPTIONS.get(endpoint, {})
            kind = "signed_in" if role != ANONYMOUS else "anonymous"
            expected = exceptions.get(kind, exceptions.get("*", 200))
            assert response.status_code == expected, where
        else:
            assert response.status_code not in (401, 403, 500), where


def check_token_route(app, login_as, world, endpoint, method, url):
    """Sessions count for nothing on token routes: every role's cookie gets 401; a bearer token gets through."""
    for role in ROLES:
        response = client_for(app, login_as, world, role).open(url, method=method)
        response.close()
        assert response.status_code == 401, f"{method} {url} with the session of {role}"
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), url
    operation = app.view_functions[endpoint].api_operation
    holders = [role for role, plaintext in world["tokens"].items()
               if operation.scopes <= api_tokens.allowed_scopes(ROLE_OF[role])]
    assert holders, f"no role can hold the scopes {sorted(operation.scopes)} of {url}"
    for role, plaintext in world["tokens"].items():
        headers = {"Authorization": f"Bearer {plaintext}", "Idempotency-Key": f"matrix-{role}"}
        response = app.test_client().open(url, method=method, headers=headers, json={})
        response.close()
        if role in holders:
            assert response.status_code not in (401, 403, 500), f"{method} {url} with a token of {role}"
        else:
            assert response.status_code == 403, f"{method} {url} with a token of {role}"


def test_member_sees_only_their_own_organisation(app, login_as, world):
    a = client_for(app, login_as, world, "member_a").get("/member/organisation").get_data(as_text=True)
    b = client_for(app, login_as, world, "member_b").get("/member/organisation").get_data(as_text=True)
    assert "Alpha University" in a and "Beta Institute" not in a and "BETA.DATA" not in a
    assert "Beta Institute" in b and "Alpha University" not in b and "ALPHA.DATA" not in b
    assert "Alpha Contact" in a and "Alpha Contact" not in b


def test_member_cannot_name_another_organisation(app, login_as, world):
    c = client_for(app, login_as, world, "member_a")
    org_b = world["org_b"].id
    for url in (f"/desk/members/{org_b}", f"/member/organisation?org_id={org_b}", f"/member/?organisation_id={org_b}"):
        body = c.get(url).get_data(as_text=True)
        assert "Beta Institute" not in body, url
