"""Who else has a ticket open or is replying (the collision guard's presence half)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal.models import Ticket, TicketPresence, User

FRESH = timedelta(seconds=90)
STILL_FRESH = timedelta(seconds=10)  # a presence seen this recently in the same state is not written again
STATES = ("viewing", "replying")


@dataclass
class Present:
    name: str
    state: str
    seen_at: datetime


def touch(session: Session, ticket: Ticket, user: User, *, state: str, now: datetime) -> None:
    """Record that the user has the ticket open (or is writing); kept current by the page's heartbeat."""
    _record(session, ticket, user, session.get(TicketPresence, (ticket.id, user.id)), state=state, now=now)


def check_in(session: Session, ticket: Ticket, user: User, *, state: str, now: datetime) -> list[Present]:
    """``touch`` and ``others`` with one read: record the user's presence, return who else has the ticket open."""
    rows = session.exec(
        select(TicketPresence, User.name).join(User, User.id == TicketPresence.user_id)  # type: ignore[arg-type]
        .where(TicketPresence.ticket_id == ticket.id).order_by(User.name)
    ).all()
    present = [Present(name=name, state=row.state, seen_at=row.seen_at) for row, name in rows
               if row.user_id != user.id and row.seen_at >= now - FRESH]
    _record(session, ticket, user, next((row for row, _ in rows if row.user_id == user.id), None), state=state, now=now)
    return present


def _record(session: Session, ticket: Ticket, user: User, row: TicketPresence | None, *, state: str,
            now: datetime) -> None:
    state = state if state in STATES else "viewing"
    if row is not None and row.state == state and timedelta(0) <= now - row.seen_at < STILL_FRESH:
        return  # reloading the page, or a heartbeat soon after it: nothing to write
    if row is None:
        row = TicketPresence(ticket_id=ticket.id or 0, user_id=user.id or 0, state=state, seen_at=now)
    row.state, row.seen_at = state, now
    session.add(row)
    session.commit()


def leave(session: Session, ticket: Ticket, user: User) -> None:
    row = session.get(TicketPresence, (ticket.id, user.id))
    if row is not None:
        session.delete(row)
        session.commit()
