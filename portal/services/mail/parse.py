"""Reading a received message with the standard ``email`` package, tolerating what mail clients tolerate."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr

from portal.services.mail.html_text import html_to_text
from portal.services.mail.tokens import message_ids

FALLBACK_CHARSETS = ("utf-8", "windows-1252")


@dataclass
class RawAttachment:
    filename: str
    data: bytes


@dataclass
class ParsedMail:
    """What the rest of the channel needs from a message."""

    message: Message
    message_id: str
    from_addr: str
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    text: str
    in_reply_to: list[str]
    references: list[str]
    attachments: list[RawAttachment] = field(default_factory=list)
    html_only: bool = False

    @property
    def referenced(self) -> list[str]:
        """Referenced ids, most relevant first: In-Reply-To, then References newest first."""
        ordered = list(self.in_reply_to) + list(reversed(self.references))
        return list(dict.fromkeys(ordered))

    def header(self, name: str) -> str:
        return header(self.message, name)


def header(message: Message, name: str) -> str:
    """A header as text; a malformed header gives its raw value rather than an error."""
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError, AttributeError, LookupError):
        value = None
        for key, raw in message.raw_items() if hasattr(message, "raw_items") else []:
            if key.lower() == name.lower():
                value = raw
                break
    if value is None:
        return ""
    text = str(value)
    if "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except (ValueError, LookupError, UnicodeError):
            pass
    return " ".join(text.split())


def part_text(part: Message) -> str:
    """A text part's content in any charset; an unknown or lying charset falls back as a mail client would."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, KeyError, ValueError, AssertionError, AttributeError):
        pass
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    for charset in (part.get_content_charset() or "utf-8", *FALLBACK_CHARSETS):
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except (ValueError, TypeError, LookupError):
        name = None
    return str(name or "").strip()


def _is_attachment(part: Message) -> bool:
    try:
        disposition = part.get_content_disposition()
    except (ValueError, TypeError):
        disposition = None
    return disposition == "attachment" or bool(_filename(part) and disposition != "inline") or (
        bool(_filename(part)) and part.get_content_maintype() not in ("text",))


def _walk(message: Message) -> tuple[list[str], list[str], list[RawAttachment]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[RawAttachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if _is_attachment(part):
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                attachments.append(RawAttachment(_filename(part) or "attachment", data))
            continue
        if ctype == "text/plain":
            plain.append(part_text(part))
        elif ctype == "text/html":
            html.append(part_text(part))
    return plain, html, attachments


def _addresses(message: Message, name: str) -> list[str]:
    value = header(message, name)
    return [addr.lower() for _n, addr in getaddresses([value]) if "@" in addr]


def synthetic_id(raw: bytes) -> str:
    """A stable id for a message that has none: the same bytes give the same id."""
    return f"<sha256.{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid>"


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse a message as received (any charset, broken MIME tolerated)."""
    message: Message = message_from_bytes(raw, policy=policy.default)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default always builds these
        message = message_from_bytes(raw, _class=EmailMessage, policy=policy.default)
    try:
        plain, html, attachments = _walk(message)
    except (ValueError, TypeError, LookupError, AssertionError, AttributeError):
        plain, html, attachments = [part_text(message)], [], []
    html_only = not any(p.strip() for p in plain) and bool(html)
    text = "\n\n".join(p.strip() for p in plain if p.strip()) or "\n\n".join(html_to_text(h) for h in html)
    name, addr = parseaddr(header(message, "From"))
    ids = message_ids(header(message, "Message-ID"))
    return ParsedMail(
        message=message,
        message_id=(ids[0] if ids else synthetic_id(raw))[:250],
        from_addr=addr.strip().lower()[:254],
        from_name=name.strip()[:200],
        to=_addresses(message, "To"),
        cc=_addresses(message, "Cc"),
        subject=header(message, "Subject")[:300],
        text=text.replace("\r\n", "\n").replace("\x00", ""),
        in_reply_to=message_ids(header(message, "In-Reply-To")),
        references=message_ids(header(message, "References")),
        attachments=attachments,
        html_only=html_only,
    )
