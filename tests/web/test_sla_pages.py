"""SLA admin pages: calendars with hours, holidays, iCal upload and preview; policies; confirmations; the agents' view."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from portal.models import BusinessCalendar, Holiday, Role, SlaPolicy
from portal.services.sla.seed import seed_default_sla

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
GERMAN = (Path(__file__).parent.parent / "services" / "data" / "german_holidays_2026.ics").read_bytes()


@pytest.fixture
def admin(session, make, login_as):
    person = make.user(session, Role.admin)
    login_as(person)
    return person


def hours_form(rows: dict[int, list[tuple[str, str]]], **fields: str) -> dict[str, str]:
    data = dict(fields)
    for day, intervals in rows.items():
        for n, (start, end) in enumerate(intervals):
            data[f"hours-{day}-{n}-start"], data[f"hours-{day}-{n}-end"] = start, end
    return data


def body(response) -> str:
    text = response.get_data(as_text=True)
    response.close()
    return text


def test_admin_home_and_list_link_to_calendars_and_policies(client, session, admin):
    seed_default_sla(session, now=NOW)
    home = body(client.get("/admin/"))
    assert 'href="/admin/sla/policies"' in home and 'href="/admin/sla/calendars"' in home
    page = body(client.get("/admin/sla/calendars"))
    assert "Office hours (Berlin)" in page and "Europe/Berlin" in page and "09:00–17:00" in page
    assert ">18</td>" in page and "4 policies" in page


def test_new_calendar_shows_field_errors_and_keeps_input(client, session, admin):
    blank = body(client.get("/admin/sla/calendars/new"))
    assert 'name="hours-0-0-start" value="09:00"' in blank and 'name="hours-5-0-start" value=""' in blank
    response = client.post("/admin/sla/calendars/new", data=hours_form(
        {0: [("09:00", "12:00"), ("11:30", "17:00")], 1: [("17:00", "09:00")], 2: [("09:00", "")]},
        name="", timezone="Mars/Olympus"))
    page = body(response)
    assert response.status_code == 200
    assert 'id="name-error"' in page and "Choose a time zone from the list" in page
    assert 'id="hours-0-error"' in page and "overlaps" in page
    assert 'id="hours-1-error"' in page and "cannot cross midnight" in page
    assert 'id="hours-2-error"' in page and "both the start and the end" in page
    assert 'name="hours-0-1-start" value="11:30"' in page  # what was typed stays
    assert session.exec(select(BusinessCalendar)).all() == []


def test_create_and_edit_a_calendar_with_several_intervals_and_midnight(client, session, admin):
    response = client.post("/admin/sla/calendars/new", data=hours_form(
        {0: [("09:00", "12:00"), ("13:00", "17:00")], 5: [("", ""), ("18:00", "00:00")]},
        name="Split days", timezone="America/New_York"))
    assert response.status_code == 302
    calendar = session.exec(select(BusinessCalendar)).one()
    assert calendar.is_default and calendar.timezone == "America/New_York"
    assert calendar.hours == {"0": [["09:00", "12:00"], ["13:00", "17:00"]], "5": [["18:00", "24:00"]]}
    page = body(client.get(f"/admin/sla/calendars/{calendar.id}"))
    assert 'name="hours-5-0-end" value="00:00"' in page  # 24:00 shown as a time input can hold it
    response = client.post(f"/admin/sla/calendars/{calendar.id}", data=hours_form(
        {d: [("08:00", "16:00")] for d in range(5)}, name="Split days", timezone="America/New_York", is_default="y"))
    assert response.status_code == 302
    session.refresh(calendar)
    assert calendar.hours["4"] == [["08:00", "16:00"]] and "5" not in calendar.hours


def test_holidays_add_with_errors_and_remove_after_confirmation(client, session, admin):
    calendar = seed_default_sla(session, now=NOW)
    url = f"/admin/sla/calendars/{calendar.id}"
    page = body(client.post(f"{url}/holidays", data={"day": "2026-12-25", "name": ""}))
    assert "already a holiday: 1. Weihnachtstag" in page and 'id="name-error"' in page
    assert client.post(f"{url}/holidays", data={"day": "2026-12-24", "name": "Heiligabend"}).status_code == 302
    holiday_id = session.exec(select(Holiday.id).where(Holiday.day == date(2026, 12, 24))).one()
    confirm = body(client.get(f"{url}/holidays/{holiday_id}/delete"))
    assert "Remove Heiligabend (2026-12-24)?" in confirm and "normal Thursday again" in confirm
    assert session.get(Holiday, holiday_id) is not None
    assert client.post(f"{url}/holidays/{holiday_id}/delete").status_code == 302
    assert session.get(Holiday, holiday_id) is None


def test_past_holidays_are_folded_away(client, session, admin):
    calendar = seed_default_sla(session, now=NOW)
    session.add(Holiday(calendar_id=calendar.id, day=date(2001, 1, 1), name="Millennium"))
    session.commit()
    page = body(client.get(f"/admin/sla/calendars/{calendar.id}"))
    assert "Millennium" not in page and "show all 19" in page
    assert "Millennium" in body(client.get(f"/admin/sla/calendars/{calendar.id}?holidays=all"))


def test_ical_upload_imports_and_reports_errors_with_the_line(client, session, admin):
    calendar = seed_default_sla(session, now=NOW)
    url = f"/admin/sla/calendars/{calendar.id}/holidays/import"
    response = client.post(url, data={"ics": (io.BytesIO(GERMAN), "feiertage.ics")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = body(response)
    assert re.search(r"Imported \d+ holidays; \d+ were already there", page)
    assert session.exec(select(Holiday).where(Holiday.name == "Betriebsferien, zwischen den Jahren")).first()
    broken = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    page = body(client.post(url, data={"ics": (io.BytesIO(broken), "x.ics")}, content_type="multipart/form-data"))
    assert "Line 4: RRULE FREQ=DAILY is not supported" in page and 'id="ics-error"' in page
    page = body(client.post(url, data={}, content_type="multipart/form-data"))
    assert "Choose an .ics file to import." in page


def test_preview_counts_business_time_and_due_times(client, session, admin):
    calendar = seed_default_sla(session, now=NOW)
    url = f"/admin/sla/calendars/{calendar.id}"
    page = body(client.get(url, query_string={"start": "2026-04-02T16:00", "end": "2026-04-07T10:00",
                                              "target": "2h"}))
    assert "120 business minutes (2 h)" in page  # Good Friday and Easter Monday are holidays
    assert "Tue 2026-04-07 10:00 CEST" in page
    page = body(client.get(url, query_string={"start": "yesterday", "target": "90"}))
    assert 'id="preview-start-error"' in page and "Add a unit to &#39;90&#39;" in page


def test_calendar_deletion_asks_first_and_refuses_the_default(client, session, admin):
    default = seed_default_sla(session, now=NOW)
    other = BusinessCalendar(name="Spare", timezone="UTC", hours={"0": [["09:00", "17:00"]]})
    session.add(other)
    session.commit()
    assert '<option selected value="UTC">UTC</option>' in body(client.get(f"/admin/sla/calendars/{other.id}"))
    confirm = body(client.get(f"/admin/sla/calendars/{other.id}/delete"))
    assert "Delete the calendar Spare?" in confirm
    refused = body(client.post(f"/admin/sla/calendars/{default.id}/delete", follow_redirects=True))
    assert "make another calendar the default" in refused
    assert client.post(f"/admin/sla/calendars/{other.id}/delete").status_code == 302
    assert [c.name for c in session.exec(select(BusinessCalendar))] == ["Office hours (Berlin)"]


def test_policies_list_edit_with_field_errors_and_delete(client, session, make, admin):
    calendar = seed_default_sla(session, now=NOW)
    org = make.organisation(session, "University of Unix")
    listing = body(client.get("/admin/sla/policies"))
    assert "Urgent (standard)" in listing and "5 business days" in listing and "All members" in listing
    data = {"name": "Unix urgent", "priority": "urgent", "organisation_id": str(org.id),
            "calendar_id": str(calendar.id), "first_response": "30", "next_update": "1h", "resolution": "whenever",
            "active": "y"}
    page = body(client.post("/admin/sla/policies/new", data=data))
    assert 'id="first_response-error"' in page and "Add a unit to &#39;30&#39;" in page
    assert 'id="resolution-error"' in page and 'value="whenever"' in page
    data.update(first_response="30m", resolution="1 business day")
    assert client.post("/admin/sla/policies/new", data=data).status_code == 302
    policy = session.exec(select(SlaPolicy).where(SlaPolicy.name == "Unix urgent")).one()
    assert (policy.first_response_minutes, policy.resolution_minutes, policy.organisation_id) == (30, 480, org.id)
    edit = body(client.get(f"/admin/sla/policies/{policy.id}"))
    assert 'value="30 min"' in edit and 'value="8 h"' in edit
    low = session.exec(select(SlaPolicy).where(SlaPolicy.priority == "low")).one()
    assert 'value="5 business days"' in body(client.get(f"/admin/sla/policies/{low.id}"))
    confirm = body(client.get(f"/admin/sla/policies/{policy.id}/delete"))
    assert "Delete the policy Unix urgent?" in confirm
    assert client.post(f"/admin/sla/policies/{policy.id}/delete").status_code == 302
    assert session.exec(select(SlaPolicy).where(SlaPolicy.name == "Unix urgent")).first() is None


def test_agents_see_targets_read_only(client, session, make, login_as):
    seed_default_sla(session, now=NOW)
    login_as(make.user(session, Role.agent))
    page = body(client.get("/desk/sla"))
    assert "Targets by priority" in page and "5 business days" in page and "Office hours (Berlin)" in page
    assert "Edit policies" not in page
    assert client.get("/admin/sla/policies").status_code == 403
