"""People who sign in, their second factor, one-time links and sign-in throttling."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class Role(StrEnum):
    admin = "admin"
    agent = "agent"
    publisher = "publisher"
    datacite_staff = "datacite_staff"
    member = "member"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.admin: "Admin",
    Role.agent: "Support agent",
    Role.publisher: "Publisher",
    Role.datacite_staff: "DataCite staff",
    Role.member: "Member",
}

# Roles that must use a second factor when REQUIRE_2FA is on.
TWO_FACTOR_ROLES = frozenset({Role.admin, Role.agent})


class User(SQLModel, table=True):
    """A person with exactly one role; member users belong to one organisation."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = Field(default=True)
    session_version: int = Field(default=1)
    timezone: str = Field(default="", max_length=64)
    totp_secret: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    totp_enabled: bool = Field(default=False)
    totp_last_timecode: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    # flask-login protocol, written out so the column can be called `active`.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Session identity: bumping session_version ends every session and remember cookie."""
        return f"{self.id}:{self.session_version}"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(Role(self.role), self.role)

    @property
    def needs_two_factor(self) -> bool:
        return self.role in TWO_FACTOR_ROLES

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email!r}, role={self.role!r})"

    __str__ = __repr__


class RecoveryCode(SQLModel, table=True):
    """A single-use second-factor recovery code, stored as a SHA-256 digest."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OneTimeToken(SQLModel, table=True):
    """A single-use, expiring link (invitation, password reset, credential hand-over)."""

    __tablename__ = "one_time_token"

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=40, index=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    subject: str = Field(default="", max_length=200)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginThrottle(SQLModel, table=True):
    """Failure counter per key (account or client IP), shared by every worker."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("key", name="uq_login_throttle_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300)
    failures: int = Field(default=0)
    window_started_at: datetime = Field(sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
