"""Findings with stable keys: a finding opens once, is refreshed while it holds, and closes when fixed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func
from sqlmodel import Session, select

from portal.models import Finding, Organisation, Repository
from portal.services.pagination import Page, paginate

KIND_LABELS = {
    "credential_rejected": "Credential rejected",
    "no_recent_registrations": "No recent registrations",
    "old_drafts": "Old drafts",
    "test_only": "Test only, nothing in production",
    "url_problem": "Landing page URL missing or outside the domains",
    "schema3": "DOIs still on schema 3",
    "invalid_newest": "Fails validation against the newest schema",
    "low_completeness": "Metadata completeness below threshold",
    "schema_plan": "Schema support plan missing or late",
}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Observation:
    """A problem seen now; ``key`` names it stably (kind plus where)."""

    key: str
    kind: str
    severity: str
    title: str
    detail: str = ""
    repository_id: int | None = None
    organisation_id: int | None = None


@dataclass
class SyncResult:
    opened: list[Finding]
    closed: list[Finding]


def open_findings(session: Session, *, repository_id: int | None = None, organisation_id: int | None = None,
                  kinds: Iterable[str] | None = None) -> list[Finding]:
    """Open findings of one repository, or the organisation-level ones (no repository) of one organisation."""
    stmt = select(Finding).where(Finding.closed_at.is_(None))  # type: ignore[union-attr]
    if repository_id is not None:
        stmt = stmt.where(Finding.repository_id == repository_id)
    elif organisation_id is not None:
        stmt = stmt.where(Finding.organisation_id == organisation_id, Finding.repository_id.is_(None))  # type: ignore[union-attr]
    else:
        stmt = stmt.where(Finding.repository_id.is_(None), Finding.organisation_id.is_(None))  # type: ignore[union-attr]
    if kinds is not None:
        stmt = stmt.where(Finding.kind.in_(list(kinds)))  # type: ignore[attr-defined]
    return list(session.exec(stmt).all())


def sync_findings(session: Session, *, observed: list[Observation], kinds: Iterable[str], now: datetime,
                  repository_id: int | None = None, organisation_id: int | None = None) -> SyncResult:
    """Open what is newly observed, refresh what still holds, close open findings of ``kinds`` no longer seen."""
    current = {f.key: f for f in open_findings(session, repository_id=repository_id, organisation_id=organisation_id,
                                               kinds=kinds)}
    result = SyncResult(opened=[], closed=[])
    seen: set[str] = set()
    for item in observed:
        seen.add(item.key)
        row = current.get(item.key)
        if row is None:
            row = Finding(key=item.key, kind=item.kind, opened_at=now, repository_id=item.repository_id,
                          organisation_id=item.organisation_id, title=item.title, severity=item.severity)
            result.opened.append(row)
        row.title, row.detail, row.severity, row.last_seen_at = item.title[:300], item.detail, item.severity, now
        session.add(row)
    for key, row in current.items():
        if key not in seen:
            row.closed_at = now
            session.add(row)
            result.closed.append(row)
    session.flush()
    return result


@dataclass(frozen=True)
class FindingFilters:
    status: str = "open"  # open, closed, all
    severity: str = ""
    kind: str = ""
    organisation_id: int | None = None
    repository_id: int | None = None
    sort: str = "severity"  # severity, newest, oldest


def list_findings(session: Session, filters: FindingFilters, *, page: int = 1,
                  per_page: int = 25) -> Page[tuple[Finding, str, str]]:
    """Findings with their organisation name and repository symbol, filtered, sorted and paginated."""
    stmt = (select(Finding, Organisation.name, Repository.symbol)
            .outerjoin(Repository, Repository.id == Finding.repository_id)  # type: ignore[arg-type]
            .outerjoin(Organisation, Organisation.id == Finding.organisation_id))  # type: ignore[arg-type]
    if filters.status == "open":
        stmt = stmt.where(Finding.closed_at.is_(None))  # type: ignore[union-attr]
    elif filters.status == "closed":
        stmt = stmt.where(Finding.closed_at.is_not(None))  # type: ignore[union-attr]
    if filters.severity:
        stmt = stmt.where(Finding.severity == filters.severity)
    if filters.kind:
        stmt = stmt.where(Finding.kind == filters.kind)
    if filters.organisation_id is not None:
        stmt = stmt.where(Finding.organisation_id == filters.organisation_id)
    if filters.repository_id is not None:
        stmt = stmt.where(Finding.repository_id == filters.repository_id)
    if filters.sort == "oldest":
        stmt = stmt.order_by(Finding.opened_at, Finding.id)
    elif filters.sort == "newest":
        stmt = stmt.order_by(Finding.opened_at.desc(), Finding.id.desc())  # type: ignore[attr-defined]
    else:
        rank = case(SEVERITY_ORDER, value=Finding.severity, else_=99)
        stmt = stmt.order_by(rank, Finding.opened_at.desc(), Finding.id.desc())  # type: ignore[attr-defined]
    return paginate(session, stmt, page=page, per_page=per_page, scalars=False)


def open_counts(session: Session) -> dict[str, int]:
    """Open findings by severity."""
    rows = session.exec(select(Finding.severity, func.count()).where(
        Finding.closed_at.is_(None)).group_by(Finding.severity)).all()  # type: ignore[union-attr]
    return {severity: int(n) for severity, n in rows}
