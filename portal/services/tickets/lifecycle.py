"""The ticket lifecycle: which status may follow which, and what each change does."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from portal.errors import Conflict, ValidationFailed
from portal.models import Status, Ticket, User
from portal.services.tickets import sla_hooks
from portal.services.tickets.history import record_event

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.new: frozenset({Status.open, Status.waiting_member, Status.waiting_datacite, Status.resolved, Status.closed}),
    Status.open: frozenset({Status.waiting_member, Status.waiting_datacite, Status.resolved, Status.closed}),
    Status.waiting_member: frozenset({Status.open, Status.waiting_datacite, Status.resolved, Status.closed}),
    Status.waiting_datacite: frozenset({Status.open, Status.waiting_member, Status.resolved, Status.closed}),
    Status.resolved: frozenset({Status.open, Status.closed}),
    Status.closed: frozenset(),
}


def allowed_next(ticket: Ticket) -> list[Status]:
    order = list(Status)
    return sorted(TRANSITIONS[Status(ticket.status)], key=order.index)


def ensure_writable(ticket: Ticket) -> None:
    if ticket.status == Status.closed:
        raise Conflict(f"Ticket #{ticket.number} is closed and can no longer change. Open a new ticket and mention it.")


def needs_reason(old: Status, new: Status) -> bool:
    """Closing a ticket that was never resolved, and reopening, must say why."""
    return (new == Status.closed and old != Status.resolved) or (old == Status.resolved and new == Status.open)


def change_status(
    session: Session,
    ticket: Ticket,
    new: str,
    *,
    actor: User | None,
    now: datetime,
    reason: str = "",
    require_reason: bool = True,
) -> Ticket:
    """Move a ticket to another status if the lifecycle allows it; records the reason (the caller commits)."""
    ensure_writable(ticket)
    try:
        target = Status(new)
    except ValueError:
        raise ValidationFailed({"status": "Choose one of the statuses."}) from None
    old = Status(ticket.status)
    if target == old:
        return ticket
    if target not in TRANSITIONS[old]:
        raise ValidationFailed({"status": f"A ticket that is {old.label.lower()} cannot become {target.label.lower()}."})
    reason = reason.strip()
    if require_reason and needs_reason(old, target) and not reason:
        raise ValidationFailed({"reason": "Say why (the member sees this in the ticket's history)."})
    ticket.status = target
    ticket.updated_at = now
    if target == Status.resolved:
        ticket.resolved_at = now
    elif target == Status.closed:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    elif old in (Status.resolved,):
        ticket.resolved_at = None
    sla_hooks.status_changed(session, ticket, old, target, now)
    record_event(session, ticket, "status", actor=actor, old=old.value, new=target.value, reason=reason, now=now)
    session.add(ticket)
    return ticket
