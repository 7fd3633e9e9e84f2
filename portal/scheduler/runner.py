"""Running one job for one slot: record the run, do the work in its own session, record how it ended."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from datetime import datetime

from flask import Flask
from sqlalchemy.exc import StatementError

from portal.db import engine_of, session_scope
from portal.jobs import JobContext, JobFunction, JobResult, JobSpec, manual_slot
from portal.logs import redact
from portal.models import JobRun, RunStatus, RunTrigger
from portal.models.types import utcnow
from portal.services import job_control, job_runs

log = logging.getLogger("portal.scheduler")


def describe_error(exc: BaseException) -> str:
    """One error text to store and log: redacted, and never the parameters of a failed SQL statement."""
    if isinstance(exc, StatementError):
        return redact(f"{type(exc).__name__}: {exc.orig} [SQL: {' '.join(str(exc.statement).split())}]")
    return redact(f"{type(exc).__name__}: {exc}")


class JobRunner:
    """Runs jobs for one scheduler process; a job never runs twice at once here, nor twice per slot anywhere."""

    def __init__(
        self,
        app: Flask,
        *,
        schedule: Iterable[JobSpec],
        holder: str,
        may_run: Callable[[datetime], bool],
        stopping: Callable[[], bool],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.app = app
        self.engine = engine_of(app)
        self.holder = holder
        self.may_run = may_run
        self.stopping = stopping
        self.clock = clock
        self.specs = {spec.name: spec for spec in schedule}
        # Import every function now: a typo in the schedule stops the process at start, not at 3 a.m.
        self.functions: dict[str, JobFunction] = {name: spec.load() for name, spec in self.specs.items()}
        self._locks = {name: threading.Lock() for name in self.specs}
        self._active: dict[object, tuple[str, int | None]] = {}
        self._active_lock = threading.Lock()

    def run_scheduled(self, name: str) -> JobRun | None:
        """APScheduler's entry point: run the job for the slot due now, unless paused or not leading."""
        now = self.clock()
        if self.stopping() or not self.may_run(now):
            log.info("not running %s: this process does not hold the lease", name)
            return None
        spec = self.specs[name]
        with session_scope(self.engine, write=False) as session:
            if job_control.is_paused(session, name):
                log.debug("not running %s: paused by an admin", name)
                return None
        return self.run(spec, slot=spec.slot_at(now), trigger=RunTrigger.schedule, wait=False)

    def run_requested(self, name: str, requested_at: datetime) -> JobRun | None:
        """Run a job someone asked for in the admin pages, then clear the request."""
        if self.stopping() or not self.may_run(self.clock()):
            return None

        def clear() -> None:
            with session_scope(self.engine) as session:
                job_control.clear_run_request(session, job=name, requested_at=requested_at)

        return self.run(self.specs[name], slot=manual_slot(requested_at), trigger=RunTrigger.manual, wait=True,
                        on_recorded=clear)

    def run(
        self, spec: JobSpec, *, slot: str, trigger: RunTrigger, wait: bool,
        on_recorded: Callable[[], None] | None = None,
    ) -> JobRun | None:
        """Run ``spec`` for ``slot``; None when another process already has that slot.

        With ``wait``, queue behind a run of the same job in this process; without, record the slot as
        skipped (scheduled runs do not pile up behind a long manual run).
        """
        lock = self._locks[spec.name]
        if not lock.acquire(blocking=wait):
            with session_scope(self.engine) as session:
                return job_runs.start_run(session, job=spec.name, slot=slot, trigger=trigger, holder=self.holder,
                                          now=self.clock(), status=RunStatus.skipped,
                                          note="Skipped: another run of this job was still in progress.")
        try:
            return self._run_locked(spec, slot=slot, trigger=trigger, on_recorded=on_recorded)
        finally:
            lock.release()

    def _run_locked(
        self, spec: JobSpec, *, slot: str, trigger: RunTrigger, on_recorded: Callable[[], None] | None
    ) -> JobRun | None:
        token = object()  # tracked from before the row exists, so a shutdown never overlooks a starting run
        with self._active_lock:
            self._active[token] = (spec.name, None)
        try:
            return self._record_and_run(spec, slot=slot, trigger=trigger, on_recorded=on_recorded, token=token)
        finally:
            with self._active_lock:
                self._active.pop(token, None)

    def _record_and_run(
        self, spec: JobSpec, *, slot: str, trigger: RunTrigger, on_recorded: Callable[[], None] | None,
        token: object,
    ) -> JobRun | None:
        now = self.clock()
        with session_scope(self.engine) as session:
            run = job_runs.start_run(session, job=spec.name, slot=slot, trigger=trigger, holder=self.holder, now=now)
        if on_recorded is not None:
            on_recorded()
        if run is None or run.id is None:
            log.debug("%s %s: another scheduler already has this slot", spec.name, slot)
            return None
        run_id = run.id
        with self._active_lock:
            self._active[token] = (spec.name, run_id)
        status, result, error = RunStatus.failed, JobResult(), "Interrupted before it finished."
        try:
            context = JobContext(job=spec.name, slot=slot, trigger=trigger, holder=self.holder,
                                 config=self.app.config, stopping=self.stopping)
            with self.app.app_context(), session_scope(self.engine) as session:
                outcome = self.functions[spec.name](session, now=now, context=context)
            if not isinstance(outcome, JobResult):
                raise TypeError(f"{spec.func} returned {type(outcome).__name__}, not a JobResult")
            status, result, error = RunStatus.succeeded, outcome, ""
        except Exception as exc:
            error = describe_error(exc)
            log.error("job %s (slot %s) failed: %s", spec.name, slot, error)
            # The traceback goes through redact() too: exception texts may quote what the job held.
            log.debug("traceback of the failed run of %s: %s%s", spec.name,
                      redact("".join(traceback.format_tb(exc.__traceback__))), error)
        finally:
            try:
                with session_scope(self.engine) as session:
                    run = job_runs.finish_run(session, run_id=run_id, status=status, now=self.clock(),
                                              counts=result.counts, note=result.note, error=error)
            except Exception as exc:  # the database is away: the next leader marks the run failed
                log.error("could not record the end of run %s of %s: %s", run_id, spec.name, redact(str(exc)))
        return run

    def busy(self) -> bool:
        """Whether a run is starting or in progress in this process."""
        with self._active_lock:
            return bool(self._active)

    def active_runs(self) -> dict[int, str]:
        """Recorded runs in progress in this process: run id to job name."""
        with self._active_lock:
            return {run_id: name for name, run_id in self._active.values() if run_id is not None}

    def abandon_active(self, *, reason: str) -> list[int]:
        """Mark the runs still in progress failed (the process is about to exit without waiting for them)."""
        abandoned = []
        for run_id in self.active_runs():
            try:
                with session_scope(self.engine) as session:
                    job_runs.finish_run(session, run_id=run_id, status=RunStatus.failed, now=self.clock(), error=reason)
                abandoned.append(run_id)
            except Exception as exc:
                log.error("could not mark run %s failed: %s", run_id, redact(str(exc)))
        return abandoned
