"""Running jobs inside one process: every run recorded, once per slot, failures contained, pause and run now."""

from __future__ import annotations

import logging
import threading
import time

from sqlmodel import select

from portal.db import engine_of
from portal.models import AuditEvent, JobRun, JobState, Role
from portal.scheduler.runner import JobRunner
from portal.services import job_control
from tests.scheduler import sample_jobs
from tests.scheduler.conftest import APPEND, EXPLODE, GATE, NOT_A_RESULT, T, sample, ticking


def make_runner(app, specs, *, holder="host:1:aaaaaa", clock=None, leading=True, stopping=lambda: False):
    return JobRunner(app, schedule=specs, holder=holder, may_run=lambda _now: leading, stopping=stopping,
                     clock=clock or ticking())


def fresh(session):
    """End the test session's read transaction, so it sees what the runner's sessions committed."""
    session.commit()
    session.expire_all()
    return session


def runs(session, job=None):
    fresh(session)
    stmt = select(JobRun).order_by(JobRun.id)
    return list(session.exec(stmt.where(JobRun.job == job) if job else stmt).all())


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def race(action, runners):
    """Start ``action(runner)`` for every runner at the same moment, in threads; their results."""
    barrier = threading.Barrier(len(runners))
    results = [None] * len(runners)

    def go(index, runner):
        barrier.wait()
        results[index] = action(runner)

    threads = [threading.Thread(target=go, args=(i, r)) for i, r in enumerate(runners)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_a_run_is_recorded_from_start_to_end(app, session, sample_table):
    runner = make_runner(app, [APPEND])
    run = runner.run_scheduled("test.append")
    assert run is not None
    [recorded] = runs(session)
    assert (recorded.job, recorded.slot, recorded.trigger, recorded.status) == (
        "test.append", "2026-11-25T16:52:44Z", "schedule", "succeeded")
    assert T < recorded.started_at < recorded.finished_at
    assert recorded.duration_ms == int((recorded.finished_at - recorded.started_at).total_seconds() * 1000) > 0
    assert recorded.counts == {"appended": 1} and recorded.note == "one row appended" and recorded.error == ""
    assert sample_jobs.executions(engine_of(app)) == [("test.append", "2026-11-25T16:52:44Z", "host:1:aaaaaa",
                                                       "schedule")]


def test_two_runners_racing_for_a_slot_run_it_once(app, session, sample_table):
    """Two processes that both believe they lead (clock skew, a stalled leader): the (job, slot) row decides."""
    for round_ in range(4):
        start = T.replace(second=round_ * 2)
        first = make_runner(app, [APPEND], holder="a:1:aaaaaa", clock=ticking(start))
        second = make_runner(app, [APPEND], holder="b:2:bbbbbb", clock=ticking(start))
        results = race(lambda runner: runner.run_scheduled("test.append"), [first, second])
        assert sorted(r is None for r in results) == [False, True]
    executions = sample_jobs.executions(engine_of(app))
    assert len(executions) == 4 and len({slot for _j, slot, _h, _t in executions}) == 4
    assert len(runs(session, "test.append")) == 4


def test_a_failing_job_is_recorded_without_secrets_and_later_runs_go_on(app, session, sample_table, caplog):
    runner = make_runner(app, [EXPLODE, APPEND, NOT_A_RESULT])
    with caplog.at_level(logging.DEBUG, logger="portal"):
        assert runner.run_scheduled("test.explode") is not None
    [failed] = runs(session, "test.explode")
    assert failed.status == "failed" and failed.finished_at is not None
    assert failed.error == "RuntimeError: boom while connecting with password=***"
    assert "hunter2" not in caplog.text and "boom while connecting" in caplog.text
    runner.run_scheduled("test.not_a_result")
    [wrong] = runs(session, "test.not_a_result")
    assert wrong.status == "failed"
    assert wrong.error == "TypeError: tests.scheduler.sample_jobs:not_a_result returned dict, not a JobResult"
    runner.run_scheduled("test.append")
    assert [r.status for r in runs(session, "test.append")] == ["succeeded"]


def test_a_failed_sql_statement_is_recorded_without_its_parameters(app, session, sample_table, caplog):
    runner = make_runner(app, [sample("bad_sql", "bad_sql")])
    with caplog.at_level(logging.DEBUG, logger="portal"):
        runner.run_scheduled("test.bad_sql")
    [failed] = runs(session)
    assert failed.status == "failed" and failed.error.startswith(("ProgrammingError: ", "OperationalError: "))
    assert "[SQL: INSERT INTO no_such_table (secret) VALUES (" in failed.error
    assert "hunter2" not in failed.error and "hunter2" not in caplog.text


def test_only_the_lease_holder_starts_runs(app, session, sample_table):
    follower = make_runner(app, [APPEND], leading=False)
    assert follower.run_scheduled("test.append") is None
    assert runs(session) == [] and sample_jobs.executions(engine_of(app)) == []


def test_paused_jobs_are_neither_run_nor_recorded_until_resumed(app, session, make, sample_table):
    admin = make.user(session, Role.admin)
    runner = make_runner(app, [APPEND])
    job_control.pause_job(session, job=APPEND, actor=admin, ip="192.0.2.1", now=T)
    assert runner.run_scheduled("test.append") is None
    assert runs(session) == [] and sample_jobs.executions(engine_of(app)) == []
    job_control.resume_job(session, job=APPEND, actor=admin, ip="192.0.2.1")
    assert runner.run_scheduled("test.append").status == "succeeded"
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions == ["job.pause", "job.resume"]


def test_run_now_runs_under_a_manual_slot_even_when_paused_and_clears_the_request(app, session, make, sample_table):
    admin = make.user(session, Role.admin)
    job_control.pause_job(session, job=APPEND, actor=admin, ip="", now=T)
    state = job_control.request_run_now(session, job=APPEND, actor=admin, ip="", now=T)
    requested_at = state.run_now_requested_at
    assert [s.job for s in job_control.pending_run_requests(session)] == ["test.append"]
    runner = make_runner(app, [APPEND])
    run = runner.run_requested("test.append", requested_at)
    assert (run.trigger, run.slot, run.status) == ("manual", "manual:2026-11-25T16:52:44.200000Z", "succeeded")
    assert runner.run_requested("test.append", requested_at) is None  # the same request never runs twice
    assert len(sample_jobs.executions(engine_of(app))) == 1
    assert fresh(session).get(JobState, "test.append").run_now_requested_at is None
    assert job_control.pending_run_requests(session) == []


def test_a_scheduled_run_is_skipped_while_a_run_of_the_same_job_is_going(app, session, sample_table):
    runner = make_runner(app, [GATE])
    manual = threading.Thread(target=runner.run_requested, args=("test.gate", T))
    manual.start()
    try:
        wait_for(lambda: any(r.status == "running" for r in runs(session)))
        skipped = runner.run_scheduled("test.gate")
        assert skipped.status == "skipped" and "still in progress" in skipped.note
    finally:
        sample_jobs.GATE.set()
        manual.join(10)
    assert sorted((r.trigger, r.status) for r in runs(session)) == [("manual", "succeeded"), ("schedule", "skipped")]
    assert len(sample_jobs.executions(engine_of(app))) == 1


def test_no_new_runs_start_once_the_process_is_stopping(app, session, sample_table):
    runner = make_runner(app, [APPEND], stopping=lambda: True)
    assert runner.run_scheduled("test.append") is None and runner.run_requested("test.append", T) is None
    assert runs(session) == []
