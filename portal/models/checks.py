"""Scheduled checks: DOIs seen per repository, health findings, state snapshots, schema plans and readiness."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class PlanState(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    not_planned = "not_planned"


class CheckedDoi(SQLModel, table=True):
    """One DOI of a repository as the health job last saw it (kept current from the `updated` cursor)."""

    __tablename__ = "checked_doi"
    __table_args__ = (
        Index("ix_checked_doi_state_registered", "state", "registered"),
        Index("ix_checked_doi_repository_updated", "repository_id", "updated"),
    )

    id: int | None = Field(default=None, primary_key=True)
    doi: str = Field(max_length=300, unique=True)
    repository_id: int = Field(foreign_key="repository.id", ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    environment: str = Field(default="test", max_length=12)
    state: str = Field(default="draft", max_length=12)
    url: str = Field(default="", max_length=2000)
    schema_version: str = Field(default="", max_length=80)
    created: datetime | None = Field(default=None, sa_type=UTCDateTime)
    registered: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completeness: int = Field(default=0)
    problems: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RepositoryCheck(SQLModel, table=True):
    """Where the health job stands for one repository: last success, the `updated` watermark, last error."""

    __tablename__ = "repository_check"

    repository_id: int = Field(foreign_key="repository.id", primary_key=True, ondelete="CASCADE")
    last_checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_watermark: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_ok: bool | None = Field(default=None)
    last_error: str = Field(default="", max_length=1000)
    requests: int = Field(default=0)


class HealthSnapshot(SQLModel, table=True):
    """Counts by state of one repository at one health run: the history chart."""

    __tablename__ = "health_snapshot"
    __table_args__ = (Index("ix_health_snapshot_repository_taken", "repository_id", "taken_at"),)

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", ondelete="CASCADE")
    taken_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    total: int = Field(default=0)
    findable: int = Field(default=0)
    registered: int = Field(default=0)
    draft: int = Field(default=0)
    facets: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Finding(SQLModel, table=True):
    """A problem a check found; ``key`` is stable, so a finding opens once and closes when fixed."""

    __tablename__ = "check_finding"
    __table_args__ = (
        Index("ix_check_finding_key_open", "key", "closed_at"),
        Index("ix_check_finding_opened", "opened_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200)
    kind: str = Field(max_length=40, index=True)
    severity: str = Field(default=Severity.medium, max_length=8, index=True)
    repository_id: int | None = Field(default=None, foreign_key="repository.id", ondelete="CASCADE", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    title: str = Field(max_length=300)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", ondelete="SET NULL")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class SchemaPlan(SQLModel, table=True):
    """The support plan for one Metadata Schema version (RSP requirement 3), kept by admins."""

    __tablename__ = "schema_plan"

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=10, unique=True)
    owner: str = Field(default="", max_length=200)
    target_date: date | None = Field(default=None)
    status: str = Field(default=PlanState.planned, max_length=12)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_by: str = Field(default="", max_length=254)


class ReadinessReport(SQLModel, table=True):
    """One repository's readiness for the newest schema at one run (JSON body: versions, features, failures)."""

    __tablename__ = "readiness_report"
    __table_args__ = (UniqueConstraint("repository_id", "newest", "created_at", name="uq_readiness_report"),
                      Index("ix_readiness_report_repository_created", "repository_id", "created_at"))

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    newest: str = Field(max_length=10)
    sampled: int = Field(default=0)
    failing: int = Field(default=0)
    report: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
