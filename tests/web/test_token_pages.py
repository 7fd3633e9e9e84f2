"""Token pages: people manage their own tokens (shown once, revoked behind a confirmation); admins anyone's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from portal.models import ApiToken, AuditEvent, Role
from portal.models.types import utcnow
from tests.conftest import bearer

TOKEN_PATTERN = re.compile(r"rsp_[A-Za-z0-9_-]{43}")


@pytest.fixture
def agent(session, make):
    return make.user(session, Role.agent)


@pytest.fixture
def browser(app, login_as, agent):
    return login_as(agent, app.test_client())


def create(browser, **form):
    data = {"name": "CRM sync", "scopes": ["tickets:read", "tickets:write"], "expires_at": "90", **form}
    return browser.post("/account/tokens/new", data=data)


def test_the_form_offers_the_roles_scopes_all_ticked(browser):
    page = browser.get("/account/tokens/new").get_data(as_text=True)
    assert page.count('type="checkbox"') == 2 and page.count("checked") == 2
    assert "tickets:write" in page and "staff-requests:write" not in page


def test_a_new_token_is_shown_once_and_works(app, browser, session, agent):
    response = create(browser)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    [plaintext] = set(TOKEN_PATTERN.findall(page))
    assert "shown only this once" in page
    token = session.exec(select(ApiToken)).one()
    assert token.name == "CRM sync" and token.scopes == "tickets:read tickets:write"
    assert abs(token.expires_at - (utcnow() + timedelta(days=90))) < timedelta(minutes=1)
    assert app.test_client().get("/api/v1/me", headers=bearer(plaintext)).get_json()["id"] == agent.id
    listing = browser.get("/account/tokens").get_data(as_text=True)
    assert token.prefix in listing and "CRM sync" in listing
    assert plaintext not in listing and token.token_hash not in listing
    assert not TOKEN_PATTERN.search(browser.get("/account/tokens/new").get_data(as_text=True))
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "api_token.create")).one()
    assert event.actor_id == agent.id and token.prefix in event.detail and plaintext not in event.detail


def test_expiry_choices(browser, session):
    create(browser, expires_at="never", name="forever")
    create(browser, expires_at="30", name="month")
    tokens = {t.name: t for t in session.exec(select(ApiToken)).all()}
    assert tokens["forever"].expires_at is None
    assert abs(tokens["month"].expires_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)


@pytest.mark.parametrize(("form", "message"), [
    ({"name": "  "}, "Give the token a name"),
    ({"scopes": []}, "Choose at least one scope"),
    ({"scopes": ["staff-requests:write"]}, "Not available to the role"),
])
def test_invalid_requests_create_nothing(browser, session, form, message):
    response = create(browser, **form)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert not TOKEN_PATTERN.search(response.get_data(as_text=True))
    assert session.exec(select(ApiToken)).all() == []


def test_creating_needs_a_fresh_sign_in(browser, session):
    with browser.session_transaction() as sess:
        sess["_fresh"] = False
    response = create(browser)
    assert response.status_code == 302 and "/reauthenticate" in response.headers["Location"]
    assert session.exec(select(ApiToken)).all() == []


def test_revoking_asks_first_then_stops_the_token(app, browser, session, make, agent):
    token, plaintext = make.api_token(session, agent)
    url = f"/account/tokens/{token.id}/revoke"
    confirm = browser.get(url).get_data(as_text=True)
    assert token.prefix in confirm and "cannot be brought back" in confirm
    session.refresh(token)
    assert token.revoked_at is None
    response = browser.post(url)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/tokens")
    assert app.test_client().get("/api/v1/me", headers=bearer(plaintext)).status_code == 401
    assert "revoked" in browser.get("/account/tokens").get_data(as_text=True)
    assert browser.post(url).status_code == 302  # twice is harmless
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "api_token.revoke")).all()) == 1


def test_nobody_sees_or_revokes_another_persons_token(app, login_as, session, make, agent):
    other = make.user(session, Role.admin)
    token, plaintext = make.api_token(session, other)
    browser = login_as(agent, app.test_client())
    url = f"/account/tokens/{token.id}/revoke"
    assert browser.get(url).status_code == 404
    assert browser.post(url).status_code == 404
    assert token.prefix not in browser.get("/account/tokens").get_data(as_text=True)
    assert app.test_client().get("/api/v1/me", headers=bearer(plaintext)).status_code == 200


def test_admins_see_and_revoke_anyones_tokens(app, login_as, session, make, agent):
    token, plaintext = make.api_token(session, agent, name="Agent's script")
    admin = login_as(make.user(session, Role.admin), app.test_client())
    person = admin.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    assert "API tokens" in person and token.prefix in person and "Agent&#39;s script" in person
    assert plaintext not in person
    url = f"/admin/tokens/{token.id}/revoke"
    assert "Revoke" in admin.get(url).get_data(as_text=True)
    response = admin.post(url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/users/{agent.id}")
    assert app.test_client().get("/api/v1/me", headers=bearer(plaintext)).status_code == 401
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "api_token.revoke")).one()
    assert event.actor != agent.email


def test_the_account_page_links_to_tokens_only_for_token_holders(app, login_as, session, make, browser):
    assert "/account/tokens" in browser.get("/account").get_data(as_text=True)
    member = make.user(session, Role.member, org=make.organisation(session))
    page = login_as(member, app.test_client()).get("/account").get_data(as_text=True)
    assert "/account/tokens" not in page
