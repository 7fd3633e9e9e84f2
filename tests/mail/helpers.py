"""Helpers for the email-channel tests: the corpus, a mailbox, and ingesting as the pipe does."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlmodel import Session

from portal.models import Mailbox, MailboxPurpose
from portal.services.mail.ingest import IngestResult, ingest_raw
from portal.services.mail.tokens import signed_message_id, thread_key
from portal.services.tickets.context import TicketContext

CORPUS = Path(__file__).parent / "corpus"
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def corpus(name: str, *, ticket: int = 0, token: str = "", huge_bytes: int = 0) -> bytes:
    """A corpus message with the ticket number, a thread token and (optionally) a large attachment filled in."""
    raw = (CORPUS / name).read_bytes()
    raw = raw.replace(b"{TICKET}", str(ticket).encode()).replace(b"{TOKEN}", token.encode())
    if huge_bytes:
        raw = raw.replace(b"{HUGE}", base64.encodebytes(b"x" * huge_bytes))
    return raw.replace(b"{HUGE}", base64.encodebytes(b"small"))


def token(app: Flask, ticket_id: int) -> str:
    """A Message-ID as we would send it for the ticket."""
    return signed_message_id(ticket_id=ticket_id, key=thread_key(app.config["SECRET_KEY"]), domain="rsp.example")


def make_mailbox(session: Session, name: str = "support", address: str = "support@rsp.example",
                 purpose: str = MailboxPurpose.member_support, **fields: Any) -> Mailbox:
    mailbox = Mailbox(name=name, address=address, purpose=purpose, **fields)
    session.add(mailbox)
    session.commit()
    return mailbox


def ingest(app: Flask, session: Session, raw: bytes, *, mailbox: str = "support", now: datetime = NOW,
           ctx: TicketContext | None = None) -> IngestResult:
    result = ingest_raw(session, raw=raw, mailbox_name=mailbox, ctx=ctx or TicketContext.from_config(app.config),
                        config=app.config, now=now)
    session.expire_all()
    return result
