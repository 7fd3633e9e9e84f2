"""Who may see which tickets and messages (C02, C03). Anything not visible is simply not found."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false
from sqlmodel import Session

from portal.errors import NotFound
from portal.models import Channel, Role, Ticket, User

STAFF_ROLES = frozenset({Role.agent, Role.admin})


def is_desk(user: User | None) -> bool:
    return user is not None and user.role in STAFF_ROLES


def scope(stmt: Any, viewer: User) -> Any:
    """Restrict a ticket query to what the viewer may see."""
    if viewer.role in STAFF_ROLES:
        return stmt
    if viewer.role == Role.member and viewer.organisation_id is not None:
        return stmt.where(Ticket.organisation_id == viewer.organisation_id)
    if viewer.role == Role.datacite_staff:
        return stmt.where(Ticket.channel == Channel.datacite_staff, Ticket.requester_id == viewer.id)
    return stmt.where(false())


def can_see(ticket: Ticket, viewer: User) -> bool:
    if viewer.role in STAFF_ROLES:
        return True
    if viewer.role == Role.member:
        return viewer.organisation_id is not None and ticket.organisation_id == viewer.organisation_id
    if viewer.role == Role.datacite_staff:
        return ticket.channel == Channel.datacite_staff and ticket.requester_id == viewer.id
    return False


def get_ticket(session: Session, number: int, viewer: User) -> Ticket:
    """The ticket with this number if the viewer may see it; NotFound otherwise (never 'forbidden')."""
    ticket = session.get(Ticket, number)
    if ticket is None or not can_see(ticket, viewer):
        raise NotFound(f"There is no ticket #{number} for you.")
    return ticket
