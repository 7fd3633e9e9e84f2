"""Which of a ticket's optional parts exist (links, escalations, held mail, attachments, tags), asked in one query.

Most tickets have none of these; the ticket page asks this first and reads only the parts that are there, instead
of one query per part.
"""

from __future__ import annotations

from sqlalchemy import exists, or_
from sqlmodel import Session, select

from portal.models import Attachment, Escalation, Ticket, TicketLink, TicketTag
from portal.services.mail.posting import held_for

PARTS = ("links", "escalations", "held_mail", "attachments", "tags")


def present_parts(session: Session, ticket: Ticket) -> frozenset[str]:
    """The names (from PARTS) of the parts this ticket has at least one of."""
    tid = ticket.id
    checks = (
        exists().where(or_(TicketLink.source_id == tid, TicketLink.target_id == tid)),
        exists().where(Escalation.ticket_id == tid),
        exists().where(*held_for(tid)),
        exists().where(Attachment.ticket_id == tid),
        exists().where(TicketTag.ticket_id == tid),
    )
    row = session.exec(select(*(check.label(name) for name, check in zip(PARTS, checks, strict=True)))).one()
    return frozenset(name for name, present in zip(PARTS, row, strict=True) if present)
