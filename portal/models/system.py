"""State of the portal's own processes."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class ProcessHeartbeat(SQLModel, table=True):
    """The last sign of life of a named background process (the scheduler)."""

    __tablename__ = "process_heartbeat"

    name: str = Field(primary_key=True, max_length=60)
    holder: str = Field(default="", max_length=200)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    beat_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
