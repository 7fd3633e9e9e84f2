"""Publishing documentation pages: drafts, publish (file + revision + audit), restore, rename, review.

Publishing writes the Markdown file atomically (a temporary file in the same folder, then a rename),
so readers and other workers see either the old page or the new one, never half of it.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal import audit
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.models import DocDraft, DocRevision, RevisionAction
from portal.services.docs.frontmatter import (
    FrontMatter,
    FrontMatterError,
    parse_document,
    set_field,
    slug_problem,
)
from portal.services.docs.library import DocLibrary, content_hash

MAX_TEXT_CHARS = 200_000


def normalise_text(text: str) -> str:
    """Line endings as LF, no blank lines before the front matter, one final newline."""
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\n").rstrip("\n") + "\n"


def check_slug(slug: str, field: str = "slug") -> str:
    """The slug, or ValidationFailed naming what is wrong with it."""
    slug = slug.strip().strip("/")
    problem = slug_problem(slug)
    if problem:
        raise ValidationFailed({field: f"The address {problem}."})
    return slug


def validate_text(library: DocLibrary, slug: str, text: str) -> FrontMatter:
    """The page's front matter, or ValidationFailed listing every problem (with line numbers)."""
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationFailed({"text": f"The page is longer than {MAX_TEXT_CHARS:,} characters."})
    try:
        meta, _body = parse_document(text, source=f"{slug}.md")
    except FrontMatterError as exc:
        raise ValidationFailed({"text": "; ".join(str(p) for p in exc.problems)}) from None
    snapshot = library.snapshot()
    for alias in meta.aliases:
        if alias == slug or alias in snapshot.pages:
            raise ValidationFailed({"text": f"The alias {alias!r} is the address of a page."})
        owner = snapshot.resolve_alias(alias)
        if owner and owner != slug:
            raise ValidationFailed({"text": f"The alias {alias!r} already belongs to {owner}."})
    if meta.failure_key:
        article = snapshot.article_for(meta.failure_key)
        if article is not None and article.slug != slug and article.meta.failure_key == meta.failure_key:
            raise ValidationFailed({"text": f"{article.slug} already explains {meta.failure_key!r}."})
    return meta


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content in one step (temporary file in the same folder, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # noqa: S103  (docs are public text, readable by the web server)
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def current_text(library: DocLibrary, slug: str) -> str | None:
    """The text of the page's file now, valid or not; None when there is no file."""
    path = library.path_for(slug)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


# ---------------------------------------------------------------- drafts


def get_draft(session: Session, slug: str) -> DocDraft | None:
    """The page's unpublished draft, if any."""
    return session.exec(select(DocDraft).where(DocDraft.slug == slug)).first()


def list_drafts(session: Session) -> list[DocDraft]:
    """Every draft, most recently saved first."""
    return list(session.exec(select(DocDraft).order_by(col(DocDraft.updated_at).desc())).all())


def save_draft(session: Session, *, slug: str, text: str, author: Any, base_hash: str, now: datetime) -> DocDraft:
    """Keep unpublished text (front matter may still be wrong); one shared draft per page."""
    slug = check_slug(slug)
    text = normalise_text(text)
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationFailed({"text": f"The page is longer than {MAX_TEXT_CHARS:,} characters."})
    draft = get_draft(session, slug)
    if draft is None:
        draft = DocDraft(slug=slug, text=text, base_hash=base_hash, author_id=getattr(author, "id", None),
                         created_at=now, updated_at=now)
    else:
        draft.text, draft.author_id, draft.updated_at = text, getattr(author, "id", None), now
        draft.base_hash = base_hash or draft.base_hash
    session.add(draft)
    session.commit()
    return draft


def discard_draft(session: Session, *, slug: str, actor: Any, ip: str = "") -> bool:
    """Throw a draft away; False when there was none."""
    draft = get_draft(session, slug)
    if draft is None:
        return False
    session.delete(draft)
    audit.record(session, "docs.draft_discard", actor=actor, target=("doc", slug), ip=ip)
    session.commit()
    return True


def new_page_text(*, title: str, summary: str, section: str, audience: str, today: str) -> str:
    """The starting text of a new page."""
    return (f"---\ntitle: {title}\nsummary: {summary}\nsection: {section}\norder: 100\naudience: {audience}\n"
            f"last_reviewed: {today}\n---\n\n## First heading\n\nWrite the page here.\n")


def create_page_draft(session: Session, *, library: DocLibrary, slug: str, title: str, summary: str, section: str,
                      audience: str, author: Any, now: datetime) -> DocDraft:
    """Start a new page as a draft (published later like any other page)."""
    slug = check_slug(slug)
    snapshot = library.snapshot()
    if current_text(library, slug) is not None or snapshot.resolve_alias(slug):
        raise ValidationFailed({"slug": "A page (or an old address of one) already uses this address."})
    if get_draft(session, slug) is not None:
        raise ValidationFailed({"slug": "A draft with this address exists already; open it from the list."})
    text = new_page_text(title=" ".join(title.split()), summary=" ".join(summary.split()), section=section,
                         audience=audience, today=now.date().isoformat())
    validate_text(library, slug, text)
    return save_draft(session, slug=slug, text=text, author=author, base_hash="", now=now)


# ---------------------------------------------------------------- revisions


def list_revisions(session: Session, *, slug: str) -> list[DocRevision]:
    """A page's revisions, newest first."""
    return list(session.exec(select(DocRevision).where(DocRevision.slug == slug)
                             .order_by(col(DocRevision.number).desc())).all())


def get_revision(session: Session, *, slug: str, revision_id: int) -> DocRevision:
    """One revision of this page, or NotFound (also for another page's revision)."""
    revision = session.get(DocRevision, revision_id)
    if revision is None or revision.slug != slug:
        raise NotFound("No such revision of this page.")
    return revision


def previous_revision(session: Session, revision: DocRevision) -> DocRevision | None:
    """The revision published just before this one."""
    return session.exec(select(DocRevision).where(DocRevision.slug == revision.slug,
                                                  DocRevision.number < revision.number)
                        .order_by(col(DocRevision.number).desc())).first()


def next_revision_number(session: Session, slug: str) -> int:
    """The number the page's next revision gets (1 for a page without history)."""
    return int(session.exec(select(func.coalesce(func.max(DocRevision.number), 0))
                            .where(DocRevision.slug == slug)).one()) + 1


def _label(author: Any) -> str:
    return str(getattr(author, "email", None) or "system")[:254]


def add_revision(session: Session, *, slug: str, text: str, action: str, message: str, author: Any,
                 now: datetime) -> DocRevision:
    """Add the page's next revision to the unit of work (the caller writes the file and commits)."""
    revision = DocRevision(slug=slug, number=next_revision_number(session, slug), text=text, content_hash=content_hash(text),
                           action=action, message=message[:300], author_id=getattr(author, "id", None),
                           author_label=_label(author), created_at=now)
    session.add(revision)
    session.flush()
    return revision


def publish_page(session: Session, *, library: DocLibrary, slug: str, text: str, author: Any, now: datetime,
                 message: str = "", base_hash: str | None = None, action: str = RevisionAction.publish,
                 ip: str = "") -> DocRevision:
    """Write the page's file, record a revision, drop the draft and audit; all or nothing.

    ``base_hash`` is the hash of the text the editor started from: when the file changed meanwhile the
    publish is refused (Conflict) instead of silently overwriting someone else's work.
    """
    slug = check_slug(slug)
    text = normalise_text(text)
    validate_text(library, slug, text)
    old_text = current_text(library, slug)
    if base_hash is not None and (content_hash(old_text) if old_text is not None else "") != base_hash:
        raise Conflict("The page was changed by someone else after you started editing. "
                       "Your text is kept as a draft; compare it with the published page and publish again.")
    if old_text == text:
        raise ValidationFailed({"text": "This is already the published text; nothing to publish."})
    if old_text is not None and next_revision_number(session, slug) == 1:
        add_revision(session, slug=slug, text=old_text, action=RevisionAction.imported,
                      message="The page before its first publication in the portal", author=None, now=now)
    revision = add_revision(session, slug=slug, text=text, action=action, message=message, author=author, now=now)
    draft = get_draft(session, slug)
    if draft is not None:
        session.delete(draft)
    audit.record(session, f"docs.{action}", actor=author, target=("doc", slug), ip=ip,
                 detail={"revision": revision.number, "message": message[:300]})
    session.flush()
    path = library.path_for(slug)
    write_atomically(path, text)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        if old_text is None:
            path.unlink(missing_ok=True)
        else:
            write_atomically(path, old_text)
        raise
    finally:
        library.invalidate()
    return revision


def restore_revision(session: Session, *, library: DocLibrary, slug: str, revision_id: int, author: Any,
                     now: datetime, ip: str = "") -> DocRevision:
    """Publish an old revision's text again, as a new revision."""
    old = get_revision(session, slug=slug, revision_id=revision_id)
    return publish_page(session, library=library, slug=slug, text=old.text, author=author, now=now, ip=ip,
                        message=f"Restored revision {old.number}", action=RevisionAction.restore)


def mark_reviewed(session: Session, *, library: DocLibrary, slug: str, author: Any, now: datetime,
                  ip: str = "") -> DocRevision | None:
    """Set the page's last_reviewed date to today (a new revision); None if it already says today."""
    text = current_text(library, slug)
    if text is None or library.snapshot().get(slug) is None:
        raise NotFound("There is no valid page at this address.")
    reviewed = set_field(text, "last_reviewed", now.date().isoformat())
    if normalise_text(reviewed) == normalise_text(text):
        return None
    return publish_page(session, library=library, slug=slug, text=reviewed, author=author, now=now, ip=ip,
                        message="Marked as reviewed", action=RevisionAction.review)
