"""Business-time arithmetic: weekends, holidays, split days, both DST changes in Berlin and New York,
edges, negative minutes, long spans, and add/between as inverses (checked against a minute-by-minute oracle)."""

from __future__ import annotations

import time as timer
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.services.sla.business_time import (
    CalendarError,
    CalendarSpec,
    add_business_minutes,
    business_minutes_between,
    is_business_time,
    next_business_moment,
)
from portal.services.sla.seed import german_public_holidays

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = {d: ((time(9), time(17)),) for d in range(5)}
SPLIT = {d: ((time(8), time(12)), (time(13), time(17, 30))) for d in range(5)}
ALWAYS = {d: ((time(0), time(0)),) for d in range(7)}  # 00:00-24:00 every day
HOLIDAYS_2026 = frozenset(day for day, _ in german_public_holidays(2026) + german_public_holidays(2027))

berlin_office = CalendarSpec("Europe/Berlin", OFFICE, HOLIDAYS_2026)
berlin_always = CalendarSpec("Europe/Berlin", ALWAYS)
new_york_split = CalendarSpec("America/New_York", SPLIT, frozenset({date(2026, 7, 3), date(2026, 11, 26)}))
new_york_always = CalendarSpec("America/New_York", ALWAYS)
# Nights only, with edges in the hours the clocks skip or repeat.
berlin_nights = CalendarSpec("Europe/Berlin", {6: ((time(0), time(2, 15)), (time(2, 30), time(6)))})


def local(zone: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=zone, fold=fold)


def at(zone: ZoneInfo, *args: int) -> datetime:
    """A local wall-clock time as the aware UTC instant the functions return."""
    return local(zone, *args).astimezone(UTC)


# ---------------------------------------------------------------- weekends, holidays, split days


def test_friday_afternoon_runs_over_the_weekend():
    start = local(BERLIN, 2026, 6, 12, 16, 0)  # Friday
    assert add_business_minutes(berlin_office, start, 120) == at(BERLIN, 2026, 6, 15, 10, 0)
    assert business_minutes_between(berlin_office, start, local(BERLIN, 2026, 6, 15, 10, 0)) == 120


def test_easter_holidays_are_skipped():
    start = local(BERLIN, 2026, 4, 2, 16, 0)  # Thursday; Friday 3 and Monday 6 April are holidays
    assert add_business_minutes(berlin_office, start, 120) == at(BERLIN, 2026, 4, 7, 10, 0)
    assert not is_business_time(berlin_office, local(BERLIN, 2026, 4, 3, 11, 0))
    assert next_business_moment(berlin_office, local(BERLIN, 2026, 4, 3, 11, 0)) == at(BERLIN, 2026, 4, 7, 9, 0)


def test_several_intervals_per_day():
    start = local(NEW_YORK, 2026, 6, 10, 11, 30)
    assert add_business_minutes(new_york_split, start, 60) == at(NEW_YORK, 2026, 6, 10, 13, 30)
    assert not is_business_time(new_york_split, local(NEW_YORK, 2026, 6, 10, 12, 30))
    assert next_business_moment(new_york_split, local(NEW_YORK, 2026, 6, 10, 12, 30)) == at(NEW_YORK, 2026, 6, 10, 13, 0)
    # 8.5 hours a day: a full day from 08:00 ends at 17:30 the same day, one minute more rolls over.
    day_start = local(NEW_YORK, 2026, 6, 10, 8, 0)
    assert add_business_minutes(new_york_split, day_start, 510) == at(NEW_YORK, 2026, 6, 10, 17, 30)
    assert add_business_minutes(new_york_split, day_start, 511) == at(NEW_YORK, 2026, 6, 11, 8, 1)


def test_starts_outside_business_hours():
    saturday = local(BERLIN, 2026, 6, 13, 11, 0)
    assert add_business_minutes(berlin_office, saturday, 30) == at(BERLIN, 2026, 6, 15, 9, 30)
    early = local(BERLIN, 2026, 6, 15, 6, 45)
    assert add_business_minutes(berlin_office, early, 30) == at(BERLIN, 2026, 6, 15, 9, 30)
    late = local(BERLIN, 2026, 6, 15, 19, 0)
    assert add_business_minutes(berlin_office, late, 30) == at(BERLIN, 2026, 6, 16, 9, 30)
    assert business_minutes_between(berlin_office, saturday, local(BERLIN, 2026, 6, 14, 23, 0)) == 0


def test_exact_interval_edges():
    opening, closing = local(BERLIN, 2026, 6, 15, 9, 0), local(BERLIN, 2026, 6, 15, 17, 0)
    assert is_business_time(berlin_office, opening) and not is_business_time(berlin_office, closing)
    assert add_business_minutes(berlin_office, opening, 480) == closing  # 17:00 today, not 09:00 tomorrow
    assert add_business_minutes(berlin_office, closing, 1) == at(BERLIN, 2026, 6, 16, 9, 1)
    assert add_business_minutes(berlin_office, closing, -480) == opening.astimezone(UTC)
    assert add_business_minutes(berlin_office, opening, -1) == at(BERLIN, 2026, 6, 12, 16, 59)
    assert business_minutes_between(berlin_office, opening, closing) == 480
    assert next_business_moment(berlin_office, closing) == at(BERLIN, 2026, 6, 16, 9, 0)
    assert next_business_moment(berlin_office, opening) == opening.astimezone(UTC)


