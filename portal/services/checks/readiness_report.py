"""Schema readiness per repository (spread over versions, features used, what fails against the newest and how to
fix it), the summary across members, CSV export, and the portal's own reminder when a support plan is missing or late."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import Session, select

from portal.datacite import DataCiteError
from portal.datacite.schema import LATEST, minimum_version, validate_attributes
from portal.datacite.schema.catalog import version_key
from portal.datacite.schema.usage import feature_uses
from portal.models import Organisation, ReadinessReport, Repository, Role, User
from portal.services.checks.findings import Observation, sync_findings
from portal.services.checks.health import CALLER, HealthEnv, eligible_repositories
from portal.services.checks.readiness import list_plans, newest_supported, plan_status
from portal.services.checks.sync import CredentialRejected
from portal.services.credentials import NoCredential, open_credentials
from portal.services.datacite_calls import DataCiteUnreachable, connect
from portal.services.outbox import queue_mail
from portal.services.reports.csv_export import safe_cell

SAMPLE = 100
WEEK = timedelta(days=7)


@dataclass
class ReadinessRun:
    reports: int = 0
    failed: list[str] = field(default_factory=list)
    reminders: int = 0

    def counts(self) -> dict[str, int]:
        """The run's counts for the job record."""
        return {"reports": self.reports, "failed": len(self.failed), "reminders": self.reminders}


def analyse(records: list[dict[str, Any]], facets: dict[str, int], newest: str) -> dict[str, Any]:
    """The readiness of a sample of REST JSON records: versions, features per version, failures and fixes."""
    versions: Counter[str] = Counter()
    features: dict[str, Counter[str]] = {}
    failing: Counter[str] = Counter()
    fixes: dict[str, str] = {}
    examples: dict[str, str] = {}
    failing_records = 0
    for attributes in records:
        versions[minimum_version(attributes)] += 1
        for use in feature_uses(attributes):
            features.setdefault(use.version, Counter())[use.name] += 1
        problems = validate_attributes(attributes, newest)
        if problems:
            failing_records += 1
        for problem in problems:
            key = f"{problem.source}: {problem.title}"
            failing[key] += 1
            fixes.setdefault(key, problem.hint)
            examples.setdefault(key, str(attributes.get("doi") or ""))
    return {
        "declared": facets,
        "needed": dict(sorted(versions.items(), key=lambda kv: version_key(kv[0]))),
        "features": {v: dict(c.most_common(10)) for v, c in sorted(features.items(), key=lambda kv: version_key(kv[0]))},
        "failing": [{"problem": k, "count": n, "fix": fixes[k], "example": examples[k]}
                    for k, n in failing.most_common(20)],
        "failing_records": failing_records,
    }


def report_repository(session: Session, repository: Repository, *, env: HealthEnv, now: datetime,
                      newest: str = LATEST) -> ReadinessReport:
    """Sample the repository's most recently updated DOIs (one request) and keep its readiness report."""
    credentials = open_credentials(session, repository, vault=env.vault, caller=CALLER, purpose="readiness check",
                                   ip="", now=now, audit_use=False)
    with connect(session, env.connector, repository, caller=CALLER, clock=lambda: now) as connection:
        page = connection.call("checks.readiness", lambda c: c.list_dois(
            credentials, client_id=repository.symbol.lower(), sort="-updated", size=SAMPLE), with_credentials=True,
            summarise=lambda p: f"{len(p.items)} DOIs sampled")
    if page.credential_username != repository.symbol.lower():
        raise CredentialRejected(f"DataCite did not accept the stored credential for {repository.symbol}")
    records = [dict((d.raw or {}).get("attributes") or {}, doi=d.doi) for d in page.items]
    body = analyse(records, page.facets.counts("schema_versions"), newest)
    row = ReadinessReport(repository_id=repository.id or 0, created_at=now, newest=newest, sampled=len(records),
                          failing=body["failing_records"], report=body)
    session.add(row)
    session.commit()
    return row


def portal_reminders(session: Session, *, today: date, newest: str = LATEST,
                     supported: str | None = None) -> list[Observation]:
    """Versions newer than what the integration supports without a plan, and plans past their target date."""
    supported = supported or newest_supported()
    found: list[Observation] = []
    versions = {p.version for p in list_plans(session)}
    if version_key(newest) > version_key(supported):
        versions.add(newest)
    for version in sorted(versions, key=version_key):
        status = plan_status(session, version=version, today=today)
        if not status.has_plan:
            found.append(Observation(key=f"schema_plan:{version}", kind="schema_plan", severity="high",
                                     title=f"No support plan for Metadata Schema {version}",
                                     detail=f"DataCite released {version}; the integration supports up to {supported}. "
                                            "Record owner, target date and status (RSP requirement 3)."))
        elif status.late:
            found.append(Observation(key=f"schema_plan:{version}", kind="schema_plan", severity="high",
                                     title=f"The support plan for Metadata Schema {version} is late",
                                     detail=f"Target date {status.target_date} has passed (owner {status.owner})."))
    return found


