"""The daily health run: every active repository with a verified credential, a few requests each, findings
synced, proactive tickets opened and resolved. A repository that cannot be checked is recorded, never lost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlalchemy import func
from sqlmodel import Session, select

from portal.datacite import DataCiteError
from portal.datacite.errors import AuthError
from portal.models import HealthSnapshot, Organisation, Repository, RepositoryCheck, RepositoryCredential
from portal.services.checks import proactive
from portal.services.checks.findings import Finding, Observation, sync_findings
from portal.services.checks.rules import (
    REPOSITORY_KINDS,
    SEVERITY,
    HealthSettings,
    credential_rejected,
    repository_observations,
)
from portal.services.checks.sync import CredentialRejected, sync_repository
from portal.services.credentials import NoCredential, flag_credential, open_credentials
from portal.services.datacite_calls import Caller, Connector, DataCiteUnreachable, connect
from portal.services.tickets.context import TicketContext
from portal.vault import Vault

CALLER = Caller(label="scheduled checks")


@dataclass
class HealthRun:
    """What one run did; ``failed`` names the repositories it could not check (they are tried again next run)."""

    checked: int = 0
    failed: list[str] = field(default_factory=list)
    requests: int = 0
    changed: int = 0
    opened: int = 0
    closed: int = 0
    tickets_opened: int = 0
    tickets_resolved: int = 0

    def counts(self) -> dict[str, int]:
        """The run's counts for the job record."""
        return {"checked": self.checked, "failed": len(self.failed), "requests": self.requests,
                "changed": self.changed, "findings_opened": self.opened, "findings_closed": self.closed,
                "tickets_opened": self.tickets_opened, "tickets_resolved": self.tickets_resolved}


@dataclass(frozen=True)
class HealthEnv:
    """What the run needs besides the session and the time."""

    connector: Connector
    vault: Vault
    ctx: TicketContext
    fallback_email: str
    settings: HealthSettings = HealthSettings()


def eligible_repositories(session: Session) -> list[Repository]:
    """Active repositories of active members with a stored credential that has been verified at least once."""
    return list(session.exec(
        select(Repository).join(Organisation, Organisation.id == Repository.organisation_id)  # type: ignore[arg-type]
        .join(RepositoryCredential, RepositoryCredential.repository_id == Repository.id)  # type: ignore[arg-type]
        .where(Repository.active.is_(True), Organisation.active.is_(True),  # type: ignore[attr-defined]
               RepositoryCredential.secret.is_not(None),  # type: ignore[union-attr]
               RepositoryCredential.last_verified_at.is_not(None))  # type: ignore[union-attr]
        .order_by(Repository.id)).all())


def run_health_check(session: Session, *, env: HealthEnv, now: datetime,
                     stopping: Callable[[], bool] = lambda: False) -> HealthRun:
    """Check every eligible repository once; then the member-level findings (test only, nothing in production)."""
    run = HealthRun()
    for repository in eligible_repositories(session):
        if stopping():
            run.failed.append(repository.symbol)
            continue
        check_repository(session, repository, env=env, now=now, run=run)
    _member_findings(session, env=env, now=now, run=run)
    return run


def _state(session: Session, repository: Repository) -> RepositoryCheck:
    return session.get(RepositoryCheck, repository.id) or RepositoryCheck(repository_id=repository.id or 0)


def check_repository(session: Session, repository: Repository, *, env: HealthEnv, now: datetime,
                     run: HealthRun) -> None:
    """Sync one repository and its findings; DataCite faults leave it recorded as not checked."""
    state = _state(session, repository)
    try:
        credentials = open_credentials(session, repository, vault=env.vault, caller=CALLER, purpose="health check",
                                       ip="", now=now, audit_use=False)
    except NoCredential as exc:
        _failed(session, state, run, repository, str(exc), now)
        return
    observed: list[Observation]
    try:
        with connect(session, env.connector, repository, caller=CALLER, clock=lambda: now) as connection:
            synced = sync_repository(session, connection, credentials, repository=repository,
                                     watermark=state.updated_watermark, page_size=env.settings.page_size, now=now,
                                     initial_page_size=env.settings.initial_page_size)
    except (AuthError, CredentialRejected) as err:
        run.requests += 1
        reason = (getattr(err, "title", "") or str(err) or "DataCite refused the credential")[:1000]
        flag_credential(session, repository, reason=reason)
        observed = [credential_rejected(repository, reason)]
        _apply(session, observed, ("credential_rejected",), repository=repository, env=env, now=now, run=run)
        state.last_checked_at, state.last_ok, state.last_error = now, False, reason
        session.add(state)
        session.commit()
        run.checked += 1
        return
    except (DataCiteError, DataCiteUnreachable, httpx.HTTPError) as err:
        run.requests += 1
        _failed(session, state, run, repository, getattr(err, "title", "") or str(err) or type(err).__name__, now)
        return
    run.requests += synced.requests
    run.changed += synced.changed
    states = synced.facets.counts("states")
    session.add(HealthSnapshot(repository_id=repository.id or 0, taken_at=now, total=synced.facets.total,
                               findable=states.get("findable", 0), registered=states.get("registered", 0),
                               draft=states.get("draft", 0), facets=_facet_summary(synced.facets)))
    observed = repository_observations(session, repository, synced.facets, env.settings, now)
    _apply(session, observed, REPOSITORY_KINDS, repository=repository, env=env, now=now, run=run)
    state.last_checked_at, state.last_ok, state.last_error = now, True, ""
    state.updated_watermark = synced.newest_updated or state.updated_watermark
    state.requests = synced.requests
    session.add(state)
    session.commit()
    run.checked += 1