def test_negative_minutes_go_backwards():
    monday = local(BERLIN, 2026, 6, 15, 10, 0)
    assert add_business_minutes(berlin_office, monday, -120) == at(BERLIN, 2026, 6, 12, 16, 0)
    assert business_minutes_between(berlin_office, monday, local(BERLIN, 2026, 6, 12, 16, 0)) == -120
    assert add_business_minutes(berlin_office, monday, 0) == monday.astimezone(UTC)


def test_seconds_are_kept_and_partial_minutes_are_not_counted():
    start = local(BERLIN, 2026, 6, 15, 9, 0) + timedelta(seconds=42)
    assert add_business_minutes(berlin_office, start, 10) == at(BERLIN, 2026, 6, 15, 9, 10) + timedelta(seconds=42)
    assert business_minutes_between(berlin_office, start, local(BERLIN, 2026, 6, 15, 9, 10)) == 9


# ---------------------------------------------------------------- daylight saving time


def test_berlin_spring_forward_day_has_23_hours():
    saturday, monday = local(BERLIN, 2026, 3, 28, 0, 0), local(BERLIN, 2026, 3, 30, 0, 0)
    assert business_minutes_between(berlin_always, saturday, monday) == 47 * 60
    sunday = local(BERLIN, 2026, 3, 29, 0, 0)
    assert add_business_minutes(berlin_always, sunday, 24 * 60) == at(BERLIN, 2026, 3, 30, 1, 0)


def test_berlin_fall_back_day_has_25_hours():
    sunday = local(BERLIN, 2026, 10, 25, 0, 0)
    assert business_minutes_between(berlin_always, sunday, local(BERLIN, 2026, 10, 26, 0, 0)) == 25 * 60
    assert add_business_minutes(berlin_always, sunday, 24 * 60) == at(BERLIN, 2026, 10, 25, 23, 0)


def test_office_hours_across_both_berlin_changes_keep_local_opening_times():
    friday_spring = local(BERLIN, 2026, 3, 27, 16, 0)  # CET; Monday is CEST
    assert add_business_minutes(berlin_office, friday_spring, 120) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    friday_autumn = local(BERLIN, 2026, 10, 23, 16, 0)  # CEST; Monday is CET
    assert add_business_minutes(berlin_office, friday_autumn, 120) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert business_minutes_between(berlin_office, friday_autumn, local(BERLIN, 2026, 10, 26, 10, 0)) == 120


def test_new_york_changes_on_its_own_dates():
    # 2026: clocks go forward on 8 March and back on 1 November in the United States.
    assert business_minutes_between(new_york_always, local(NEW_YORK, 2026, 3, 8, 0, 0),
                                    local(NEW_YORK, 2026, 3, 9, 0, 0)) == 23 * 60
    assert business_minutes_between(new_york_always, local(NEW_YORK, 2026, 11, 1, 0, 0),
                                    local(NEW_YORK, 2026, 11, 2, 0, 0)) == 25 * 60
    # Berlin has not changed yet on 8 March: a whole Berlin day is 24 hours.
    assert business_minutes_between(berlin_always, local(BERLIN, 2026, 3, 8, 0, 0),
                                    local(BERLIN, 2026, 3, 9, 0, 0)) == 24 * 60
    friday = local(NEW_YORK, 2026, 3, 6, 17, 0)  # EST; Monday 08:30 is EDT
    assert add_business_minutes(new_york_split, friday, 60) == datetime(2026, 3, 9, 12, 30, tzinfo=UTC)


def test_skipped_and_repeated_wall_clock_readings():
    # Spring: 02:00-03:00 does not exist. 00:00-02:15 ends at the jump (2 real hours), 02:30-06:00 starts at it.
    spring = date(2026, 3, 29)
    spans = berlin_nights.spans_on(spring)
    jump = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert spans == ((at(BERLIN, 2026, 3, 29, 0, 0), jump), (jump, at(BERLIN, 2026, 3, 29, 6, 0)))
    assert sum((b - a for a, b in spans), timedelta()) == timedelta(hours=5)
    # Autumn: 02:00-03:00 happens twice; a boundary at 02:15 or 02:30 means its first occurrence.
    autumn = berlin_nights.spans_on(date(2026, 10, 25))
    assert autumn[0][1] == local(BERLIN, 2026, 10, 25, 2, 15, fold=0).astimezone(UTC)
    assert autumn[1][0] == local(BERLIN, 2026, 10, 25, 2, 30, fold=0).astimezone(UTC)
    assert sum((b - a for a, b in autumn), timedelta()) == timedelta(hours=6, minutes=45)
    second_pass = local(BERLIN, 2026, 10, 25, 2, 20, fold=1)
    assert is_business_time(berlin_nights, second_pass)  # inside 02:30 (first) to 06:00
    assert not is_business_time(berlin_nights, local(BERLIN, 2026, 10, 25, 2, 20, fold=0))


