"""What admins see about the portal itself: counts and background-process health."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from portal.jobs import JobResult
from portal.models import Organisation, ProcessHeartbeat, Repository, User

SCHEDULER = "scheduler"
STALE_AFTER = timedelta(minutes=3)


@dataclass
class Overview:
    users_by_role: dict[str, int]
    inactive_users: int
    organisations: int
    repositories: int
    scheduler: ProcessHeartbeat | None
    scheduler_alive: bool


def overview(session: Session, *, now: datetime) -> Overview:
    by_role = dict(
        session.exec(select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)).all()  # type: ignore[attr-defined]
    )
    inactive = session.exec(select(func.count()).select_from(User).where(User.active.is_(False))).one()  # type: ignore[attr-defined]
    beat = session.get(ProcessHeartbeat, SCHEDULER)
    return Overview(
        users_by_role=by_role,
        inactive_users=inactive,
        organisations=session.exec(select(func.count()).select_from(Organisation)).one(),
        repositories=session.exec(select(func.count()).select_from(Repository)).one(),
        scheduler=beat,
        scheduler_alive=beat is not None and now - beat.beat_at < STALE_AFTER,
    )


def record_heartbeat(session: Session, *, name: str, holder: str, now: datetime, started: bool = False) -> None:
    """Upsert a process's sign of life."""
    row = session.get(ProcessHeartbeat, name)
    if row is None:
        row = ProcessHeartbeat(name=name, holder=holder, started_at=now, beat_at=now)
    row.holder = holder
    row.beat_at = now
    if started:
        row.started_at = now
    session.add(row)
    session.commit()


def optimise_database(session: Session, *, now: datetime, context: object) -> JobResult:
    """Refresh the query planner's statistics where they are stale (SQLite; PostgreSQL's autovacuum does it)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return JobResult(note="PostgreSQL keeps its statistics itself (autovacuum).")
    connection.exec_driver_sql("PRAGMA optimize")
    session.commit()
    return JobResult(counts={"optimised": 1}, note="PRAGMA optimize ran.")
