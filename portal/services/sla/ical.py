"""Holidays from an iCalendar (RFC 5545) file: a small parser for the part holiday feeds use.

Read: folded lines; VEVENTs with DTSTART as a date (VALUE=DATE) or a date-time (its local date is
taken: as written for TZID and floating times, in the calendar's zone for UTC ``Z`` times); DTEND
(exclusive) or DURATION for multi-day events, each day listed; SUMMARY with its escapes; STATUS
CANCELLED skipped; EXDATE and RDATE given as dates. Recurrence: FREQ=YEARLY with INTERVAL, COUNT,
UNTIL, BYMONTH, BYMONTHDAY (also negative, from the month's end) and BYDAY with an ordinal inside a
month ("4TH" = fourth Thursday, "-1MO" = last Monday), expanded for a window of years only.
Anything else in an RRULE is refused with the line it is on rather than silently misread.
"""

from __future__ import annotations

import calendar as month_calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from portal import audit
from portal.models import BusinessCalendar, User
from portal.models.types import utcnow
from portal.services.sla.business_time import zone_named
from portal.services.sla.calendars import add_holidays

MAX_BYTES = 2 * 1024 * 1024
MAX_EVENT_DAYS = 366
YEARS_BEFORE, YEARS_AFTER = 1, 3
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_TIME = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$")
_DURATION = re.compile(r"^\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_BYDAY = re.compile(r"^([+-]?\d{1,2})(MO|TU|WE|TH|FR|SA|SU)$")
_WEEKDAY = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_RRULE_KEYS = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYMONTH", "BYMONTHDAY", "BYDAY", "WKST"})


class IcalError(ValueError):
    """A file this parser cannot read; the message names the line."""


@dataclass
class ContentLine:
    number: int
    name: str
    params: dict[str, str]
    value: str


@dataclass
class ImportCounts:
    added: int
    skipped: int


def parse_holidays(ics: bytes | str, *, zone: str | None = None,
                   years: tuple[int, int] | None = None) -> list[tuple[date, str]]:
    """Every holiday date in the file with its name, sorted, one entry per date (the first name wins).

    ``zone`` turns UTC date-times into local dates; ``years`` (first, last) bounds recurring events,
    by default one year back to three ahead of today.
    """
    tz = zone_named(zone) if zone else None
    if years is None:
        this_year = datetime.now(UTC).year
        years = (this_year - YEARS_BEFORE, this_year + YEARS_AFTER)
    found: dict[date, str] = {}
    for event in _events(_content_lines(ics)):
        for day, name in _event_days(event, tz, years):
            found.setdefault(day, name)
    return sorted(found.items())


def import_holidays(session: Session, calendar: BusinessCalendar, ics: bytes | str, actor: User | None, *,
                    ip: str = "", now: datetime | None = None) -> ImportCounts:
    """Add the file's holidays to a calendar; dates already there are skipped. Audited once."""
    moment = now or utcnow()
    found = parse_holidays(ics, zone=calendar.timezone, years=(moment.year - YEARS_BEFORE, moment.year + YEARS_AFTER))
    added, skipped = add_holidays(session, calendar, found, now=moment)
    audit.record(session, "sla_holiday.import", actor=actor, target=calendar, ip=ip,
                 detail={"added": added, "skipped": skipped,
                         "first": found[0][0].isoformat() if found else None,
                         "last": found[-1][0].isoformat() if found else None})
    session.commit()
    return ImportCounts(added=added, skipped=skipped)


# ---------------------------------------------------------------- lines and components


def _content_lines(ics: bytes | str) -> list[ContentLine]:
    if isinstance(ics, bytes):
        if len(ics) > MAX_BYTES:
            raise IcalError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; holiday files are far smaller.")
        try:
            ics = ics.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise IcalError("The file is not UTF-8 text; export it again as an .ics (iCalendar) file.") from None
    logical: list[tuple[int, str]] = []
    for number, raw in enumerate(re.split(r"\r\n|\n|\r", ics), start=1):
        if raw[:1] in (" ", "\t") and logical:
            logical[-1] = (logical[-1][0], logical[-1][1] + raw[1:])  # folded: continues the line above
        elif raw.strip():
            logical.append((number, raw))
    if not logical or logical[0][1].strip().upper() != "BEGIN:VCALENDAR":
        raise IcalError("Line 1: this is not an iCalendar file (it should start with BEGIN:VCALENDAR).")
    return [_split(number, text) for number, text in logical]


def _split(number: int, text: str) -> ContentLine:
    """NAME;PARAM=VALUE;...:VALUE, where quoted parameter values may hold ':' and ';'."""
    parts: list[str] = []
    current, quoted = [], False
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in ";:" and not quoted:
            parts.append("".join(current))
            current = []
            if char == ":":
                head, value = parts, text[i + 1:]
                break
            continue
        current.append(char)
    else:
        raise IcalError(f"Line {number}: expected NAME:VALUE, found {text[:60]!r}.")
    name = head[0].strip().upper()
    if not re.fullmatch(r"[A-Z0-9-]+", name):
        raise IcalError(f"Line {number}: {head[0][:40]!r} is not a property name.")
    params = {}
    for param in head[1:]:
        key, sep, val = param.partition("=")
        if not sep:
            raise IcalError(f"Line {number}: parameter {param[:40]!r} has no value.")
        params[key.strip().upper()] = val.strip().strip('"')
    return ContentLine(number, name, params, value)


def _events(lines: list[ContentLine]) -> list[dict[str, list[ContentLine]]]:
    stack: list[tuple[str, int]] = []
    events: list[dict[str, list[ContentLine]]] = []
    current: dict[str, list[ContentLine]] | None = None
    for line in lines:
        if line.name == "BEGIN":
            component = line.value.strip().upper()
            stack.append((component, line.number))
            if component == "VEVENT" and len(stack) == 2:
                current = {"BEGIN": [line]}
        elif line.name == "END":
            component = line.value.strip().upper()
            if not stack or stack[-1][0] != component:
                open_part = f"; {stack[-1][0]} from line {stack[-1][1]} is still open" if stack else ""
                raise IcalError(f"Line {line.number}: END:{component} does not match a BEGIN{open_part}.")
            stack.pop()
            if component == "VEVENT" and current is not None and len(stack) == 1:
                events.append(current)
                current = None
        elif current is not None and len(stack) == 2:  # properties of the event itself, not of its alarms
            current.setdefault(line.name, []).append(line)
    if stack:
        raise IcalError(f"Line {stack[-1][1]}: BEGIN:{stack[-1][0]} is never ended.")
    return events


# ---------------------------------------------------------------- one event


def _unescape(text: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def _moment(line: ContentLine, tz: ZoneInfo | None) -> tuple[date, datetime | None]:
    """The local date of a DTSTART/DTEND-like value, and its time when it has one."""
    value = line.value.strip()
    if match := _DATE.match(value):
        try:
            return date(*map(int, match.groups())), None
        except ValueError:
            pass
    elif (match := _DATE_TIME.match(value)) and line.params.get("VALUE", "DATE-TIME").upper() == "DATE-TIME":
        try:
            moment = datetime(*map(int, match.groups()[:6]))
        except ValueError:
            pass
        else:
            if match.group(7) and tz is not None:
                moment = moment.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
            return moment.date(), moment
    raise IcalError(f"Line {line.number}: {line.name} {value[:40]!r} is not a date (YYYYMMDD) or date-time.")


def _length_days(event: dict[str, list[ContentLine]], start: date, start_time: datetime | None,
                 tz: ZoneInfo | None) -> int:
    """How many days the event covers."""
    if "DTEND" in event:
        end, end_time = _moment(event["DTEND"][0], tz)
    elif "DURATION" in event:
        line = event["DURATION"][0]
        match = _DURATION.match(line.value.strip())
        if not match:
            raise IcalError(f"Line {line.number}: DURATION {line.value[:30]!r} is not like P1D or PT8H.")
        w, d, h, m, s = (int(g or 0) for g in match.groups())
        span = timedelta(weeks=w, days=d, hours=h, minutes=m, seconds=s)
        if start_time is None:
            end, end_time = start + timedelta(days=span.days), None
        else:
            end_time = start_time + span
            end = end_time.date()
    else:
        return 1
    if end_time is not None and start_time is not None:
        # A timed event covers each date it touches; ending exactly at midnight does not touch that date.
        last = end if end_time.time() != datetime.min.time() else end - timedelta(days=1)
        days = (last - start).days + 1
    else:
        days = (end - start).days  # DTEND of an all-day event is the day after it
    line = event.get("DTEND", event.get("DURATION", []))[0]
    if days < 1:
        if end_time is not None and start_time is not None and end_time >= start_time:
            return 1
        raise IcalError(f"Line {line.number}: the event ends before it starts.")
    if days > MAX_EVENT_DAYS:
        raise IcalError(f"Line {line.number}: the event lasts {days} days; holidays last at most {MAX_EVENT_DAYS}.")
    return days


def _event_days(event: dict[str, list[ContentLine]], tz: ZoneInfo | None,
                years: tuple[int, int]) -> list[tuple[date, str]]:
    begin = event["BEGIN"][0]
    if event.get("STATUS") and event["STATUS"][0].value.strip().upper() == "CANCELLED":
        return []
    if "DTSTART" not in event:
        raise IcalError(f"Line {begin.number}: this event has no DTSTART.")
    start, start_time = _moment(event["DTSTART"][0], tz)
    length = _length_days(event, start, start_time, tz)
    name = _unescape(event["SUMMARY"][0].value).strip() if "SUMMARY" in event else ""
    starts = {start}
    if "RRULE" in event:
        # DTSTART is always the first occurrence, whether or not the rule produces it.
        starts = set(_yearly(event["RRULE"][0], start, years)) | ({start} if years[0] <= start.year <= years[1] else set())
    for line in event.get("RDATE", []):
        starts |= set(_date_list(line, tz))
    for line in event.get("EXDATE", []):
        starts -= set(_date_list(line, tz))
    return [(first + timedelta(days=n), name or "Holiday") for first in sorted(starts) for n in range(length)]


def _date_list(line: ContentLine, tz: ZoneInfo | None) -> list[date]:
    return [_moment(ContentLine(line.number, line.name, line.params, part), tz)[0]
            for part in line.value.split(",") if part.strip()]


def _rule(line: ContentLine) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in line.value.strip().upper().split(";"):
        key, sep, value = item.partition("=")
        if not sep or not value:
            raise IcalError(f"Line {line.number}: RRULE part {item[:30]!r} is not KEY=VALUE.")
        parts[key] = value
    unsupported = sorted(set(parts) - _RRULE_KEYS)
    if parts.get("FREQ") != "YEARLY" or unsupported:
        what = f"FREQ={parts.get('FREQ', '?')}" if parts.get("FREQ") != "YEARLY" else ", ".join(unsupported)
        raise IcalError(f"Line {line.number}: RRULE {what} is not supported. Holiday imports read FREQ=YEARLY "
                        "with INTERVAL, COUNT, UNTIL, BYMONTH, BYMONTHDAY and BYDAY like 4TH or -1MO.")
    return parts


def _ints(line: ContentLine, raw: str | None, high: int, key: str, *, signed: bool = False) -> list[int]:
    if raw is None:
        return []
    try:
        values = [int(v) for v in raw.split(",")]
    except ValueError:
        values = [0]
    if any(v == 0 or abs(v) > high or (v < 0 and not signed) for v in values):
        raise IcalError(f"Line {line.number}: RRULE {key}={raw} is out of range.")
    return values


def _yearly(line: ContentLine, start: date, years: tuple[int, int]) -> list[date]:
    """Occurrence dates of a yearly rule inside the window of years (COUNT counts from DTSTART)."""
    parts = _rule(line)
    interval = _ints(line, parts.get("INTERVAL"), 1000, "INTERVAL") or [1]
    count = _ints(line, parts.get("COUNT"), 100_000, "COUNT")
    until = _moment(ContentLine(line.number, "UNTIL", {}, parts["UNTIL"]), None)[0] if "UNTIL" in parts else None
    months = _ints(line, parts.get("BYMONTH"), 12, "BYMONTH") or [start.month]
    month_days = _ints(line, parts.get("BYMONTHDAY"), 31, "BYMONTHDAY", signed=True)
    by_day = []
    for item in (parts["BYDAY"].split(",") if "BYDAY" in parts else []):
        match = _BYDAY.match(item)
        if not match or not 1 <= abs(int(match.group(1))) <= 5:
            raise IcalError(f"Line {line.number}: RRULE BYDAY={item} is not supported; give an ordinal "
                            "within the month, like 4TH (fourth Thursday) or -1MO (last Monday).")
        by_day.append((int(match.group(1)), _WEEKDAY[match.group(2)]))
    if by_day and month_days:
        raise IcalError(f"Line {line.number}: RRULE with both BYDAY and BYMONTHDAY is not supported.")
    if not by_day and not month_days:
        month_days = [start.day]
    found, seen = [], 0
    for year in range(start.year, years[1] + 1, interval[0]):
        for day in sorted(_dates_in(year, months, month_days, by_day)):
            if day < start or (until is not None and day > until):
                continue
            seen += 1
            if count and seen > count[0]:
                return found
            if years[0] <= day.year:
                found.append(day)
    return found


def _dates_in(year: int, months: list[int], month_days: list[int], by_day: list[tuple[int, int]]) -> list[date]:
    out = []
    for month in months:
        length = month_calendar.monthrange(year, month)[1]
        for md in month_days:
            number = md if md > 0 else length + md + 1
            if 1 <= number <= length:  # 29 February and the 31st exist only in some years or months
                out.append(date(year, month, number))
        for ordinal, weekday in by_day:
            days = [d for d in range(1, length + 1) if date(year, month, d).weekday() == weekday]
            if ordinal <= len(days) and -ordinal <= len(days):
                out.append(date(year, month, days[ordinal - 1 if ordinal > 0 else ordinal]))
    return out
