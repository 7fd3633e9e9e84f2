"""In Chromium: a publisher edits a page with the live preview, publishes, then restores the old revision;
a member pastes a DataCite error and is shown the right article."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from portal.models import DocRevision, DocSuggestionEvent, Role
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config: dict) -> dict:
    """With CSRF on, as in production: the preview script must send the token."""
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_publisher_edits_previews_publishes_and_restores(page, session, make, docs_content: Path) -> None:
    publisher = make.user(session, Role.publisher, name="Jonas Berg", email="jonas@rsp.example")
    source = docs_content / "integration/test-and-production.md"
    original = source.read_text()

    sign_in(page, publisher.email, PASSWORD)
    page.get_by_role("link", name="Publishing").click()
    page.get_by_role("link", name="Edit Test and production").click()
    page.wait_for_load_state()  # the click returns once the page starts loading; the deferred script runs later

    editor = page.get_by_label("Page text (Markdown with front matter)")
    editor.fill(editor.input_value().replace("## Two separate systems", "## Two entirely separate systems"))
    preview = page.locator("#portal-preview")
    expect(preview.get_by_role("heading", name="Two entirely separate systems")).to_be_visible()
    expect(preview).to_have_attribute("data-updates", "1")  # updated by the script, not by a form post

    page.get_by_label("What changed (for the revision history)").fill("Stronger heading")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published as revision 2.")).to_be_visible()
    expect(page.get_by_role("heading", name="Two entirely separate systems")).to_be_visible()
    assert "## Two entirely separate systems" in source.read_text()

    page.get_by_role("link", name="Publishing").click()
    page.get_by_role("link", name="History of Test and production").click()
    page.get_by_role("link", name="Changes in revision 2").click()
    expect(page.locator("tr.diff-added")).to_contain_text("## Two entirely separate systems")
    expect(page.locator("tr.diff-removed")).to_contain_text("## Two separate systems")
    page.go_back()
    page.get_by_role("link", name="Restore revision 1").click()
    expect(page.get_by_role("heading", name="Restore revision 1?")).to_be_visible()
    page.get_by_role("button", name="Restore and publish").click()

    expect(page.get_by_text("Revision 1 is published again, as revision 3.")).to_be_visible()
    expect(page.get_by_role("heading", name="Two separate systems", exact=True)).to_be_visible()
    assert source.read_text() == original
    session.expire_all()
    history = session.exec(select(DocRevision).order_by(DocRevision.number)).all()
    assert [(r.number, r.action, r.author_label) for r in history] == [
        (1, "import", "system"), (2, "publish", "jonas@rsp.example"), (3, "restore", "jonas@rsp.example")]


def test_member_pasting_an_error_sees_the_right_article(page, session, make) -> None:
    org = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    member = make.user(session, Role.member, org=org, name="Tomás Silva", email="tomas@unix.example")

    sign_in(page, member.email, PASSWORD)
    page.get_by_role("link", name="Docs").click()
    page.wait_for_load_state()  # the click returns once the page starts loading; the deferred script runs later
    page.get_by_label("What were you trying to do?").fill("Publishing a dataset fails")
    page.get_by_label("The error DataCite gave you").fill(
        '{"errors":[{"source":"url","title":"URL https://data.unix.example/rec/7 is not allowed by repository '
        'unix.data domain settings.","uid":"10.80001/abcd-1234"}]}')
    suggestions = page.locator("[data-suggestions] li")
    expect(suggestions.first).to_contain_text("422 URL is not allowed by repository domain settings")

    with page.expect_response(lambda r: r.url.endswith("/docs/feedback")) as opened:
        suggestions.first.get_by_role("link").click()
    assert opened.value.status == 200
    expect(page.get_by_role("heading", name="Did this solve your problem?")).to_be_visible()
    page.get_by_role("button", name="This solved my problem").click()
    expect(page.get_by_text("Glad it helped.")).to_be_visible()

    session.expire_all()
    events = session.exec(select(DocSuggestionEvent).order_by(DocSuggestionEvent.id)).all()
    outcomes = [e.outcome for e in events]
    assert outcomes[0] == "shown" and {"opened", "solved"} <= set(outcomes)
    assert {e.user_id for e in events} == {member.id}
    assert len({e.interaction for e in events}) == 1


def test_text_typed_before_the_script_ran_still_gets_suggestions(page, session, make) -> None:
    """The script is deferred: whatever is in the fields when it starts (typed early, or restored by the
    browser on "back") gets suggestions without another keystroke."""
    org = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    member = make.user(session, Role.member, org=org, name="Tomás Silva", email="tomas@unix.example")
    sign_in(page, member.email, PASSWORD)
    page.route("**/static/suggest.js", lambda route: route.abort())
    page.get_by_role("link", name="Docs").click()
    page.wait_for_load_state()
    page.get_by_label("The error DataCite gave you").fill(
        "URL https://data.unix.example/rec/7 is not allowed by repository unix.data domain settings.")
    suggestions = page.locator("[data-suggestions] li")
    expect(suggestions).to_have_count(0)  # no script yet, so nothing was suggested
    page.unroute("**/static/suggest.js")
    page.add_script_tag(url="/static/suggest.js")
    expect(suggestions.first).to_contain_text("422 URL is not allowed by repository domain settings")
