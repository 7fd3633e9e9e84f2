"""Per-day series in the viewer's time zone: tickets opened and solved, and first-response times.

Counting rules:
- A ticket is *opened* on the local day of ``created_at``.
- A ticket is *solved* once, on the local day of its current ``resolved_at`` (set when it is resolved, or closed
  without being resolved first). Reopening clears ``resolved_at``, so a reopened ticket leaves the solved count
  of its earlier day and counts again only when it is solved again, on that later day. Each ticket is therefore
  opened once and solved at most once, and opened minus solved is the change in the backlog.
- First-response time is ``first_response_at - created_at`` in elapsed (calendar) time, grouped by the day the
  ticket was opened. Tickets still active without a reply are *awaiting*; tickets solved without any public
  reply (duplicates, spam) have no response time and are left out.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from portal.models import Ticket
from portal.models.tickets import ACTIVE_STATUSES
from portal.services.reports.period import Period
from portal.services.reports.scope import ReportScope
from portal.services.reports.sql_time import as_date, local_day, seconds_between

HOUR = 3600.0
# Upper bounds (seconds) of the first-response distribution; the last bucket is open-ended.
RESPONSE_BUCKETS: tuple[tuple[str, float | None], ...] = (
    ("Under 1 hour", HOUR),
    ("1 to 4 hours", 4 * HOUR),
    ("4 to 8 hours", 8 * HOUR),
    ("8 to 24 hours", 24 * HOUR),
    ("1 to 3 days", 72 * HOUR),
    ("Over 3 days", None),
)


@dataclass(frozen=True)
class DayCount:
    day: date
    opened: int
    solved: int


@dataclass(frozen=True)
class ResponseDay:
    day: date
    answered: int
    awaiting: int
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int


@dataclass(frozen=True)
class FirstResponses:
    days: list[ResponseDay]
    answered: int
    awaiting: int
    median_seconds: float | None
    p90_seconds: float | None
    buckets: list[Bucket]


def _per_day(session: Session, column: object, period: Period, scope: ReportScope) -> Counter[date]:
    segments = period.segments
    inner = scope.apply(
        select(local_day(column, segments).label("day"))
        .where(column >= period.start, column < period.end)  # type: ignore[operator]
    ).subquery()
    rows = session.exec(select(inner.c.day, func.count()).group_by(inner.c.day)).all()  # type: ignore[call-overload]
    return Counter({as_date(day): int(n) for day, n in rows})


def opened_solved_per_day(session: Session, period: Period, *, scope: ReportScope | None = None) -> list[DayCount]:
    """Tickets opened and solved on each local day of the period (zeros included)."""
    scope = scope or ReportScope()
    opened = _per_day(session, Ticket.created_at, period, scope)
    solved = _per_day(session, Ticket.resolved_at, period, scope)
    return [DayCount(day=d, opened=opened[d], solved=solved[d]) for d in period.days]


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile of already sorted values (None when there are none)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def median(sorted_values: list[float]) -> float | None:
    """The median of already sorted values (None when there are none)."""
    return statistics.median(sorted_values) if sorted_values else None


def bucket_responses(values: list[float]) -> list[Bucket]:
    """Counts per RESPONSE_BUCKETS entry, for values already sorted."""
    counts, start = [], 0
    for _label, upper in RESPONSE_BUCKETS:
        end = len(values) if upper is None else bisect.bisect_left(values, upper, lo=start)
        counts.append(end - start)
        start = end
    return [Bucket(label, n) for (label, _upper), n in zip(RESPONSE_BUCKETS, counts, strict=True)]


def first_responses(session: Session, period: Period, *, scope: ReportScope | None = None) -> FirstResponses:
    """Median and 90th percentile of first-response times per opening day and overall, and their spread."""
    scope = scope or ReportScope()
    stmt = scope.apply(
        select(
            local_day(Ticket.created_at, period.segments),
            seconds_between(Ticket.first_response_at, Ticket.created_at),
            Ticket.status.in_(ACTIVE_STATUSES),  # type: ignore[attr-defined]
        ).where(Ticket.created_at >= period.start, Ticket.created_at < period.end)  # type: ignore[operator]
    )
    answered: dict[date, list[float]] = {d: [] for d in period.days}
    awaiting: Counter[date] = Counter()
    # Core rows, not ORM: a year can hold tens of thousands of tickets and this loop is the hot path.
    seen: dict[object, date] = {}
    for raw_day, seconds, active in session.connection().execute(stmt).all():
        day = seen.get(raw_day) or seen.setdefault(raw_day, as_date(raw_day))
        if seconds is not None:
            # Rounded to the millisecond: SQLite's julianday arithmetic leaves float dust.
            answered.setdefault(day, []).append(round(seconds, 3) if seconds > 0 else 0.0)
        elif active:
            awaiting[day] += 1
    days: list[ResponseDay] = []
    everything: list[float] = []
    for day in period.days:
        values = sorted(answered.get(day, []))
        everything.extend(values)
        days.append(ResponseDay(day=day, answered=len(values), awaiting=awaiting[day],
                                median_seconds=median(values), p90_seconds=percentile(values, 0.9)))
    everything.sort()
    return FirstResponses(days=days, answered=len(everything), awaiting=sum(awaiting.values()),
                          median_seconds=median(everything), p90_seconds=percentile(everything, 0.9),
                          buckets=bucket_responses(everything))
