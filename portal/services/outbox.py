"""The outbox: mail is queued in the database with the change that caused it, and delivered later."""

from __future__ import annotations

import logging

from sqlmodel import Session

from portal.models import OutboxMessage

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
) -> OutboxMessage:
    """Queue one message (the caller commits). With ``echo``, print it for development."""
    message = OutboxMessage(to_addr=to, subject=subject, body_text=text, body_html=html, kind=kind)
    session.add(message)
    if echo:
        print(f"\n----- mail to {to}: {subject}\n{text}-----\n", flush=True)  # noqa: T201
    return message
