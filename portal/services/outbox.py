"""The outbox: mail is queued in the database with the change that caused it, and delivered later.

Delivery itself is the ``outbox.deliver`` job (``portal.services.mail_delivery``).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, select

from portal import audit
from portal.errors import Conflict, NotFound
from portal.models import OutboxMessage, OutboxStatus
from portal.services.pagination import Page, paginate

log = logging.getLogger("portal.mail")


def queue_mail(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    kind: str = "notice",
    echo: bool = False,
    ticket_id: int | None = None,
    auto_submitted: str = "auto-generated",
) -> OutboxMessage:
    """Queue one message (the caller commits). With ``echo``, print it for development. Mail about a ticket
    names it: its Message-ID, In-Reply-To and References are fixed when it is first claimed for sending.
    ``auto_submitted`` is RFC 3834's value: ``auto-generated`` notices, ``auto-replied`` acknowledgements,
    ``no`` for a person's reply."""
    message = OutboxMessage(to_addr=to, subject=subject, body_text=text, body_html=html, kind=kind,
                            ticket_id=ticket_id, auto_submitted=auto_submitted)
    session.add(message)
    if echo:
        print(f"\n----- mail to {to}: {subject}\n{text}-----\n", flush=True)  # noqa: T201
    return message


ATTENTION = (OutboxStatus.failed, OutboxStatus.pending, OutboxStatus.sending)


def list_outbox(session: Session, *, status: str = "", page: int = 1, per_page: int = 50) -> Page[OutboxMessage]:
    """Messages by status (default: every one not yet sent), failed first, then oldest first."""
    statuses = [status] if status in {s.value for s in OutboxStatus} else list(ATTENTION)
    failed_first = case((OutboxMessage.status == OutboxStatus.failed, 0), else_=1)
    stmt = (select(OutboxMessage).where(OutboxMessage.status.in_(statuses))  # type: ignore[attr-defined]
            .order_by(failed_first, OutboxMessage.id))
    return paginate(session, stmt, page=page, per_page=per_page)


def outbox_counts(session: Session) -> dict[str, int]:
    """How many messages are in each status."""
    rows = session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    return {status: count for status, count in rows}


def retry_message(session: Session, *, message_id: int, actor: Any, ip: str) -> OutboxMessage:
    """Make a pending or failed message due now; a failed one gets a fresh round of attempts."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("That message does not exist.")
    if message.status == OutboxStatus.sent:
        raise Conflict("That message was already sent; it is not sent again.")
    if message.status == OutboxStatus.sending:
        raise Conflict("That message is being sent right now.")
    previous = message.status
    if previous == OutboxStatus.failed:
        message.attempts = 0
    message.status, message.next_attempt_at = OutboxStatus.pending, None
    session.add(message)
    audit.record(session, "mail.retry", actor=actor, target=message, detail={"was": previous}, ip=ip)
    session.commit()
    return message
