"""DataCite staff pages: filing a request, following only their own, the service profile."""

from __future__ import annotations

from sqlmodel import select

from portal.models import Channel, Role, Ticket
from portal.models.types import utcnow
from portal.services.staff import requests as staff_requests
from tests.helpdesk import ctx_for_tests


def test_staff_file_follow_and_reply(client, session, make, login_as):
    org = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    make.repository(session, org, "UNIX.DATA", environment="production")
    staff = make.user(session, Role.datacite_staff, name="Maren")
    login_as(staff)
    bad = client.post("/staff/requests/new", data={"subject": "", "observed": "", "repository": "NOPE.X",
                                                   "reply_to": "nope"}).get_data(as_text=True)
    for field in ("subject", "observed", "repository"):
        assert f'id="{field}-error"' in bad, field
    response = client.post("/staff/requests/new", data={
        "subject": "Kernel-3 uploads", "observed": "UNIX.DATA registers with kernel-3 XML", "repository": "unix.data",
        "dois": "10.80001/old-1", "urgency": "normal", "reply_to": "support@datacite.example", "organisation_id": ""})
    ticket = session.exec(select(Ticket)).one()
    assert response.headers["Location"].endswith(f"/staff/requests/{ticket.id}")
    assert ticket.channel == Channel.datacite_staff and ticket.organisation_id == org.id
    page = client.get(f"/staff/requests/{ticket.id}").get_data(as_text=True)
    assert "support@datacite.example" in page and "10.80001/old-1" in page
    client.post(f"/staff/requests/{ticket.id}/reply", data={"body": "More: it started in May."})
    assert "it started in May" in client.get(f"/staff/requests/{ticket.id}").get_data(as_text=True)


def test_staff_see_only_their_own_requests(app, session, make, login_as):
    maren = make.user(session, Role.datacite_staff, name="Maren")
    other = make.user(session, Role.datacite_staff, name="Other")
    mine = staff_requests.file_request(session, staff_requests.StaffRequestInput(subject="Mine", observed="x"),
                                       staff=maren, ctx=ctx_for_tests(), now=utcnow())
    theirs = staff_requests.file_request(session, staff_requests.StaffRequestInput(subject="Theirs", observed="y"),
                                         staff=other, ctx=ctx_for_tests(), now=utcnow())
    member_ticket = make.ticket(session, org=make.organisation(session))
    c = login_as(maren, app.test_client())
    listing = c.get("/staff/?state=all").get_data(as_text=True)
    assert "Mine" in listing and "Theirs" not in listing
    for number in (theirs.id, member_ticket.id):
        assert c.get(f"/staff/requests/{number}").status_code == 404
        assert c.post(f"/staff/requests/{number}/reply", data={"body": "x"}).status_code == 404
    assert c.get(f"/staff/requests/{mine.id}").status_code == 200


def test_internal_notes_stay_internal_for_staff(app, session, make, login_as):
    from portal.services.tickets.messages import add_message

    maren = make.user(session, Role.datacite_staff)
    agent = make.user(session, Role.agent)
    ticket = staff_requests.file_request(session, staff_requests.StaffRequestInput(subject="Q", observed="x"),
                                         staff=maren, ctx=ctx_for_tests(), now=utcnow())
    add_message(session, ticket, author=agent, body="NOTE: ask Ben", ctx=ctx_for_tests(), now=utcnow(),
                visibility="internal")
    add_message(session, ticket, author=agent, body="Public answer", ctx=ctx_for_tests(), now=utcnow())
    page = login_as(maren, app.test_client()).get(f"/staff/requests/{ticket.id}").get_data(as_text=True)
    assert "Public answer" in page and "ask Ben" not in page and "hours" in page


def test_profile_page_and_markdown(app, session, make, login_as):
    c = login_as(make.user(session, Role.datacite_staff), app.test_client())
    assert "service profile" in c.get("/staff/profile").get_data(as_text=True)
    md = c.get("/staff/profile.md")
    assert md.mimetype == "text/markdown" and md.headers["Content-Disposition"].startswith("attachment")
    assert md.get_data(as_text=True).startswith("# RSP Portal: service profile")


def test_admin_sets_the_designated_contact_with_field_errors(app, session, make, login_as):
    admin = make.user(session, Role.admin)
    agent = make.user(session, Role.agent)
    c = login_as(admin, app.test_client())
    page = c.get("/admin/designated-contact").get_data(as_text=True)
    assert "No designated contact is set" in page
    bad = c.post("/admin/designated-contact", data={"email": "x", "primary_agent_id": "", "ack_hours": "0",
                                                    "answer_hours": "8", "backup_after_hours": "2"}).get_data(as_text=True)
    for field in ("email", "primary_agent_id", "ack_hours"):
        assert f'id="{field}-error"' in bad, field
    ok = c.post("/admin/designated-contact", data={"email": "dc@rsp.example", "primary_agent_id": str(agent.id),
                                                   "backup_agent_id": "", "group_id": "", "ack_hours": "8",
                                                   "answer_hours": "16", "backup_after_hours": "4"})
    assert ok.status_code == 302
    assert "No backup agent is set" in c.get("/admin/designated-contact").get_data(as_text=True)


def test_response_time_report_shows_chart_and_table(client, session, make, login_as):
    login_as(make.user(session, Role.agent))
    page = client.get("/desk/staff-report").get_data(as_text=True)
    assert '<svg' in page and "Time to answer DataCite staff requests" in page
    assert "<caption>Business hours from arrival, by month of arrival</caption>" in page
