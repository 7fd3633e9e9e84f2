"""Report figures as tables: one shape for the page (formatted for people) and the CSV (raw values)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo


class Kind(StrEnum):
    text = "text"
    count = "count"
    day = "day"
    duration = "duration"  # seconds; minutes in CSV
    percent = "percent"  # 0-100
    number = "number"
    moment = "moment"  # aware datetime, shown in the viewer's zone


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.count

    @property
    def csv_label(self) -> str:
        """The header in CSV, with the unit the raw number is in."""
        if self.kind == Kind.duration:
            return f"{self.label} (minutes)"
        if self.kind == Kind.percent:
            return f"{self.label} (%)"
        return self.label

    @property
    def numeric(self) -> bool:
        return self.kind in (Kind.count, Kind.duration, Kind.percent, Kind.number)


@dataclass(frozen=True)
class Table:
    """A named table of figures; ``name`` is the ``table=`` argument of the CSV export."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    empty: str = "Nothing to show for this period."
    snapshot: bool = False  # figures as of now, not over the period

    def display_rows(self, zone: ZoneInfo) -> list[list[str]]:
        """Rows with every cell formatted for reading."""
        return [[display(value, column.kind, zone) for value, column in zip(row, self.columns, strict=True)]
                for row in self.rows]


def duration_text(seconds: float | None) -> str:
    """A duration for people: minutes, hours and minutes, or days and hours."""
    if seconds is None:
        return "—"
    minutes = int(round(seconds / 60))
    if minutes < 1:
        return "under 1 min"
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def display(value: Any, kind: Kind, zone: ZoneInfo) -> str:
    """One cell for the page."""
    if value is None:
        return "—"
    if kind == Kind.count:
        return f"{int(value):,}"
    if kind == Kind.day and isinstance(value, date):
        return value.strftime("%a %Y-%m-%d")
    if kind == Kind.duration:
        return duration_text(float(value))
    if kind == Kind.percent:
        return f"{float(value):.1f} %"
    if kind == Kind.number:
        return f"{float(value):.2f}"
    if kind == Kind.moment and isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    return str(value)


def raw(value: Any, kind: Kind, zone: ZoneInfo) -> str | int | float:
    """One cell for CSV: ISO dates and times, unformatted numbers, durations in minutes."""
    if value is None:
        return ""
    if kind == Kind.duration:
        return round(float(value) / 60.0, 1)
    if kind in (Kind.percent, Kind.number):
        return round(float(value), 2)
    if kind == Kind.count:
        return int(value)
    if kind == Kind.moment and isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
