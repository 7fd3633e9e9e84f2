"""Linked tickets (relates to, duplicate of, parent of) and merging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, select

from portal.errors import Conflict, NotFound, ValidationFailed
from portal.models import Attachment, LinkKind, Message, Status, Ticket, TicketLink, User
from portal.services.tickets.history import record_event
from portal.services.tickets.lifecycle import change_status, ensure_writable
from portal.services.tickets.tags import add_dois, dois_of

LABELS = {
    (LinkKind.relates, True): "relates to", (LinkKind.relates, False): "relates to",
    (LinkKind.duplicate_of, True): "duplicate of", (LinkKind.duplicate_of, False): "has duplicate",
    (LinkKind.parent_of, True): "parent of", (LinkKind.parent_of, False): "child of",
}


@dataclass
class LinkView:
    link_id: int
    label: str
    other: Ticket


def links_of(session: Session, ticket: Ticket) -> list[LinkView]:
    rows = session.exec(select(TicketLink).where(or_(TicketLink.source_id == ticket.id,
                                                     TicketLink.target_id == ticket.id))).all()
    views = []
    for row in rows:
        outgoing = row.source_id == ticket.id
        other = session.get(Ticket, row.target_id if outgoing else row.source_id)
        if other is not None:
            views.append(LinkView(link_id=row.id or 0, label=LABELS[(LinkKind(row.kind), outgoing)], other=other))
    return sorted(views, key=lambda v: (v.label, v.other.id))


def link(session: Session, ticket: Ticket, other_number: int, kind: str, *, actor: User, now: datetime) -> TicketLink:
    ensure_writable(ticket)
    if kind not in {k.value for k in LinkKind}:
        raise ValidationFailed({"kind": "Choose how the tickets relate."})
    other = session.get(Ticket, other_number)
    if other is None:
        raise ValidationFailed({"other": f"There is no ticket #{other_number}."})
    if other.id == ticket.id:
        raise ValidationFailed({"other": "A ticket cannot link to itself."})
    exists = session.exec(select(TicketLink).where(
        or_((TicketLink.source_id == ticket.id) & (TicketLink.target_id == other.id),
            (TicketLink.source_id == other.id) & (TicketLink.target_id == ticket.id)),
        TicketLink.kind == kind)).first()
    if exists:
        raise ValidationFailed({"other": f"#{ticket.id} and #{other.id} are already linked that way."})
    row = TicketLink(source_id=ticket.id or 0, target_id=other.id or 0, kind=kind, created_by_id=actor.id, created_at=now)
    session.add(row)
    label = LABELS[(LinkKind(kind), True)]
    record_event(session, ticket, "link", actor=actor, new=f"{label} #{other.id}", now=now)
    record_event(session, other, "link", actor=actor, new=f"{LABELS[(LinkKind(kind), False)]} #{ticket.id}", now=now)
    session.commit()
    return row


def unlink(session: Session, ticket: Ticket, link_id: int, *, actor: User, now: datetime) -> None:
    row = session.get(TicketLink, link_id)
    if row is None or ticket.id not in (row.source_id, row.target_id):
        raise NotFound("No such link on this ticket.")
    other_id = row.target_id if row.source_id == ticket.id else row.source_id
    session.delete(row)
    record_event(session, ticket, "unlink", actor=actor, old=f"#{other_id}", now=now)
    session.commit()


def merge(session: Session, source: Ticket, target: Ticket, *, actor: User, now: datetime) -> Ticket:
    """Move every message, attachment and DOI of ``source`` into ``target``; ``source`` closes as merged."""
    ensure_writable(source)
    ensure_writable(target)
    if source.id == target.id:
        raise ValidationFailed({"target": "Choose another ticket to merge into."})
    if source.organisation_id and target.organisation_id and source.organisation_id != target.organisation_id:
        raise Conflict("Tickets of different member organisations cannot be merged (their members would see each "
                       "other's messages). Link them instead.")
    moved = session.execute(update(Message).where(Message.ticket_id == source.id).values(ticket_id=target.id)).rowcount
    session.execute(update(Attachment).where(Attachment.ticket_id == source.id).values(ticket_id=target.id))
    add_dois(session, target, dois_of(session, source))
    target.message_count += source.message_count
    target.last_message_id = max(target.last_message_id, source.last_message_id)
    target.updated_at = now
    source.merged_into_id = target.id
    source.message_count = 0
    record_event(session, target, "merge", actor=actor, new=f"#{source.id} merged in ({moved} messages)", now=now)
    change_status(session, source, Status.closed, actor=actor, now=now, reason=f"Merged into #{target.id}.",
                  require_reason=False)
    session.add_all([source, target])
    session.commit()
    return target
