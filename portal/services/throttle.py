"""Failure counters in the database, so a limit holds across every worker and restart (C07).

Each key (``account:<email>``, ``ip:<address>``, ``totp:<user id>``) counts failures in a window;
reaching the limit sets a soft lock that expires by itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from portal.models import LoginThrottle


@dataclass(frozen=True)
class Limit:
    key: str
    max_failures: int
    window: timedelta


def locked_for(session: Session, keys: list[str], now: datetime) -> int:
    """Seconds until every lock on these keys has expired; 0 when none is locked."""
    rows = session.exec(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()  # type: ignore[attr-defined]
    remaining = [(r.locked_until - now).total_seconds() for r in rows if r.locked_until and r.locked_until > now]
    return math.ceil(max(remaining)) if remaining else 0


def record_failure(session: Session, limits: list[Limit], now: datetime) -> None:
    """Count one failure against each key; atomic under concurrent workers (the caller commits)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    for limit in limits:
        session.execute(
            insert(LoginThrottle)
            .values(key=limit.key, failures=0, window_started_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        expired = LoginThrottle.window_started_at <= now - limit.window
        new_count = case((expired, 1), else_=LoginThrottle.failures + 1)
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == limit.key)
            .values(
                failures=new_count,
                window_started_at=case((expired, now), else_=LoginThrottle.window_started_at),
                locked_until=case((new_count >= limit.max_failures, now + limit.window), else_=None),
            )
        )


def clear(session: Session, key: str) -> None:
    """Forget the failures of one key (after a successful sign-in)."""
    row = session.exec(select(LoginThrottle).where(LoginThrottle.key == key)).first()
    if row is not None:
        session.delete(row)