# ---------------------------------------------------------------- long spans and speed


def test_a_whole_year_counts_every_working_day():
    start, end = local(BERLIN, 2026, 1, 1, 0, 0), local(BERLIN, 2027, 1, 1, 0, 0)
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    working = [d for d in days if d.weekday() < 5 and d not in HOLIDAYS_2026]
    assert len(working) == 254  # 261 weekdays, 7 of the nine holidays fall on one
    assert business_minutes_between(berlin_office, start, end) == 254 * 480
    assert add_business_minutes(berlin_office, start, 254 * 480) == at(BERLIN, 2026, 12, 31, 17, 0)
    assert add_business_minutes(berlin_office, end, -254 * 480) == at(BERLIN, 2026, 1, 2, 9, 0)


def test_whole_weeks_skipped_still_see_the_clock_change():
    march, may = at(BERLIN, 2026, 3, 1, 0, 0), at(BERLIN, 2026, 5, 1, 0, 0)
    real = (may - march) // timedelta(minutes=1)  # in UTC: real elapsed minutes
    assert real == (61 * 24 - 1) * 60
    assert business_minutes_between(berlin_always, march, may) == real
    assert add_business_minutes(berlin_always, march, real) == may
    december = at(NEW_YORK, 2026, 12, 1, 0, 0)
    assert add_business_minutes(new_york_always, december, -real) == december - timedelta(minutes=real)


def test_ten_thousand_minutes_take_well_under_a_millisecond_or_two():
    start = local(BERLIN, 2026, 3, 20, 10, 0)
    add_business_minutes(berlin_office, start, 10_000)
    began = timer.perf_counter()
    for n in range(200):
        add_business_minutes(berlin_office, start + timedelta(hours=n), 10_000)
    per_call = (timer.perf_counter() - began) / 200
    assert per_call < 0.002, f"{per_call * 1000:.3f} ms per call"


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(("timezone", "hours", "message"), [
    ("Mars/Olympus", OFFICE, "not an IANA time zone"),
    ("Europe/Berlin", {0: ((time(22), time(2)),)}, "cannot cross midnight"),
    ("Europe/Berlin", {0: ((time(9), time(12)), (time(11), time(13)))}, "overlaps"),
    ("Europe/Berlin", {}, "no working hours"),
    ("Europe/Berlin", {7: ((time(9), time(17)),)}, "not a weekday number"),
])
def test_calendars_that_cannot_be_computed_are_refused(timezone, hours, message):
    with pytest.raises(CalendarError, match=message):
        CalendarSpec(timezone, hours)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        add_business_minutes(berlin_office, datetime(2026, 6, 15, 9, 0), 10)


# ---------------------------------------------------------------- properties


SPECS = [berlin_office, berlin_always, new_york_split, berlin_nights]
moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31),
                       timezones=st.just(UTC))


@given(spec=st.sampled_from(SPECS), start=moments, minutes=st.integers(-60_000, 60_000))
def test_between_undoes_add(spec, start, minutes):
    due = add_business_minutes(spec, start, minutes)
    assert business_minutes_between(spec, start, due) == minutes
    assert (due >= start) if minutes >= 0 else (due < start)
    if is_business_time(spec, start) and minutes > 0:
        assert add_business_minutes(spec, due, -minutes) == start


@given(spec=st.sampled_from(SPECS), start=moments, end=moments)
def test_between_is_antisymmetric_and_additive(spec, start, end):
    middle = start + (end - start) / 2
    forward = business_minutes_between(spec, start, end)
    assert business_minutes_between(spec, end, start) == -forward
    whole = business_minutes_between(spec, start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0))
    parts = (business_minutes_between(spec, start.replace(second=0, microsecond=0), middle.replace(second=0, microsecond=0))
             + business_minutes_between(spec, middle.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)))
    assert whole == parts


def _oracle_minutes(zone: ZoneInfo, hours: dict, holidays: frozenset[date], start: datetime, minutes: int) -> datetime:
    """Step minute by minute, asking the wall clock whether each minute is business time."""
    moment, left = start, minutes
    while left:
        wall = moment.astimezone(zone)
        spans = hours.get(wall.weekday(), ()) if wall.date() not in holidays else ()
        if any(a <= wall.time() < (b if b != time(0) else time.max) for a, b in spans):
            left -= 1
        moment += timedelta(minutes=1)
    return moment


@given(spec=st.sampled_from([berlin_office, new_york_split]), start=moments.map(lambda m: m.replace(second=0, microsecond=0)),
       minutes=st.integers(1, 1500))
def test_add_agrees_with_a_minute_by_minute_oracle(spec, start, minutes):
    expected = _oracle_minutes(spec.zone, spec.hours, spec.holidays, start, minutes)
    # Both name the end of the last counted minute.
    assert add_business_minutes(spec, start, minutes) == expected
