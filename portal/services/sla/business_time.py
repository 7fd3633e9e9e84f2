"""Business-time arithmetic on a calendar of weekly working hours, holidays and a time zone.

Business minutes are real elapsed minutes that fall inside business intervals. Each interval is
written in local wall-clock time ("Monday 09:00-17:00") and turned into two instants through the
calendar's zone, so a day on which the clocks change counts what really elapsed: 00:00-06:00 lasts
five hours on the spring-forward day in Europe/Berlin and seven on the fall-back day.

Two rules decide wall-clock readings that are not a single instant:
- a reading the clocks skip (02:30 on the spring-forward day) is passed at the instant of the jump,
  so an interval inside the gap is empty and one that starts in it begins at the jump;
- a reading that occurs twice (02:30 on the fall-back day) means its first occurrence.

Intervals are half-open: for 09:00-17:00, 09:00 is business time and 17:00 is not. An end of
``time(0, 0)`` means midnight at the end of the day (24:00); intervals never cross midnight.
All instants going in must be timezone-aware; all coming out are aware UTC.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ONE_DAY = timedelta(days=1)
ONE_WEEK = timedelta(days=7)
MINUTE = timedelta(minutes=1)
MIDNIGHT = time(0, 0)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A calendar with business hours reaches its next business minute within days; this bounds the
# search should every remaining day be swallowed by holidays or DST gaps.
SEARCH_LIMIT_DAYS = 366 * 100
_DAY_CACHE_SIZE = 4096

Span = tuple[datetime, datetime]


class CalendarError(ValueError):
    """A calendar that cannot be computed with; the message says what to fix."""


def zone_named(name: str) -> ZoneInfo:
    """The IANA time zone of that name, or CalendarError."""
    try:
        if not name or name != name.strip():
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise CalendarError(f"{name!r} is not an IANA time zone such as Europe/Berlin.") from None


def _as_minutes(t: time, *, end: bool) -> int:
    if end and t == MIDNIGHT:
        return 24 * 60
    return t.hour * 60 + t.minute


def _label(t: time, *, end: bool) -> str:
    return "24:00" if end and t == MIDNIGHT else t.strftime("%H:%M")


def check_day(day: int, spans: tuple[tuple[time, time], ...]) -> tuple[tuple[time, time], ...]:
    """One weekday's intervals sorted, or CalendarError naming the day and the problem."""
    name = WEEKDAYS[day]
    for start, end in spans:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise CalendarError(f"{name}: give wall-clock times without a time zone.")
        if start.second or start.microsecond or end.second or end.microsecond:
            raise CalendarError(f"{name}: give times in whole minutes.")
        if _as_minutes(end, end=True) <= _as_minutes(start, end=False):
            raise CalendarError(
                f"{name}: {_label(start, end=False)}-{_label(end, end=True)} ends before it starts. "
                "Intervals cannot cross midnight: end the day at 24:00 and start the next at 00:00."
            )
    ordered = tuple(sorted(spans, key=lambda s: _as_minutes(s[0], end=False)))
    for (a_start, a_end), (b_start, b_end) in zip(ordered, ordered[1:], strict=False):
        if _as_minutes(b_start, end=False) < _as_minutes(a_end, end=True):
            raise CalendarError(
                f"{name}: {_label(a_start, end=False)}-{_label(a_end, end=True)} overlaps "
                f"{_label(b_start, end=False)}-{_label(b_end, end=True)}."
            )
    return ordered


