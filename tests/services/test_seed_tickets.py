"""seed-scale with tickets: realistic tickets and messages in bulk, progress shown, the search index rebuilt."""

from __future__ import annotations

from sqlmodel import func, select

from portal.models import Message, Role, Ticket, TicketDoi, User
from portal.models.types import utcnow
from portal.services.search.service import search_tickets
from portal.services.tickets.messages import add_message
from tests.helpdesk import ctx_for_tests


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def test_seed_scale_adds_tickets_and_messages_with_progress(app, session):
    result = run(app, "seed-scale", "--orgs", "5", "--repos-per-org", "2", "--users-per-org", "1",
                 "--tickets", "120", "--messages", "700")
    assert result.exit_code == 0, result.output
    assert "Tickets and messages" in result.output  # the progress bar's label
    assert "Added 120 tickets, 700 messages" in result.output
    assert count(session, Ticket) == 120 and count(session, Message) == 700
    assert session.exec(select(func.min(Ticket.message_count))).one() >= 1
    assert session.exec(select(func.sum(Ticket.message_count))).one() == 700
    # The index was rebuilt: words, DOIs and prefixes find the generated tickets.
    agent = session.exec(select(User).where(User.role == Role.agent)).first()
    assert search_tickets(session, viewer=agent, query="datacite", now=utcnow()).total > 0
    some = session.exec(select(TicketDoi)).first()
    assert some.ticket_id in [h.ticket.id for h in search_tickets(session, viewer=agent, query=some.doi,
                                                                        now=utcnow(), per_page=200).items]
    # The triggers are back: a ticket made afterwards is indexed as it is written, with its numbers after the seed.
    ticket = session.get(Ticket, some.ticket_id)
    ticket.status = "open"  # generated tickets may be closed (read-only)
    session.add(ticket)
    session.commit()
    message = add_message(session, ticket, author=agent, body="A fresh okapi reply", ctx=ctx_for_tests(), now=utcnow())
    assert message.id == 701
    assert [h.ticket.id for h in search_tickets(session, viewer=agent, query="okapi", now=utcnow()).items] == [ticket.id]


def test_seed_scale_tickets_need_repositories(app):
    result = run(app, "seed-scale", "--orgs", "0", "--tickets", "3")
    assert result.exit_code != 0 and "repositories first" in result.output
