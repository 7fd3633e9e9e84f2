"""The designated contact for DataCite staff, their troubleshooting requests, and the service profile."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class DesignatedContact(SQLModel, table=True):
    """The monitored address DataCite writes to, the agents behind it and its response-time targets (one row)."""

    __tablename__ = "designated_contact"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    primary_agent_id: int | None = Field(default=None, foreign_key="user_account.id")
    backup_agent_id: int | None = Field(default=None, foreign_key="user_account.id")
    group_id: int | None = Field(default=None, foreign_key="ticket_group.id")
    ack_business_minutes: int = Field(default=8 * 60)
    answer_business_minutes: int = Field(default=16 * 60)
    backup_after_business_minutes: int = Field(default=4 * 60)
    bounced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    bounce_reason: str = Field(default="", max_length=500)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class StaffRequest(SQLModel, table=True):
    """What a DataCite staff request adds to its ticket: reply-to, urgency and its response-time record."""

    __tablename__ = "staff_request"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    reply_to: str = Field(default="", max_length=254)
    urgency: str = Field(default="normal", max_length=10)
    source: str = Field(default="form", max_length=10)
    ack_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    answer_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    primary_alerted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    backup_alerted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answer_alerted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ServiceProfileText(SQLModel, table=True):
    """A revision of the hand-written parts of the service profile; the newest one is current."""

    __tablename__ = "service_profile_text"

    id: int | None = Field(default=None, primary_key=True)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    hosting: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    support_policy: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    documentation_url: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
