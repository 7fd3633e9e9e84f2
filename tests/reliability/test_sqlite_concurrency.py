"""C31: four processes doing read-then-write transactions on one SQLite file never see 'database is locked'."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import text

from portal.db import make_engine, session_scope
from tests.conftest import BACKENDS

WORKERS, TRANSACTIONS = 4, 200


def _work(url: str, worker: int, errors) -> None:
    engine = make_engine(url)
    try:
        for _ in range(TRANSACTIONS):
            with session_scope(engine) as session:
                current = session.execute(text("SELECT value FROM counter WHERE id = 1")).scalar_one()
                session.execute(text("UPDATE counter SET value = :v WHERE id = 1"), {"v": current + 1})
                session.execute(text("INSERT INTO log (worker) VALUES (:w)"), {"w": worker})
                session.commit()
    except Exception as exc:  # reported to the parent, which fails the test
        errors.put(f"{type(exc).__name__}: {exc}")
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.skipif("sqlite" not in BACKENDS, reason="SQLite-specific")
def test_concurrent_read_then_write(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)"))
        conn.execute(text("CREATE TABLE log (id INTEGER PRIMARY KEY, worker INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    ctx = multiprocessing.get_context("spawn")
    errors = ctx.Queue()
    procs = [ctx.Process(target=_work, args=(url, n, errors)) for n in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert problems == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM counter")).scalar_one() == WORKERS * TRANSACTIONS
        assert conn.execute(text("SELECT count(*) FROM log")).scalar_one() == WORKERS * TRANSACTIONS
    engine.dispose()
