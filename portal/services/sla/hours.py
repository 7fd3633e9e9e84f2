"""Working hours as people and the database write them: "09:00"-"17:00" pairs per weekday.

The stored form is JSON keyed by weekday number as text, Monday = "0":
``{"0": [["09:00", "12:00"], ["13:00", "17:00"]], ...}``; a missing or empty day is closed.
"24:00" (or "00:00" as an end) means midnight at the end of the day.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import time
from typing import Any

from portal.services.sla.business_time import MIDNIGHT, WEEKDAYS, CalendarError, check_day

Hours = dict[int, tuple[tuple[time, time], ...]]
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")


def parse_clock(text: str, *, end: bool = False) -> time:
    """A wall-clock time from "HH:MM" (or "HH:MM:00"); "24:00" only as an end."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise CalendarError(f"{text.strip()!r} is not a time like 09:00.")
    hour, minute = int(match.group(1)), int(match.group(2))
    if end and (hour, minute) == (24, 0):
        return MIDNIGHT
    if hour > 23 or minute > 59:
        raise CalendarError(f"{text.strip()!r} is not a time of day: use 00:00 to 23:59" +
                            (", or 24:00 for the end of the day." if end else "."))
    return time(hour, minute)


def format_clock(t: time, *, end: bool = False) -> str:
    """"HH:MM"; midnight as an end is "24:00"."""
    return "24:00" if end and t == MIDNIGHT else t.strftime("%H:%M")


def hours_from_rows(rows: Mapping[int, Sequence[tuple[str, str]]]) -> tuple[Hours, dict[int, str]]:
    """Parse form rows (start text, end text) per weekday; blank pairs are skipped.

    Returns the hours and, per weekday with a problem, one message; a day with errors is left out.
    """
    hours: Hours = {}
    errors: dict[int, str] = {}
    for day in range(7):
        spans = []
        for start_text, end_text in rows.get(day, ()):
            start_text, end_text = (start_text or "").strip(), (end_text or "").strip()
            if not start_text and not end_text:
                continue
            if not start_text or not end_text:
                errors[day] = "Give both the start and the end of each interval."
                break
            try:
                spans.append((parse_clock(start_text), parse_clock(end_text, end=True)))
            except CalendarError as exc:
                errors[day] = str(exc)
                break
        if day in errors:
            continue
        try:
            checked = check_day(day, tuple(spans))
        except CalendarError as exc:
            errors[day] = str(exc).split(": ", 1)[1]
            continue
        if checked:
            hours[day] = checked
    return hours, errors


def hours_from_json(data: Any) -> Hours:
    """Hours from their stored JSON form, or CalendarError saying what is malformed."""
    if not isinstance(data, Mapping):
        raise CalendarError("Working hours must be an object keyed by weekday number.")
    hours: Hours = {}
    for key, spans in data.items():
        if not (isinstance(key, str) and key.isdigit() and 0 <= int(key) <= 6):
            raise CalendarError(f"{key!r} is not a weekday number: use \"0\" (Monday) to \"6\" (Sunday).")
        if not isinstance(spans, list) or not all(
            isinstance(s, list | tuple) and len(s) == 2 and all(isinstance(v, str) for v in s) for s in spans
        ):
            raise CalendarError(f"{WEEKDAYS[int(key)]}: give a list of [\"HH:MM\", \"HH:MM\"] pairs.")
        parsed = tuple((parse_clock(a), parse_clock(b, end=True)) for a, b in spans)
        if parsed:
            hours[int(key)] = check_day(int(key), parsed)
    return hours


def hours_to_json(hours: Mapping[int, Sequence[tuple[time, time]]]) -> dict[str, list[list[str]]]:
    """The stored JSON form of validated hours; closed days are left out."""
    return {
        str(day): [[format_clock(a), format_clock(b, end=True)] for a, b in spans]
        for day, spans in sorted(hours.items()) if spans
    }


def describe_hours(hours: Mapping[int, Sequence[tuple[time, time]]]) -> list[tuple[str, str]]:
    """(weekday name, "09:00-12:00, 13:00-17:00" or "closed") for each day of the week."""
    return [
        (WEEKDAYS[day], ", ".join(f"{format_clock(a)}–{format_clock(b, end=True)}" for a, b in hours.get(day, ()))
         or "closed")
        for day in range(7)
    ]
