"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """Who did what to which thing, from where, and when. Never updated or deleted."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_target", "target_type", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, index=True)
    actor: str = Field(default="system", max_length=254)
    action: str = Field(max_length=80, index=True)
    target_type: str = Field(default="", max_length=40)
    target_id: str = Field(default="", max_length=80)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    ip: str = Field(default="", max_length=64)
