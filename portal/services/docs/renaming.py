"""Renaming a page: the file moves, its history follows, and the old address keeps working.

The old slug is added to the page's front matter ``aliases`` (so the redirect lives with the content
and `docs check` knows it) and to the redirect table (so it survives an alias being edited out).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.models import DocDraft, DocRedirect, DocRevision, RevisionAction
from portal.services.docs.frontmatter import set_field
from portal.services.docs.library import DocLibrary
from portal.services.docs.publishing import (
    add_revision,
    check_slug,
    current_text,
    get_draft,
    next_revision_number,
    normalise_text,
    write_atomically,
)


def rename_page(session: Session, *, library: DocLibrary, slug: str, new_slug: str, author: Any, now: datetime,
                ip: str = "") -> DocRevision:
    """Move a page to a new address; the old one keeps working (front matter alias and a redirect row)."""
    new_slug = check_slug(new_slug, "new_slug")
    snapshot = library.snapshot()
    page = snapshot.get(slug)
    if page is None:
        raise NotFound("There is no valid page at this address.")
    if new_slug == slug:
        raise ValidationFailed({"new_slug": "That is the page's address already."})
    owner = snapshot.resolve_alias(new_slug)
    if current_text(library, new_slug) is not None or (owner and owner != slug):
        raise ValidationFailed({"new_slug": "Another page (or an old address of one) uses this address."})
    if next_revision_number(session, new_slug) > 1 or get_draft(session, new_slug) is not None:
        raise ValidationFailed({"new_slug": "This address has its own history or draft; choose another."})
    aliases = [a for a in page.meta.aliases if a != new_slug] + [slug]
    text = normalise_text(set_field(page.source, "aliases", ", ".join(dict.fromkeys(aliases))))
    if next_revision_number(session, slug) == 1:
        add_revision(session, slug=slug, text=page.source, action=RevisionAction.imported,
                      message="The page before its first publication in the portal", author=None, now=now)
    session.exec(update(DocRevision).where(col(DocRevision.slug) == slug).values(slug=new_slug))
    session.exec(update(DocDraft).where(col(DocDraft.slug) == slug).values(slug=new_slug))
    session.exec(update(DocRedirect).where(col(DocRedirect.new_slug) == slug).values(new_slug=new_slug))
    for stale in session.exec(select(DocRedirect).where(col(DocRedirect.old_slug).in_([slug, new_slug]))).all():
        session.delete(stale)
    session.flush()
    session.add(DocRedirect(old_slug=slug, new_slug=new_slug, created_by_id=getattr(author, "id", None),
                            created_at=now))
    revision = add_revision(session, slug=new_slug, text=text, action=RevisionAction.rename,
                             message=f"Renamed from {slug}", author=author, now=now)
    audit.record(session, "docs.rename", actor=author, target=("doc", new_slug), ip=ip,
                 detail={"from": slug, "to": new_slug})
    session.flush()
    new_path = library.path_for(new_slug)
    write_atomically(new_path, text)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        new_path.unlink(missing_ok=True)
        raise
    finally:
        library.invalidate()
    library.path_for(slug).unlink(missing_ok=True)
    library.invalidate()
    return revision


def redirect_target(session: Session, slug: str) -> str | None:
    """Where an old slug went, from the redirect table."""
    row = session.exec(select(DocRedirect).where(DocRedirect.old_slug == slug)).first()
    return row.new_slug if row else None