def _facet_summary(facets: object) -> dict[str, dict[str, int]]:
    return {name: facets.counts(name)  # type: ignore[attr-defined]
            for name in ("states", "registered", "resource_types", "schema_versions")}


def _failed(session: Session, state: RepositoryCheck, run: HealthRun, repository: Repository, reason: str,
            now: datetime) -> None:
    run.failed.append(repository.symbol)
    state.last_ok, state.last_error = False, f"{now:%Y-%m-%d %H:%M} UTC: {reason}"[:1000]
    session.add(state)
    session.commit()


def _apply(session: Session, observed: list[Observation], kinds: tuple[str, ...], *, env: HealthEnv, now: datetime,
           run: HealthRun, repository: Repository | None = None, organisation_id: int | None = None) -> None:
    result = sync_findings(session, observed=observed, kinds=kinds, now=now,
                           repository_id=repository.id if repository else None, organisation_id=organisation_id)
    session.commit()
    run.opened += len(result.opened)
    run.closed += len(result.closed)
    open_now = [f for f in _by_key(session, [o.key for o in observed]) if f.severity == "high"]
    for finding in open_now:
        had = finding.ticket_id
        ticket = proactive.open_proactive_ticket(session, finding, ctx=env.ctx, fallback_email=env.fallback_email,
                                                 now=now)
        if ticket is not None and had != ticket.id:
            run.tickets_opened += 1
    for finding in result.closed:
        if proactive.resolve_fixed(session, finding, now=now):
            run.tickets_resolved += 1


def _by_key(session: Session, keys: list[str]) -> list[Finding]:
    if not keys:
        return []
    return list(session.exec(select(Finding).where(Finding.key.in_(keys),  # type: ignore[attr-defined]
                                                   Finding.closed_at.is_(None))).all())  # type: ignore[union-attr]


def _member_findings(session: Session, *, env: HealthEnv, now: datetime, run: HealthRun) -> None:
    """Members with DOIs in test and none in production (latest snapshot per repository)."""
    newest_ids = select(func.max(HealthSnapshot.id)).group_by(HealthSnapshot.repository_id)
    latest = {snap.repository_id: snap for snap in session.exec(
        select(HealthSnapshot).where(HealthSnapshot.id.in_(newest_ids))).all()}  # type: ignore[union-attr]
    by_org: dict[int, list[tuple[Repository, HealthSnapshot | None]]] = {}
    for repo in session.exec(select(Repository).where(Repository.active.is_(True))).all():  # type: ignore[attr-defined]
        by_org.setdefault(repo.organisation_id, []).append((repo, latest.get(repo.id or 0)))
    for org_id, repos in by_org.items():
        test_total = sum(s.total for r, s in repos if s and r.environment == "test")
        production = [(r, s) for r, s in repos if r.environment == "production"]
        known = all(s is not None for _r, s in production)
        observed: list[Observation] = []
        if known and test_total > 0 and sum(s.total for _r, s in production if s) == 0:
            observed.append(Observation(
                key=f"test_only:organisation:{org_id}", kind="test_only", severity=SEVERITY["test_only"],
                title=f"{test_total} DOIs registered in test only, nothing in production",
                detail="The member registers in the DataCite test system but has no production DOIs: are they "
                       "ready to go live, or is the integration pointed at the wrong system?",
                organisation_id=org_id))
        if observed or known:
            _apply(session, observed, ("test_only",), env=env, now=now, run=run, organisation_id=org_id)
