"""An admin walks the RSP requirements board and opens the printable verification call pack, in Chromium."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from portal.models import CheckedDoi, Role
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_admin_walks_the_board_and_prints_the_call_pack(page, session, make):
    make.user(session, Role.admin, name="Ada Lindqvist", email="ada@rsp.example")
    org = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    repo = make.repository(session, org, "UNIX.DATA", environment="production")
    session.add(CheckedDoi(doi="10.5072/unix-42", repository_id=repo.id, organisation_id=org.id,
                           environment="production", state="findable", url="https://unix.example/42",
                           registered=datetime(2026, 11, 1, tzinfo=UTC)))
    session.commit()

    sign_in(page, "ada@rsp.example", PASSWORD)
    page.goto("/admin/")
    page.get_by_role("link", name="Requirements board").first.click()
    expect(page.get_by_role("heading", name="RSP requirements board")).to_be_visible()
    page.get_by_role("button", name="Evaluate now").click()
    expect(page.get_by_text("Evaluated 18 rows")).to_be_visible()
    row = page.locator("#row-req-dois")
    expect(row.locator("[data-status]")).to_have_text("met")
    expect(row.get_by_role("link", name="10.5072/unix-42 (University of Unix, UNIX.DATA)")).to_be_visible()

    page.get_by_role("link", name="Advise customers on Fabrica settings").click()
    page.get_by_label("Notes (human evidence", exact=False).fill("Advice is part of the onboarding mail.")
    page.get_by_label("I confirm this requirement is met as of today", exact=False).check()
    page.get_by_role("button", name="Save notes").click()
    expect(page.get_by_text("Notes saved. Confirmed as of today.")).to_be_visible()

    page.get_by_role("link", name="Verification call pack").first.click()
    expect(page.get_by_role("heading", name="DataCite verification call pack", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="https://doi.org/10.5072/unix-42")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".programme-nav")).to_be_hidden()
    expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
    expect(page.get_by_role("link", name="https://doi.org/10.5072/unix-42")).to_be_visible()
    assert page.pdf()[:5] == b"%PDF-"  # Chromium prints the pack
