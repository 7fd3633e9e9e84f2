"""Real scheduler processes (`flask --app wsgi scheduler`) against one database (C29).

Two processes give one run and one execution per (job, slot); killing the leader hands over to the
standby once the lease expires, and the run it left behind is marked failed. SQLite (one file) always;
PostgreSQL too when PORTAL_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select

from portal import migrations
from portal.db import make_engine, session_scope
from portal.models import JobRun, SchedulerLease
from portal.models.types import utcnow
from portal.services import job_control
from tests.conftest import BACKENDS, PG_URL, ROOT, create_pg_database, drop_pg_database, make_key_ring
from tests.scheduler import sample_jobs
from tests.scheduler.conftest import APPEND

pytestmark = pytest.mark.slow

LEASE_SECONDS = 1.0


def job(name: str, func: str) -> dict[str, object]:
    return {"name": f"test.{name}", "func": f"tests.scheduler.sample_jobs:{func}", "every": {"seconds": 1},
            "misfire_grace_time": 30}


class SchedulerChild:
    """One `flask --app wsgi scheduler` process, its output in a file."""

    def __init__(self, url: str, tmp_path, name: str, extra_jobs: list[dict[str, object]]) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env.update({
            "PORTAL_ENV": "testing",
            "PORTAL_DATABASE_URL": url,
            "PORTAL_INSTANCE_PATH": str(tmp_path / f"instance-{name}"),
            "PORTAL_SECRET_KEY": "k" * 48,
            "PORTAL_ENCRYPTION_KEYS": make_key_ring(),
            "PORTAL_SCHEDULER_LEASE_SECONDS": str(LEASE_SECONDS),
            "PORTAL_SCHEDULER_POLL_SECONDS": "0.1",
            "PORTAL_SCHEDULER_SHUTDOWN_SECONDS": "5",
            "PORTAL_SCHEDULER_EXTRA_JOBS": json.dumps(extra_jobs),
            "PORTAL_LOG_LEVEL": "INFO",
        })
        self.log_path = tmp_path / f"{name}.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"], cwd=ROOT,
                                         env=env, stdout=log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(params=BACKENDS)
def shared_url(request, tmp_path):
    """An empty, migrated database that several processes share."""
    if request.param == "sqlite":
        path = tmp_path / "shared.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = create_pg_database(PG_URL, "sched")
    engine = make_engine(url)
    migrations.upgrade(engine)
    engine.dispose()
    yield url
    drop_pg_database(PG_URL, url)


@pytest.fixture
def engine(shared_url):
    engine = make_engine(shared_url)
    sample_jobs.create_table(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def start(shared_url, engine, tmp_path):
    children: list[SchedulerChild] = []

    def _start(name: str, extra_jobs: list[dict[str, object]]) -> SchedulerChild:
        child = SchedulerChild(shared_url, tmp_path, name, extra_jobs)
        children.append(child)
        return child

    yield _start
    for child in children:
        if child.proc.poll() is None:
            child.proc.kill()
        child.proc.wait(20)


def rows(engine, stmt):
    with session_scope(engine, write=False) as s:
        return list(s.exec(stmt).all())


def wait_until(predicate, children, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for child in children:
            if child.proc.poll() is not None:
                raise AssertionError(f"scheduler {child.pid} exited early:\n{child.output()}")
        time.sleep(0.1)
    logs = "\n".join(f"--- {c.pid}\n{c.output()}" for c in children)
    raise AssertionError(f"condition not met within {timeout} s\n{logs}")


def assert_one_execution_per_slot(engine, runs):
    executions = sample_jobs.executions(engine)
    per_slot = Counter((job, slot) for job, slot, _holder, _trigger in executions)
    assert per_slot and max(per_slot.values()) == 1, per_slot.most_common(3)
    # Every execution belongs to the run recorded for its slot, by the same process.
    recorded = {(r.job, r.slot): r.holder for r in runs}
    for job_name, slot, holder, _trigger in executions:
        assert recorded[(job_name, slot)] == holder
    return executions


def test_two_schedulers_run_each_slot_once_and_stop_cleanly(engine, start):
    extra = [job("append", "append"), job("explode", "explode")]
    first, second = start("first", extra), start("second", extra)
    children = [first, second]
    appended = select(JobRun).where(JobRun.job == "test.append", JobRun.status == "succeeded")
    try:
        wait_until(lambda: len(rows(engine, appended)) >= 3, children)
        with session_scope(engine) as s:
            job_control.request_run_now(s, job=APPEND, actor=None, ip="", now=utcnow())
        wait_until(lambda: [r for r in rows(engine, appended) if r.trigger == "manual"], children, timeout=15)
    finally:
        codes = [child.stop() for child in children]
    outputs = [child.output() for child in children]
    assert codes == [0, 0], outputs
    assert all("Scheduler stopped." in out for out in outputs), outputs

    runs = rows(engine, select(JobRun).order_by(JobRun.started_at))
    executions = assert_one_execution_per_slot(engine, runs)
    assert len(executions) == len([r for r in runs if r.job.startswith("test.") and r.status != "skipped"])
    manual = [r for r in runs if r.trigger == "manual"]
    assert len(manual) == 1 and manual[0].slot.startswith("manual:") and manual[0].status == "succeeded"
    assert rows(engine, select(job_control.JobState).where(
        job_control.JobState.run_now_requested_at.is_not(None))) == []

    # A job that raises is recorded as failed, without the secret it quoted, and the others keep running.
    exploded = [r for r in runs if r.job == "test.explode"]
    assert exploded and {r.status for r in exploded} == {"failed"}
    assert all(r.error == "RuntimeError: boom while connecting with password=***" for r in exploded)
    assert any(r.job == "test.append" and r.started_at > exploded[0].finished_at for r in runs)
    assert not any("hunter2" in out for out in outputs)

    lease = rows(engine, select(SchedulerLease))[0]
    assert lease.expires_at <= utcnow()  # released on SIGTERM
    assert lease.holder.split(":")[1] in {str(first.pid), str(second.pid)}


def test_killing_the_leader_hands_over_after_the_lease_expires(engine, start):
    extra = [job("hang", "hang"), job("append", "append")]
    first, second = start("first", extra), start("second", extra)
    children = [first, second]
    hanging = select(JobRun).where(JobRun.job == "test.hang", JobRun.status == "running")
    [stuck] = wait_until(lambda: rows(engine, hanging), children)
    leader = next(c for c in children if stuck.holder.split(":")[1] == str(c.pid))
    standby = next(c for c in children if c is not leader)

    killed_at = utcnow()
    assert leader.stop(signal.SIGKILL) == -signal.SIGKILL

    def standby_leads_and_runs():
        lease = rows(engine, select(SchedulerLease))[0]
        if lease.holder.split(":")[1] != str(standby.pid):
            return None
        done = rows(engine, select(JobRun).where(JobRun.job == "test.append", JobRun.holder == lease.holder,
                                                 JobRun.status == "succeeded"))
        return lease if done else None

    try:
        lease = wait_until(standby_leads_and_runs, [standby], timeout=20)
    finally:
        code = standby.stop()
    assert code == 0, standby.output()

    # The standby waited for the lease to run out: the leader renewed at most a third of a lease before the kill.
    assert lease.acquired_at >= killed_at + timedelta(seconds=LEASE_SECONDS / 2)
    abandoned = rows(engine, select(JobRun).where(JobRun.id == stuck.id))[0]
    assert abandoned.status == "failed" and "Abandoned" in abandoned.error and stuck.holder in abandoned.error
    assert abandoned.finished_at >= lease.acquired_at
    runs = rows(engine, select(JobRun))
    assert_one_execution_per_slot(engine, runs)
    assert {r.holder for r in runs if r.job == "test.append"} <= {stuck.holder, lease.holder}
    assert not [r for r in runs if r.status == "running"]  # the standby finished its own hang run on SIGTERM
