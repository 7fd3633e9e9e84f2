"""An admin shortens Fridays, imports holidays from a file and tries the calendar out, in Chromium."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from portal.models import BusinessCalendar, Holiday, Role
from portal.services.sla.seed import seed_default_sla
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser
GERMAN = Path(__file__).parent.parent / "services" / "data" / "german_holidays_2026.ics"


def test_admin_edits_hours_imports_holidays_and_previews(page, session, make):
    admin = make.user(session, Role.admin, name="Ada Admin")
    seed_default_sla(session, now=datetime(2026, 6, 15, tzinfo=UTC))
    sign_in(page, admin.email, PASSWORD)
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="SLA policies").click()
    page.get_by_role("link", name="Office hours (Berlin)").first.click()

    page.get_by_label("Friday interval 1 end").fill("14:00")
    page.get_by_label("Saturday interval 1 start").fill("10:00")  # no end: refused with the day named
    page.get_by_role("button", name="Save").click()
    assert "Give both the start and the end" in page.locator("#hours-5-error").inner_text()
    page.get_by_label("Saturday interval 1 start").fill("")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Saved.").is_visible()
    session.commit()
    calendar = session.exec(select(BusinessCalendar)).one()
    assert calendar.hours["4"] == [["09:00", "14:00"]]

    page.get_by_label("iCalendar file (.ics)").set_input_files(str(GERMAN))
    page.get_by_role("button", name="Import holidays").click()
    assert page.get_by_text("Imported").is_visible()
    session.commit()  # a fresh snapshot: the live server wrote in another connection
    assert session.exec(select(Holiday).where(Holiday.name == "Betriebsferien, zwischen den Jahren")).first()

    page.get_by_label("From", exact=True).fill("2026-06-19T13:00")  # a Friday, which now ends at 14:00
    page.get_by_label("Target (due time from \"From\")").fill("2h")
    page.get_by_role("button", name="Calculate").click()
    assert "Mon 2026-06-22 10:00 CEST" in page.locator(".result").inner_text()
