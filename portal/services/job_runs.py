"""The record of job runs: one row per (job, slot), started before the work and finished after it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.errors import NotFound
from portal.models import JobRun, RunStatus
from portal.services.pagination import Page, paginate

ERROR_LIMIT = 4000
SORTS = {"started": JobRun.started_at, "duration": JobRun.duration_ms, "job": JobRun.job, "status": JobRun.status}


def start_run(
    session: Session, *, job: str, slot: str, trigger: str, holder: str, now: datetime,
    status: RunStatus = RunStatus.running, note: str = "",
) -> JobRun | None:
    """Insert the run's row; None when that (job, slot) already has one, so another process ran it."""
    run = JobRun(job=job, slot=slot, trigger=trigger, holder=holder, started_at=now, status=status, note=note)
    if status != RunStatus.running:
        run.finished_at, run.duration_ms = now, 0
    session.add(run)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return run


def finish_run(
    session: Session, *, run_id: int, status: RunStatus, now: datetime, counts: dict[str, Any] | None = None,
    note: str = "", error: str = "",
) -> JobRun:
    """Record how a run ended; the error must already be free of secrets."""
    run = session.get(JobRun, run_id)
    if run is None:
        raise NotFound(f"Run {run_id} does not exist.")
    run.status = status
    run.finished_at = now
    run.duration_ms = max(0, int((now - run.started_at).total_seconds() * 1000))
    run.counts = {str(k): int(v) for k, v in (counts or {}).items()}
    run.note = note[:1000]
    run.error = error[:ERROR_LIMIT]
    session.add(run)
    session.commit()
    return run


def fail_abandoned_runs(session: Session, *, holder: str, now: datetime) -> list[JobRun]:
    """Mark failed every run another process left running: it crashed, was killed, or lost the lease."""
    stale = session.exec(
        select(JobRun).where(JobRun.status == RunStatus.running, JobRun.holder != holder)
    ).all()
    for run in stale:
        run.status = RunStatus.failed
        run.finished_at = now
        run.duration_ms = max(0, int((now - run.started_at).total_seconds() * 1000))
        run.error = (
            f"Abandoned: the scheduler process {run.holder} stopped (crash, kill or lost lease) while this run "
            f"was in progress; marked failed by {holder}. The job is idempotent: the next run picks up its work."
        )
        session.add(run)
    session.commit()
    return list(stale)


def get_run(session: Session, run_id: int) -> JobRun:
    """One run, or NotFound."""
    run = session.get(JobRun, run_id)
    if run is None:
        raise NotFound("That run does not exist.")
    return run


def last_run(session: Session, job: str) -> JobRun | None:
    """The latest run of a job, whatever its status."""
    stmt = select(JobRun).where(JobRun.job == job).order_by(JobRun.started_at.desc(), JobRun.id.desc())  # type: ignore[attr-defined,union-attr]
    return session.exec(stmt.limit(1)).first()


def list_runs(
    session: Session,
    *,
    job: str = "",
    status: str = "",
    trigger: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    sort: str = "started",
    descending: bool = True,
    page: int = 1,
    per_page: int = 50,
) -> Page[JobRun]:
    """Runs filtered by job, status, trigger and start time, newest first unless sorted otherwise."""
    stmt = select(JobRun)
    if job:
        stmt = stmt.where(JobRun.job == job)
    if status:
        stmt = stmt.where(JobRun.status == status)
    if trigger:
        stmt = stmt.where(JobRun.trigger == trigger)
    if since:
        stmt = stmt.where(JobRun.started_at >= since)
    if until:
        stmt = stmt.where(JobRun.started_at < until)
    column = SORTS.get(sort, JobRun.started_at)
    tiebreak = JobRun.id.desc() if descending else JobRun.id.asc()  # type: ignore[union-attr]
    # Runs still going have no duration: last either way, on both backends.
    order = (column.desc() if descending else column.asc()).nulls_last()  # type: ignore[union-attr]
    return paginate(session, stmt.order_by(order, tiebreak), page=page, per_page=per_page)


def job_names(session: Session) -> list[str]:
    """Every job that has a recorded run (for the filter, including jobs since removed)."""
    return list(session.exec(select(JobRun.job).distinct().order_by(JobRun.job)).all())
