"""API tokens for the JSON API, and the Idempotency-Key records that make retried POSTs safe."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class ApiToken(SQLModel, table=True):
    """A bearer token of one user. Only its SHA-256 digest and first characters are stored (C05)."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=12, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    scopes: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def is_usable(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now`` (the owner's account is checked separately)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def __repr__(self) -> str:
        # Never the digest: a repr ends up in logs and tracebacks.
        return f"ApiToken(id={self.id!r}, user_id={self.user_id!r}, prefix={self.prefix!r}, scopes={self.scopes!r})"

    __str__ = __repr__


class IdempotencyStatus(StrEnum):
    in_flight = "in_flight"
    done = "done"


class IdempotencyRecord(SQLModel, table=True):
    """One Idempotency-Key of one token: the request it stood for and, once done, the response to replay."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("token_id", "key", name="uq_idempotency_record_token_key"),)

    id: int | None = Field(default=None, primary_key=True)
    token_id: int = Field(foreign_key="api_token.id")
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    status: str = Field(default=IdempotencyStatus.in_flight, max_length=12)
    response_status: int | None = Field(default=None)
    response_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    response_location: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
