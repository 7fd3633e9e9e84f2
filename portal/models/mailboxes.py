"""The email channel: mailboxes we receive on, every message received, held mail and bouncing addresses."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class MailboxPurpose(StrEnum):
    member_support = "member_support"
    designated_contact = "designated_contact"


class Arrival(StrEnum):
    pipe = "pipe"
    imap = "imap"


class ImapSecurity(StrEnum):
    tls = "tls"
    starttls = "starttls"
    plain = "plain"  # only for a server on loopback


class InboundOutcome(StrEnum):
    ticket = "ticket"  # opened a ticket
    request = "request"  # opened a DataCite staff request
    reply = "reply"  # threaded onto a ticket as the requester's or a participant's reply
    note = "note"  # threaded onto a ticket as an internal note (auto-reply, held stranger)
    held = "held"  # a stranger wrote into a thread: waits for an agent to accept it
    bounce = "bounce"
    dropped = "dropped"  # our own mail, or an auto-reply that concerns no ticket
    limited = "limited"  # the sender loops: rate-limited


class Mailbox(SQLModel, table=True):
    """An address we receive mail on, and how the mail arrives."""

    __tablename__ = "mailbox"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    address: str = Field(max_length=254, unique=True)
    purpose: str = Field(default=MailboxPurpose.member_support, max_length=20)
    group_id: int | None = Field(default=None, foreign_key="ticket_group.id")
    arrival: str = Field(default=Arrival.pipe, max_length=10)
    imap_host: str = Field(default="", max_length=253)
    imap_port: int = Field(default=993)
    imap_security: str = Field(default=ImapSecurity.tls, max_length=10)
    imap_user: str = Field(default="", max_length=254)
    imap_password: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # sealed in the vault
    imap_folder: str = Field(default="INBOX", max_length=200)
    processed_folder: str = Field(default="Processed", max_length=200)
    active: bool = Field(default=True)
    last_polled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InboundMail(SQLModel, table=True):
    """One message received, once: its Message-ID is unique, so a second delivery changes nothing."""

    __tablename__ = "inbound_mail"

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=250, unique=True)
    mailbox_id: int | None = Field(default=None, foreign_key="mailbox.id", index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    from_addr: str = Field(default="", max_length=254, index=True)
    from_name: str = Field(default="", max_length=200)
    subject: str = Field(default="", max_length=300)
    outcome: str = Field(max_length=12, index=True)
    reason: str = Field(default="", max_length=500)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    ticket_message_id: int | None = Field(default=None, foreign_key="ticket_message.id")
    body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # kept for held mail
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accepted_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class TicketParticipant(SQLModel, table=True):
    """Someone besides the requester whose mail on a ticket counts as a reply (accepted by an agent)."""

    __tablename__ = "ticket_participant"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True, ondelete="CASCADE")
    email: str = Field(max_length=254, primary_key=True)
    name: str = Field(default="", max_length=200)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    added_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class MailAddressFlag(SQLModel, table=True):
    """An address our mail bounced from: shown to agents, and acknowledgements skip it."""

    __tablename__ = "mail_address_flag"

    email: str = Field(max_length=254, primary_key=True)
    bounces: int = Field(default=0)
    last_bounce_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = Field(default="", max_length=500)


class SmtpSecret(SQLModel, table=True):
    """The SMTP password, set by an admin and sealed in the vault (one row); PORTAL_SMTP_PASSWORD overrides it."""

    __tablename__ = "smtp_secret"

    id: int | None = Field(default=None, primary_key=True)
    password: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")
