"""The scheduler's leader lease: one row that the leading process renews and a standby takes once expired.

Each step is one conditional UPDATE (or the first INSERT), so two processes racing for the lease cannot
both win: PostgreSQL re-checks the WHERE clause after a concurrent update commits, and SQLite writers
begin with BEGIN IMMEDIATE and so run one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from portal.models import SchedulerLease

LEASE_NAME = "scheduler"


@dataclass(frozen=True)
class LeaseGrant:
    holder: str
    expires_at: datetime
    newly_acquired: bool


def _update(session: Session, *conditions: object, **values: object) -> int:
    stmt = update(SchedulerLease).where(*conditions).values(**values)  # type: ignore[arg-type]
    return session.execute(stmt.execution_options(synchronize_session=False)).rowcount  # type: ignore[attr-defined]


def acquire_lease(
    session: Session, *, holder: str, now: datetime, seconds: float, name: str = LEASE_NAME
) -> LeaseGrant | None:
    """Renew the lease if ``holder`` has it, take it if it is free or expired; None while another holds it."""
    expires = now + timedelta(seconds=seconds)
    try:
        if _update(session, SchedulerLease.name == name, SchedulerLease.holder == holder,
                   renewed_at=now, expires_at=expires):
            session.commit()
            return LeaseGrant(holder, expires, newly_acquired=False)
        if _update(session, SchedulerLease.name == name, SchedulerLease.expires_at <= now,
                   holder=holder, acquired_at=now, renewed_at=now, expires_at=expires):
            session.commit()
            return LeaseGrant(holder, expires, newly_acquired=True)
        if session.get(SchedulerLease, name) is not None:
            session.rollback()
            return None
        session.add(SchedulerLease(name=name, holder=holder, acquired_at=now, renewed_at=now, expires_at=expires))
        session.commit()
    except IntegrityError:  # another process inserted the first row at the same moment
        session.rollback()
        return None
    return LeaseGrant(holder, expires, newly_acquired=True)


def release_lease(session: Session, *, holder: str, now: datetime, name: str = LEASE_NAME) -> bool:
    """Let the lease expire now, so a standby takes over at once; False if ``holder`` no longer had it."""
    released = _update(session, SchedulerLease.name == name, SchedulerLease.holder == holder, expires_at=now)
    session.commit()
    return bool(released)


def current_lease(session: Session, name: str = LEASE_NAME) -> SchedulerLease | None:
    """The lease row as it stands (for the admin pages)."""
    return session.get(SchedulerLease, name)
