"""SQL expressions for local days and durations that compile on both SQLite and PostgreSQL.

Timestamps are stored as naive UTC. A local day is the UTC time shifted by the zone's offset and cut to its
date; the offset comes from the period's DST segments (a CASE over their boundaries), so a day that starts
or ends a DST change is still cut at local midnight.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Float, String, case, literal, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from portal.models.types import UTCDateTime
from portal.services.reports.period import Segment


class _ShiftedDate(FunctionElement[date]):
    """DATE(column + offset seconds); the offset is an integer expression.

    Typed as text so SQLite's ISO strings pass through untouched (``as_date`` converts them, cheaply);
    PostgreSQL returns dates.
    """

    type = String()
    inherit_cache = True
    name = "shifted_date"


@compiles(_ShiftedDate, "sqlite")
def _shifted_date_sqlite(element: _ShiftedDate, compiler: Any, **kw: Any) -> str:
    column, offset = list(element.clauses)
    # SQLite's modifiers do exact millisecond arithmetic; julianday sums would round at midnight.
    return f"date({compiler.process(column, **kw)}, ({compiler.process(offset, **kw)}) || ' seconds')"


@compiles(_ShiftedDate, "postgresql")
def _shifted_date_postgresql(element: _ShiftedDate, compiler: Any, **kw: Any) -> str:
    column, offset = list(element.clauses)
    return f"CAST({compiler.process(column, **kw)} + ({compiler.process(offset, **kw)}) * INTERVAL '1 second' AS DATE)"


class _SecondsBetween(FunctionElement[float]):
    """later - earlier in seconds, as a float."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"


@compiles(_SecondsBetween, "sqlite")
def _seconds_between_sqlite(element: _SecondsBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(_SecondsBetween, "postgresql")
def _seconds_between_postgresql(element: _SecondsBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"


def offset_for(column: Any, segments: list[Segment]) -> ColumnElement[int]:
    """The zone's offset in seconds at the column's time, for times inside the segments."""
    if len(segments) == 1:
        return literal_column(str(int(segments[0].offset_seconds)))
    whens = [(column < literal(s.end, UTCDateTime), literal_column(str(int(s.offset_seconds)))) for s in segments[:-1]]
    return case(*whens, else_=literal_column(str(int(segments[-1].offset_seconds))))


def local_day(column: Any, segments: list[Segment]) -> ColumnElement[date]:
    """The local date of a stored UTC timestamp (a str on SQLite, a date on PostgreSQL; see ``as_date``)."""
    return _ShiftedDate(column, offset_for(column, segments))


def seconds_between(later: Any, earlier: Any) -> ColumnElement[float]:
    """``later - earlier`` in seconds, on either backend."""
    return _SecondsBetween(later, earlier)


def as_date(value: date | str) -> date:
    """A day as the database returned it, as a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


class _Unindexed(FunctionElement[Any]):
    """A column the planner should filter on but not pick an index for (SQLite: unary +)."""

    inherit_cache = True
    name = "unindexed"


@compiles(_Unindexed)
def _unindexed_default(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(list(element.clauses)[0], **kw))


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler: Any, **kw: Any) -> str:
    # Without statistics SQLite trusts an equality index over a time range; "+column" rules that index out.
    return f"+{compiler.process(list(element.clauses)[0], **kw)}"


def unindexed(column: Any) -> ColumnElement[Any]:
    """``column`` for filtering, keeping SQLite on the period's time-range index (PostgreSQL has statistics)."""
    element = _Unindexed(column)
    element.type = column.type
    return element
