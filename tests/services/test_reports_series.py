"""Per-day series: local days in the viewer's zone (DST included), solved days, reopenings, first responses."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.models import Status
from portal.services.reports.period import Period, last_days, offset_segments
from portal.services.reports.scope import ReportScope
from portal.services.reports.series import first_responses, opened_solved_per_day, percentile
from portal.services.tickets.lifecycle import change_status
from tests.services.reports_data import BERLIN, add_ticket, local, utc

SPRING = Period(first=date(2024, 3, 30), last=date(2024, 4, 1), zone=BERLIN)


def as_dict(rows):
    return {r.day: (r.opened, r.solved) for r in rows}


def test_segments_split_at_the_spring_and_autumn_changes():
    segments = offset_segments(BERLIN, utc(2024, 3, 29, 23), utc(2024, 10, 30, 23))
    assert [(s.start, s.offset_seconds) for s in segments] == [
        (utc(2024, 3, 29, 23), 3600), (utc(2024, 3, 31, 1), 7200), (utc(2024, 10, 27, 1), 3600)]
    assert segments[-1].end == utc(2024, 10, 30, 23)
    assert offset_segments(ZoneInfo("Asia/Kolkata"), utc(2024, 3, 1), utc(2024, 4, 1))[0].offset_seconds == 19800


def test_period_bounds_are_local_midnights():
    assert SPRING.start == utc(2024, 3, 29, 23)  # midnight CET
    assert SPRING.end == utc(2024, 4, 1, 22)  # midnight CEST after 1 April
    assert SPRING.days == [date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 1)]


def test_opened_per_local_day_across_the_spring_change(session):
    add_ticket(session, utc(2024, 3, 29, 22, 59, 59))  # 23:59:59 on the 29th in Berlin: before the period
    add_ticket(session, utc(2024, 3, 30, 22, 59, 59))  # 23:59:59 CET on the 30th
    add_ticket(session, utc(2024, 3, 30, 23, 0))  # midnight CET: the 31st (the 30th in UTC)
    add_ticket(session, utc(2024, 3, 31, 0, 59, 59))  # 01:59:59 CET, just before the change
    add_ticket(session, utc(2024, 3, 31, 1, 0))  # 03:00 CEST, just after it
    add_ticket(session, utc(2024, 3, 31, 21, 59, 59))  # 23:59:59 CEST on the 31st
    add_ticket(session, utc(2024, 3, 31, 22, 0))  # midnight CEST: 1 April (still the 31st in UTC)
    add_ticket(session, utc(2024, 4, 1, 22, 0))  # midnight on 2 April: after the period
    rows = opened_solved_per_day(session, SPRING)
    assert as_dict(rows) == {date(2024, 3, 30): (1, 0), date(2024, 3, 31): (4, 0), date(2024, 4, 1): (1, 0)}


def test_autumn_change_keeps_the_long_day_whole(session):
    autumn = Period(first=date(2024, 10, 26), last=date(2024, 10, 28), zone=BERLIN)
    add_ticket(session, local(BERLIN, 2024, 10, 27, 0, 0))
    add_ticket(session, utc(2024, 10, 27, 0, 30))  # 02:30 CEST, first pass
    add_ticket(session, utc(2024, 10, 27, 1, 30))  # 02:30 CET, second pass
    add_ticket(session, utc(2024, 10, 27, 22, 59, 59))  # 23:59:59 CET on the 27th (a 25-hour day)
    add_ticket(session, utc(2024, 10, 27, 23, 0))  # midnight: the 28th
    assert as_dict(opened_solved_per_day(session, autumn)) == {
        date(2024, 10, 26): (0, 0), date(2024, 10, 27): (4, 0), date(2024, 10, 28): (1, 0)}


def test_other_zones_cut_days_at_their_own_midnight(session):
    kolkata = ZoneInfo("Asia/Kolkata")
    new_york = ZoneInfo("America/New_York")
    add_ticket(session, utc(2024, 3, 9, 18, 29))  # 23:59 in Kolkata on the 9th; 13:29 in New York on the 9th
    add_ticket(session, utc(2024, 3, 9, 18, 30))  # midnight in Kolkata: the 10th
    add_ticket(session, utc(2024, 3, 10, 4, 59))  # 23:59 EST on the 9th; the 10th in Kolkata
    add_ticket(session, utc(2024, 3, 11, 3, 59))  # 23:59 EDT on the 10th (US change on 10 March)
    add_ticket(session, utc(2024, 3, 11, 4, 0))  # midnight EDT: the 11th
    india = Period(first=date(2024, 3, 9), last=date(2024, 3, 11), zone=kolkata)
    us = Period(first=date(2024, 3, 9), last=date(2024, 3, 11), zone=new_york)
    assert [r.opened for r in opened_solved_per_day(session, india)] == [1, 2, 2]
    assert [r.opened for r in opened_solved_per_day(session, us)] == [3, 1, 1]


def test_opened_and_solved_on_different_days(session):
    add_ticket(session, utc(2024, 3, 30, 10), status=Status.resolved, resolved_at=utc(2024, 3, 31, 9))
    add_ticket(session, utc(2024, 3, 30, 11), status=Status.closed, resolved_at=utc(2024, 3, 30, 12),
               closed_at=utc(2024, 4, 1, 9))  # solved when resolved; closing later does not count again
    add_ticket(session, utc(2024, 3, 20, 11), status=Status.resolved, resolved_at=utc(2024, 4, 1, 8))  # opened earlier
    assert as_dict(opened_solved_per_day(session, SPRING)) == {
        date(2024, 3, 30): (2, 1), date(2024, 3, 31): (0, 1), date(2024, 4, 1): (0, 1)}


def test_reopened_ticket_counts_as_solved_once_on_its_last_solving_day(session, make):
    days = Period(first=date(2024, 5, 1), last=date(2024, 5, 6), zone=BERLIN)
    ticket = make.ticket(session, subject="Reopened", now=local(BERLIN, 2024, 5, 1, 9))
    change_status(session, ticket, Status.resolved, actor=None, now=local(BERLIN, 2024, 5, 2, 9))
    session.commit()
    assert [r.solved for r in opened_solved_per_day(session, days)] == [0, 1, 0, 0, 0, 0]
    change_status(session, ticket, Status.open, actor=None, now=local(BERLIN, 2024, 5, 3, 9), reason="Not fixed")
    session.commit()
    assert [r.solved for r in opened_solved_per_day(session, days)] == [0, 0, 0, 0, 0, 0]
    change_status(session, ticket, Status.resolved, actor=None, now=local(BERLIN, 2024, 5, 4, 9))
    change_status(session, ticket, Status.closed, actor=None, now=local(BERLIN, 2024, 5, 5, 9))
    session.commit()
    rows = opened_solved_per_day(session, days)
    assert [r.opened for r in rows] == [1, 0, 0, 0, 0, 0]
    assert [r.solved for r in rows] == [0, 0, 0, 1, 0, 0]


def test_scope_filters_group_and_priority(session):
    add_ticket(session, utc(2024, 3, 30, 10), priority="urgent")
    add_ticket(session, utc(2024, 3, 30, 10), priority="low")
    rows = opened_solved_per_day(session, SPRING, scope=ReportScope(priority="urgent"))
    assert sum(r.opened for r in rows) == 1
    assert sum(r.opened for r in opened_solved_per_day(session, SPRING, scope=ReportScope(group_id=999))) == 0


def test_first_responses_median_p90_and_buckets(session):
    day = local(BERLIN, 2024, 3, 30, 9)
    for minutes in (10, 20, 30, 90, 300):
        add_ticket(session, day, first_response_at=day + timedelta(minutes=minutes))
    add_ticket(session, day)  # active, no reply yet: awaiting
    add_ticket(session, day, status=Status.closed, resolved_at=day, closed_at=day)  # closed unanswered: left out
    next_day = local(BERLIN, 2024, 3, 31, 23, 30)
    add_ticket(session, next_day, first_response_at=next_day + timedelta(hours=30))
    result = first_responses(session, SPRING)
    first, second, third = result.days
    assert (first.answered, first.awaiting) == (5, 1)
    assert first.median_seconds == 30 * 60
    assert first.p90_seconds == 300 * 60  # nearest rank: the 5th of 5
    assert (second.answered, second.median_seconds) == (1, 30 * 3600)
    assert (third.answered, third.median_seconds, third.p90_seconds) == (0, None, None)
    assert result.answered == 6 and result.awaiting == 1
    assert result.median_seconds == (30 + 90) / 2 * 60
    assert [b.count for b in result.buckets] == [3, 1, 1, 0, 1, 0]


@pytest.mark.parametrize(("values", "fraction", "expected"), [
    ([], 0.9, None), ([5.0], 0.9, 5.0), ([1.0, 2.0], 0.5, 1.0), (list(map(float, range(1, 11))), 0.9, 9.0),
    (list(map(float, range(1, 101))), 0.9, 90.0),
])
def test_percentile_is_nearest_rank(values, fraction, expected):
    assert percentile(values, fraction) == expected


def test_last_days_ends_today_in_the_viewers_zone():
    period = last_days(7, now=utc(2024, 3, 30, 23, 30), zone=BERLIN)  # already the 31st in Berlin
    assert (period.first, period.last) == (date(2024, 3, 25), date(2024, 3, 31))


def test_filters_keep_sqlite_on_the_time_range_index():
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlmodel import select

    from portal.models import Ticket

    stmt = ReportScope(group_id=2, priority="high").apply(select(Ticket.id))
    on_sqlite = str(stmt.compile(dialect=sqlite.dialect()))
    on_postgresql = str(stmt.compile(dialect=postgresql.dialect()))
    assert "+ticket.group_id = " in on_sqlite and "+ticket.priority = " in on_sqlite
    assert "+" not in on_postgresql and "ticket.priority = " in on_postgresql
