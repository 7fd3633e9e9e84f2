"""Mail waiting to be delivered."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"  # claimed by a deliverer; reclaimed when the claim is old
    sent = "sent"
    failed = "failed"


class OutboxMessage(SQLModel, table=True):
    """One message to one recipient; the sender drains pending rows."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    kind: str = Field(default="notice", max_length=40)
    to_addr: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(default=OutboxStatus.pending, max_length=12, index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=1000)
    message_id: str = Field(default="", max_length=250)  # RFC 5322 Message-ID, fixed at the first claim
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Threading: the ticket the message is about, what it answers, and RFC 3834's Auto-Submitted value.
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    in_reply_to: str = Field(default="", max_length=250)
    references: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    auto_submitted: str = Field(default="auto-generated", max_length=20)