def run_readiness_check(session: Session, *, env: HealthEnv, now: datetime, newest: str = LATEST,
                        supported: str | None = None, force: bool = False,
                        stopping: Callable[[], bool] = lambda: False) -> ReadinessRun | None:
    """Weekly, or at once when the catalogue's newest version changed: reports per repository, then reminders.

    Returns None when nothing is due (the last run is less than a week old and the newest version is the same).
    """
    last = session.exec(select(ReadinessReport).order_by(ReadinessReport.created_at.desc())).first()  # type: ignore[attr-defined]
    if not force and last is not None and last.newest == newest and now - last.created_at < WEEK:
        return None
    run = ReadinessRun()
    for repository in eligible_repositories(session):
        if stopping():
            run.failed.append(repository.symbol)
            continue
        try:
            report_repository(session, repository, env=env, now=now, newest=newest)
            run.reports += 1
        except (DataCiteError, DataCiteUnreachable, NoCredential, CredentialRejected, httpx.HTTPError):
            run.failed.append(repository.symbol)
    observed = portal_reminders(session, today=now.date(), newest=newest, supported=supported)
    result = sync_findings(session, observed=observed, kinds=("schema_plan",), now=now)
    for finding in result.opened:
        run.reminders += _remind_admins(session, finding.title, finding.detail, echo=False)
    session.commit()
    return run


def _remind_admins(session: Session, title: str, detail: str, *, echo: bool) -> int:
    admins = session.exec(select(User).where(User.role == Role.admin, User.active.is_(True))).all()  # type: ignore[attr-defined]
    for admin in admins:
        queue_mail(session, to=admin.email, subject=f"Schema readiness: {title}", kind="schema_plan",
                   text=f"{title}.\n\n{detail}\n\nKeep the plan under Admin > Schema readiness.\n", echo=echo)
    return len(admins)


def latest_reports(session: Session) -> list[tuple[ReadinessReport, Repository, Organisation]]:
    """The newest readiness report of every repository, by member and repository."""
    newest_ids = select(func.max(ReadinessReport.id)).group_by(ReadinessReport.repository_id)
    rows = session.exec(
        select(ReadinessReport, Repository, Organisation)
        .join(Repository, Repository.id == ReadinessReport.repository_id)  # type: ignore[arg-type]
        .join(Organisation, Organisation.id == Repository.organisation_id)  # type: ignore[arg-type]
        .where(ReadinessReport.id.in_(newest_ids))  # type: ignore[union-attr]
        .order_by(Organisation.name, Repository.symbol)).all()
    return [(report, repo, org) for report, repo, org in rows]


def latest_report(session: Session, repository_id: int) -> ReadinessReport | None:
    """The newest readiness report of one repository."""
    return session.exec(select(ReadinessReport).where(ReadinessReport.repository_id == repository_id)
                        .order_by(ReadinessReport.id.desc())).first()  # type: ignore[union-attr]


def summary(rows: list[tuple[ReadinessReport, Repository, Organisation]]) -> dict[str, Any]:
    """Across members: repositories reported, DOIs sampled, sampled DOIs failing, and the commonest problems."""
    problems: Counter[str] = Counter()
    for report, _repo, _org in rows:
        for item in report.report.get("failing", []):
            problems[item["problem"]] += int(item["count"])
    sampled = sum(r.sampled for r, _repo, _org in rows)
    failing = sum(r.failing for r, _repo, _org in rows)
    return {"repositories": len(rows), "members": len({org.id for _r, _repo, org in rows}), "sampled": sampled,
            "failing": failing, "ready": sum(1 for r, _repo, _org in rows if r.failing == 0),
            "problems": problems.most_common(10)}


def readiness_csv(rows: list[tuple[ReadinessReport, Repository, Organisation]]) -> str:
    """One line per repository: member, repository, newest version, sampled, failing, versions needed, top problem."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["member", "repository", "environment", "checked_at", "newest_schema", "sampled", "failing",
                     "versions_needed", "top_problem", "fix"])
    for report, repo, org in rows:
        failing = report.report.get("failing") or [{}]
        needed = " ".join(f"{v}:{n}" for v, n in (report.report.get("needed") or {}).items())
        writer.writerow([safe_cell(org.name), repo.symbol, repo.environment, report.created_at.strftime("%Y-%m-%dT%H:%MZ"),
                         report.newest, report.sampled, report.failing, needed,
                         safe_cell(failing[0].get("problem", "")), safe_cell(failing[0].get("fix", ""))])
    return out.getvalue()

