"""What counts as a problem: observations for one repository from its facets and the DOIs the checks keep."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from portal.datacite.results import Facets
from portal.models import CheckedDoi, Repository
from portal.services.checks.findings import Observation

REPOSITORY_KINDS = ("credential_rejected", "no_recent_registrations", "old_drafts", "url_problem", "schema3",
                    "invalid_newest", "low_completeness")
SEVERITY = {"credential_rejected": "high", "url_problem": "high", "no_recent_registrations": "medium",
            "test_only": "medium", "schema3": "medium", "invalid_newest": "medium", "old_drafts": "low",
            "low_completeness": "low"}


@dataclass(frozen=True)
class HealthSettings:
    """Thresholds of the health check (PORTAL_CHECKS_* settings)."""

    no_registration_days: int = 90
    draft_age_days: int = 30
    completeness_threshold: int = 50
    page_size: int = 50
    initial_page_size: int = 1000  # the first run of a repository lists everything: fewer, larger pages

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HealthSettings:
        """The thresholds from the app's configuration."""
        return cls(no_registration_days=int(config.get("CHECKS_NO_REGISTRATION_DAYS") or 90),
                   draft_age_days=int(config.get("CHECKS_DRAFT_AGE_DAYS") or 30),
                   completeness_threshold=int(config.get("CHECKS_COMPLETENESS_THRESHOLD") or 50),
                   page_size=max(1, min(1000, int(config.get("CHECKS_PAGE_SIZE") or 50))))


def observe(kind: str, repository: Repository, title: str, detail: str = "") -> Observation:
    """An observation about one repository, keyed by kind and repository."""
    return Observation(key=f"{kind}:repository:{repository.id}", kind=kind, severity=SEVERITY[kind], title=title,
                       detail=detail, repository_id=repository.id, organisation_id=repository.organisation_id)


def credential_rejected(repository: Repository, reason: str) -> Observation:
    """DataCite refused the stored credential."""
    return observe("credential_rejected", repository, f"{repository.symbol}: DataCite rejected the stored credential",
                   f"DataCite answered: {reason[:500]}. Ask the member for a new password or API key.")


def repository_observations(session: Session, repository: Repository, facets: Facets, settings: HealthSettings,
                            now: datetime) -> list[Observation]:
    """Every problem of one repository visible now."""
    found: list[Observation] = []
    states = facets.counts("states")
    symbol = repository.symbol
    mine = CheckedDoi.repository_id == repository.id
    if states.get("findable", 0) + states.get("registered", 0) > 0:
        newest = session.exec(select(func.max(CheckedDoi.registered)).where(mine)).one()
        cutoff = now - timedelta(days=settings.no_registration_days)
        if newest is None or newest < cutoff:
            when = f"the last one on {newest:%Y-%m-%d}" if newest else "none seen by the checks"
            found.append(observe("no_recent_registrations", repository,
                                 f"{symbol}: no registrations for {settings.no_registration_days} days",
                                 f"The repository has registered DOIs before, {when}. Is the integration still running?"))
    drafts = session.exec(select(func.count()).select_from(CheckedDoi).where(
        mine, CheckedDoi.state == "draft",
        CheckedDoi.created < now - timedelta(days=settings.draft_age_days))).one()  # type: ignore[operator]
    if drafts:
        found.append(observe("old_drafts", repository,
                             f"{symbol}: {drafts} draft DOIs older than {settings.draft_age_days} days",
                             "Drafts are not resolvable; register or delete them."))
    schema3 = facets.counts("schema_versions").get("3", 0)
    if schema3:
        found.append(observe("schema3", repository, f"{symbol}: {schema3} DOIs still on Metadata Schema 3",
                             "DataCite no longer accepts schema 3 metadata: the next update of these DOIs fails "
                             "until they are rewritten in kernel-4."))
    found.extend(_doi_observations(session, repository, settings))
    return found


def _doi_observations(session: Session, repository: Repository, settings: HealthSettings) -> list[Observation]:
    rows = session.exec(select(CheckedDoi.doi, CheckedDoi.state, CheckedDoi.problems, CheckedDoi.completeness)
                        .where(CheckedDoi.repository_id == repository.id)).all()
    found: list[Observation] = []
    url_bad: list[str] = []
    invalid: Counter[str] = Counter()
    invalid_dois = 0
    scores: list[int] = []
    for doi, state, problems, score in rows:
        problems = problems or []
        if any(p.startswith("url_") for p in problems):
            url_bad.append(doi)
        sources = [p.split(":", 1)[1] for p in problems if p.startswith("invalid:")]
        if sources:
            invalid_dois += 1
            invalid.update(sources)
        if state == "findable":
            scores.append(int(score or 0))
    symbol = repository.symbol
    if url_bad:
        found.append(observe("url_problem", repository,
                             f"{symbol}: {len(url_bad)} findable DOIs with a landing page URL missing or outside "
                             "the repository's domains",
                             f"Allowed domains: {repository.domains or '*'}. Examples: {', '.join(sorted(url_bad)[:5])}."))
    if invalid_dois:
        top = ", ".join(f"{source} ({n})" for source, n in invalid.most_common(5))
        found.append(observe("invalid_newest", repository,
                             f"{symbol}: {invalid_dois} DOIs fail validation against the newest schema",
                             f"Properties most often at fault: {top}."))
    if scores:
        average = round(sum(scores) / len(scores))
        if average < settings.completeness_threshold:
            found.append(observe("low_completeness", repository,
                                 f"{symbol}: metadata completeness {average} % (threshold "
                                 f"{settings.completeness_threshold} %)",
                                 "Add ORCID iDs for creators, ROR IDs for affiliations and publisher, an abstract, "
                                 "a licence, related identifiers and funding references."))
    return found
