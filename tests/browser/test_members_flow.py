"""An agent signs in, opens the members page, edits a repository and signs out, in Chromium."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import AuditEvent, Repository, Role
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_agent_edits_a_repository(page, session, make):
    agent = make.user(session, Role.agent, name="Priya Raman", email="priya@rsp.example")
    org = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    repo = make.repository(session, org, "UNIX.DATA", prefixes=("10.80001",), domains="unix.example",
                           environment="production")

    sign_in(page, agent.email, PASSWORD)
    page.get_by_role("link", name="Members").click()
    page.get_by_role("link", name="University of Unix").click()
    page.get_by_role("link", name="UNIX.DATA").click()
    page.get_by_role("link", name="Edit").click()

    page.get_by_label("Allowed domains").fill("not a domain")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".field.has-error").count() == 1
    assert "is not a host name" in page.locator("#domains-error").inner_text()

    page.get_by_label("Allowed domains").fill("unix.example, *.unix.example")
    page.get_by_label("Prefixes").fill("10.80001, 10.80011")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Saved.").is_visible()
    assert "10.80001, 10.80011" in page.locator(".facts").inner_text()

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.goto("/desk/members")
    assert "/login" in page.url

    session.expire_all()
    saved = session.get(Repository, repo.id)
    assert saved.domains == "unix.example,*.unix.example"
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "repository.update")).all()
    assert len(events) == 1 and events[0].actor == "priya@rsp.example"
