"""Helpdesk pages: what agents and members do, and what members never see."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from portal.models import Attachment, CannedAnswer, Message, Role, Status, Ticket
from portal.models.types import utcnow
from portal.services.tickets.messages import add_message
from portal.services.tickets.status import set_status
from tests.helpdesk import ctx_for_tests


@pytest.fixture
def desk(session, make):
    org = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    repo = make.repository(session, org, "UNIX.DATA", environment="production", prefixes=("10.80001",))
    member = make.user(session, Role.member, org=org, name="Tomás Herrera")
    agent = make.user(session, Role.agent, name="Priya Raman")
    return {"org": org, "repo": repo, "member": member, "agent": agent}


def seen_id(html):
    return re.search(r'name="seen_message_id" type="hidden" value="(\d+)"', html).group(1)


def test_member_files_a_ticket_and_sees_the_error_explained(client, session, login_as, desk):
    login_as(desk["member"])
    error = ("{\"errors\":[{\"source\":\"url\",\"title\":\"URL https://data.unix.example/x is not allowed by repository "
             "unix.data domain settings.\",\"uid\":\"10.80001/x\"}]}")
    checked = client.post("/member/tickets/new", data={"action": "check", "subject": "Publishing fails",
                                                        "error_text": error, "body": ""})
    assert "We recognise this error" in checked.get_data(as_text=True)
    assert session.exec(select(Ticket)).all() == []  # checking files nothing
    response = client.post("/member/tickets/new", data={
        "action": "file", "subject": "Publishing fails", "repository_id": str(desk["repo"].id),
        "environment": "production", "category": "landing_page_url", "dois": "", "error_text": error,
        "body": "Since this morning."})
    ticket = session.exec(select(Ticket)).one()
    assert response.headers["Location"].endswith(f"/member/tickets/{ticket.id}")
    assert (ticket.failure_key, ticket.organisation_id, ticket.channel) == ("url-domain-not-allowed", desk["org"].id,
                                                                            "member_portal")
    page = client.get(f"/member/tickets/{ticket.id}").get_data(as_text=True)
    assert "How to fix it" in page and "10.80001/x" in page


def test_member_form_errors_name_fields(client, session, login_as, desk, make):
    login_as(desk["member"])
    other_repo = make.repository(session, make.organisation(session, "Other"), "OTHER.X")
    body = client.post("/member/tickets/new", data={"action": "file", "subject": "", "body": "",
                                                    "repository_id": str(other_repo.id), "dois": "not-a-doi"}).get_data(as_text=True)
    for field in ("subject", "body", "dois", "repository_id"):
        assert f'id="{field}-error"' in body, field


def test_agent_answers_with_a_canned_answer_without_javascript(client, session, login_as, desk, make):
    session.add(CannedAnswer(title="Domain", body="Hello {{member_name}}, add the host for {{repository_id}}.",
                             failure_key="url-domain-not-allowed"))
    session.commit()
    ticket = make.ticket(session, requester=desk["member"], repository_id=desk["repo"].id)
    answer = session.exec(select(CannedAnswer)).one()
    login_as(desk["agent"])
    page = client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
    inserted = client.post(f"/desk/tickets/{ticket.id}/reply", data={
        "action": "insert", "canned_id": str(answer.id), "body": "", "seen_message_id": seen_id(page)})
    text = inserted.get_data(as_text=True)
    assert "Hello Tomás, add the host for UNIX.DATA." in text
    assert len(session.exec(select(Message)).all()) == 1  # inserting sends nothing
    sent = client.post(f"/desk/tickets/{ticket.id}/reply", data={
        "action": "reply", "body": "Hello Tomás, add the host for UNIX.DATA.", "seen_message_id": seen_id(text),
        "after": "waiting_member", "status_reason": "Waiting for the domain change"})
    assert sent.status_code == 302
    session.refresh(ticket)
    assert ticket.status == Status.waiting_member and ticket.first_response_at is not None


def test_stale_reply_keeps_the_draft_and_highlights_the_new_message(app, client, session, login_as, desk, make):
    ticket = make.ticket(session, requester=desk["member"])
    login_as(desk["agent"])
    page = client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
    add_message(session, ticket, author=desk["member"], body="Oh, and it also fails in test.", ctx=ctx_for_tests(),
                now=utcnow())
    response = client.post(f"/desk/tickets/{ticket.id}/reply", data={
        "action": "reply", "body": "My careful draft", "seen_message_id": seen_id(page)})
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "arrived while you were writing" in body and "My careful draft" in body
    assert "new since you started writing" in body
    again = client.post(f"/desk/tickets/{ticket.id}/reply", data={
        "action": "reply", "body": "My careful draft", "seen_message_id": seen_id(body)})
    assert again.status_code == 302


def test_presence_shows_who_else_is_replying(app, session, login_as, desk, make):
    ticket = make.ticket(session, requester=desk["member"])
    ben = make.user(session, Role.agent, name="Ben Okafor")
    priya = login_as(desk["agent"], app.test_client())
    priya.post(f"/desk/tickets/{ticket.id}/presence", data={"state": "replying"})
    ben_client = login_as(ben, app.test_client())
    assert "Priya Raman is replying" in ben_client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
    answer = ben_client.post(f"/desk/tickets/{ticket.id}/presence", data={"state": "viewing"}).json
    assert answer["others"] == [{"name": "Priya Raman", "state": "replying"}]


def test_members_never_see_internal_notes_or_their_files(app, client, session, login_as, desk, make):
    from portal.services.tickets.attachments import Upload

    ticket = make.ticket(session, requester=desk["member"])
    add_message(session, ticket, author=desk["agent"], body="INTERNAL: member is on a legacy setup",
                ctx=ctx_for_tests(), now=utcnow(), visibility="internal", attachments=[Upload("notes.txt", b"secret")])
    add_message(session, ticket, author=desk["agent"], body="Public answer", ctx=ctx_for_tests(), now=utcnow())
    note_file = session.exec(select(Attachment)).one()
    login_as(desk["member"])
    page = client.get(f"/member/tickets/{ticket.id}").get_data(as_text=True)
    assert "Public answer" in page and "INTERNAL" not in page and "notes.txt" not in page
    assert client.get(f"/member/attachments/{note_file.id}").status_code == 404
    agent_client = login_as(desk["agent"], app.test_client())
    download = agent_client.get(f"/desk/attachments/{note_file.id}")
    assert download.status_code == 200 and download.data == b"secret"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()


def test_member_of_another_organisation_gets_404_everywhere(app, session, login_as, desk, make):
    ticket = make.ticket(session, requester=desk["member"])
    stranger = make.user(session, Role.member, org=make.organisation(session, "Beta"))
    c = login_as(stranger, app.test_client())
    assert c.get(f"/member/tickets/{ticket.id}").status_code == 404
    assert c.post(f"/member/tickets/{ticket.id}/reply", data={"body": "hi"}).status_code == 404
    assert c.post(f"/member/tickets/{ticket.id}/close").status_code == 404
    listing = c.get("/member/tickets?state=all").get_data(as_text=True)
    assert f"/member/tickets/{ticket.id}" not in listing and "No tickets here." in listing


def test_member_closes_and_rates(client, session, login_as, desk, make):
    ticket = make.ticket(session, requester=desk["member"])
    login_as(desk["member"])
    assert "Close #" in client.get(f"/member/tickets/{ticket.id}/close").get_data(as_text=True)
    client.post(f"/member/tickets/{ticket.id}/close", data={"reason": "Solved it myself"})
    session.refresh(ticket)
    assert ticket.status == Status.closed
    client.post(f"/member/tickets/{ticket.id}/rate", data={"score": "4", "comment": "Quick"})
    session.refresh(ticket)
    assert (ticket.csat_score, ticket.csat_comment) == (4, "Quick")
    bad = client.post(f"/member/tickets/{ticket.id}/rate", data={"score": "9"}, follow_redirects=True)
    assert "Choose from 1" in bad.get_data(as_text=True)


def test_bulk_assign_and_resolve(client, session, login_as, desk, make):
    tickets = [make.ticket(session, requester=desk["member"]) for _ in range(3)]
    login_as(desk["agent"])
    client.post("/desk/tickets/bulk", data={"action": "assign:me", "ticket": [str(t.id) for t in tickets]})
    client.post("/desk/tickets/bulk", data={"action": "status:resolved", "ticket": [str(t.id) for t in tickets[:2]]})
    for t in tickets:
        session.refresh(t)
    assert {t.assignee_id for t in tickets} == {desk["agent"].id}
    assert [t.status for t in tickets] == ["resolved", "resolved", "new"]


def test_escalate_from_the_page(client, session, login_as, desk, make):
    ticket = make.ticket(session, requester=desk["member"], repository_id=desk["repo"].id,
                         error_text="422 Schema http://datacite.org/schema/kernel-3 is no longer supported")
    login_as(desk["agent"])
    page = client.get(f"/desk/tickets/{ticket.id}/escalate").get_data(as_text=True)
    assert "UNIX.DATA" in page and "kernel-3" in page
    client.post(f"/desk/tickets/{ticket.id}/escalate", data={"action": "send", "steps_taken": "Checked",
                                                             "package": "Repository: UNIX.DATA\nDetails"})
    session.refresh(ticket)
    assert ticket.status == Status.waiting_datacite


def test_agent_creates_a_ticket_for_a_member(client, session, login_as, desk):
    login_as(desk["agent"])
    form = client.get(f"/desk/tickets/new?org={desk['org'].id}").get_data(as_text=True)
    assert "Tomás Herrera" in form and "UNIX.DATA" in form
    response = client.post("/desk/tickets/new", data={
        "action": "create", "organisation_id": str(desk["org"].id), "requester": str(desk["member"].id),
        "repository_id": str(desk["repo"].id), "subject": "Phoned in: cannot log in to Fabrica", "body": "Call notes",
        "category": "credentials", "priority": "high", "channel": "agent", "environment": "", "dois": "", "tags": "phone"})
    ticket = session.exec(select(Ticket)).one()
    assert response.status_code == 302
    assert (ticket.requester_id, ticket.channel, ticket.environment) == (desk["member"].id, "agent", "production")


def test_queue_counts_up_to_a_cap_and_still_pages_on(client, session, login_as, desk, make, monkeypatch):
    from portal.services.tickets import queues

    monkeypatch.setattr(queues, "COUNT_CAP", 2)
    for n in range(3):
        make.ticket(session, org=desk["org"], subject=f"Capped {n}")
    login_as(desk["agent"])
    first = client.get("/desk/tickets?view=all&per_page=2").get_data(as_text=True)
    assert "1–2 of more than 2" in first and 'rel="next"' in first and "Page 1 of" not in first
    second = client.get("/desk/tickets?view=all&per_page=2&page=2").get_data(as_text=True)
    assert "3–3 of more than 2" in second and 'rel="next"' not in second and "Capped 0" in second
    monkeypatch.setattr(queues, "COUNT_CAP", 10)
    exact = client.get("/desk/tickets?view=all&per_page=2").get_data(as_text=True)
    assert "1–2 of 3" in exact and "Page 1 of 2" in exact


def test_each_views_total_is_its_tab_count(client, session, login_as, desk, make):
    from portal.services.tickets import queues

    agent = desk["agent"]
    make.ticket(session, org=desk["org"], subject="Mine", assignee_id=agent.id)
    make.ticket(session, org=desk["org"], subject="Nobody's")
    done = make.ticket(session, org=desk["org"], subject="Done")
    set_status(session, done, Status.resolved, actor=agent, ctx=ctx_for_tests(), now=utcnow())
    login_as(agent)
    counts = queues.counts(session, agent, now=utcnow())
    for view, expected in (("mine", 1), ("unassigned", 1), ("open", 2), ("waiting_datacite", 0)):
        html = client.get(f"/desk/tickets?view={view}").get_data(as_text=True)
        assert counts[view] == expected
        assert (f"1–{expected} of {expected}" in html) if expected else ("No tickets here." in html)
        assert html.count('name="ticket" value=') == expected
    every = client.get("/desk/tickets?view=all").get_data(as_text=True)
    assert "1–3 of 3" in every


def test_queue_and_ticket_lists_show_new_organisations_agents_and_answers_at_once(client, session, login_as, desk, make):
    from portal.services.tickets import canned

    ticket = make.ticket(session, org=desk["org"], requester=desk["member"])
    login_as(desk["agent"])
    first = client.get("/desk/tickets").get_data(as_text=True)
    assert "University of Unix" in first and "Newly Joined Institute" not in first
    assert "Canned Helper" not in client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
    make.organisation(session, "Newly Joined Institute")
    make.user(session, Role.agent, name="Canned Helper")
    assert '">Newly Joined Institute</option>' in client.get("/desk/tickets").get_data(as_text=True)
    assert ">Canned Helper</option>" in client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
    answer = canned.save_answer(session, None, title="Fresh answer", body="Hello", failure_key="", active=True,
                                actor=desk["agent"], now=utcnow())
    session.commit()
    assert ">Fresh answer</option>" in client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
    answer.active = False
    session.add(answer)
    session.commit()
    assert "Fresh answer" not in client.get(f"/desk/tickets/{ticket.id}").get_data(as_text=True)
