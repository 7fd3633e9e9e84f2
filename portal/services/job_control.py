"""What admins do with scheduled jobs (pause, resume, run now) and what they see of the schedule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal import audit
from portal.jobs import JobSpec
from portal.models import JobRun, JobState, ProcessHeartbeat, SchedulerLease
from portal.services import job_runs, system
from portal.services.scheduler_lease import current_lease


def _state(session: Session, job: str) -> JobState:
    """The job's state row, created on first use (two admins at once: the second finds the first's row)."""
    state = session.get(JobState, job)
    if state is None:
        session.add(JobState(job=job))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
        state = session.get(JobState, job)
    assert state is not None
    return state


def pause_job(session: Session, *, job: JobSpec, actor: Any, ip: str, now: datetime) -> JobState:
    """Stop scheduled runs of a job until it is resumed; runs already going finish."""
    state = _state(session, job.name)
    if not state.paused:
        state.paused, state.paused_by, state.paused_at = True, getattr(actor, "email", "system"), now
        session.add(state)
        audit.record(session, "job.pause", actor=actor, target=("job", job.name), ip=ip)
    session.commit()
    return state


def resume_job(session: Session, *, job: JobSpec, actor: Any, ip: str) -> JobState:
    """Let scheduled runs of a paused job happen again (missed slots are not made up)."""
    state = _state(session, job.name)
    if state.paused:
        state.paused, state.paused_by, state.paused_at = False, "", None
        session.add(state)
        audit.record(session, "job.resume", actor=actor, target=("job", job.name), ip=ip)
    session.commit()
    return state


def request_run_now(session: Session, *, job: JobSpec, actor: Any, ip: str, now: datetime) -> JobState:
    """Ask the leading scheduler to run a job at once (also when paused); a pending request is kept."""
    state = _state(session, job.name)
    if state.run_now_requested_at is None:
        state.run_now_requested_at, state.run_now_requested_by = now, getattr(actor, "email", "system")
        session.add(state)
        audit.record(session, "job.run_now", actor=actor, target=("job", job.name), ip=ip)
    session.commit()
    return state


def pending_run_requests(session: Session) -> list[JobState]:
    """Jobs someone asked to run now, oldest request first."""
    stmt = select(JobState).where(JobState.run_now_requested_at.is_not(None))  # type: ignore[union-attr]
    return list(session.exec(stmt.order_by(JobState.run_now_requested_at)).all())


def clear_run_request(session: Session, *, job: str, requested_at: datetime) -> bool:
    """Forget a request once its run is recorded; a newer request for the same job stays."""
    stmt = (
        update(JobState)
        .where(JobState.job == job, JobState.run_now_requested_at == requested_at)  # type: ignore[arg-type]
        .values(run_now_requested_at=None, run_now_requested_by="")
        .execution_options(synchronize_session=False)
    )
    cleared = session.execute(stmt).rowcount  # type: ignore[attr-defined]
    session.commit()
    return bool(cleared)


def is_paused(session: Session, job: str) -> bool:
    """Whether admins paused the job."""
    state = session.get(JobState, job)
    return bool(state and state.paused)


@dataclass
class JobOverview:
    spec: JobSpec
    state: JobState
    last_run: JobRun | None
    next_run: datetime | None


@dataclass
class SchedulerStatus:
    lease: SchedulerLease | None
    leader_alive: bool
    heartbeat: ProcessHeartbeat | None
    heartbeat_alive: bool


def schedule_overview(session: Session, *, schedule: Iterable[JobSpec], now: datetime) -> list[JobOverview]:
    """Every job with its state, last run and next scheduled time (none while disabled or paused)."""
    rows = []
    for spec in schedule:
        state = session.get(JobState, spec.name) or JobState(job=spec.name)
        upcoming = spec.trigger.next_fire(now) if spec.enabled and not state.paused else None
        rows.append(JobOverview(spec=spec, state=state, last_run=job_runs.last_run(session, spec.name),
                                next_run=upcoming))
    return rows


def scheduler_status(session: Session, *, now: datetime) -> SchedulerStatus:
    """The current leader (from the lease) and the scheduler's heartbeat."""
    lease = current_lease(session)
    beat = session.get(ProcessHeartbeat, system.SCHEDULER)
    return SchedulerStatus(
        lease=lease,
        leader_alive=lease is not None and lease.expires_at > now,
        heartbeat=beat,
        heartbeat_alive=beat is not None and now - beat.beat_at < system.STALE_AFTER,
    )
