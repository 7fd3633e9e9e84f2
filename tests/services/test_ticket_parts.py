"""The ticket page's one question: which optional parts does a ticket have (services.tickets.parts)."""

from __future__ import annotations

from portal.models import Attachment, Escalation, InboundMail, Role
from portal.models.mailboxes import InboundOutcome
from portal.models.types import utcnow
from portal.services.tickets import links, tags
from portal.services.tickets.parts import PARTS, present_parts


def test_each_part_is_found_on_its_own_ticket_only(session, make):
    org = make.organisation(session)
    agent = make.user(session, Role.agent)
    ticket, other = make.ticket(session, org=org), make.ticket(session, org=org)
    assert present_parts(session, ticket) == frozenset()

    tags.set_tags(session, ticket, ["orcid"])
    session.add(Attachment(ticket_id=ticket.id, filename="log.txt", content_type="text/plain", size=3, sha256="0" * 64,
                           storage_key="k-parts-1"))
    session.add(Escalation(ticket_id=ticket.id, package="Repository: UNIX.DATA"))
    session.commit()
    assert present_parts(session, ticket) == {"tags", "attachments", "escalations"}
    assert present_parts(session, other) == frozenset()

    links.link(session, other, ticket.id, "relates", actor=agent, now=utcnow())  # found from either end
    session.commit()
    assert "links" in present_parts(session, ticket) and "links" in present_parts(session, other)

    mail = InboundMail(message_id="<held@example.org>", outcome=InboundOutcome.held, ticket_id=ticket.id)
    session.add(mail)
    session.commit()
    assert present_parts(session, ticket) == set(PARTS)
    mail.accepted_at = utcnow()  # accepted mail is no longer held
    session.add(mail)
    session.commit()
    assert present_parts(session, ticket) == set(PARTS) - {"held_mail"}
