"""Fixtures for the scheduler tests: sample jobs and the table they write to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from portal.db import engine_of
from portal.jobs import JobSpec, every
from tests.scheduler import sample_jobs

T = datetime(2026, 11, 25, 16, 52, 44, 200000, tzinfo=UTC)


def sample(name: str, func: str = "append", trigger: object = None) -> JobSpec:
    return JobSpec(f"test.{name}", f"tests.scheduler.sample_jobs:{func}", trigger or every(seconds=1),  # type: ignore[arg-type]
                   f"Sample job {name}.", misfire_grace_time=30)


APPEND = sample("append")
EXPLODE = sample("explode", "explode")
GATE = sample("gate", "gate")
NOT_A_RESULT = sample("not_a_result", "not_a_result")


def ticking(start: datetime = T, step: timedelta = timedelta(milliseconds=5)) -> Callable[[], datetime]:
    """A clock that moves on a little at every reading."""
    state = {"now": start - step}

    def now() -> datetime:
        state["now"] += step
        return state["now"]

    return now


@pytest.fixture
def sample_table(app: Flask) -> Iterator[None]:
    sample_jobs.create_table(engine_of(app))
    sample_jobs.GATE.clear()
    yield
    sample_jobs.GATE.set()
    sample_jobs.drop_table(engine_of(app))
