"""Try a calendar out: business time between two local moments, and the due time of a target."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from portal.services.sla.business_time import CalendarSpec, add_business_minutes, business_minutes_between
from portal.services.sla.durations import DurationError, format_duration, parse_duration


@dataclass
class Preview:
    """What the admin asked, answered; ``errors`` maps an input name to what is wrong with it."""

    start: datetime | None = None
    end: datetime | None = None
    minutes: int | None = None
    target_minutes: int | None = None
    due: datetime | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def asked(self) -> bool:
        """Whether the admin asked anything at all."""
        return self.start is not None or bool(self.errors)


def parse_local(text: str, spec: CalendarSpec) -> datetime | None:
    """A "YYYY-MM-DDTHH:MM" wall-clock time in the calendar's zone; None when it is not one."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None or not 1970 <= moment.year <= 2200:
        return None
    return moment.replace(tzinfo=spec.zone)


def preview_business_time(spec: CalendarSpec, *, start: str, end: str = "", target: str = "") -> Preview:
    """Business minutes from start to end, and the due time of ``target`` counted from start."""
    result = Preview()
    if not start.strip():
        if end.strip() or target.strip():
            result.errors["start"] = "Give the moment to count from."
        return result
    result.start = parse_local(start, spec)
    if result.start is None:
        result.errors["start"] = "Give a date and time, like 2026-06-15T09:30."
    if end.strip():
        result.end = parse_local(end, spec)
        if result.end is None:
            result.errors["end"] = "Give a date and time, like 2026-06-19T17:00."
    if target.strip():
        try:
            result.target_minutes = parse_duration(target, day_minutes=spec.day_minutes)
        except DurationError as exc:
            result.errors["target"] = str(exc)
    if result.start is not None:
        if result.end is not None:
            result.minutes = business_minutes_between(spec, result.start, result.end)
        if result.target_minutes is not None:
            result.due = add_business_minutes(spec, result.start, result.target_minutes).astimezone(spec.zone)
    return result


def describe_minutes(minutes: int, spec: CalendarSpec) -> str:
    """ "1,560 business minutes (3 business days 2 h)" style text, for the preview."""
    sign = "-" if minutes < 0 else ""
    size = abs(minutes)
    day = spec.day_minutes
    days, rest = divmod(size, day)
    parts = ([f"{days} business day{'s' if days != 1 else ''}"] if days else []) + \
        ([format_duration(rest, day_minutes=0)] if rest else [])
    return f"{sign}{size:,} business minutes" + (f" ({sign}{' '.join(parts)})" if parts else "")
