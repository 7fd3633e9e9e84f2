"""The token service: issuing, authenticating (and recording use sparingly), finding, revoking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.errors import NotFound, ValidationFailed
from portal.models import Role
from portal.models.types import utcnow
from portal.services import api_tokens


@pytest.fixture
def agent(session, make):
    return make.user(session, Role.agent)


def test_authenticate_records_use_at_most_once_a_minute(session, make, agent):
    token, plaintext = make.api_token(session, agent)
    now = utcnow()
    assert api_tokens.authenticate(session, plaintext, now=now).id == token.id
    session.refresh(token)
    assert token.last_used_at == now
    assert api_tokens.authenticate(session, plaintext, now=now + timedelta(seconds=59)) is not None
    session.refresh(token)
    assert token.last_used_at == now
    later = now + timedelta(seconds=61)
    assert api_tokens.authenticate(session, plaintext, now=later) is not None
    session.refresh(token)
    assert token.last_used_at == later


@pytest.mark.parametrize("presented", ["", "rsp_", "rsp_short", "RSP_" + "a" * 43, "x" * 47, "rsp_" + "a" * 200])
def test_authenticate_refuses_unknown_tokens(session, make, agent, presented):
    make.api_token(session, agent)
    assert api_tokens.authenticate(session, presented, now=utcnow()) is None


def test_authenticate_honours_expiry_to_the_second(session, make, agent):
    now = utcnow()
    _token, plaintext = make.api_token(session, agent, now=now, expires_at=now + timedelta(hours=1))
    assert api_tokens.authenticate(session, plaintext, now=now + timedelta(minutes=59)) is not None
    assert api_tokens.authenticate(session, plaintext, now=now + timedelta(hours=1)) is None


def test_create_validates_everything_at_once(session, make, agent):
    now = utcnow()
    with pytest.raises(ValidationFailed) as caught:
        api_tokens.create_token(session, user=agent, name="", scopes={"staff-requests:write"},
                                expires_at=now - timedelta(seconds=1), actor=None, ip="", now=now)
    assert set(caught.value.errors) == {"name", "scopes", "expires_at"}
    with pytest.raises(ValidationFailed) as caught:
        api_tokens.create_token(session, user=agent, name="x" * 101, scopes=set(), actor=None, ip="")
    assert set(caught.value.errors) == {"name", "scopes"}
    with pytest.raises(ValidationFailed, match="letters"):
        api_tokens.create_token(session, user=agent, name="a\nb", scopes=None, actor=None, ip="")


@pytest.mark.parametrize("role", [Role.member, Role.publisher])
def test_roles_without_api_access_get_no_tokens(session, make, role):
    org = make.organisation(session) if role == Role.member else None
    person = make.user(session, role, org=org)
    with pytest.raises(ValidationFailed, match="cannot use the API"):
        api_tokens.create_token(session, user=person, name="n", scopes=None, actor=None, ip="")


def test_default_scopes_follow_the_role(session, make):
    staff = make.user(session, Role.datacite_staff)
    token, _ = make.api_token(session, staff)
    assert token.scope_set == {"staff-requests:write", "profile:read"}
    admin_token, _ = make.api_token(session, make.user(session, Role.admin))
    assert admin_token.scope_set == {"tickets:read", "tickets:write"}


def test_active_tokens_are_limited(session, make, agent, monkeypatch):
    monkeypatch.setattr(api_tokens, "MAX_ACTIVE_TOKENS", 2)
    first, _ = make.api_token(session, agent)
    make.api_token(session, agent)
    with pytest.raises(ValidationFailed, match="already has 2 active tokens"):
        make.api_token(session, agent)
    api_tokens.revoke_token(session, first, actor=None, ip="")
    make.api_token(session, agent)


def test_deactivated_users_get_no_new_tokens(session, make, agent):
    agent.active = False
    session.add(agent)
    session.commit()
    with pytest.raises(ValidationFailed, match="deactivated"):
        make.api_token(session, agent)


def test_get_token_hides_other_peoples_tokens(session, make, agent):
    token, _ = make.api_token(session, make.user(session, Role.admin))
    assert api_tokens.get_token(session, token.id).id == token.id
    with pytest.raises(NotFound):
        api_tokens.get_token(session, token.id, owner=agent)
    with pytest.raises(NotFound):
        api_tokens.get_token(session, 999_999)


def test_find_tokens_by_prefix_or_full_text(session, make, agent):
    token, plaintext = make.api_token(session, agent)
    assert [t.id for t in api_tokens.find_tokens(session, token.prefix)] == [token.id]
    assert [t.id for t in api_tokens.find_tokens(session, plaintext)] == [token.id]
    assert api_tokens.find_tokens(session, "rsp_") == []
    assert api_tokens.find_tokens(session, plaintext[:-1] + "x") == []


def test_revoke_once_and_list_newest_first(session, make, agent):
    old, _ = make.api_token(session, agent, now=utcnow() - timedelta(days=1), name="old")
    new, _ = make.api_token(session, agent, name="new")
    assert [t.name for t in api_tokens.list_tokens(session, agent)] == ["new", "old"]
    assert api_tokens.revoke_token(session, old, actor=None, ip="") is True
    assert api_tokens.revoke_token(session, old, actor=None, ip="") is False
    assert [t.name for t in api_tokens.list_tokens(session, agent, include_inactive=False)] == ["new"]
    assert api_tokens.token_state(old, utcnow()) == "revoked"
    assert api_tokens.token_state(new, utcnow()) == "active"
