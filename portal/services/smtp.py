"""Speaking SMTP: settings, the connection, the message on the wire, and what a failure means."""

from __future__ import annotations

import re
import secrets
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Any
from urllib.parse import urlsplit

from portal.logs import redact
from portal.models import OutboxMessage
from portal.services.mail.tokens import thread_key

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class MailTransportError(Exception):
    """The SMTP server could not be reached or refused us as a client; the messages wait."""


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server; the password never appears in the repr."""

    host: str
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0
    mail_from: str = "RSP Portal <support@rsp.example>"
    helo_name: str = "localhost"
    thread_key: bytes = field(default=b"", repr=False)  # signs the ticket token in Message-IDs

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        """The settings from the app configuration (PORTAL_SMTP_*, MAIL_FROM, BASE_URL)."""
        return cls(
            host=str(config.get("SMTP_HOST") or ""),
            port=int(config.get("SMTP_PORT") or 587),
            security=str(config.get("SMTP_SECURITY") or "starttls"),
            username=str(config.get("SMTP_USERNAME") or ""),
            password=str(config.get("SMTP_PASSWORD") or ""),
            timeout=float(config.get("SMTP_TIMEOUT_SECONDS") or 30),
            mail_from=str(config.get("MAIL_FROM") or ""),
            helo_name=urlsplit(str(config.get("BASE_URL") or "")).hostname or "localhost",
            thread_key=thread_key(str(config["SECRET_KEY"])) if config.get("SECRET_KEY") else b"",
        )

    @property
    def sender(self) -> str:
        """The envelope sender: the bare address of MAIL_FROM."""
        return parseaddr(self.mail_from)[1]

    @property
    def domain(self) -> str:
        """Our mail domain, for Message-IDs."""
        return self.sender.rpartition("@")[2] or self.helo_name


@dataclass(frozen=True)
class Failure:
    temporary: bool
    reason: str
    connection_lost: bool = False


def classify(exc: BaseException) -> Failure:
    """Whether a sending error is worth retrying, and why it happened, in one line without secrets."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        codes = [code for code, _msg in replies]
        text = "; ".join(f"{code} {_text(msg)}" for code, msg in replies)
        return Failure(temporary=all(400 <= c < 500 for c in codes), reason=f"recipient refused: {text}")
    if isinstance(exc, smtplib.SMTPResponseException) and not isinstance(
        exc, smtplib.SMTPConnectError | smtplib.SMTPHeloError | smtplib.SMTPAuthenticationError
    ):
        code = exc.smtp_code
        what = "sender refused" if isinstance(exc, smtplib.SMTPSenderRefused) else "server refused the message"
        return Failure(temporary=400 <= code < 500, reason=f"{what}: {code} {_text(exc.smtp_error)}",
                       connection_lost=code == 421)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return Failure(temporary=False, reason=f"the server cannot take this message: {exc}")
    return Failure(temporary=True, reason=f"connection failed: {type(exc).__name__}: {exc}", connection_lost=True)


def _text(value: bytes | str) -> str:
    raw = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return redact(" ".join(raw.split()))[:300]


def address_problem(address: str) -> str:
    """Why an address cannot be used as a recipient, or an empty string."""
    if not address or CONTROL.search(address) or " " in address:
        return "the address is empty or contains spaces or control characters"
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or "@" in local or domain.startswith(".") or ".." in domain:
        return "the address is not of the form name@domain"
    return ""


def build_message(message: OutboxMessage, *, settings: SmtpSettings, now: datetime) -> EmailMessage:
    """The RFC 5322 message: plain text, with an HTML alternative when the outbox row has one."""
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.to_addr
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message.message_id
    if message.in_reply_to:
        email["In-Reply-To"] = message.in_reply_to
    if message.references:
        email["References"] = message.references
    if message.auto_submitted and message.auto_submitted != "no":
        email["Auto-Submitted"] = message.auto_submitted  # RFC 3834: no out-of-office replies to these
        email["X-Auto-Response-Suppress"] = "All"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def new_message_id(message: OutboxMessage, domain: str) -> str:
    """A Message-ID on our domain that names the outbox row."""
    return f"<outbox.{message.id}.{secrets.token_hex(8)}@{domain}>"


def open_connection(settings: SmtpSettings) -> smtplib.SMTP:
    """A connected, secured and (when configured) authenticated SMTP session."""
    context = ssl.create_default_context()
    if settings.security == "tls":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, local_hostname=settings.helo_name,
                                              timeout=settings.timeout, context=context)
    else:
        conn = smtplib.SMTP(settings.host, settings.port, local_hostname=settings.helo_name, timeout=settings.timeout)
    try:
        conn.ehlo()
        if settings.security == "starttls":
            conn.starttls(context=context)
            conn.ehlo()
        if settings.username:
            conn.login(settings.username, settings.password)
    except BaseException:
        conn.close()
        raise
    return conn


def close_quietly(conn: smtplib.SMTP | None) -> None:
    if conn is None:
        return
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()
