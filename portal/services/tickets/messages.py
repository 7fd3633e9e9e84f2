"""Replies and internal notes, with the stale-view guard of the collision detection."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from portal.errors import Conflict, Forbidden, ValidationFailed
from portal.models import Attachment, Message, Role, Status, Ticket, User, Visibility
from portal.services.tickets import notify, sla_hooks
from portal.services.tickets.attachments import Upload, check_uploads, store
from portal.services.tickets.context import TicketContext
from portal.services.tickets.core import MAX_BODY
from portal.services.tickets.lifecycle import change_status, ensure_writable
from portal.services.tickets.tags import add_dois, detect_dois
from portal.services.tickets.visibility import is_desk


class StaleView(Conflict):
    """New messages arrived after the writer loaded the ticket; the reply waits until they have seen them."""

    def __init__(self, new_message_ids: list[int]) -> None:
        count = len(new_message_ids)
        super().__init__(f"{count} new message{'s' if count != 1 else ''} arrived while you were writing. "
                         "Read it, then send your reply again.")
        self.new_message_ids = new_message_ids


def visible_messages(session: Session, ticket: Ticket, viewer: User) -> list[Message]:
    stmt = select(Message).where(Message.ticket_id == ticket.id)
    if not is_desk(viewer):
        stmt = stmt.where(Message.visibility == Visibility.public)
    return list(session.exec(stmt.order_by(Message.id)).all())


def latest_visible_id(session: Session, ticket: Ticket, viewer: User) -> int:
    """The newest message id the viewer can see: what a reply form records as 'seen'."""
    if is_desk(viewer):
        return ticket.last_message_id
    return session.exec(select(func.coalesce(func.max(Message.id), 0)).where(
        Message.ticket_id == ticket.id, Message.visibility == Visibility.public)).one()


def attachments_by_message(session: Session, ticket: Ticket) -> dict[int, list[Attachment]]:
    grouped: dict[int, list[Attachment]] = {}
    for attachment in session.exec(select(Attachment).where(Attachment.ticket_id == ticket.id).order_by(Attachment.id)).all():
        grouped.setdefault(attachment.message_id or 0, []).append(attachment)
    return grouped


def add_message(
    session: Session,
    ticket: Ticket,
    *,
    author: User,
    body: str,
    ctx: TicketContext,
    now: datetime,
    visibility: str = Visibility.public,
    seen_message_id: int | None = None,
    attachments: list[Upload] | None = None,
    set_status: str | None = None,
    status_reason: str = "",
    source: str = "web",
) -> Message:
    """Add a reply or note. Members' replies reopen resolved and waiting tickets; agents' first public reply
    counts as the first response. ``seen_message_id`` enables the stale-view guard."""
    ensure_writable(ticket)
    desk = is_desk(author)
    errors: dict[str, str] = {}
    if not body.strip():
        errors["body"] = "Write something before sending."
    elif len(body) > MAX_BODY:
        errors["body"] = f"Keep the message under {MAX_BODY:,} characters; attach long logs as files."
    if visibility not in {v.value for v in Visibility}:
        errors["visibility"] = "Choose reply or internal note."
    try:
        check_uploads(attachments or [], ctx.storage)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    if visibility == Visibility.internal and not desk:
        raise Forbidden("Only the support desk writes internal notes.")
    if set_status is not None and not desk:
        raise Forbidden("Only the support desk sets a ticket's status.")
    if seen_message_id is not None:
        stmt = select(Message.id).where(Message.ticket_id == ticket.id, Message.id > seen_message_id)
        if not desk:
            stmt = stmt.where(Message.visibility == Visibility.public)
        newer = [m for m in session.exec(stmt.order_by(Message.id)).all() if m is not None]
        if newer:
            raise StaleView(newer)
    message = Message(ticket_id=ticket.id or 0, author_id=author.id, author_name=author.name, author_email=author.email,
                      author_role=author.role, visibility=visibility, body=body.strip(), source=source, created_at=now)
    session.add(message)
    session.flush()
    for upload in attachments or []:
        store(session, ticket, upload, storage=ctx.storage, message_id=message.id, uploader=author)
    ticket.last_message_id = message.id or 0
    ticket.message_count += 1
    ticket.updated_at = now
    public = visibility == Visibility.public
    if public:
        ticket.last_public_message_at = now
    add_dois(session, ticket, detect_dois(body))
    if desk and public:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        sla_hooks.agent_replied(session, ticket, now)
        if set_status is None and ticket.status == Status.new:
            change_status(session, ticket, Status.open, actor=author, now=now, reason="First response.",
                          require_reason=False)
        notify.public_reply(session, ticket, ctx.mail, author=author.name, body=message.body)
    elif not desk:
        if ticket.status in (Status.resolved, Status.waiting_member):
            reason = "The member replied." if ticket.status == Status.waiting_member else "Reopened: the member replied."
            change_status(session, ticket, Status.open, actor=author, now=now, reason=reason, require_reason=False)
    if set_status is not None and set_status != ticket.status:
        change_status(session, ticket, set_status, actor=author, now=now, reason=status_reason)
        if public or set_status in (Status.resolved, Status.closed):
            notify.status_changed(session, ticket, ctx.mail, label=ticket.status_label, reason=status_reason)
    session.add(ticket)
    session.commit()
    return message


def requester_side(user: User) -> bool:
    return user.role in (Role.member, Role.datacite_staff)
