"""Jobs for the scheduler tests: each records its execution in a table the tests create.

Scheduler processes started by the tests load these through ``PORTAL_SCHEDULER_EXTRA_JOBS`` (honoured only
with ``PORTAL_ENV=testing``), so what ran, for which slot and in which process, can be counted afterwards.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import Engine, text
from sqlmodel import Session

from portal.jobs import JobContext, JobResult

GATE = threading.Event()  # in-process tests open it to let `gate` finish


def create_table(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS sample_execution"))
        conn.execute(text("CREATE TABLE sample_execution (job VARCHAR(80) NOT NULL, slot VARCHAR(80) NOT NULL, "
                          "holder VARCHAR(200) NOT NULL, trigger_kind VARCHAR(12) NOT NULL)"))


def drop_table(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS sample_execution"))


def executions(engine: Engine) -> list[tuple[str, str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT job, slot, holder, trigger_kind FROM sample_execution ORDER BY slot")).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _record(session: Session, context: JobContext) -> None:
    session.execute(text("INSERT INTO sample_execution (job, slot, holder, trigger_kind) VALUES (:j, :s, :h, :t)"),
                    {"j": context.job, "s": context.slot, "h": context.holder, "t": str(context.trigger)})
    session.commit()


def append(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    _record(session, context)
    return JobResult({"appended": 1}, "one row appended")


def hang(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    """Records itself, then works until the process stops (at most 60 s)."""
    _record(session, context)
    deadline = time.monotonic() + 60
    while not context.stopping() and time.monotonic() < deadline:
        time.sleep(0.02)
    return JobResult({"appended": 1}, "stopped waiting")


def gate(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    _record(session, context)
    GATE.wait(10)
    return JobResult({"appended": 1})


def explode(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    _record(session, context)
    raise RuntimeError("boom while connecting with password=hunter2")


def not_a_result(session: Session, *, now: datetime, context: JobContext) -> dict[str, int]:
    return {"appended": 1}


def bad_sql(session: Session, *, now: datetime, context: JobContext) -> JobResult:
    secret = "".join(["hunter", "2"])  # as a real secret would be: a value, not a literal in the code
    session.execute(text("INSERT INTO no_such_table (secret) VALUES (:value)"), {"value": secret})
    return JobResult()