@dataclass(frozen=True)
class CalendarSpec:
    """Working hours per weekday (Monday = 0), holidays, and the zone they are read in.

    Built once per calendar and shared: construction validates everything, and the instance keeps
    a small cache of resolved days, so keep one spec per calendar rather than building one per call.
    """

    timezone: str
    hours: dict[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date] = frozenset()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _week: timedelta = field(init=False, repr=False, compare=False)
    _sorted_holidays: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _days: dict[date, tuple[Span, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        zone = zone_named(self.timezone)
        if not isinstance(self.hours, Mapping):
            raise CalendarError("Working hours must map weekdays (0 = Monday ... 6 = Sunday) to intervals.")
        checked: dict[int, tuple[tuple[time, time], ...]] = {}
        for day, spans in self.hours.items():
            if not isinstance(day, int) or not 0 <= day <= 6:
                raise CalendarError(f"{day!r} is not a weekday number: use 0 (Monday) to 6 (Sunday).")
            checked[day] = check_day(day, tuple(spans))
        week_minutes = sum(
            _as_minutes(end, end=True) - _as_minutes(start, end=False)
            for spans in checked.values() for start, end in spans
        )
        if week_minutes == 0:
            raise CalendarError("The calendar has no working hours: give at least one interval.")
        object.__setattr__(self, "hours", checked)
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_week", timedelta(minutes=week_minutes))
        object.__setattr__(self, "_sorted_holidays", tuple(sorted(self.holidays)))
        object.__setattr__(self, "_days", {})

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._zone

    @property
    def week_minutes(self) -> int:
        """Business minutes in a week without holidays or clock changes."""
        return self._week // MINUTE

    @property
    def day_minutes(self) -> int:
        """The average working day, in minutes: a week's minutes over its working days."""
        working_days = sum(1 for spans in self.hours.values() if spans)
        return self.week_minutes // working_days

    def local_date(self, moment: datetime) -> date:
        """The calendar date of an instant in the calendar's zone."""
        return moment.astimezone(self._zone).date()

    def spans_on(self, day: date) -> tuple[Span, ...]:
        """The business intervals of a local date as UTC instants, ascending and non-empty."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        spans: tuple[Span, ...] = ()
        pattern = self.hours.get(day.weekday())
        if pattern and day not in self.holidays:
            resolved = []
            for start, end in pattern:
                a = self._instant(day, start)
                b = self._instant(day + ONE_DAY, MIDNIGHT) if end == MIDNIGHT else self._instant(day, end)
                if b > a:
                    resolved.append((a, b))
            spans = tuple(resolved)
        if len(self._days) >= _DAY_CACHE_SIZE:
            self._days.clear()
        self._days[day] = spans
        return spans

    def _instant(self, day: date, wall: time) -> datetime:
        local = datetime.combine(day, wall, tzinfo=self._zone)  # fold=0: the first occurrence
        utc = local.astimezone(UTC)
        if utc.astimezone(self._zone).replace(tzinfo=None) == local.replace(tzinfo=None):
            return utc
        return self._jump(local)

    def _jump(self, local: datetime) -> datetime:
        """The instant the clocks jumped over a skipped wall-clock reading."""
        before = local.replace(fold=1).astimezone(UTC)  # read with the later offset: before the jump
        after = local.astimezone(UTC)  # read with the earlier offset: after the jump
        target = after.astimezone(self._zone).utcoffset()
        lo, hi = 0, int((after - before).total_seconds())
        while lo < hi:  # the first second at which the new offset holds
            mid = (lo + hi) // 2
            if (before + timedelta(seconds=mid)).astimezone(self._zone).utcoffset() == target:
                hi = mid
            else:
                lo = mid + 1
        return before + timedelta(seconds=lo)

    def plain_week(self, first: date) -> bool:
        """Whether the seven days from ``first`` have no holiday and no change of UTC offset."""
        end = first + ONE_WEEK
        i = bisect.bisect_left(self._sorted_holidays, first)
        if i < len(self._sorted_holidays) and self._sorted_holidays[i] < end:
            return False
        for year in {first.year, end.year}:
            if any(first <= day < end for day in offset_change_days(self.timezone, year)):
                return False
        return True

    @property
    def week(self) -> timedelta:
        """Business time in a week without holidays or clock changes."""
        return self._week


@lru_cache(maxsize=512)
def offset_change_days(timezone: str, year: int) -> tuple[date, ...]:
    """The local dates of a year during which the zone's UTC offset changes (midnight to midnight)."""
    zone = zone_named(timezone)
    day = date(year, 1, 1)
    offset = datetime.combine(day, MIDNIGHT, tzinfo=zone).utcoffset()
    changes = []
    while day.year == year:
        following = datetime.combine(day + ONE_DAY, MIDNIGHT, tzinfo=zone).utcoffset()
        if following != offset:
            changes.append(day)
            offset = following
        day += ONE_DAY
    return tuple(changes)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime given to business-time arithmetic; pass an aware datetime")
    return moment.astimezone(UTC)


def add_business_minutes(spec: CalendarSpec, start: datetime, minutes: int) -> datetime:
    """The instant ``minutes`` business minutes after ``start`` (before it when negative).

    Forward, the earliest such instant: adding 60 minutes at 16:00 on a 09:00-17:00 day gives 17:00,
    not 09:00 the next day. Backward, the latest: subtracting 60 from 10:00 gives 09:00.
    """
    origin = _utc(start)
    if minutes == 0:
        return origin
    if minutes > 0:
        return _forward(spec, origin, timedelta(minutes=minutes))
    return _backward(spec, origin, timedelta(minutes=-minutes))


def _forward(spec: CalendarSpec, origin: datetime, remaining: timedelta) -> datetime:
    day = spec.local_date(origin)
    first = True
    for _ in range(SEARCH_LIMIT_DAYS):
        if not first and remaining > spec.week and spec.plain_week(day):
            remaining -= spec.week
            day += ONE_WEEK
            continue
        for a, b in spec.spans_on(day):
            if b <= origin:
                continue
            a = max(a, origin)
            if remaining <= b - a:
                return a + remaining
            remaining -= b - a
        day += ONE_DAY
        first = False
    raise CalendarError("The calendar has no business time left in the next hundred years.")


def _backward(spec: CalendarSpec, origin: datetime, remaining: timedelta) -> datetime:
    day = spec.local_date(origin)
    first = True
    for _ in range(SEARCH_LIMIT_DAYS):
        if not first and remaining > spec.week and spec.plain_week(day - timedelta(days=6)):
            remaining -= spec.week
            day -= ONE_WEEK
            continue
        for a, b in reversed(spec.spans_on(day)):
            if a >= origin:
                continue
            b = min(b, origin)
            if remaining <= b - a:
                return b - remaining
            remaining -= b - a
        day -= ONE_DAY
        first = False
    raise CalendarError("The calendar has no business time in the hundred years before that moment.")


def business_minutes_between(spec: CalendarSpec, start: datetime, end: datetime) -> int:
    """Whole business minutes from ``start`` to ``end``; negative when ``end`` comes first."""
    a, b = _utc(start), _utc(end)
    if b < a:
        return -business_minutes_between(spec, b, a)
    return _business_time(spec, a, b) // MINUTE


def _business_time(spec: CalendarSpec, start: datetime, end: datetime) -> timedelta:
    total = timedelta(0)
    first = day = spec.local_date(start)
    last = spec.local_date(end)
    while day <= last:
        # A week lying wholly between the first and the last day counts whole.
        if day > first and day + timedelta(days=6) < last and spec.plain_week(day):
            total += spec.week
            day += ONE_WEEK
            continue
        for a, b in spec.spans_on(day):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += hi - lo
        day += ONE_DAY
    return total


def is_business_time(spec: CalendarSpec, moment: datetime) -> bool:
    """Whether the moment lies inside a business interval."""
    at = _utc(moment)
    return any(a <= at < b for a, b in spec.spans_on(spec.local_date(at)))


def next_business_moment(spec: CalendarSpec, moment: datetime) -> datetime:
    """The moment itself if it is business time, else the start of the next business interval."""
    at = _utc(moment)
    day = spec.local_date(at)
    for _ in range(SEARCH_LIMIT_DAYS):
        for a, b in spec.spans_on(day):
            if b > at:
                return max(a, at)
        day += ONE_DAY
    raise CalendarError("The calendar has no business time left in the next hundred years.")
