"""Holidays from iCalendar files: a realistic German holiday file, recurrence, and errors that name the line."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from portal.models import AuditEvent, Holiday, Role
from portal.services.sla import calendars
from portal.services.sla.calendars import CalendarInput
from portal.services.sla.ical import IcalError, import_holidays, parse_holidays

GERMAN = (Path(__file__).parent / "data" / "german_holidays_2026.ics").read_bytes()
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


def ics(*event_lines: str) -> bytes:
    """A calendar with one event made of the given lines."""
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:1", *event_lines,
            "END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(body).encode()


def test_realistic_german_holiday_file():
    found = parse_holidays(GERMAN, zone="Europe/Berlin", years=(2026, 2027))
    assert found == [
        (date(2026, 1, 1), "Neujahr"),
        (date(2026, 4, 3), "Karfreitag"),
        (date(2026, 4, 6), "Ostermontag"),
        (date(2026, 5, 1), "Tag der Arbeit"),
        (date(2026, 5, 14), "Christi Himmelfahrt"),
        (date(2026, 5, 25), "Pfingstmontag"),
        (date(2026, 10, 3), "Tag der Deutschen Einheit"),  # folded SUMMARY
        (date(2026, 11, 18), "Buß- und Bettag (nur Sachsen)"),
        (date(2026, 12, 25), "1. und 2. Weihnachtstag"),  # two-day event, both days
        (date(2026, 12, 26), "1. und 2. Weihnachtstag"),
        (date(2026, 12, 28), "Betriebsferien, zwischen den Jahren"),  # TZID times; ends at midnight on the 31st
        (date(2026, 12, 29), "Betriebsferien, zwischen den Jahren"),
        (date(2026, 12, 30), "Betriebsferien, zwischen den Jahren"),
        (date(2026, 12, 31), "Silvester (Büro geschlossen)"),  # 23:00Z on the 30th is midnight in Berlin
        (date(2027, 1, 1), "Neujahr"),
        (date(2027, 5, 1), "Tag der Arbeit"),
        (date(2027, 10, 3), "Tag der Deutschen Einheit"),
    ]  # the cancelled summer party and the time-zone rules are not holidays


def test_utc_times_without_a_zone_keep_the_written_date():
    found = dict(parse_holidays(GERMAN, years=(2026, 2026)))
    assert found[date(2026, 12, 30)] == "Betriebsferien, zwischen den Jahren"
    assert date(2026, 12, 31) in found


def test_yearly_rules_with_weekday_ordinals_count_until_and_interval():
    thanksgiving = ics("DTSTART;VALUE=DATE:20201126", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH", "SUMMARY:Thanksgiving")
    assert parse_holidays(thanksgiving, years=(2026, 2028)) == [
        (date(2026, 11, 26), "Thanksgiving"), (date(2027, 11, 25), "Thanksgiving"), (date(2028, 11, 23), "Thanksgiving")]
    memorial = ics("DTSTART;VALUE=DATE:20200525", "RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=-1MO", "SUMMARY:Memorial Day")
    assert [d for d, _ in parse_holidays(memorial, years=(2026, 2027))] == [date(2026, 5, 25), date(2027, 5, 31)]
    counted = ics("DTSTART;VALUE=DATE:20250704", "RRULE:FREQ=YEARLY;COUNT=2", "SUMMARY:Two only")
    assert [d for d, _ in parse_holidays(counted, years=(2020, 2030))] == [date(2025, 7, 4), date(2026, 7, 4)]
    until = ics("DTSTART;VALUE=DATE:20250704", "RRULE:FREQ=YEARLY;UNTIL=20270101T000000Z", "SUMMARY:Until")
    assert [d for d, _ in parse_holidays(until, years=(2020, 2030))] == [date(2025, 7, 4), date(2026, 7, 4)]
    every_other = ics("DTSTART;VALUE=DATE:20240229", "RRULE:FREQ=YEARLY;INTERVAL=2", "SUMMARY:Leap day")
    assert [d for d, _ in parse_holidays(every_other, years=(2024, 2032))] == [
        date(2024, 2, 29), date(2028, 2, 29), date(2032, 2, 29)]  # 2026 and 2030 have no 29 February
    month_end = ics("DTSTART;VALUE=DATE:20260131", "RRULE:FREQ=YEARLY;BYMONTH=1,2;BYMONTHDAY=-1", "SUMMARY:End")
    assert [d for d, _ in parse_holidays(month_end, years=(2026, 2026))] == [date(2026, 1, 31), date(2026, 2, 28)]


def test_exdate_rdate_duration_and_escapes():
    event = ics("DTSTART;VALUE=DATE:20250101", "RRULE:FREQ=YEARLY", "EXDATE;VALUE=DATE:20270101",
                "RDATE;VALUE=DATE:20260102,20260105", "DURATION:P1D", "SUMMARY:A\\; B\\, C\\\\D")
    assert parse_holidays(event, years=(2026, 2028)) == [
        (date(2026, 1, 1), "A; B, C\\D"), (date(2026, 1, 2), "A; B, C\\D"), (date(2026, 1, 5), "A; B, C\\D"),
        (date(2028, 1, 1), "A; B, C\\D")]
    long_weekend = ics("DTSTART;VALUE=DATE:20260612", "DURATION:P3D")
    assert parse_holidays(long_weekend, years=(2026, 2026)) == [
        (date(2026, 6, 12), "Holiday"), (date(2026, 6, 13), "Holiday"), (date(2026, 6, 14), "Holiday")]


def test_lf_line_endings_tab_folding_and_a_byte_order_mark():
    text = "\ufeffBEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261224\nSUMMARY:Heilig\n\tabend\nEND:VEVENT\nEND:VCALENDAR\n"
    assert parse_holidays(text.encode("utf-8"), years=(2026, 2026)) == [(date(2026, 12, 24), "Heiligabend")]


@pytest.mark.parametrize(("content", "message"), [
    (b"Hello, world", "Line 1: this is not an iCalendar file"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nEND:VEVENT\r\n", "Line 1: BEGIN:VCALENDAR is never ended"),
    (ics("DTSTART;VALUE=DATE:20260101", "THIS LINE HAS NO COLON"), "Line 7: expected NAME:VALUE"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR", "Line 3: END:VTODO does not match"),
    (ics("SUMMARY:No start"), "Line 4: this event has no DTSTART"),
    (ics("DTSTART;VALUE=DATE:2026-01-01"), "Line 6: DTSTART '2026-01-01' is not a date"),
    (ics("DTSTART;VALUE=DATE:20260231"), "Line 6: DTSTART '20260231' is not a date"),
    (ics("DTSTART;VALUE=DATE:20260101", "RRULE:FREQ=WEEKLY;BYDAY=MO"), "Line 7: RRULE FREQ=WEEKLY is not supported"),
    (ics("DTSTART;VALUE=DATE:20260101", "RRULE:FREQ=YEARLY;BYWEEKNO=20"), "Line 7: RRULE BYWEEKNO is not supported"),
    (ics("DTSTART;VALUE=DATE:20260101", "RRULE:FREQ=YEARLY;BYMONTH=5;BYDAY=MO"), "Line 7: RRULE BYDAY=MO is not supported"),
    (ics("DTSTART;VALUE=DATE:20260101", "RRULE:FREQ=YEARLY;BYMONTH=13"), "Line 7: RRULE BYMONTH=13 is out of range"),
    (ics("DTSTART;VALUE=DATE:20260101", "DTEND;VALUE=DATE:20280101"), "Line 7: the event lasts 730 days"),
    (ics("DTSTART;VALUE=DATE:20260105", "DTEND;VALUE=DATE:20260101"), "Line 7: the event ends before it starts"),
    ("BEGIN:VCALENDAR\r\nSUMMARY:caf\xe9\r\n".encode("latin-1"), "not UTF-8"),
])
def test_malformed_files_are_refused_with_the_line(content, message):
    with pytest.raises(IcalError) as info:
        parse_holidays(content, years=(2026, 2027))
    assert message in str(info.value)


def test_import_adds_new_days_skips_known_ones_and_refreshes_the_spec(session, make):
    admin = make.user(session, Role.admin)
    calendar = calendars.create_calendar(session, CalendarInput(
        name="Berlin", timezone="Europe/Berlin", hours={d: [("09:00", "17:00")] for d in range(5)}), actor=admin, now=NOW)
    calendars.add_holiday(session, calendar, day="2026-12-25", name="Weihnachten", actor=admin, now=NOW)
    before = calendars.calendar_spec(session, calendar.id)
    assert date(2026, 4, 3) not in before.holidays
    counts = import_holidays(session, calendar, GERMAN, admin, now=NOW)
    assert (counts.added, counts.skipped) == (25, 1)  # yearly ones 2025-2029; 25 Dec was there already
    names = {h.day: h.name for h in session.exec(select(Holiday).where(Holiday.calendar_id == calendar.id))}
    assert names[date(2026, 12, 25)] == "Weihnachten" and names[date(2029, 1, 1)] == "Neujahr"
    assert date(2026, 4, 3) in calendars.calendar_spec(session, calendar.id).holidays
    again = import_holidays(session, calendar, GERMAN, admin, now=NOW)
    assert (again.added, again.skipped) == (0, 26)
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "sla_holiday.import")).all()
    assert len(events) == 2 and '"added": 25' in events[0].detail
