"""The documentation's publishing history, redirects after renames, and article suggestion events.

The Markdown files in the content folder are the pages; these tables hold what the files cannot:
unpublished drafts, every published text, old slugs and whether suggestions helped.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from portal.models.types import UTCDateTime, utcnow


class RevisionAction(StrEnum):
    imported = "import"  # the file as it was before the portal first published it
    publish = "publish"
    restore = "restore"
    rename = "rename"
    review = "review"


class SuggestionOutcome(StrEnum):
    shown = "shown"
    opened = "opened"
    solved = "solved"
    filed = "filed"


class DocDraft(SQLModel, table=True):
    """Unpublished text of a page (one shared draft per page)."""

    __tablename__ = "doc_draft"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    base_hash: str = Field(default="", max_length=32)  # the file's hash when the draft began; "" for a new page
    author_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DocRevision(SQLModel, table=True):
    """One published text of a page, numbered per page; never changed afterwards."""

    __tablename__ = "doc_revision"
    __table_args__ = (UniqueConstraint("slug", "number", name="uq_doc_revision_slug_number"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, index=True)
    number: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=32)
    action: str = Field(default=RevisionAction.publish, max_length=20)
    message: str = Field(default="", max_length=300)
    author_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    author_label: str = Field(default="system", max_length=254)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class DocRedirect(SQLModel, table=True):
    """An old slug that now lives elsewhere (kept as well in the page's front matter aliases)."""

    __tablename__ = "doc_redirect"

    id: int | None = Field(default=None, primary_key=True)
    old_slug: str = Field(max_length=120, unique=True)
    new_slug: str = Field(max_length=120, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DocSuggestionEvent(SQLModel, table=True):
    """Something that happened to one set of suggested articles (one interaction while filing)."""

    __tablename__ = "doc_suggestion_event"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    interaction: str = Field(max_length=64, index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    outcome: str = Field(max_length=10, index=True)
    slugs: str = Field(default="", max_length=1000)  # the articles shown, comma-separated
    slug: str = Field(default="", max_length=120)  # the article opened or that solved it
    query_hash: str = Field(default="", max_length=64)  # SHA-256 of the normalised subject and error text
    excerpt: str = Field(default="", max_length=80)
    error_class: str = Field(default="", max_length=40)
    failure_key: str = Field(default="", max_length=40)
