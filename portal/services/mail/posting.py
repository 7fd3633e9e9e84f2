"""Putting received mail on a ticket: a reply from someone taking part, or an internal note the desk reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, select

from portal import audit
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.models import (
    InboundMail,
    InboundOutcome,
    Message,
    Status,
    Ticket,
    TicketParticipant,
    User,
    Visibility,
)
from portal.services.tickets.attachments import Storage, Upload, store
from portal.services.tickets.history import record_event
from portal.services.tickets.lifecycle import change_status
from portal.services.tickets.tags import add_dois, detect_dois


def post_message(session: Session, ticket: Ticket, *, body: str, name: str, email: str, user: User | None,
                 now: datetime, internal: bool, uploads: list[Upload] | None = None,
                 storage: Storage | None = None) -> Message:
    """Add a received message to a ticket (the caller commits). A public reply reopens a resolved or waiting
    ticket, as a member's reply in the portal does; an internal note changes no status."""
    message = Message(ticket_id=ticket.id or 0, author_id=user.id if user else None, author_name=name or email,
                      author_email=email, author_role=user.role if user else "member",
                      visibility=Visibility.internal if internal else Visibility.public, body=body, source="email",
                      created_at=now)
    session.add(message)
    session.flush()
    if storage is not None:
        for upload in uploads or []:
            store(session, ticket, upload, storage=storage, message_id=message.id, uploader=user)
    ticket.last_message_id = message.id or 0
    ticket.message_count += 1
    ticket.updated_at = now
    if not internal:
        ticket.last_public_message_at = now
        add_dois(session, ticket, detect_dois(body))
        if ticket.status in (Status.resolved, Status.waiting_member):
            reason = "The member replied by email." if ticket.status == Status.waiting_member else (
                "Reopened: the member replied by email.")
            change_status(session, ticket, Status.open, actor=user, now=now, reason=reason, require_reason=False)
    session.add(ticket)
    return message


def held_for(ticket_id: int | None) -> tuple[ColumnElement[bool], ...]:
    """Where mail held on a ticket for an agent's decision is (also asked by services.tickets.parts)."""
    return (InboundMail.ticket_id == ticket_id, InboundMail.outcome == InboundOutcome.held,  # type: ignore[return-value]
            InboundMail.accepted_at.is_(None))  # type: ignore[union-attr]


def held_mail(session: Session, ticket: Ticket) -> list[InboundMail]:
    """Mail from people outside the ticket, waiting for an agent to accept it."""
    return list(session.exec(select(InboundMail).where(*held_for(ticket.id)).order_by(InboundMail.id)).all())


def accept_held(session: Session, *, inbound_id: int, as_requester: bool, actor: User, now: datetime,
                ip: str = "", ticket_id: int | None = None) -> Message:
    """An agent accepts a stranger's mail: the sender joins the ticket (as participant or as the new requester)
    and the mail becomes a public message from them."""
    inbound = session.get(InboundMail, inbound_id)
    if inbound is None or inbound.ticket_id is None or inbound.outcome != InboundOutcome.held or (
            ticket_id is not None and inbound.ticket_id != ticket_id):
        raise NotFound("That held mail does not exist.")
    if inbound.accepted_at is not None:
        raise Conflict("That mail was already accepted.")
    ticket = session.get(Ticket, inbound.ticket_id)
    if ticket is None:
        raise NotFound("That ticket does not exist.")
    if ticket.status == Status.closed:
        raise ValidationFailed({"ticket": "The ticket is closed; the mail cannot be added to it."})
    if as_requester:
        record_event(session, ticket, "requester", actor=actor, old=ticket.requester_email, new=inbound.from_addr,
                     now=now)
        ticket.requester_email, ticket.requester_name = inbound.from_addr, inbound.from_name
        ticket.requester_id = None
    elif session.get(TicketParticipant, (ticket.id, inbound.from_addr)) is None:
        session.add(TicketParticipant(ticket_id=ticket.id or 0, email=inbound.from_addr, name=inbound.from_name,
                                      added_at=now, added_by_id=actor.id))
        record_event(session, ticket, "participant", actor=actor, new=inbound.from_addr, now=now)
    message = post_message(session, ticket, body=inbound.body, name=inbound.from_name, email=inbound.from_addr,
                           user=None, now=now, internal=False)
    inbound.accepted_at, inbound.accepted_by_id = now, actor.id
    session.add(inbound)
    audit.record(session, "mail.accept", actor=actor, target=ticket,
                 detail={"from": inbound.from_addr, "as": "requester" if as_requester else "participant"}, ip=ip)
    session.commit()
    return message
