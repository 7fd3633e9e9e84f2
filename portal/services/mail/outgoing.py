"""Outgoing mail about a ticket: the signed Message-ID, In-Reply-To and References, and the HTML part."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session, select

from portal.models import InboundMail, InboundOutcome, OutboxMessage
from portal.services.mail.tokens import signed_message_id

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"
URL = re.compile(r"https?://[^\s<>\"']+")
THREADED = (InboundOutcome.ticket, InboundOutcome.reply, InboundOutcome.request)
MAX_REFERENCES = 10


def set_thread_headers(session: Session, message: OutboxMessage, *, key: bytes, domain: str) -> None:
    """Fix a ticket mail's headers at its first claim: a signed Message-ID, and In-Reply-To/References to what
    the recipient last wrote and what we last sent them, so their client threads it and their reply finds
    the ticket again (the caller commits)."""
    if not message.ticket_id or not key:
        return
    message.message_id = signed_message_id(ticket_id=message.ticket_id, key=key, domain=domain)
    inbound = list(session.exec(select(InboundMail.message_id).where(
        InboundMail.ticket_id == message.ticket_id, InboundMail.outcome.in_(THREADED))  # type: ignore[attr-defined]
        .order_by(InboundMail.id)).all())
    sent = list(session.exec(select(OutboxMessage.message_id).where(
        OutboxMessage.ticket_id == message.ticket_id, OutboxMessage.to_addr == message.to_addr,
        OutboxMessage.id != message.id, OutboxMessage.message_id != "")
        .order_by(OutboxMessage.id.desc()).limit(3)).all())  # type: ignore[union-attr]
    references = list(dict.fromkeys(inbound[:1] + list(reversed(sent)) + inbound[-1:]))[-MAX_REFERENCES:]
    message.references = " ".join(references)
    message.in_reply_to = inbound[-1] if inbound else (sent[0] if sent else "")
    session.add(message)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES / "mail"), autoescape=select_autoescape(default=True))


def html_version(text: str, *, site_name: str) -> str:
    """The HTML alternative of a text mail, from templates/mail/message.html (escaped, links kept)."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        lines = []
        for line in block.splitlines():
            pieces, last = [], 0
            for match in URL.finditer(line):
                pieces += [("text", line[last:match.start()]), ("link", match.group(0))]
                last = match.end()
            pieces.append(("text", line[last:]))
            lines.append(pieces)
        paragraphs.append(lines)
    return _environment().get_template("message.html").render(paragraphs=paragraphs, site_name=site_name)
