"""Report periods: whole local days in the viewer's time zone, and where that zone's UTC offset changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from portal.errors import ValidationFailed

PRESETS = {"7": 7, "30": 30, "90": 90}
DEFAULT_PRESET = "30"
MAX_DAYS = 366
EARLIEST = date(2000, 1, 1)
# Offsets are probed once a day: no zone changes its UTC offset twice within 24 hours.
_STEP = timedelta(days=1)


@dataclass(frozen=True)
class Segment:
    """A stretch of UTC time over which the zone keeps one offset: [start, end)."""

    start: datetime
    end: datetime
    offset_seconds: int


@dataclass(frozen=True)
class Period:
    """The local days ``first`` to ``last`` (both included) in ``zone``."""

    first: date
    last: date
    zone: ZoneInfo
    preset: str = ""

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def start(self) -> datetime:
        """Local midnight at the start of the first day, in UTC."""
        return local_midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """Local midnight after the last day, in UTC (exclusive)."""
        return local_midnight(self.last + timedelta(days=1), self.zone)

    @property
    def label(self) -> str:
        if self.preset:
            return f"the last {PRESETS[self.preset]} days"
        return f"{self.first.isoformat()} to {self.last.isoformat()}"

    @cached_property
    def segments(self) -> list[Segment]:
        """The DST pieces of the period (computed once per period)."""
        return offset_segments(self.zone, self.start, self.end)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day starts, in UTC (a skipped midnight resolves to the first valid moment)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_today(now: datetime, zone: ZoneInfo) -> date:
    """Today's date in the zone."""
    return now.astimezone(zone).date()


def last_days(count: int, *, now: datetime, zone: ZoneInfo, preset: str = "") -> Period:
    """The ``count`` local days ending today."""
    today = local_today(now, zone)
    return Period(first=today - timedelta(days=count - 1), last=today, zone=zone, preset=preset)


def _offset(zone: ZoneInfo, moment: datetime) -> int:
    offset = moment.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def offset_segments(zone: ZoneInfo, start: datetime, end: datetime) -> list[Segment]:
    """Split [start, end) where the zone's UTC offset changes (DST), so each piece has one offset."""
    segments: list[Segment] = []
    seg_start, current = start, _offset(zone, start)
    probe = start
    while probe < end:
        nxt = min(probe + _STEP, end)
        if _offset(zone, nxt) != current and nxt < end:
            # The change lies in (probe, nxt]; zone transitions fall on whole seconds, so bisect in seconds.
            low, high = int(probe.timestamp()), int(nxt.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(zone, datetime.fromtimestamp(middle, UTC)) == current:
                    low = middle
                else:
                    high = middle
            change = datetime.fromtimestamp(high, UTC)
            segments.append(Segment(seg_start, change, current))
            seg_start, current = change, _offset(zone, change)
        probe = nxt
    segments.append(Segment(seg_start, end, current))
    return segments


def _parse_day(raw: str, field: str, errors: dict[str, str]) -> date | None:
    raw = raw.strip()
    if not raw:
        errors[field] = "Enter a date as YYYY-MM-DD."
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = f"“{raw[:20]}” is not a date; use YYYY-MM-DD, for example 2024-03-01."
        return None


def parse_period(*, preset: str, first: str, last: str, now: datetime, zone: ZoneInfo) -> Period:
    """The period a report form asks for: a preset (7/30/90 days) or custom dates, checked with clear errors."""
    if preset != "custom":
        if preset and preset not in PRESETS:
            raise ValidationFailed({"range": "Choose the last 7, 30 or 90 days, or custom dates."})
        chosen = preset or DEFAULT_PRESET
        return last_days(PRESETS[chosen], now=now, zone=zone, preset=chosen)
    errors: dict[str, str] = {}
    start_day = _parse_day(first, "start", errors)
    end_day = _parse_day(last, "end", errors)
    today = local_today(now, zone)
    if start_day is not None and start_day < EARLIEST:
        errors["start"] = f"Start on or after {EARLIEST.isoformat()}."
    if end_day is not None and end_day > today:
        errors["end"] = f"The end date cannot be after today ({today.isoformat()})."
    if start_day is not None and end_day is not None and "start" not in errors and "end" not in errors:
        if start_day > end_day:
            errors["end"] = "The end date must be on or after the start date."
        elif (end_day - start_day).days + 1 > MAX_DAYS:
            errors["end"] = f"Choose at most {MAX_DAYS} days."
    if errors or start_day is None or end_day is None:
        raise ValidationFailed(errors)
    return Period(first=start_day, last=end_day, zone=zone)
