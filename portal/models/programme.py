"""The provider's own standing in DataCite's RSP programme: requirement statuses, steps, renewals and the badge."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, LargeBinary, Text
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class RequirementState(SQLModel, table=True):
    """The last evaluation of one requirement or best-practice item, plus the admins' notes on it."""

    __tablename__ = "programme_requirement"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    status: str = Field(default="not_evaluated", max_length=20)
    reason: str = Field(default="", max_length=500)
    evidence: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # JSON list
    evaluated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notified_status: str = Field(default="", max_length=20)  # the slipped status admins were last told about
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    attested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # an admin confirmed human evidence
    attested_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class ProgrammeStep(SQLModel, table=True):
    """One step of the application (expressed interest ... listed and badge received)."""

    __tablename__ = "programme_step"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    happened_on: date | None = Field(default=None)
    people: str = Field(default="", max_length=500)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class ProgrammeDocument(SQLModel, table=True):
    """A file kept as human evidence for a requirement or a step; stored like ticket attachments."""

    __tablename__ = "programme_document"

    id: int | None = Field(default=None, primary_key=True)
    requirement_key: str = Field(default="", max_length=40, index=True)
    step_key: str = Field(default="", max_length=40, index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=64, unique=True)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user_account.id")


class SelfAssessment(SQLModel, table=True):
    """The yearly renewal self-assessment (due each January), prefilled from the board."""

    __tablename__ = "programme_assessment"

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True)
    due_on: date
    answers: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # JSON list
    remarks: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    overdue_reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProgrammeBadge(SQLModel, table=True):
    """The badge image DataCite supplied (sanitised); the newest row is current."""

    __tablename__ = "programme_badge"

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=40)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str = Field(max_length=64)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
