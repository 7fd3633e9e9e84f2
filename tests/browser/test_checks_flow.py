"""An admin in Chromium sees the health run, its findings and a repository's history chart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.models import JobRun, Role
from portal.services.checks.health import run_health_check
from tests.browser.conftest import sign_in
from tests.checks.conftest import checks_world, clock, mint, sandbox  # noqa: F401  (fixtures)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_admin_sees_runs_findings_and_a_chart(page, session, make, checks_world, clock):  # noqa: F811
    world = checks_world
    mint(world, "ALPHA.DATA", "10.80001", url="https://elsewhere.example/x")
    for day in range(3):
        mint(world, "ALPHA.DATA", "10.80001", url=f"https://data.alpha.example/{day}")
        run = run_health_check(session, env=world["env"], now=clock.now)
        session.add(JobRun(job="checks.health", slot=f"{clock.now:%Y-%m-%dT%H:%MZ}", started_at=clock.now,
                           finished_at=clock.now + timedelta(seconds=3), status="succeeded", counts=run.counts(),
                           duration_ms=3000))
        session.commit()
        clock.now += timedelta(days=1)
    admin = make.user(session, Role.admin, name="Ada Admin")
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    sign_in(page, admin.email, PASSWORD)
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Job runs").click()
    expect(page.get_by_role("cell", name="checks.health").first).to_be_visible()
    page.get_by_role("link", name="Admin", exact=True).click()
    page.get_by_role("link", name="Findings").click()
    expect(page.get_by_role("heading", name="Findings of the scheduled checks")).to_be_visible()
    expect(page.get_by_text("landing page URL missing or outside the repository's domains")).to_be_visible()
    page.get_by_label("Severity", exact=True).select_option("low")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No findings match.")).to_be_visible()
    page.get_by_label("Severity", exact=True).select_option("high")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="ALPHA.DATA").first.click()
    chart = page.get_by_role("img", name="DOIs of ALPHA.DATA by state, per health run")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 300
    assert page.locator("svg polyline.chart-line").count() >= 1
    page.get_by_text("The figures of this chart as a table").click()
    expect(page.locator("table.figures tbody tr")).to_have_count(3)
    assert refused == []
