"""Business-hours calendars with their holidays, and the SLA policies that count time on them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow

# The ticket priorities SLA policies are written for, most urgent last.
SLA_PRIORITIES = ("low", "normal", "high", "urgent")


def new_version() -> str:
    return uuid4().hex


class BusinessCalendar(SQLModel, table=True):
    """Working hours per weekday in one time zone; SLA targets count business time on it."""

    __tablename__ = "business_calendar"
    # At most one default calendar, whatever writes to the table.
    __table_args__ = (
        Index("uq_business_calendar_default", "is_default", unique=True,
              sqlite_where=text("is_default"), postgresql_where=text("is_default")),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    timezone: str = Field(max_length=64)
    # {"0": [["09:00", "17:00"]], ...}: Monday = "0"; see portal.services.sla.hours
    hours: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    is_default: bool = Field(default=False)
    # Changes with every edit of the calendar or its holidays; cached specs compare it.
    version: str = Field(default_factory=new_version, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Holiday(SQLModel, table=True):
    """A day on which a calendar has no business hours."""

    __tablename__ = "holiday"
    __table_args__ = (UniqueConstraint("calendar_id", "day", name="uq_holiday_calendar_day"),)

    id: int | None = Field(default=None, primary_key=True)
    calendar_id: int = Field(foreign_key="business_calendar.id", ondelete="CASCADE")
    day: date
    name: str = Field(max_length=120)


class SlaPolicy(SQLModel, table=True):
    """Targets for one priority, in business minutes on a calendar; None means no target.

    A policy with an organisation applies to that member's tickets and beats the general one.
    """

    __tablename__ = "sla_policy"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    priority: str = Field(max_length=10, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True,
                                        ondelete="CASCADE")
    first_response_minutes: int | None = Field(default=None)
    next_update_minutes: int | None = Field(default=None)
    resolution_minutes: int | None = Field(default=None)
    calendar_id: int = Field(foreign_key="business_calendar.id", index=True)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
