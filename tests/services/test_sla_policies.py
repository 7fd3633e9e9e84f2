"""Calendars, holidays and policies: validation with field errors, audit, the spec cache, policy selection, seed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import update
from sqlmodel import select

from portal.errors import Conflict, ValidationFailed
from portal.models import AuditEvent, BusinessCalendar, Holiday, Role, SlaPolicy
from portal.services.sla import calendars, policies
from portal.services.sla.business_time import CalendarError
from portal.services.sla.calendars import CalendarInput
from portal.services.sla.durations import DurationError, format_duration, parse_duration
from portal.services.sla.hours import hours_from_json
from portal.services.sla.policies import PolicyInput
from portal.services.sla.seed import seed_default_sla

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
WEEKDAYS_9_TO_5 = {d: [("09:00", "17:00")] for d in range(5)}


def new_calendar(session, name="Berlin office", **fields):
    data = CalendarInput(name=name, timezone=fields.pop("timezone", "Europe/Berlin"),
                         hours=fields.pop("hours", WEEKDAYS_9_TO_5), **fields)
    return calendars.create_calendar(session, data, actor=None, now=NOW)


def new_policy(session, calendar, **fields):
    values = {"name": f"{fields.get('priority', 'normal')} policy {fields.get('organisation_id')}",
              "priority": "normal", "calendar_id": calendar.id, "first_response": "4h", "resolution": "2 days"}
    values.update(fields)
    return policies.create_policy(session, PolicyInput(**values), actor=None, now=NOW)


# ---------------------------------------------------------------- calendars


def test_calendar_is_stored_as_json_and_audited(session, make):
    admin = make.user(session, Role.admin)
    calendar = calendars.create_calendar(session, CalendarInput(
        name="  Berlin   office ", timezone="Europe/Berlin",
        hours={0: [("13:00", "17:00"), ("09:00", "12:00")], 4: [("09:00", "24:00")], 5: [("", "")]}),
        actor=admin, now=NOW)
    assert calendar.name == "Berlin office" and calendar.is_default  # the first calendar is the default
    assert calendar.hours == {"0": [["09:00", "12:00"], ["13:00", "17:00"]], "4": [["09:00", "24:00"]]}
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "sla_calendar.create")).one()
    assert event.actor == admin.email and event.target_type == "business_calendar"


def test_calendar_errors_name_each_field(session):
    new_calendar(session, "Taken")
    with pytest.raises(ValidationFailed) as info:
        calendars.create_calendar(session, CalendarInput(name="taken", timezone="Europe/Berlinn", hours={
            0: [("09:00", "12:00"), ("11:00", "13:00")],
            1: [("17:00", "09:00")],
            2: [("09:00", "")],
            3: [("9am", "5pm")],
        }), actor=None, now=NOW)
    errors = info.value.errors
    assert set(errors) == {"name", "timezone", "hours_0", "hours_1", "hours_2", "hours_3"}
    assert "overlaps" in errors["hours_0"] and "cannot cross midnight" in errors["hours_1"]
    assert "both the start and the end" in errors["hours_2"] and "'9am' is not a time" in errors["hours_3"]
    with pytest.raises(ValidationFailed) as info:
        calendars.create_calendar(session, CalendarInput(name="Empty", timezone="UTC", hours={}), actor=None, now=NOW)
    assert set(info.value.errors) == {"hours"}


def test_one_default_calendar_at_a_time(session):
    first = new_calendar(session, "First")
    second = new_calendar(session, "Second", is_default=True)
    session.refresh(first)
    assert second.is_default and not first.is_default
    assert calendars.default_calendar(session).id == second.id
    with pytest.raises(ValidationFailed) as info:
        calendars.update_calendar(session, second, CalendarInput(name="Second", timezone="UTC",
                                                                 hours=WEEKDAYS_9_TO_5, is_default=False),
                                  actor=None, now=NOW)
    assert "always the default" in info.value.errors["is_default"]


def test_calendar_in_use_or_default_cannot_be_deleted(session):
    default = new_calendar(session, "Default")
    other = new_calendar(session, "Other")
    calendars.add_holiday(session, other, day=date(2026, 12, 24), name="Heiligabend", actor=None, now=NOW)
    policy = new_policy(session, other)
    with pytest.raises(Conflict, match="default calendar"):
        calendars.delete_calendar(session, default, actor=None)
    with pytest.raises(Conflict, match="1 SLA policy uses this calendar"):
        calendars.delete_calendar(session, other, actor=None)
    policies.delete_policy(session, policy, actor=None)
    calendars.delete_calendar(session, other, actor=None)
    assert session.exec(select(Holiday)).all() == []
    assert [c.name for c in session.exec(select(BusinessCalendar))] == ["Default"]


def test_holiday_errors_and_removal(session):
    calendar = new_calendar(session)
    holiday = calendars.add_holiday(session, calendar, day="2026-12-25", name=" 1.  Weihnachtstag ", actor=None,
                                    now=NOW)
    assert holiday.name == "1. Weihnachtstag"
    with pytest.raises(ValidationFailed) as info:
        calendars.add_holiday(session, calendar, day="2026-12-25", name="", actor=None, now=NOW)
    assert "already a holiday: 1. Weihnachtstag" in info.value.errors["day"] and "name" in info.value.errors
    with pytest.raises(ValidationFailed) as info:
        calendars.add_holiday(session, calendar, day="25.12.2026", name="X", actor=None, now=NOW)
    assert info.value.errors == {"day": "Give the date as YYYY-MM-DD."}
    calendars.remove_holiday(session, holiday, actor=None, now=NOW)
    assert session.exec(select(Holiday)).all() == []
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions[-2:] == ["sla_holiday.add", "sla_holiday.remove"]


def test_spec_is_cached_and_rebuilt_after_edits_from_any_process(session):
    calendar = new_calendar(session)
    spec = calendars.calendar_spec(session, calendar.id)
    assert calendars.calendar_spec(session, calendar.id) is spec
    assert spec.hours[0] == ((time(9), time(17)),) and 6 not in spec.hours
    calendars.add_holiday(session, calendar, day="2026-06-16", name="Day off", actor=None, now=NOW)
    rebuilt = calendars.calendar_spec(session, calendar.id)
    assert rebuilt is not spec and date(2026, 6, 16) in rebuilt.holidays
    # Another worker edits the row: the changed version is enough for this process to notice.
    session.execute(update(BusinessCalendar).where(BusinessCalendar.id == calendar.id)
                    .values(hours={"6": [["10:00", "14:00"]]}, version="elsewhere"))
    session.commit()
    assert calendars.calendar_spec(session, calendar.id).hours == {6: ((time(10), time(14)),)}


# ---------------------------------------------------------------- policies


def test_organisation_policy_beats_the_general_one_and_inactive_ones_are_ignored(session, make):
    calendar = new_calendar(session)
    unix, other = make.organisation(session, "Unix"), make.organisation(session, "Other")
    general = new_policy(session, calendar, priority="urgent", name="Urgent")
    own = new_policy(session, calendar, priority="urgent", name="Urgent for Unix", organisation_id=unix.id)
    new_policy(session, calendar, priority="low", name="Low for Unix (off)", organisation_id=unix.id, active=False)
    assert policies.policy_for(session, priority="urgent", organisation_id=unix.id).id == own.id
    assert policies.policy_for(session, priority="urgent", organisation_id=other.id).id == general.id
    assert policies.policy_for(session, priority="urgent", organisation_id=None).id == general.id
    assert policies.policy_for(session, priority="low", organisation_id=unix.id) is None
    targets = policies.targets_of(own)
    assert (targets.first_response, targets.next_update, targets.resolution) == (240, None, 960)
    assert policies.targets_of(None).resolution is None


def test_policy_targets_are_parsed_with_the_calendars_working_day(session):
    long_days = new_calendar(session, "Long days", hours={d: [("08:00", "18:00")] for d in range(4)})
    policy = new_policy(session, long_days, first_response="1h 30m", next_update="1.5 hours",
                        resolution="2 business days")
    assert (policy.first_response_minutes, policy.next_update_minutes, policy.resolution_minutes) == (90, 90, 1200)
    assert policies.target_texts(session, policy) == {"first_response": "1 h 30 min", "next_update": "1 h 30 min",
                                                      "resolution": "2 business days"}


def test_policy_errors_name_each_field(session, make):
    calendar = new_calendar(session)
    new_policy(session, calendar, priority="high", name="High")
    with pytest.raises(ValidationFailed) as info:
        policies.create_policy(session, PolicyInput(
            name="high", priority="high", calendar_id=calendar.id, first_response="-5m", next_update="90",
            resolution="soon"), actor=None, now=NOW)
    errors = info.value.errors
    assert set(errors) == {"name", "priority", "first_response", "next_update", "resolution"}
    assert "already covers all members' high tickets" in errors["priority"]
    assert "Add a unit to '90'" in errors["next_update"] and "is not a duration" in errors["resolution"]
    with pytest.raises(ValidationFailed) as info:
        policies.create_policy(session, PolicyInput(name="X", priority="critical", calendar_id=999, organisation_id=999,
                                                    first_response="8h", resolution="4h"), actor=None, now=NOW)
    assert set(info.value.errors) == {"priority", "calendar_id", "organisation_id", "first_response"}
    assert "cannot be due after the resolution" in info.value.errors["first_response"]
    with pytest.raises(ValidationFailed) as info:
        policies.create_policy(session, PolicyInput(name="Y", priority="low", calendar_id=calendar.id),
                               actor=None, now=NOW)
    assert "at least one target" in info.value.errors["first_response"]


def test_policy_update_reports_and_audits_changes(session):
    calendar = new_calendar(session)
    policy = new_policy(session, calendar, name="Normal")
    _, changes = policies.update_policy(session, policy, PolicyInput(
        name="Normal", priority="normal", calendar_id=calendar.id, first_response="2h", resolution="2 days"),
        actor=None, now=NOW)
    assert changes == {"first_response_minutes": [240, 120]}
    _, unchanged = policies.update_policy(session, policy, PolicyInput(
        name="Normal", priority="normal", calendar_id=calendar.id, first_response="120m", resolution="16h"),
        actor=None, now=NOW)
    assert unchanged == {}
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "sla_policy.update")).all()) == 1


def test_seed_creates_a_default_calendar_and_a_policy_per_priority_once(session):
    calendar = seed_default_sla(session, now=NOW)
    assert calendar.is_default and calendar.timezone == "Europe/Berlin"
    assert len(session.exec(select(Holiday)).all()) == 18  # nine a year, this year and next
    found = {p.priority: (p.first_response_minutes, p.next_update_minutes, p.resolution_minutes)
             for p in session.exec(select(SlaPolicy))}
    assert found == {"urgent": (60, 120, 480), "high": (240, 480, 960), "normal": (480, 960, 1440),
                     "low": (960, 1440, 2400)}
    assert seed_default_sla(session, now=NOW).id == calendar.id
    assert len(session.exec(select(SlaPolicy)).all()) == 4


# ---------------------------------------------------------------- texts


@pytest.mark.parametrize(("text", "minutes"), [
    ("45m", 45), ("45 min", 45), ("1h", 60), ("1.5h", 90), ("1,5 hours", 90), ("1h 30m", 90), ("1h30m", 90),
    ("1 hour and 15 minutes", 75), ("2 business days", 960), ("2d", 960), ("1 day 4 hours", 720), ("0.5 bd", 240),
    ("8 business hours", 480), ("2:30", 150), ("", None), ("none", None), ("-", None),
])
def test_durations_people_write(text, minutes):
    assert parse_duration(text, day_minutes=480) == minutes


@pytest.mark.parametrize(("text", "message"), [
    ("90", "Add a unit"), ("soon", "is not a duration"), ("2 weeks", "is not a duration"), ("0h", "above zero"),
    ("0.1m", "whole minutes"), ("5000000 days", "longer than any sensible target"), ("1h foo", "is not a duration"),
])
def test_durations_that_are_refused(text, message):
    with pytest.raises(DurationError, match=message):
        parse_duration(text, day_minutes=480)


def test_duration_texts_read_back():
    assert [format_duration(m, day_minutes=480) for m in (None, 45, 60, 90, 480, 960, 2400, 1000)] == [
        "", "45 min", "1 h", "1 h 30 min", "8 h", "2 business days", "5 business days", "16 h 40 min"]
    for minutes in (45, 90, 960, 2400, 1000):
        assert parse_duration(format_duration(minutes, day_minutes=480), day_minutes=480) == minutes


@pytest.mark.parametrize(("data", "message"), [
    ([], "must be an object"), ({"7": []}, "not a weekday"), ({"0": "09:00-17:00"}, "list of"),
    ({"0": [["09:00", "25:00"]]}, "not a time of day"),
])
def test_stored_hours_that_are_malformed(data, message):
    with pytest.raises(CalendarError, match=message):
        hours_from_json(data)
