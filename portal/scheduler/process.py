"""The scheduler process: APScheduler for the timing, a lease row for leadership, our own table for runs.

APScheduler 3.x keeps jobs in memory only (its SQLAlchemy job store unpickles rows, and it cannot be
shared between processes). Any number of these processes may run against one database: the one holding
the lease runs jobs, the others wait and take over once the lease expires. The unique (job, slot) row
is the second guard, for the moment two processes both believe they lead.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from portal.db import engine_of, session_scope
from portal.jobs import JobSpec, manual_slot
from portal.logs import redact
from portal.models.types import utcnow
from portal.scheduler.runner import JobRunner
from portal.services import job_control, job_runs, system
from portal.services.scheduler_lease import acquire_lease, release_lease

log = logging.getLogger("portal.scheduler")

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}


def log_job_event(event: JobEvent) -> None:
    """APScheduler's own complaints: a run missed its window, overlapped itself, or escaped the runner."""
    if event.code == EVENT_JOB_MISSED:
        log.warning("job %s missed its run at %s (outside misfire_grace_time)", event.job_id,
                    getattr(event, "scheduled_run_time", "?"))
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        log.warning("job %s is still running; APScheduler skipped a start", event.job_id)
    else:
        log.error("job %s escaped the runner: %s", event.job_id, redact(repr(getattr(event, "exception", None))))


def register_jobs(scheduler: BackgroundScheduler, schedule: Iterable[JobSpec], runner: JobRunner) -> None:
    """Add every enabled job under its name as a stable id; re-registering replaces, never duplicates."""
    for spec in schedule:
        if not spec.enabled:
            continue
        scheduler.add_job(
            runner.run_scheduled,
            trigger=spec.trigger.build(),
            args=[spec.name],
            id=spec.name,
            name=spec.name,
            coalesce=spec.coalesce,
            max_instances=spec.max_instances,
            misfire_grace_time=spec.misfire_grace_time,
            replace_existing=True,
        )


