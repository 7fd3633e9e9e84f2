"""Tickets about members' DOI registration: the ticket, its messages, history, DOIs, tags, links and queues."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class Status(StrEnum):
    new = "new"
    open = "open"
    waiting_member = "waiting_member"
    waiting_datacite = "waiting_datacite"
    resolved = "resolved"
    closed = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.new: "New",
    Status.open: "Open",
    Status.waiting_member: "Waiting on member",
    Status.waiting_datacite: "Waiting on DataCite",
    Status.resolved: "Resolved",
    Status.closed: "Closed",
}
ACTIVE_STATUSES = (Status.new, Status.open, Status.waiting_member, Status.waiting_datacite)


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


PRIORITY_RANK = {Priority.low: 0, Priority.normal: 1, Priority.high: 2, Priority.urgent: 3}


class Category(StrEnum):
    registration_error = "registration_error"
    credentials = "credentials"
    metadata_schema = "metadata_schema"
    landing_page_url = "landing_page_url"
    prefix_account = "prefix_account"
    other = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.registration_error: "Registration error",
    Category.credentials: "Credentials",
    Category.metadata_schema: "Metadata and schema",
    Category.landing_page_url: "Landing page and URL",
    Category.prefix_account: "Prefix and account",
    Category.other: "Other",
}


class Channel(StrEnum):
    member_portal = "member_portal"
    agent = "agent"
    datacite_staff = "datacite_staff"
    email = "email"
    api = "api"
    proactive = "proactive"


class Visibility(StrEnum):
    public = "public"
    internal = "internal"


class AssignmentMode(StrEnum):
    manual = "manual"
    round_robin = "round_robin"
    load = "load"


class TicketGroup(SQLModel, table=True):
    """A queue of tickets worked by a set of agents, with its way of assigning new tickets."""

    __tablename__ = "ticket_group"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    description: str = Field(default="", max_length=500)
    assignment: str = Field(default=AssignmentMode.manual, max_length=20)
    last_assigned_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    is_default: bool = Field(default=False)
    active: bool = Field(default=True)


class GroupMember(SQLModel, table=True):
    """An agent in a group; unavailable agents get no automatic assignments."""

    __tablename__ = "group_member"

    group_id: int = Field(foreign_key="ticket_group.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    available: bool = Field(default=True)


class Ticket(SQLModel, table=True):
    """A support case; its number is its id."""

    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_status_updated", "status", "updated_at"),
        Index("ix_ticket_assignee_status", "assignee_id", "status"),
        Index("ix_ticket_group_status", "group_id", "status"),
        Index("ix_ticket_org_status", "organisation_id", "status"),
        Index("ix_ticket_status_sla_due", "status", "sla_due_at"),
        Index("ix_ticket_status_sla_warn", "status", "sla_warn_at"),
        Index("ix_ticket_requester", "requester_id", "status"),
        # A filter plus the default sort (newest update first) walks one index instead of sorting the matches.
        Index("ix_ticket_priority_updated", "priority", "updated_at"),
        Index("ix_ticket_category_updated", "category", "updated_at"),
        Index("ix_ticket_group_updated", "group_id", "updated_at"),
        Index("ix_ticket_assignee_updated", "assignee_id", "updated_at"),
        Index("ix_ticket_org_updated", "organisation_id", "updated_at"),
        # A team's queue by priority and creation date: SQLite counts and lists through the first, PostgreSQL
        # through the second, which it walks newest update first (the two dates are correlated, so walking
        # ix_ticket_updated_at and filtering on created_at visits tens of thousands of rows).
        Index("ix_ticket_group_priority_created", "group_id", "priority", "created_at"),
        Index("ix_ticket_group_priority_updated", "group_id", "priority", "updated_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=300)
    status: str = Field(default=Status.new, max_length=20)
    priority: str = Field(default=Priority.normal, max_length=10, index=True)
    category: str = Field(default=Category.other, max_length=30, index=True)
    channel: str = Field(default=Channel.member_portal, max_length=20, index=True)
    requester_id: int | None = Field(default=None, foreign_key="user_account.id")
    requester_email: str = Field(default="", max_length=254)
    requester_name: str = Field(default="", max_length=200)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    repository_id: int | None = Field(default=None, foreign_key="repository.id", index=True)
    environment: str = Field(default="", max_length=12)
    assignee_id: int | None = Field(default=None, foreign_key="user_account.id")
    group_id: int | None = Field(default=None, foreign_key="ticket_group.id")
    error_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    failure_key: str = Field(default="", max_length=40, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_message_id: int = Field(default=0)
    last_public_message_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_count: int = Field(default=0)
    # SLA: the full clock state as JSON, plus the times queues sort and filter on.
    sla_policy_id: int | None = Field(default=None)
    sla_state: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    first_response_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_update_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sla_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sla_warn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sla_breached: bool = Field(default=False, index=True)
    merged_into_id: int | None = Field(default=None, foreign_key="ticket.id")
    csat_score: int | None = Field(default=None)
    csat_comment: str = Field(default="", max_length=2000)
    csat_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)

    @property
    def number(self) -> int:
        return self.id or 0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(Status(self.status), self.status)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(Category(self.category), self.category)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class TicketTag(SQLModel, table=True):
    __tablename__ = "ticket_tag"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True, ondelete="CASCADE")
    tag: str = Field(max_length=40, primary_key=True, index=True)


class TicketDoi(SQLModel, table=True):
    """A DOI the ticket concerns, normalised; its prefix is kept for prefix queries."""

    __tablename__ = "ticket_doi"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True, ondelete="CASCADE")
    doi: str = Field(max_length=300, primary_key=True, index=True)
    prefix: str = Field(max_length=40, index=True)


class Message(SQLModel, table=True):
    """A public reply or an internal note. Never edited after it is written."""

    __tablename__ = "ticket_message"
    __table_args__ = (Index("ix_ticket_message_ticket", "ticket_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    author_id: int | None = Field(default=None, foreign_key="user_account.id")
    author_name: str = Field(default="", max_length=200)
    author_email: str = Field(default="", max_length=254)
    author_role: str = Field(default="", max_length=20)
    visibility: str = Field(default=Visibility.public, max_length=10)
    body: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(default="web", max_length=10)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def internal(self) -> bool:
        return self.visibility == Visibility.internal


class Attachment(SQLModel, table=True):
    """A file attached to a message, stored outside static under a generated name."""

    __tablename__ = "ticket_attachment"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="ticket_message.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=100, unique=True)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TicketEvent(SQLModel, table=True):
    """One change to a ticket: immutable history shown on the ticket."""

    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_ticket_event_ticket", "ticket_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    actor_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor: str = Field(default="system", max_length=254)
    kind: str = Field(max_length=40)
    old_value: str = Field(default="", max_length=500)
    new_value: str = Field(default="", max_length=500)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    internal: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LinkKind(StrEnum):
    relates = "relates"
    duplicate_of = "duplicate_of"
    parent_of = "parent_of"


class TicketLink(SQLModel, table=True):
    __tablename__ = "ticket_link"
    __table_args__ = (UniqueConstraint("source_id", "target_id", "kind", name="uq_ticket_link"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="ticket.id", index=True)
    target_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=20)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TicketPresence(SQLModel, table=True):
    """Who has a ticket open, and whether they are writing a reply (the collision guard)."""

    __tablename__ = "ticket_presence"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    state: str = Field(default="viewing", max_length=10)
    seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CannedAnswer(SQLModel, table=True):
    """A reply template with variables; the seeded ones explain DataCite's common failures."""

    __tablename__ = "canned_answer"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200, unique=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    failure_key: str = Field(default="", max_length=40, index=True)
    category: str = Field(default="", max_length=30)
    active: bool = Field(default=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class EscalationStatus(StrEnum):
    sent = "sent"
    answered = "answered"


class Escalation(SQLModel, table=True):
    """A case handed to DataCite support: the package sent, and DataCite's answer when it comes."""

    __tablename__ = "escalation"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_to: str = Field(default="", max_length=254)
    package: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default=EscalationStatus.sent, max_length=12)
    datacite_reference: str = Field(default="", max_length=100)
    answer: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by_id: int | None = Field(default=None, foreign_key="user_account.id")
