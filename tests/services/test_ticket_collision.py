"""The collision guard: a reply written on a stale view is held until the writer has seen the new message."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import Message, Role
from portal.models.types import utcnow
from portal.services.tickets import presence
from portal.services.tickets.messages import StaleView, add_message, latest_visible_id
from tests.helpdesk import ctx_for_tests


def test_stale_reply_is_refused_then_accepted(session, make):
    org = make.organisation(session)
    member = make.user(session, Role.member, org=org)
    priya, ben = make.user(session, Role.agent, name="Priya"), make.user(session, Role.agent, name="Ben")
    ticket = make.ticket(session, requester=member)
    seen_by_ben = latest_visible_id(session, ticket, ben)
    add_message(session, ticket, author=priya, body="Answer from Priya", ctx=ctx_for_tests(), now=utcnow(),
                seen_message_id=latest_visible_id(session, ticket, priya))
    with pytest.raises(StaleView) as info:
        add_message(session, ticket, author=ben, body="Answer from Ben", ctx=ctx_for_tests(), now=utcnow(),
                    seen_message_id=seen_by_ben)
    session.rollback()
    assert len(info.value.new_message_ids) == 1
    assert [m.body for m in session.exec(select(Message).order_by(Message.id)).all()] == ["Something failed.",
                                                                                          "Answer from Priya"]
    add_message(session, ticket, author=ben, body="Answer from Ben", ctx=ctx_for_tests(), now=utcnow(),
                seen_message_id=info.value.new_message_ids[-1])
    assert ticket.message_count == 3


def test_internal_notes_do_not_make_a_members_view_stale(session, make):
    org = make.organisation(session)
    member = make.user(session, Role.member, org=org)
    agent = make.user(session, Role.agent)
    ticket = make.ticket(session, requester=member)
    seen = latest_visible_id(session, ticket, member)
    add_message(session, ticket, author=agent, body="internal", ctx=ctx_for_tests(), now=utcnow(), visibility="internal")
    add_message(session, ticket, author=member, body="more detail", ctx=ctx_for_tests(), now=utcnow(),
                seen_message_id=seen)
    # ...but they do for another agent.
    with pytest.raises(StaleView):
        add_message(session, ticket, author=make.user(session, Role.agent), body="x", ctx=ctx_for_tests(),
                    now=utcnow(), seen_message_id=seen)


def test_presence_shows_others_not_oneself_and_expires(session, make):
    from datetime import timedelta

    ticket = make.ticket(session, requester=None, org=make.organisation(session))
    priya, ben = make.user(session, Role.agent, name="Priya"), make.user(session, Role.agent, name="Ben")
    now = utcnow()
    presence.touch(session, ticket, priya, state="replying", now=now)
    seen = presence.check_in(session, ticket, ben, state="viewing", now=now)
    assert [(p.name, p.state) for p in seen] == [("Priya", "replying")]
    assert presence.check_in(session, ticket, ben, state="viewing", now=now + timedelta(minutes=5)) == []


def test_presence_is_written_again_only_when_it_would_change_something(session, make):
    from datetime import timedelta

    from portal.models import TicketPresence

    ticket = make.ticket(session, requester=None, org=make.organisation(session))
    priya = make.user(session, Role.agent, name="Priya")
    now = utcnow()

    def seen():
        session.expire_all()
        row = session.get(TicketPresence, (ticket.id, priya.id))
        return row.state, row.seen_at

    presence.touch(session, ticket, priya, state="viewing", now=now)
    presence.touch(session, ticket, priya, state="viewing", now=now + timedelta(seconds=5))  # a reload
    assert seen() == ("viewing", now)
    presence.touch(session, ticket, priya, state="replying", now=now + timedelta(seconds=6))  # started writing
    assert seen() == ("replying", now + timedelta(seconds=6))
    presence.touch(session, ticket, priya, state="replying", now=now + timedelta(seconds=40))  # the heartbeat
    assert seen() == ("replying", now + timedelta(seconds=40))


def test_check_in_records_me_and_returns_the_others_in_one_read(session, make):
    from datetime import timedelta

    ticket = make.ticket(session, requester=None, org=make.organisation(session))
    priya, ben, old = (make.user(session, Role.agent, name=n) for n in ("Priya", "Ben", "Olga"))
    now = utcnow()
    presence.touch(session, ticket, old, state="viewing", now=now - timedelta(minutes=10))  # left long ago
    presence.touch(session, ticket, priya, state="replying", now=now)
    seen = presence.check_in(session, ticket, ben, state="viewing", now=now)
    assert [(p.name, p.state) for p in seen] == [("Priya", "replying")]
    again = presence.check_in(session, ticket, priya, state="replying", now=now)
    assert [(p.name, p.state) for p in again] == [("Ben", "viewing")]