def build_apscheduler(schedule: Iterable[JobSpec], runner: JobRunner) -> BackgroundScheduler:
    """A BackgroundScheduler with a memory job store, UTC and explicit defaults; not started."""
    specs = list(schedule)
    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=max(4, 2 * len(specs)))},
        job_defaults=dict(JOB_DEFAULTS),
        timezone=UTC,
        daemon=True,
    )
    scheduler.add_listener(log_job_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
    register_jobs(scheduler, specs, runner)
    return scheduler


class SchedulerProcess:
    """The main loop: hold or wait for the lease, beat, pick up "Run now" requests; APScheduler fires jobs."""

    def __init__(
        self, app: Flask, *, schedule: Iterable[JobSpec], holder: str, clock: Callable[[], datetime] = utcnow
    ) -> None:
        cfg = app.config
        self.engine = engine_of(app)
        self.holder = holder
        self.clock = clock
        self.lease_seconds = float(cfg["SCHEDULER_LEASE_SECONDS"])
        self.renew_every = timedelta(seconds=self.lease_seconds / 3)
        self.poll_seconds = min(float(cfg["SCHEDULER_POLL_SECONDS"]), self.lease_seconds / 3)
        self.shutdown_seconds = float(cfg["SCHEDULER_SHUTDOWN_SECONDS"])
        self.stop_event = threading.Event()
        self.leading = False
        self.lease_until: datetime | None = None
        self._next_renewal: datetime | None = None
        self._submitted: set[tuple[str, str]] = set()
        self.runner = JobRunner(app, schedule=schedule, holder=holder, may_run=self.holds_lease,
                                stopping=self.stop_event.is_set, clock=clock)
        self.apscheduler = build_apscheduler(self.runner.specs.values(), self.runner)

    def holds_lease(self, now: datetime) -> bool:
        """Whether this process may start a run at ``now``: it leads and its lease has not run out."""
        return self.leading and self.lease_until is not None and now < self.lease_until

    def serve(self) -> bool:
        """Run until ``stop_event``; True when every run finished before the process let go."""
        self.apscheduler.start(paused=True)
        try:
            while not self.stop_event.is_set():
                self.tick()
                self.stop_event.wait(self.poll_seconds)
        finally:
            finished = self.shutdown()
        return finished

    def tick(self) -> None:
        """One round of the main loop."""
        now = self.clock()
        if self._next_renewal is None or now >= self._next_renewal:
            self.renew(now)
            self._next_renewal = now + self.renew_every
        if self.leading:
            self.pick_up_requests()

    def renew(self, now: datetime) -> None:
        """Renew or take the lease and beat; step down when another process has it."""
        try:
            with session_scope(self.engine) as session:
                grant = acquire_lease(session, holder=self.holder, now=now, seconds=self.lease_seconds)
                if grant is not None:
                    system.record_heartbeat(session, name=system.SCHEDULER, holder=self.holder, now=now,
                                            started=grant.newly_acquired)
        except SQLAlchemyError as exc:
            log.warning("could not reach the database to renew the lease: %s", redact(str(exc)))
            grant = None
        if grant is None:
            if self.leading:
                self.step_down("another scheduler holds the lease, or the database is unreachable")
            return
        self.lease_until = grant.expires_at
        if not self.leading:
            self.take_lead(now)

    def take_lead(self, now: datetime) -> None:
        """Become the leader: fail what a dead leader left running, then let APScheduler fire."""
        with session_scope(self.engine) as session:
            for run in job_runs.fail_abandoned_runs(session, holder=self.holder, now=now):
                log.warning("run %s of %s (slot %s) was left running by %s; marked failed",
                            run.id, run.job, run.slot, run.holder)
        self.leading = True
        if self.apscheduler.running:
            self.apscheduler.resume()
        log.info("scheduler %s now leads", self.holder)

    def step_down(self, why: str) -> None:
        """Stop starting runs (runs in progress finish)."""
        self.leading = False
        if self.apscheduler.running:
            self.apscheduler.pause()
        log.warning("scheduler %s no longer leads: %s", self.holder, why)

    def pick_up_requests(self) -> None:
        """Hand each new "Run now" request to APScheduler's pool; the runner clears it once recorded."""
        try:
            with session_scope(self.engine, write=False) as session:
                requests = [(s.job, s.run_now_requested_at) for s in job_control.pending_run_requests(session)]
        except SQLAlchemyError as exc:
            log.warning("could not read run requests: %s", redact(str(exc)))
            return
        seen = set()
        for job, requested_at in requests:
            if requested_at is None:
                continue
            key = (job, manual_slot(requested_at))
            seen.add(key)
            if key in self._submitted:
                continue
            if job not in self.runner.specs:
                log.warning("ignoring a run request for %s: no such job in this schedule", job)
                with session_scope(self.engine) as session:
                    job_control.clear_run_request(session, job=job, requested_at=requested_at)
                continue
            self._submitted.add(key)
            self.apscheduler.add_job(self.runner.run_requested, args=[job, requested_at], id=f"{job}@{key[1]}",
                                     name=f"{job} (run now)", replace_existing=True)
        self._submitted &= seen

    def shutdown(self) -> bool:
        """Take no new work, give running jobs ``SCHEDULER_SHUTDOWN_SECONDS``, release the lease."""
        self.stop_event.set()
        if self.apscheduler.running:
            self.apscheduler.shutdown(wait=False)
        deadline = time.monotonic() + self.shutdown_seconds
        while self.runner.busy() and time.monotonic() < deadline:
            time.sleep(0.05)
        leftover = self.runner.busy()
        self.runner.abandon_active(
            reason=f"Interrupted: the scheduler was stopped and the run did not finish within "
                   f"{self.shutdown_seconds:g} s. The job is idempotent: the next run picks up its work."
        )
        if self.leading:
            try:
                with session_scope(self.engine) as session:
                    release_lease(session, holder=self.holder, now=self.clock())
            except SQLAlchemyError as exc:
                log.warning("could not release the lease: %s", redact(str(exc)))
            self.leading = False
        return not leftover
