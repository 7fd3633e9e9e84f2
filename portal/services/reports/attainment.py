"""SLA attainment: of the tickets opened in a period, how many met, missed or are still within each target.

A clock counts for a ticket only when its due column is set ("no target" otherwise). It is *met* when the event
happened at or before the due time, *missed* when it happened later or has not happened and the due time has
passed, and *pending* when it has not happened and the due time is still ahead. The events: first response is
``first_response_at``; resolution and next update are ``resolved_at`` (solving the ticket stops the next-update
clock). The row keeps only the current next-update due time: a reply restarts that clock, so earlier on-time
updates leave no trace there; the figure says whether the ticket is, or ended, inside its latest update promise.
Percentages are met / (met + missed); pending tickets are shown but not yet judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, select

from portal.models import Ticket, TicketGroup
from portal.models.tickets import PRIORITY_RANK
from portal.services.reports.period import Period
from portal.services.reports.scope import ReportScope

CLOCKS: tuple[tuple[str, str, Any, Any], ...] = (
    ("first_response", "First response", Ticket.first_response_due_at, Ticket.first_response_at),
    ("next_update", "Next update", Ticket.next_update_due_at, Ticket.resolved_at),
    ("resolution", "Resolution", Ticket.resolution_due_at, Ticket.resolved_at),
)
STATES = ("met", "missed", "pending")
NO_GROUP = "No group"


@dataclass
class Tally:
    met: int = 0
    missed: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.met + self.missed + self.pending

    @property
    def percent(self) -> float | None:
        """Share of decided targets that were met, 0-100; None while nothing is decided."""
        decided = self.met + self.missed
        return round(100.0 * self.met / decided, 1) if decided else None

    def add(self, other: Tally) -> None:
        """Add another tally's counts to this one."""
        self.met += other.met
        self.missed += other.missed
        self.pending += other.pending


@dataclass
class ClockTally:
    key: str
    label: str
    tally: Tally = field(default_factory=Tally)


@dataclass
class Attainment:
    clocks: list[ClockTally]
    by_priority: list[tuple[str, list[ClockTally]]]
    by_group: list[tuple[str, list[ClockTally]]]

    @property
    def empty(self) -> bool:
        return all(c.tally.total == 0 for c in self.clocks)


def _state_sums(now: datetime) -> list[Any]:
    sums = []
    for _key, _label, due, event in CLOCKS:
        met = and_(event.is_not(None), event <= due)
        missed = or_(and_(event.is_not(None), event > due), and_(event.is_(None), due < now))
        pending = and_(event.is_(None), due >= now)
        sums += [func.sum(case((condition, 1), else_=0)) for condition in (met, missed, pending)]
    return sums


def _fresh() -> list[ClockTally]:
    return [ClockTally(key, label) for key, label, _due, _event in CLOCKS]


def _tallies(values: tuple[Any, ...]) -> list[ClockTally]:
    clocks = _fresh()
    for index, clock in enumerate(clocks):
        met, missed, pending = (int(v or 0) for v in values[index * 3:index * 3 + 3])
        clock.tally = Tally(met, missed, pending)
    return clocks


def _merge(into: list[ClockTally], more: list[ClockTally]) -> None:
    for mine, theirs in zip(into, more, strict=True):
        mine.tally.add(theirs.tally)


def sla_attainment(session: Session, period: Period, *, now: datetime, scope: ReportScope | None = None) -> Attainment:
    """Met / missed / pending per SLA clock for tickets opened in the period, overall, per priority and per group."""
    scope = scope or ReportScope()
    stmt = scope.apply(
        select(Ticket.priority, Ticket.group_id, *_state_sums(now))
        .where(Ticket.created_at >= period.start, Ticket.created_at < period.end)  # type: ignore[operator]
        .group_by(Ticket.priority, Ticket.group_id)
    )
    overall = _fresh()
    priorities: dict[str, list[ClockTally]] = {}
    groups: dict[int | None, list[ClockTally]] = {}
    for priority, group_id, *values in session.exec(stmt).all():  # type: ignore[call-overload]
        clocks = _tallies(tuple(values))
        if all(c.tally.total == 0 for c in clocks):
            continue
        _merge(overall, clocks)
        _merge(priorities.setdefault(priority, _fresh()), clocks)
        _merge(groups.setdefault(group_id, _fresh()), clocks)
    names = _group_names(session, [g for g in groups if g is not None])
    by_priority = sorted(priorities.items(), key=lambda item: -PRIORITY_RANK.get(item[0], 1))  # type: ignore[call-overload]
    by_group = sorted(((names.get(g, NO_GROUP) if g is not None else NO_GROUP, c) for g, c in groups.items()),
                      key=lambda item: (item[0] == NO_GROUP, item[0].lower()))
    return Attainment(clocks=overall, by_priority=by_priority, by_group=by_group)


def _group_names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(TicketGroup.id, TicketGroup.name).where(TicketGroup.id.in_(ids))).all()  # type: ignore[union-attr]
    return {int(i): n for i, n in rows}
