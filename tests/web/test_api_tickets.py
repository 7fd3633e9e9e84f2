"""The tickets, staff-request and service-profile API: what integrators script against."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import Role, StaffRequest, Ticket
from portal.models.types import utcnow
from portal.services.tickets.messages import add_message
from tests.conftest import bearer
from tests.helpdesk import ctx_for_tests


@pytest.fixture
def api(session, make):
    org = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    repo = make.repository(session, org, "UNIX.DATA", environment="production")
    agent = make.user(session, Role.agent, name="Priya")
    staff = make.user(session, Role.datacite_staff, name="Maren", email="maren@datacite.example")
    member = make.user(session, Role.member, org=org, email="tomas@unix.example", name="Tomás")
    return {"org": org, "repo": repo, "agent": agent, "member": member, "staff": staff,
            "agent_token": make.api_token(session, agent)[1], "staff_token": make.api_token(session, staff)[1]}


def test_create_is_idempotent_and_returns_the_ticket(client, session, api):
    body = {"subject": "Publishing fails", "body": "See 10.80001/x-1", "requester_email": "tomas@unix.example",
            "repository": "unix.data", "priority": "high",
            "datacite_error": "422 URL https://a.example/x is not allowed by repository unix.data domain settings."}
    first = client.post("/api/v1/tickets", json=body, headers=bearer(api["agent_token"], **{"Idempotency-Key": "k1"}))
    assert first.status_code == 201
    data = first.json
    assert data["requester"]["email"] == "tomas@unix.example" and data["organisation"] == "University of Unix"
    assert data["repository"] == "UNIX.DATA" and data["dois"] == ["10.80001/x-1"]
    assert data["failure_key"] == "url-domain-not-allowed"
    assert first.headers["Location"].endswith(f"/api/v1/tickets/{data['number']}")
    again = client.post("/api/v1/tickets", json=body, headers=bearer(api["agent_token"], **{"Idempotency-Key": "k1"}))
    assert again.status_code == 201 and again.json["number"] == data["number"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(session.exec(select(Ticket)).all()) == 1
    changed = client.post("/api/v1/tickets", json={**body, "subject": "Other"},
                          headers=bearer(api["agent_token"], **{"Idempotency-Key": "k1"}))
    assert changed.status_code == 422
    missing = client.post("/api/v1/tickets", json=body, headers=bearer(api["agent_token"]))
    assert missing.status_code == 400


def test_field_errors_are_named(client, api):
    response = client.post("/api/v1/tickets", json={"subject": "x", "body": "y", "repository": "NOPE.X"},
                           headers=bearer(api["agent_token"], **{"Idempotency-Key": "k2"}))
    assert response.status_code == 422 and "repository" in response.json["error"]["fields"]
    unknown = client.post("/api/v1/tickets", json={"subject": "x", "body": "y", "status": "closed"},
                          headers=bearer(api["agent_token"], **{"Idempotency-Key": "k3"}))
    assert unknown.status_code == 400
    # an id no integer column can hold is a field error, not a database error (the fuzz test found 12508370008152)
    huge = client.post("/api/v1/tickets", json={"subject": "x", "body": "y", "organisation_id": 2**31},
                       headers=bearer(api["agent_token"], **{"Idempotency-Key": "k4"}))
    assert huge.status_code == 422 and "organisation_id" in huge.json["error"]["fields"]


def test_list_get_reply_and_status(client, session, make, api):
    ticket = make.ticket(session, requester=api["member"], body="About 10.80001/abc")
    add_message(session, ticket, author=api["agent"], body="checking", ctx=ctx_for_tests(), now=utcnow(),
                visibility="internal")
    token = api["agent_token"]
    listing = client.get("/api/v1/tickets?view=all&doi=10.80001", headers=bearer(token)).json
    assert [t["number"] for t in listing["items"]] == [ticket.id] and listing["total"] == 1
    detail = client.get(f"/api/v1/tickets/{ticket.id}", headers=bearer(token)).json
    assert [m["internal"] for m in detail["messages"]] == [False, True]
    reply = client.post(f"/api/v1/tickets/{ticket.id}/replies", headers=bearer(token),
                        json={"body": "Fixed now", "status": "resolved"})
    assert reply.status_code == 201 and reply.json["ticket"]["status"] == "resolved"
    bad = client.post(f"/api/v1/tickets/{ticket.id}/status", headers=bearer(token), json={"status": "waiting_member"})
    assert bad.status_code == 422 and "cannot become" in bad.json["error"]["detail"]
    reopened = client.post(f"/api/v1/tickets/{ticket.id}/status", headers=bearer(token),
                           json={"status": "open", "reason": "Member says it recurs"})
    assert reopened.status_code == 200 and reopened.json["status"] == "open"
    assert client.get("/api/v1/tickets/999999", headers=bearer(token)).status_code == 404


def test_staff_tokens_cannot_read_tickets(client, session, make, api):
    ticket = make.ticket(session, requester=api["member"])
    assert client.get("/api/v1/tickets", headers=bearer(api["staff_token"])).status_code == 403
    assert client.get(f"/api/v1/staff-requests/{ticket.id}", headers=bearer(api["staff_token"])).status_code == 404


def test_staff_request_by_api(client, session, make, api):
    body = {"subject": "Kernel-3 uploads", "observed": "UNIX.DATA sends kernel-3 XML", "repository": "UNIX.DATA",
            "reply_to": "support@datacite.example"}
    created = client.post("/api/v1/staff-requests", json=body,
                          headers=bearer(api["staff_token"], **{"Idempotency-Key": "s1"}))
    assert created.status_code == 201
    ref = created.json["reference"]
    assert created.json["reply_to"] == "support@datacite.example" and created.json["status"] == "new"
    retried = client.post("/api/v1/staff-requests", json=body,
                          headers=bearer(api["staff_token"], **{"Idempotency-Key": "s1"}))
    assert retried.json["reference"] == ref
    assert len(session.exec(select(StaffRequest)).all()) == 1
    add_message(session, session.get(Ticket, ref), author=api["agent"], body="internal only", ctx=ctx_for_tests(),
                now=utcnow(), visibility="internal")
    add_message(session, session.get(Ticket, ref), author=api["agent"], body="We are on it", ctx=ctx_for_tests(),
                now=utcnow())
    followed = client.get(f"/api/v1/staff-requests/{ref}", headers=bearer(api["staff_token"])).json
    assert [r["body"] for r in followed["replies"]] == ["UNIX.DATA sends kernel-3 XML", "We are on it"]
    assert followed["acknowledged_at"] is not None
    other = make.user(session, Role.datacite_staff)
    other_token = make.api_token(session, other)[1]
    assert client.get(f"/api/v1/staff-requests/{ref}", headers=bearer(other_token)).status_code == 404


def test_service_profile_by_api(client, session, make, api):
    profile = client.get("/api/v1/service-profile", headers=bearer(api["staff_token"]))
    assert profile.status_code == 200
    assert profile.json["organisations"] == 1 and profile.json["newest_schema"] == "4.7"
    make.organisation(session, "Another")
    assert client.get("/api/v1/service-profile", headers=bearer(api["staff_token"])).json["organisations"] == 2
    assert client.get("/api/v1/service-profile", headers=bearer(api["agent_token"])).status_code == 403


def test_list_total_is_exact_whatever_the_pages_cap(client, session, make, api, monkeypatch):
    from portal.services.tickets import queues

    monkeypatch.setattr(queues, "COUNT_CAP", 1)  # the desk pages would say "more than 1"
    for n in range(3):
        make.ticket(session, requester=api["member"], subject=f"Exact {n}")
    listing = client.get("/api/v1/tickets?view=all&per_page=2", headers=bearer(api["agent_token"])).json
    assert (listing["total"], listing["pages"], len(listing["items"])) == (3, 2, 2)
