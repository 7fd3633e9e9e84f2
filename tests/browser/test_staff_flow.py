"""A DataCite staff member files a request; the designated agent answers; staff see the answer, in Chromium."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import OutboxMessage, Role, StaffRequest, TicketGroup
from portal.models.types import utcnow
from portal.services.staff import contact
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_staff_request_filed_and_answered(browser, live_server, session, make):
    org = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    make.repository(session, org, "UNIX.DATA", environment="production")
    admin = make.user(session, Role.admin)
    priya = make.user(session, Role.agent, name="Priya Raman", email="priya@rsp.example")
    ben = make.user(session, Role.agent, name="Ben Okafor", email="ben@rsp.example")
    make.user(session, Role.datacite_staff, name="Maren Schulz", email="maren@datacite.example")
    group = TicketGroup(name="DataCite liaison")
    session.add(group)
    session.commit()
    contact.save_contact(session, contact.ContactInput(
        email="datacite-contact@rsp.example", primary_agent_id=priya.id, backup_agent_id=ben.id, group_id=group.id,
        ack_business_minutes=480, answer_business_minutes=960, backup_after_business_minutes=240),
        actor=admin, now=utcnow())

    staff = browser.new_context(base_url=live_server).new_page()
    sign_in(staff, "maren@datacite.example", PASSWORD)
    staff.get_by_role("link", name="New request").first.click()
    staff.get_by_label("Subject").fill("UNIX.DATA sends kernel-3 XML")
    staff.get_by_label("Repository ID").fill("unix.data")
    staff.get_by_label("What DataCite observed").fill("Updates with kernel-3 metadata are refused since May.")
    staff.get_by_role("button", name="Send the request").click()
    assert staff.get_by_text("Your request has the reference").is_visible()
    session.commit()
    request = session.exec(select(StaffRequest)).one()
    notified = {m.to_addr for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "staff-new")).all()}
    assert notified == {"priya@rsp.example", "ben@rsp.example"}

    agent = browser.new_context(base_url=live_server).new_page()
    sign_in(agent, "priya@rsp.example", PASSWORD)
    agent.goto("/desk/tickets?view=mine")
    agent.get_by_role("link", name="UNIX.DATA sends kernel-3 XML").click()
    agent.get_by_label("Message").fill("Hello Maren, we are helping the member move to kernel-4 this week.")
    agent.get_by_role("button", name="Send reply").click()
    assert agent.get_by_text("Reply sent.").is_visible()

    staff.reload()
    assert staff.get_by_text("we are helping the member move to kernel-4").is_visible()
    assert "hours" in staff.locator(".facts").inner_text()
    session.commit()
    session.expire_all()
    assert session.get(StaffRequest, request.ticket_id).acknowledged_at is not None
    staff.context.close()
    agent.context.close()
