"""The scheduled entry points: the daily health run and the readiness check (weekly, or when the catalogue's
newest version changes). Both run inside the scheduler's app context, which holds the vault."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from portal.datacite.retry import RetryPolicy
from portal.jobs import JobContext, JobResult
from portal.services.checks.health import HealthEnv, run_health_check
from portal.services.checks.readiness_report import run_readiness_check
from portal.services.checks.rules import HealthSettings
from portal.services.datacite_calls import Connector
from portal.services.tickets.context import TicketContext
from portal.vault import Vault

JOB_RETRY = RetryPolicy(attempts=4, base=1.0, cap=15.0, total=60.0)


def _vault() -> Vault:
    # The one Flask touch-point: the key ring lives on the app the scheduler runs this job in.
    from portal.vault_app import get_vault

    return get_vault()


def environment_for(context: JobContext, vault: Vault) -> HealthEnv:
    """What a run needs, from the app's configuration."""
    config = context.config
    return HealthEnv(connector=Connector(config=config, retry=JOB_RETRY), vault=vault,
                     ctx=TicketContext.from_config(config), fallback_email=str(config.get("CONTACT_EMAIL") or ""),
                     settings=HealthSettings.from_config(config))


def health_check(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    """Check every active repository with a verified credential; record those that could not be checked."""
    run = run_health_check(session, env=environment_for(context, _vault()), now=now, stopping=context.stopping)
    note = f"could not check: {', '.join(run.failed[:20])}" if run.failed else ""
    return JobResult(counts=run.counts(), note=note[:1000])


def readiness_check(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    """Readiness for the newest schema per repository, and reminders about missing or late support plans."""
    run = run_readiness_check(session, env=environment_for(context, _vault()), now=now,
                              force=context.trigger == "manual", stopping=context.stopping)
    if run is None:
        return JobResult(counts={"reports": 0}, note="Not due: last report under a week old, same newest version.")
    note = f"could not check: {', '.join(run.failed[:20])}" if run.failed else ""
    return JobResult(counts=run.counts(), note=note[:1000])
