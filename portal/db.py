"""One engine per app, one session per request or job.

SQLite runs with WAL, a busy timeout and foreign keys on every connection. Write units of work
begin with ``BEGIN IMMEDIATE`` so a read-then-write never fails with SQLITE_BUSY half way; read
requests begin deferred so they never block writers. PostgreSQL needs none of this.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite connections get the pragmas and explicit BEGIN handling."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        return create_engine(url, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def writer(engine: Engine) -> Engine:
    """The engine as seen by write units of work (BEGIN IMMEDIATE on SQLite)."""
    if is_sqlite(engine):
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["portal.db"] = engine
    app.extensions["portal.db.writer"] = writer(engine)
    app.teardown_appcontext(_close_session)


def engine_of(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions["portal.db"]


def get_session() -> Session:
    """The session of this request or app context, opened lazily.

    Requests that may change data (POST, PUT, PATCH, DELETE) and code outside a request (jobs,
    CLI) get a writer session; GET requests read without taking SQLite's write lock.
    """
    if "db_session" not in g:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        reading = has_request_context() and request.method in READ_METHODS
        bind = app.extensions["portal.db"] if reading else app.extensions["portal.db.writer"]
        g.db_session = Session(bind=bind, expire_on_commit=False)
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """A standalone session for jobs, CLI commands and tests; closed on exit."""
    session = Session(bind=writer(engine) if write else engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
