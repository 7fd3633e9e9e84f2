"""C05: the token API is apart from browser sessions, and tokens are safe at rest and in transit."""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlmodel import SQLModel

from portal.models import ApiToken, AuditEvent, Role
from portal.models.types import utcnow
from portal.services import api_tokens
from tests.conftest import bearer


@pytest.fixture
def agent(session, make):
    return make.user(session, Role.agent)


@pytest.fixture
def agent_token(session, make, agent):
    return make.api_token(session, agent)


def test_session_cookie_without_token_gets_401(app, login_as, agent):
    client = login_as(agent, app.test_client())
    assert client.get("/account").status_code == 200  # the session itself works
    for method, url in (("GET", "/api/v1/me"), ("POST", "/api/v1/echo")):
        response = client.open(url, method=method, json={"message": "hi"}, headers={"Idempotency-Key": "k"})
        assert response.status_code == 401, url
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
        assert response.get_json()["error"]["status"] == 401


def test_a_token_speaks_for_its_owner_whatever_the_session(app, login_as, session, make, agent_token):
    admin = make.user(session, Role.admin)
    client = login_as(admin, app.test_client())
    body = client.get("/api/v1/me", headers=bearer(agent_token[1])).get_json()
    assert body["id"] == agent_token[0].user_id and body["role"] == "agent"


@pytest.mark.parametrize("query", ["access_token={t}", "token={t}", "api_key={t}", "q={t}", "ACCESS_TOKEN=x"])
def test_token_in_the_query_string_is_refused(client, agent_token, caplog, query):
    _token, plaintext = agent_token
    with caplog.at_level(logging.DEBUG):
        response = client.get("/api/v1/me?" + query.format(t=plaintext), headers=bearer(plaintext))
    assert response.status_code == 401
    assert 'error="invalid_request"' in response.headers["WWW-Authenticate"]
    assert "Authorization: Bearer" in response.get_json()["error"]["detail"]
    assert "token in the URL refused" in caplog.text
    assert plaintext not in caplog.text


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token {t}", "{t}"])
def test_malformed_authorization_header_gets_401(client, agent_token, header):
    response = client.get("/api/v1/me", headers={"Authorization": header.format(t=agent_token[1])})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("presented", ["rsp_" + "A" * 43, "rsp_", "rsp_" + "x" * 500, "rsp_a b", "not-ours", "rsp_ä"])
def test_unknown_or_garbled_tokens_get_401(client, agent_token, presented):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {presented}"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


def test_bearer_scheme_is_case_insensitive(client, agent_token):
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {agent_token[1]}"}).status_code == 200


def test_revoked_token_gets_401(client, session, agent_token):
    token, plaintext = agent_token
    assert client.get("/api/v1/me", headers=bearer(plaintext)).status_code == 200
    api_tokens.revoke_token(session, token, actor=None, ip="")
    assert client.get("/api/v1/me", headers=bearer(plaintext)).status_code == 401


def test_expired_token_gets_401(client, session, make, agent):
    past = utcnow() - timedelta(days=2)
    _token, plaintext = make.api_token(session, agent, now=past, expires_at=past + timedelta(days=1))
    response = client.get("/api/v1/me", headers=bearer(plaintext))
    assert response.status_code == 401
    assert "expired" in response.get_json()["error"]["detail"]


def test_deactivated_owner_gets_401(client, session, agent, agent_token):
    agent.active = False
    session.add(agent)
    session.commit()
    assert client.get("/api/v1/me", headers=bearer(agent_token[1])).status_code == 401


def test_wrong_scope_gets_403(app, testbed, client, session, make, agent):
    _token, read_only = make.api_token(session, agent, scopes={api_tokens.TICKETS_READ})
    assert client.get("/api/test/items", headers=bearer(read_only)).status_code == 200
    response = client.post("/api/test/items", json={"title": "x"}, headers=bearer(read_only, **{"Idempotency-Key": "a"}))
    assert response.status_code == 403
    challenge = response.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="tickets:write"' in challenge
    assert testbed.calls == 0


