"""An agent reads the start page and the reports in Chromium: charts render under the CSP, tables open, CSV downloads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.models import Role
from portal.models.types import utcnow
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.services.reports_data import add_ticket

pytestmark = pytest.mark.browser


def test_agent_reads_charts_tables_and_downloads_csv(page, session, make):
    make.user(session, Role.agent, name="Priya Raman", email="priya@rsp.example")
    now = utcnow()
    for days in range(5):
        add_ticket(session, now - timedelta(days=days, hours=1), subject=f"Ticket {days}",
                   first_response_at=now - timedelta(days=days, minutes=20),
                   first_response_due_at=now - timedelta(days=days) + timedelta(hours=3))
    session.commit()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)

    sign_in(page, "priya@rsp.example", PASSWORD)
    expect(page.get_by_role("heading", name="Opened and solved, the last 14 days")).to_be_visible()
    chart = page.get_by_role("img", name="Tickets opened and solved per day, the last 14 days")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 300

    page.get_by_role("link", name="Reports").first.click()
    page.get_by_label("Period", exact=True).select_option(label="Last 7 days")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("img", name="SLA attainment for tickets opened the last 7 days")).to_be_visible()
    table = page.get_by_role("table", name="Tickets opened and solved per day")
    expect(table).to_be_hidden()
    page.locator("#opened-heading ~ details summary").click()
    expect(table).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Tickets opened and solved per day” as CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["Day", "Opened", "Solved"] and sum(int(r[1]) for r in rows[1:]) == 5

    page.get_by_label("Period", exact=True).select_option(label="Custom dates (below)")
    page.get_by_label("From (custom)").fill("2024-05-10")
    page.get_by_label("To (custom)").fill("2024-05-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("The end date must be on or after the start date.")).to_be_visible()
    assert refused == []
