"""Repository credentials sealed in the vault, their hand-over links, and the record of every DataCite call."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class CredentialKind(StrEnum):
    password = "password"  # noqa: S105  (a kind of credential, not a password)
    api_key = "api_key"

    @property
    def label(self) -> str:
        return "API key" if self is CredentialKind.api_key else "password"


class CredentialSource(StrEnum):
    """Who typed the credential in: an agent, a member user on their own pages, or a hand-over link."""

    agent = "agent"
    member = "member"
    handover = "handover"
    seed = "seed"


class RepositoryCredential(SQLModel, table=True):
    """The one credential of a repository: sealed, bound to this row and field, never shown again.

    ``target`` and ``symbol`` remember where the credential was meant to go when it was stored; a
    credential whose repository has since moved is refused, never sent (C25).
    """

    __tablename__ = "repository_credential"

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", unique=True, ondelete="CASCADE")
    kind: str = Field(default=CredentialKind.password, max_length=12)
    secret: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    symbol: str = Field(default="", max_length=18)
    target: str = Field(default="", max_length=12)
    set_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    set_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    set_by_label: str = Field(default="", max_length=254)
    set_via: str = Field(default="", max_length=12)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_verification_ok: bool | None = Field(default=None)
    last_verification_reason: str = Field(default="", max_length=1000)
    needs_attention: bool = Field(default=False, index=True)
    cleared_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cleared_by_label: str = Field(default="", max_length=254)
    cleared_reason: str = Field(default="", max_length=300)

    @property
    def is_set(self) -> bool:
        return self.secret is not None

    def __repr__(self) -> str:
        return (f"RepositoryCredential(id={self.id!r}, repository_id={self.repository_id!r}, kind={self.kind!r}, "
                f"set={self.is_set!r})")

    __str__ = __repr__


class CredentialHandover(SQLModel, table=True):
    """A one-time link sent to one person of the repository's organisation to enter its credential."""

    __tablename__ = "credential_handover"

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True, ondelete="CASCADE")
    token_id: int = Field(foreign_key="one_time_token.id", unique=True)
    recipient_name: str = Field(default="", max_length=200)
    recipient_email: str = Field(max_length=254)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str = Field(default="", max_length=1000)


class DataCiteCall(SQLModel, table=True):
    """One call to DataCite (or the sandbox): who, when, which repository, what, and how it ended.

    Never a credential and never a request or response body: the request line and a short summary only.
    """

    __tablename__ = "datacite_call"
    __table_args__ = (Index("ix_datacite_call_repository_created", "repository_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    repository_id: int | None = Field(default=None, foreign_key="repository.id", ondelete="SET NULL")
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor: str = Field(default="system", max_length=254)
    operation: str = Field(max_length=40)
    target: str = Field(max_length=12)
    request: str = Field(default="", max_length=500)
    doi: str = Field(default="", max_length=300)
    with_credentials: bool = Field(default=False)
    attempts: int = Field(default=0)
    status: int | None = Field(default=None)
    error_class: str = Field(default="", max_length=40)
    ok: bool = Field(default=False)
    duration_ms: int = Field(default=0)
    summary: str = Field(default="", max_length=500)


class DiagnosisTranscript(SQLModel, table=True):
    """The step-by-step record of a diagnosis (a test registration) that an agent can attach to a ticket."""

    __tablename__ = "diagnosis_transcript"

    id: int | None = Field(default=None, primary_key=True)
    repository_id: int = Field(foreign_key="repository.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="test_registration", max_length=30)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_by_label: str = Field(default="", max_length=254)
    ok: bool = Field(default=False)
    doi: str = Field(default="", max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    attached_to: str = Field(default="", max_length=500)
