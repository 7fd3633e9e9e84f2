"""What publishers see first: every page with its review date, stale flag, broken links and draft."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from portal.models import DocDraft
from portal.services.docs.checks import page_problems
from portal.services.docs.frontmatter import Problem
from portal.services.docs.library import DocLibrary, add_months, is_stale
from portal.services.docs.publishing import list_drafts


@dataclass(frozen=True)
class PageStatus:
    """One row of the publishers' list."""

    slug: str
    title: str
    section: str
    audience: str
    published: bool
    last_reviewed: date | None = None
    review_due: date | None = None
    stale: bool = False
    problems: tuple[str, ...] = ()
    draft: DocDraft | None = None

    @property
    def needs_attention(self) -> bool:
        return self.stale or bool(self.problems) or self.draft is not None


def page_overview(session: Session, *, library: DocLibrary, now: datetime,
                  review_months: int) -> tuple[list[PageStatus], list[Problem]]:
    """Pages in reading order (then drafts of new pages), and the files that could not be loaded."""
    snapshot = library.snapshot()
    drafts = {d.slug: d for d in list_drafts(session)}
    rows: list[PageStatus] = []
    for page in snapshot.ordered():
        reviewed = page.meta.last_reviewed
        rows.append(PageStatus(
            slug=page.slug, title=page.title, section=snapshot.section_title(page.meta.section),
            audience=page.audience, published=True, last_reviewed=reviewed,
            review_due=add_months(reviewed, review_months),
            stale=is_stale(reviewed, now=now, months=review_months),
            problems=tuple(p.message for p in page_problems(snapshot, page)),
            draft=drafts.pop(page.slug, None),
        ))
    for slug, draft in sorted(drafts.items()):
        rows.append(PageStatus(slug=slug, title=slug, section="", audience="", published=False, draft=draft))
    return rows, list(snapshot.problems)
