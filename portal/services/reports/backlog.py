"""The open backlog right now: by status and age, and per assignee."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal
from sqlmodel import Session, select

from portal.models import Ticket, User
from portal.models.tickets import ACTIVE_STATUSES, STATUS_LABELS, Status
from portal.models.types import UTCDateTime
from portal.services.reports.scope import ReportScope

# (label, lower age bound); a ticket falls in the last bucket whose bound its age reaches.
AGE_BUCKETS: tuple[tuple[str, timedelta], ...] = (
    ("Under 1 day", timedelta(0)),
    ("1 to 3 days", timedelta(days=1)),
    ("3 to 7 days", timedelta(days=3)),
    ("1 to 4 weeks", timedelta(days=7)),
    ("Over 4 weeks", timedelta(days=28)),
)
UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class BacklogRow:
    status: str
    label: str
    by_age: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.by_age)


@dataclass(frozen=True)
class Backlog:
    rows: list[BacklogRow]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def by_age(self) -> tuple[int, ...]:
        return tuple(sum(r.by_age[i] for r in self.rows) for i in range(len(AGE_BUCKETS)))


@dataclass(frozen=True)
class WorkloadRow:
    assignee_id: int | None
    name: str
    by_status: tuple[int, ...]  # in ACTIVE_STATUSES order

    @property
    def total(self) -> int:
        return sum(self.by_status)


def backlog(session: Session, *, now: datetime, scope: ReportScope | None = None) -> Backlog:
    """Active tickets by status and by how long ago they were opened."""
    scope = scope or ReportScope()
    # Oldest bound first, so the first matching WHEN is the ticket's bucket.
    whens = [(Ticket.created_at <= literal(now - bound, UTCDateTime), index)
             for index, (_label, bound) in reversed(list(enumerate(AGE_BUCKETS))) if bound]
    bucket = case(*whens, else_=0).label("bucket")
    inner = scope.apply(select(Ticket.status, bucket).where(Ticket.status.in_(ACTIVE_STATUSES))).subquery()  # type: ignore[attr-defined]
    rows = session.exec(select(inner.c.status, inner.c.bucket, func.count()).group_by(inner.c.status, inner.c.bucket)).all()  # type: ignore[call-overload]
    counts: dict[str, list[int]] = {s.value: [0] * len(AGE_BUCKETS) for s in ACTIVE_STATUSES}
    for status, index, n in rows:
        counts.setdefault(status, [0] * len(AGE_BUCKETS))[int(index)] += int(n)
    return Backlog(rows=[BacklogRow(status=s, label=status_label(s), by_age=tuple(c)) for s, c in counts.items()])


def status_label(value: str) -> str:
    """A status value as people read it."""
    known = {s.value: s for s in Status}
    return STATUS_LABELS[known[value]] if value in known else value


def workload(session: Session, *, scope: ReportScope | None = None) -> list[WorkloadRow]:
    """Active tickets per assignee and status, busiest first; unassigned tickets last."""
    scope = scope or ReportScope()
    stmt = scope.apply(
        select(Ticket.assignee_id, Ticket.status, func.count())
        .where(Ticket.status.in_(ACTIVE_STATUSES))  # type: ignore[attr-defined]
        .group_by(Ticket.assignee_id, Ticket.status)
    )
    order = [s.value for s in ACTIVE_STATUSES]
    per_person: dict[int | None, list[int]] = {}
    for assignee_id, status, n in session.exec(stmt).all():  # type: ignore[call-overload]
        if status in order:
            per_person.setdefault(assignee_id, [0] * len(order))[order.index(status)] += int(n)
    ids = [i for i in per_person if i is not None]
    names = dict(session.exec(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}  # type: ignore[union-attr]
    rows = [WorkloadRow(i, names.get(i, f"User {i}") if i is not None else UNASSIGNED, tuple(c))
            for i, c in per_person.items()]
    return sorted(rows, key=lambda r: (r.assignee_id is None, -r.total, r.name.lower()))
