"""The ticket lifecycle: enforced transitions, reasons, reopening, closed tickets stay closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal.errors import Conflict, Forbidden, ValidationFailed
from portal.models import OutboxMessage, Role, Status, TicketEvent
from portal.models.types import utcnow
from portal.services.tickets.lifecycle import TRANSITIONS, change_status
from portal.services.tickets.messages import add_message
from portal.services.tickets.status import set_status
from tests.helpdesk import ctx_for_tests


@pytest.fixture
def people(session, make):
    org = make.organisation(session, "Unix", datacite_member_id="UNIX")
    return {"org": org, "member": make.user(session, Role.member, org=org), "agent": make.user(session, Role.agent)}


def test_every_status_has_rules_and_closed_is_final():
    assert set(TRANSITIONS) == set(Status)
    assert TRANSITIONS[Status.closed] == frozenset()
    assert Status.new not in set().union(*TRANSITIONS.values())


@pytest.mark.parametrize(("old", "new"), [(Status.resolved, Status.waiting_member), (Status.new, Status.new)])
def test_forbidden_or_noop_transitions(session, make, people, old, new):
    ticket = make.ticket(session, requester=people["member"])
    ticket.status = old
    if old == new:
        change_status(session, ticket, new, actor=people["agent"], now=utcnow())
        assert ticket.status == old
        return
    with pytest.raises(ValidationFailed, match="cannot become"):
        change_status(session, ticket, new, actor=people["agent"], now=utcnow())


def test_closing_unresolved_needs_a_reason_and_records_it(session, make, people):
    ticket = make.ticket(session, requester=people["member"])
    with pytest.raises(ValidationFailed) as info:
        set_status(session, ticket, Status.closed, actor=people["agent"], ctx=ctx_for_tests(), now=utcnow())
    assert "reason" in info.value.errors
    session.rollback()
    set_status(session, ticket, Status.closed, actor=people["agent"], ctx=ctx_for_tests(), now=utcnow(),
               reason="Duplicate of a phone call")
    event = session.exec(select(TicketEvent).where(TicketEvent.kind == "status")).one()
    assert (event.old_value, event.new_value, event.reason) == ("new", "closed", "Duplicate of a phone call")
    assert ticket.closed_at is not None


def test_closed_tickets_are_read_only(session, make, people):
    ticket = make.ticket(session, requester=people["member"])
    set_status(session, ticket, Status.resolved, actor=people["agent"], ctx=ctx_for_tests(), now=utcnow())
    set_status(session, ticket, Status.closed, actor=people["agent"], ctx=ctx_for_tests(), now=utcnow())
    with pytest.raises(Conflict, match="closed"):
        add_message(session, ticket, author=people["member"], body="Hello?", ctx=ctx_for_tests(), now=utcnow())
    with pytest.raises(Conflict):
        change_status(session, ticket, Status.open, actor=people["agent"], now=utcnow(), reason="x")


def test_member_reply_reopens_resolved_and_answers_waiting(session, make, people):
    ticket = make.ticket(session, requester=people["member"])
    ctx = ctx_for_tests()
    set_status(session, ticket, Status.resolved, actor=people["agent"], ctx=ctx, now=utcnow())
    add_message(session, ticket, author=people["member"], body="Still broken", ctx=ctx, now=utcnow())
    assert ticket.status == Status.open and ticket.resolved_at is None
    reopen = session.exec(select(TicketEvent).where(TicketEvent.new_value == "open")).all()[-1]
    assert "Reopened" in reopen.reason
    set_status(session, ticket, Status.waiting_member, actor=people["agent"], ctx=ctx, now=utcnow())
    add_message(session, ticket, author=people["member"], body="Here is the log", ctx=ctx, now=utcnow())
    assert ticket.status == Status.open


def test_first_agent_reply_opens_and_is_the_first_response(session, make, people):
    ticket = make.ticket(session, requester=people["member"])
    moment = utcnow() + timedelta(minutes=5)
    add_message(session, ticket, author=people["agent"], body="Looking", ctx=ctx_for_tests(), now=moment)
    assert ticket.status == Status.open and ticket.first_response_at == moment
    mails = session.exec(select(OutboxMessage).where(OutboxMessage.to_addr == people["member"].email)).all()
    assert [m.kind for m in mails] == ["ticket-ack", "ticket-reply"]
    assert "[RSP #" in mails[1].subject and "Looking" in mails[1].body_text


def test_internal_note_is_not_a_first_response_and_not_mailed(session, make, people):
    ticket = make.ticket(session, requester=people["member"])
    add_message(session, ticket, author=people["agent"], body="Checking the logs", ctx=ctx_for_tests(), now=utcnow(),
                visibility="internal")
    assert ticket.first_response_at is None and ticket.status == Status.new
    kinds = [m.kind for m in session.exec(select(OutboxMessage)).all()]
    assert kinds == ["ticket-ack"]


def test_members_cannot_write_notes_or_set_status(session, make, people):
    ticket = make.ticket(session, requester=people["member"])
    with pytest.raises(Forbidden):
        add_message(session, ticket, author=people["member"], body="x", ctx=ctx_for_tests(), now=utcnow(),
                    visibility="internal")
    with pytest.raises(Forbidden):
        add_message(session, ticket, author=people["member"], body="x", ctx=ctx_for_tests(), now=utcnow(),
                    set_status=Status.resolved)


def test_reply_with_status_change_tells_the_member(session, make, people):
    ticket = make.ticket(session, requester=people["member"])
    add_message(session, ticket, author=people["agent"], body="Please send the XML", ctx=ctx_for_tests(), now=utcnow(),
                set_status=Status.waiting_member, status_reason="Need the metadata")
    assert ticket.status == Status.waiting_member
    kinds = [m.kind for m in session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()]
    assert kinds == ["ticket-ack", "ticket-reply", "ticket-status"]
