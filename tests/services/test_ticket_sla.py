"""SLA clocks on real tickets: started by policy, paused by status, met by replies, notices sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal.models import BusinessCalendar, OutboxMessage, Role, SlaPolicy, Status, TicketGroup
from portal.models.types import utcnow
from portal.services.tickets import sla_hooks
from portal.services.tickets.core import TicketChanges, update_ticket
from portal.services.tickets.jobs import close_resolved
from portal.services.tickets.messages import add_message
from portal.services.tickets.status import set_status
from tests.helpdesk import ctx_for_tests

MONDAY_9 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


@pytest.fixture
def sla_setup(session, make):
    calendar = BusinessCalendar(name="Office", timezone="Europe/Berlin", is_default=True,
                                hours={str(d): [["09:00", "17:00"]] for d in range(5)})
    session.add(calendar)
    session.commit()
    for priority, (first, update, resolve) in {"normal": (60, 120, 480), "urgent": (15, 30, 120)}.items():
        session.add(SlaPolicy(name=f"{priority} policy", priority=priority, calendar_id=calendar.id,
                              first_response_minutes=first, next_update_minutes=update, resolution_minutes=resolve))
    group = TicketGroup(name="First line", is_default=True)
    session.add(group)
    session.commit()
    agent = make.user(session, Role.agent, name="Priya")
    from portal.models import GroupMember

    session.add(GroupMember(group_id=group.id, user_id=agent.id))
    session.commit()
    org = make.organisation(session)
    return {"agent": agent, "member": make.user(session, Role.member, org=org), "org": org}


def test_new_ticket_gets_business_time_due_dates(session, make, sla_setup):
    ticket = make.ticket(session, requester=sla_setup["member"], now=MONDAY_9)
    assert ticket.first_response_due_at == MONDAY_9 + timedelta(minutes=60)
    assert ticket.resolution_due_at == MONDAY_9 + timedelta(hours=8)
    assert ticket.sla_due_at == ticket.first_response_due_at
    friday_late = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # 16:30 Berlin: 30 minutes left that day
    late = make.ticket(session, requester=sla_setup["member"], now=friday_late)
    assert late.first_response_due_at == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # Monday 09:30 Berlin


def test_reply_pause_and_resume(session, make, sla_setup):
    ctx = ctx_for_tests()
    ticket = make.ticket(session, requester=sla_setup["member"], now=MONDAY_9)
    add_message(session, ticket, author=sla_setup["agent"], body="On it", ctx=ctx, now=MONDAY_9 + timedelta(minutes=20),
                set_status=Status.waiting_member)
    states = {s.name: s.state for s in sla_hooks.describe(ticket, MONDAY_9 + timedelta(minutes=21))}
    assert states == {"first_response": "met", "next_update": "paused", "resolution": "paused"}
    assert ticket.sla_due_at is None
    add_message(session, ticket, author=sla_setup["member"], body="Here", ctx=ctx, now=MONDAY_9 + timedelta(hours=2))
    assert ticket.status == Status.open
    # 20 minutes of resolution time were used before the pause: 460 remain from 11:00.
    assert ticket.resolution_due_at == MONDAY_9 + timedelta(hours=2, minutes=460 - 360) + timedelta(hours=16 + 6)


def test_waiting_on_datacite_pauses_resolution_only(session, make, sla_setup):
    ctx = ctx_for_tests()
    ticket = make.ticket(session, requester=sla_setup["member"], now=MONDAY_9)
    add_message(session, ticket, author=sla_setup["agent"], body="Asking DataCite", ctx=ctx,
                now=MONDAY_9 + timedelta(minutes=10), set_status=Status.waiting_datacite)
    states = {s.name: s.state for s in sla_hooks.describe(ticket, MONDAY_9 + timedelta(minutes=11))}
    assert states["resolution"] == "paused" and states["next_update"] == "ok"
    assert ticket.next_update_due_at == MONDAY_9 + timedelta(minutes=130)


def test_priority_change_recomputes_targets(session, make, sla_setup):
    ticket = make.ticket(session, requester=sla_setup["member"], now=MONDAY_9)
    update_ticket(session, ticket, TicketChanges(priority="urgent"), actor=sla_setup["agent"],
                  now=MONDAY_9 + timedelta(minutes=5))
    assert ticket.first_response_due_at == MONDAY_9 + timedelta(minutes=15)


def test_warning_and_breach_notices_are_sent_once(session, make, sla_setup):
    ticket = make.ticket(session, requester=sla_setup["member"], now=MONDAY_9)
    mail = ctx_for_tests().mail
    assert sla_hooks.send_due_notices(session, now=MONDAY_9 + timedelta(minutes=47), mail=mail) == 0
    assert sla_hooks.send_due_notices(session, now=MONDAY_9 + timedelta(minutes=48), mail=mail) == 1
    assert sla_hooks.send_due_notices(session, now=MONDAY_9 + timedelta(minutes=50), mail=mail) == 0
    assert sla_hooks.send_due_notices(session, now=MONDAY_9 + timedelta(minutes=61), mail=mail) == 1
    session.refresh(ticket)
    assert ticket.sla_breached
    notices = session.exec(select(OutboxMessage).where(OutboxMessage.kind.like("sla-%"))).all()  # type: ignore[attr-defined]
    assert [(m.kind, m.to_addr) for m in notices] == [("sla-warning", sla_setup["agent"].email),
                                                      ("sla-breach", sla_setup["agent"].email)]


def test_tickets_without_a_policy_have_no_clocks(session, make):
    ticket = make.ticket(session, org=make.organisation(session), now=MONDAY_9)
    assert ticket.sla_state == "" and sla_hooks.describe(ticket, MONDAY_9) == []


def test_resolved_tickets_close_after_the_grace_period(app, session, make, sla_setup):
    from portal.jobs import JobContext

    ticket = make.ticket(session, requester=sla_setup["member"], now=MONDAY_9)
    set_status(session, ticket, Status.resolved, actor=sla_setup["agent"], ctx=ctx_for_tests(), now=MONDAY_9)
    context = JobContext(job="tickets.close_resolved", slot="x", trigger="", holder="t",
                         config={"RESOLVED_CLOSE_DAYS": 7}, stopping=lambda: False)
    assert close_resolved(session, now=MONDAY_9 + timedelta(days=6), context=context).counts == {"closed": 0}
    assert close_resolved(session, now=MONDAY_9 + timedelta(days=7), context=context).counts == {"closed": 1}
    session.refresh(ticket)
    assert ticket.status == Status.closed


def test_staff_request_due_times_use_the_business_calendar(session, make, sla_setup):
    from portal.models import StaffRequest
    from portal.services.staff import contact, requests

    admin = make.user(session, Role.admin)
    contact.save_contact(session, contact.ContactInput(
        email="dc@rsp.example", primary_agent_id=sla_setup["agent"].id, backup_agent_id=None, group_id=None,
        ack_business_minutes=60, answer_business_minutes=600, backup_after_business_minutes=30), actor=admin, now=utcnow())
    friday_late = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    ticket = requests.file_request(session, requests.StaffRequestInput(subject="Q", observed="x"),
                                   staff=make.user(session, Role.datacite_staff), ctx=ctx_for_tests(), now=friday_late)
    record = session.get(StaffRequest, ticket.id)
    assert record.ack_due_at == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    assert ticket.sla_state == ""  # staff requests follow the designated contact's targets, not ticket policies
