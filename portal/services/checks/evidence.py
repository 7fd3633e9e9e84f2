"""Evidence for RSP requirement 2: findable production DOIs registered through the integration, per member.

Read from ``checked_doi``, which the daily health job keeps current from each repository's `updated` cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from portal.models import CheckedDoi, Environment, Organisation, Repository

STATES = ("findable", "registered", "draft")


@dataclass(frozen=True)
class EvidenceDOI:
    doi: str
    organisation_id: int
    organisation_name: str
    repository_symbol: str
    registered: datetime | None
    url: str


def _findable_production(since: datetime | None) -> list[Any]:
    conditions = [CheckedDoi.state == "findable", CheckedDoi.environment == Environment.production.value]
    if since is not None:
        conditions.append(CheckedDoi.registered >= since)  # type: ignore[operator]
    return conditions


def findable_production_dois(session: Session, *, since: datetime | None = None, limit: int = 50) -> list[EvidenceDOI]:
    """The newest findable production DOIs (by registration date), with their member and repository."""
    rows = session.exec(
        select(CheckedDoi.doi, Organisation.id, Organisation.name, Repository.symbol, CheckedDoi.registered,
               CheckedDoi.url)
        .join(Repository, Repository.id == CheckedDoi.repository_id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == CheckedDoi.organisation_id)  # type: ignore[arg-type]
        .where(*_findable_production(since))
        .order_by(CheckedDoi.registered.desc().nulls_last(), CheckedDoi.doi)  # type: ignore[union-attr]
        .limit(max(0, limit))
    ).all()
    return [EvidenceDOI(doi=doi, organisation_id=org_id, organisation_name=org_name, repository_symbol=symbol,
                        registered=registered, url=url or "")
            for doi, org_id, org_name, symbol, registered, url in rows]


def count_findable_production_dois(session: Session, *, since: datetime | None = None) -> int:
    """How many findable production DOIs the health job has seen (registered since ``since`` if given)."""
    return int(session.exec(select(func.count()).select_from(CheckedDoi).where(*_findable_production(since))).one())


def dois_by_state_since(session: Session, *, since: datetime) -> dict[str, int]:
    """Production DOIs created or registered since ``since``, counted by state (every state present, 0 if none)."""
    when = func.coalesce(CheckedDoi.registered, CheckedDoi.created)
    rows = session.exec(
        select(CheckedDoi.state, func.count()).where(
            CheckedDoi.environment == Environment.production.value, when >= since)
        .group_by(CheckedDoi.state)
    ).all()
    counts = dict.fromkeys(STATES, 0)
    for state, n in rows:
        if state in counts:
            counts[state] = int(n)
    return counts


def evidence_by_member(session: Session) -> list[tuple[int, str, int, datetime | None]]:
    """Per member: (organisation id, name, findable production DOIs, newest registration date)."""
    rows = session.exec(
        select(Organisation.id, Organisation.name, func.count(), func.max(CheckedDoi.registered))
        .join(CheckedDoi, CheckedDoi.organisation_id == Organisation.id)  # type: ignore[arg-type]
        .where(*_findable_production(None))
        .group_by(Organisation.id, Organisation.name).order_by(Organisation.name)
    ).all()
    return [(int(i), name, int(n), newest) for i, name, n, newest in rows]
