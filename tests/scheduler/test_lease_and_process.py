"""The leader lease and the scheduler process's main loop, driven inside the test process."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, timedelta

import pytest
from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlmodel import select

from portal.db import engine_of, session_scope
from portal.jobs import SCHEDULE, every
from portal.models import JobRun, ProcessHeartbeat, Role, SchedulerLease
from portal.models.types import utcnow
from portal.scheduler.process import JOB_DEFAULTS, SchedulerProcess, register_jobs
from portal.services import job_control
from portal.services.scheduler_lease import acquire_lease, release_lease
from tests.scheduler import sample_jobs
from tests.scheduler.conftest import APPEND, GATE, T, sample
from tests.scheduler.test_runner import fresh, runs, wait_for


def test_lease_is_taken_renewed_kept_from_others_and_taken_over_after_expiry(session):
    first = acquire_lease(session, holder="a", now=T, seconds=30)
    assert first.newly_acquired and first.expires_at == T + timedelta(seconds=30)
    assert acquire_lease(session, holder="b", now=T + timedelta(seconds=29), seconds=30) is None
    renewed = acquire_lease(session, holder="a", now=T + timedelta(seconds=10), seconds=30)
    assert not renewed.newly_acquired and renewed.expires_at == T + timedelta(seconds=40)
    assert acquire_lease(session, holder="b", now=T + timedelta(seconds=39), seconds=30) is None
    taken = acquire_lease(session, holder="b", now=T + timedelta(seconds=40), seconds=30)
    assert taken.newly_acquired
    lease = fresh(session).get(SchedulerLease, "scheduler")
    assert (lease.holder, lease.acquired_at, lease.renewed_at) == ("b", T + timedelta(seconds=40),
                                                                  T + timedelta(seconds=40))
    assert acquire_lease(session, holder="a", now=T + timedelta(seconds=41), seconds=30) is None
    assert not release_lease(session, holder="a", now=T + timedelta(seconds=42))
    assert release_lease(session, holder="b", now=T + timedelta(seconds=42))
    assert acquire_lease(session, holder="a", now=T + timedelta(seconds=42), seconds=30).newly_acquired


def race_for_lease(engine, holders, now):
    barrier = threading.Barrier(len(holders))
    winners = []

    def race(holder):
        with session_scope(engine) as s:
            barrier.wait()
            if acquire_lease(s, holder=holder, now=now, seconds=30) is not None:
                winners.append(holder)

    threads = [threading.Thread(target=race, args=(holder,)) for holder in holders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    return winners


def test_processes_racing_for_a_free_lease_get_exactly_one_leader(app):
    for round_ in range(3):
        winners = race_for_lease(engine_of(app), [f"p{round_}-{n}" for n in range(4)], T + timedelta(minutes=round_))
        assert len(winners) == 1, winners


def scheduler_process(app, specs, holder, clock=utcnow, **settings):
    app.config.update({"SCHEDULER_LEASE_SECONDS": 30.0, "SCHEDULER_POLL_SECONDS": 0.05, **settings})
    return SchedulerProcess(app, schedule=specs, holder=holder, clock=clock)


def test_apscheduler_is_configured_explicitly(app):
    process = scheduler_process(app, [*SCHEDULE, APPEND, sample("off", trigger=every(minutes=5))], "me:1:x")
    sched = process.apscheduler
    assert isinstance(sched, BackgroundScheduler)
    assert sched.timezone == UTC
    assert JOB_DEFAULTS == {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    sched.start(paused=True)
    try:
        assert all(isinstance(store, MemoryJobStore) for store in sched._jobstores.values())  # never a pickling store
        jobs = {job.id: job for job in sched.get_jobs()}
        assert set(jobs) == {spec.name for spec in SCHEDULE} | {"test.append", "test.off"}
        for spec in [*SCHEDULE, APPEND]:
            job = jobs[spec.name]
            assert (job.name, job.coalesce, job.max_instances, job.misfire_grace_time) == (
                spec.name, True, 1, spec.misfire_grace_time)
            assert job.trigger.timezone == UTC
            assert job.next_run_time == spec.trigger.next_fire(utcnow() - timedelta(seconds=1)) or \
                job.next_run_time == spec.trigger.next_fire(utcnow())
        register_jobs(sched, process.runner.specs.values(), process.runner)  # a restart of the registration
        assert len(sched.get_jobs()) == len(SCHEDULE) + 2
        with pytest.raises(ConflictingIdError):  # what replace_existing=True protects against
            sched.add_job(process.runner.run_scheduled, "interval", minutes=1, args=["outbox.deliver"], id="outbox.deliver")
    finally:
        sched.shutdown(wait=False)


def test_disabled_jobs_are_not_scheduled(app):
    off = sample("disabled")
    off = type(off)(**{**off.__dict__, "enabled": False})
    process = scheduler_process(app, [APPEND, off], "me:1:x")
    assert [job.id for job in process.apscheduler.get_jobs()] == ["test.append"]


def test_taking_the_lead_fails_runs_that_a_dead_leader_left_running(app, session):
    session.add(JobRun(job="test.append", slot="2026-11-25T16:52:39Z", holder="deadhost:99:abcdef",
                       started_at=T - timedelta(seconds=5)))
    session.commit()
    process = scheduler_process(app, [APPEND], "me:1:x", clock=lambda: T)
    process.tick()
    assert process.leading and process.holds_lease(T)
    [run] = runs(session)
    assert run.status == "failed" and run.finished_at == T and run.duration_ms == 5000
    assert "Abandoned" in run.error and "deadhost:99:abcdef" in run.error and "me:1:x" in run.error
    beat = fresh(session).get(ProcessHeartbeat, "scheduler")
    assert beat.holder == "me:1:x" and beat.beat_at == T


def test_a_leader_whose_lease_was_taken_steps_down(app):
    now = {"t": T}
    clock = lambda: now["t"]  # noqa: E731
    leader = scheduler_process(app, [APPEND], "a:1:x", clock=clock, SCHEDULER_LEASE_SECONDS=3.0)
    standby = scheduler_process(app, [APPEND], "b:2:y", clock=clock, SCHEDULER_LEASE_SECONDS=3.0)
    leader.renew(T)
    standby.renew(T)
    assert leader.leading and not standby.leading
    assert leader.holds_lease(T + timedelta(seconds=2.9)) and not leader.holds_lease(T + timedelta(seconds=3))
    # The leader stalls past its lease; the standby takes over; the old leader notices at its next renewal.
    standby.renew(T + timedelta(seconds=3))
    assert standby.leading
    leader.renew(T + timedelta(seconds=3.1))
    assert not leader.leading and not leader.holds_lease(T + timedelta(seconds=3.1))


def test_stopping_waits_a_bounded_time_then_marks_unfinished_runs_failed(app, session, sample_table):
    process = scheduler_process(app, [GATE], "me:1:x", SCHEDULER_SHUTDOWN_SECONDS=0.2)
    process.tick()
    worker = threading.Thread(target=process.runner.run_requested, args=("test.gate", T))
    worker.start()
    try:
        wait_for(lambda: any(r.status == "running" for r in runs(session)))
        started = time.monotonic()
        assert process.shutdown() is False
        assert time.monotonic() - started < 2
        [run] = runs(session)
        assert run.status == "failed" and "did not finish within 0.2 s" in run.error
        lease = fresh(session).get(SchedulerLease, "scheduler")
        assert lease.expires_at <= utcnow()  # released: a standby may take over at once
        assert process.runner.run_scheduled("test.gate") is None  # no new work once stopping
    finally:
        sample_jobs.GATE.set()
        worker.join(10)


def test_the_main_loop_runs_jobs_picks_up_run_now_and_stops_cleanly(app, session, make, sample_table):
    admin = make.user(session, Role.admin)
    process = scheduler_process(app, [APPEND], "me:1:x", SCHEDULER_LEASE_SECONDS=0.6)
    loop = threading.Thread(target=lambda: results.append(process.serve()))
    results: list[bool] = []
    loop.start()
    try:
        wait_for(lambda: len(runs(session, "test.append")) >= 2)
        with session_scope(engine_of(app)) as writer:  # a writer, as a web request would be
            job_control.request_run_now(writer, job=APPEND, actor=admin, ip="", now=utcnow())
        wait_for(lambda: any(r.trigger == "manual" for r in runs(session)))
    finally:
        process.stop_event.set()
        loop.join(10)
    assert results == [True]
    recorded = runs(session)
    assert all(r.status == "succeeded" for r in recorded)
    assert len(sample_jobs.executions(engine_of(app))) == len(recorded)
    assert fresh(session).exec(select(SchedulerLease)).one().expires_at <= utcnow()
    assert job_control.pending_run_requests(session) == []


def test_apscheduler_complaints_are_logged(caplog):
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent

    from portal.scheduler.process import log_job_event

    with caplog.at_level(logging.WARNING, logger="portal.scheduler"):
        log_job_event(JobExecutionEvent(EVENT_JOB_MISSED, "outbox.deliver", "default", T))
        log_job_event(JobExecutionEvent(EVENT_JOB_ERROR, "outbox.deliver", "default", T,
                                        exception=RuntimeError("token=abc123 leaked")))
    assert "job outbox.deliver missed its run at 2026-11-25 16:52:44.200000+00:00" in caplog.text
    assert "job outbox.deliver escaped the runner" in caplog.text and "abc123" not in caplog.text
