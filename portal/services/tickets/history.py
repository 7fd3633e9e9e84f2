"""Ticket events: the immutable history shown on every ticket."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from portal.models import Ticket, TicketEvent, User
from portal.models.types import utcnow


def actor_label(actor: User | None) -> str:
    return actor.name if actor is not None else "System"


def record_event(
    session: Session,
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None,
    old: Any = "",
    new: Any = "",
    reason: str = "",
    internal: bool = False,
    now: Any = None,
) -> TicketEvent:
    """Add one history entry (the caller commits). ``internal`` entries are hidden from members."""
    event = TicketEvent(
        ticket_id=ticket.id or 0,
        actor_id=getattr(actor, "id", None),
        actor=actor_label(actor),
        kind=kind,
        old_value=str(old if old is not None else "")[:500],
        new_value=str(new if new is not None else "")[:500],
        reason=reason,
        internal=internal,
        created_at=now or utcnow(),
    )
    session.add(event)
    return event


def list_events(session: Session, ticket: Ticket, *, include_internal: bool) -> list[TicketEvent]:
    stmt = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    if not include_internal:
        stmt = stmt.where(TicketEvent.internal.is_(False))  # type: ignore[attr-defined]
    return list(session.exec(stmt.order_by(TicketEvent.id)).all())
