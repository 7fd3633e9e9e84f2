"""Member organisations, their contacts and their DataCite repositories."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class Environment(StrEnum):
    test = "test"
    production = "production"


class ApiTarget(StrEnum):
    """Where a repository's DataCite calls go: DataCite itself, or the offline sandbox on this machine."""

    datacite = "datacite"
    sandbox = "sandbox"


class ContactRole(StrEnum):
    technical = "technical"
    service = "service"
    billing = "billing"
    general = "general"


class Organisation(SQLModel, table=True):
    """A DataCite member (or consortium organisation) the RSP serves."""

    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    datacite_member_id: str = Field(default="", max_length=40, index=True)
    ror_id: str = Field(default="", max_length=40)
    country: str = Field(default="", max_length=2)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Contact(SQLModel, table=True):
    """A person at a member organisation the RSP may write to."""

    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    role: str = Field(default=ContactRole.general, max_length=20)
    phone: str = Field(default="", max_length=40)


class Repository(SQLModel, table=True):
    """A DataCite repository (client) account of a member, in one environment."""

    __tablename__ = "repository"
    __table_args__ = (UniqueConstraint("symbol", "environment", name="uq_repository_symbol_env"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    symbol: str = Field(max_length=18, index=True)
    name: str = Field(default="", max_length=200)
    environment: str = Field(default=Environment.test, max_length=12)
    api_target: str = Field(default=ApiTarget.datacite, max_length=12, sa_column_kwargs={"server_default": "datacite"})
    domains: str = Field(default="*", max_length=2000)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def datacite_target(self) -> str:
        """The DataCite system its calls and credential belong to: production, test or sandbox."""
        return ApiTarget.sandbox.value if self.api_target == ApiTarget.sandbox else self.environment


class RepositoryPrefix(SQLModel, table=True):
    """A DOI prefix a repository may register under."""

    __tablename__ = "repository_prefix"
    __table_args__ = (UniqueConstraint("repository_id", "prefix", name="uq_repository_prefix"),)

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True, ondelete="CASCADE")
    prefix: str = Field(max_length=40, index=True)
