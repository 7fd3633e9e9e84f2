"""Status changes from the desk, with the requester told."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from portal.models import Status, Ticket, User
from portal.services.tickets import notify
from portal.services.tickets.context import TicketContext
from portal.services.tickets.lifecycle import change_status

TOLD_TO_REQUESTER = frozenset({Status.waiting_member, Status.resolved, Status.closed, Status.open})


def set_status(session: Session, ticket: Ticket, new: str, *, actor: User, ctx: TicketContext, now: datetime,
               reason: str = "") -> Ticket:
    """An agent changes the status; the requester hears about changes that concern them."""
    old = ticket.status
    change_status(session, ticket, new, actor=actor, now=now, reason=reason)
    if ticket.status != old and ticket.status in TOLD_TO_REQUESTER and not (old == Status.new and new == Status.open):
        notify.status_changed(session, ticket, ctx.mail, label=ticket.status_label, reason=reason.strip())
    session.commit()
    return ticket
