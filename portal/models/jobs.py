"""Scheduled jobs: one row per run, the leader lease, and what admins asked of each job."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class RunStatus(StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    skipped = "skipped"


class RunTrigger(StrEnum):
    schedule = "schedule"
    manual = "manual"


class JobRun(SQLModel, table=True):
    """One run of one job for one slot; the unique (job, slot) makes a slot run once across schedulers."""

    __tablename__ = "job_run"
    __table_args__ = (
        UniqueConstraint("job", "slot", name="uq_job_run_job_slot"),
        Index("ix_job_run_job_started", "job", "started_at"),
        Index("ix_job_run_status_started", "status", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=80)
    slot: str = Field(max_length=80)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default=RunStatus.running, max_length=12)
    trigger: str = Field(default=RunTrigger.schedule, max_length=12)
    holder: str = Field(default="", max_length=200)
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", max_length=1000)
    error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    duration_ms: int | None = Field(default=None)


class SchedulerLease(SQLModel, table=True):
    """Which scheduler process leads, and until when; the leader renews it, a standby takes it once expired."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=60)
    holder: str = Field(max_length=200)
    acquired_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    renewed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class JobState(SQLModel, table=True):
    """What admins decided about a job: paused, or to be run now."""

    __tablename__ = "job_state"

    job: str = Field(primary_key=True, max_length=80)
    paused: bool = Field(default=False)
    paused_by: str = Field(default="", max_length=254)
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    run_now_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    run_now_requested_by: str = Field(default="", max_length=254)