def test_a_role_change_narrows_old_tokens(client, testbed, session, make):
    staff = make.user(session, Role.datacite_staff)
    _token, plaintext = make.api_token(session, staff)
    staff.role = Role.agent  # staff scopes are not an agent's: nothing is left
    session.add(staff)
    session.commit()
    assert client.get("/api/v1/me", headers=bearer(plaintext)).get_json()["scopes"] == []
    assert client.get("/api/test/items", headers=bearer(plaintext)).status_code == 403
    staff.role = Role.member  # members cannot use the API at all
    session.add(staff)
    session.commit()
    assert client.get("/api/v1/me", headers=bearer(plaintext)).status_code == 401


def test_route_marked_token_without_the_decorator_is_refused(client, testbed, agent_token, caplog):
    with caplog.at_level(logging.ERROR, logger="portal.security"):
        response = client.get("/api/test/undecorated", headers=bearer(agent_token[1]))
    assert response.status_code == 401
    assert "reached without a token" not in response.get_data(as_text=True)
    assert "not a token-authenticated api_route" in caplog.text


def _every_stored_value(session) -> str:
    values = []
    for table in SQLModel.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            values.extend(str(v) for v in row)
    return "\n".join(values)


def test_only_the_digest_and_a_prefix_are_stored(app, client, session, agent_token, caplog):
    token, plaintext = agent_token
    with caplog.at_level(logging.DEBUG):
        client.get("/api/v1/me", headers=bearer(plaintext))
        client.post("/api/v1/echo", json={"message": "m"}, headers=bearer(plaintext, **{"Idempotency-Key": "k"}))
    row = session.execute(text("SELECT prefix, token_hash FROM api_token WHERE id = :id"), {"id": token.id}).one()
    assert row.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert row.prefix == plaintext[:8] and len(row.prefix) == 8
    stored = _every_stored_value(session)
    assert plaintext not in stored and plaintext[8:20] not in stored
    assert plaintext not in caplog.text
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "api_token.create")).all()
    assert len(events) == 1 and row.token_hash not in events[0][0].detail
    assert row.token_hash not in repr(token) and plaintext not in repr(token)


def test_tokens_carry_at_least_128_random_bits(session, agent):
    seen = set()
    for _ in range(20):
        _token, plaintext = api_tokens.create_token(session, user=agent, name="n", scopes=None, actor=None, ip="")
        assert plaintext.startswith("rsp_")
        random_part = plaintext[4:]
        raw = base64.urlsafe_b64decode(random_part + "=" * (-len(random_part) % 4))
        assert len(raw) * 8 >= 256 > 128
        seen.add(plaintext)
        api_tokens.revoke_token(session, _token, actor=None, ip="")  # stay under the active-token limit
    assert len(seen) == 20


def test_no_wildcard_cors_on_api_responses(client, agent_token):
    origin = {"Origin": "https://evil.example"}
    responses = [
        client.get("/api/v1/me", headers=bearer(agent_token[1], **origin)),
        client.get("/api/v1/me", headers=origin),
        client.options("/api/v1/me", headers={**origin, "Access-Control-Request-Method": "GET",
                                               "Access-Control-Request-Headers": "authorization"}),
        client.get("/api/v1/openapi.json", headers=origin),
    ]
    for response in responses:
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers
    assert responses[0].headers["Cache-Control"] == "no-store"


def test_two_factor_enforcement_does_not_apply_to_tokens(app, login_as, agent, agent_token):
    app.config["REQUIRE_2FA"] = True  # the agent has no second factor: their browser session is sent to enrol
    client = login_as(agent, app.test_client())
    assert client.get("/account").status_code == 302
    assert client.get("/api/v1/me", headers=bearer(agent_token[1])).status_code == 200


def test_token_rows_hold_no_plaintext_column():
    assert set(ApiToken.model_fields) == {"id", "user_id", "name", "prefix", "token_hash", "scopes", "created_at",
                                          "last_used_at", "expires_at", "revoked_at", "created_by_id"}
