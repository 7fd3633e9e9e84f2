"""`flask --app wsgi tokens ...`: create prints the token once (alone on stdout), list never shows it, revoke by prefix."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal.models import ApiToken, Role
from portal.models.types import utcnow
from tests.conftest import bearer


def run(app, *args):
    return app.test_cli_runner().invoke(args=["tokens", *args])


def test_create_prints_only_the_token_on_stdout(app, client, session, make):
    agent = make.user(session, Role.agent, email="ops@example.org")
    result = run(app, "create", "--user", "OPS@example.org", "--name", "CRM sync")
    assert result.exit_code == 0, result.output
    plaintext = result.stdout.strip()
    assert result.stdout.splitlines() == [plaintext] and plaintext.startswith("rsp_")
    assert "shown only now" in result.stderr and plaintext not in result.stderr
    me = client.get("/api/v1/me", headers=bearer(plaintext)).get_json()
    assert me["id"] == agent.id and me["scopes"] == ["tickets:read", "tickets:write"]
    token = session.exec(select(ApiToken)).one()
    assert token.name == "CRM sync" and token.expires_at is None and token.created_by_id is None


def test_create_with_scopes_and_expiry(app, session, make):
    make.user(session, Role.agent, email="ops@example.org")
    result = run(app, "create", "--user", "ops@example.org", "--scope", "tickets:read", "--expires-days", "7")
    assert result.exit_code == 0, result.output
    token = session.exec(select(ApiToken)).one()
    assert token.scopes == "tickets:read"
    assert abs(token.expires_at - (utcnow() + timedelta(days=7))) < timedelta(minutes=1)
    assert token.name.startswith("Command line ")


def test_create_refuses_clearly(app, session, make):
    org = make.organisation(session)
    make.user(session, Role.member, org=org, email="member@example.org")
    make.user(session, Role.agent, email="ops@example.org")
    cases = [
        (["--user", "nobody@example.org"], "No user with the email address 'nobody@example.org'"),
        (["--user", "member@example.org"], "cannot use the API"),
        (["--user", "ops@example.org", "--scope", "staff-requests:write"], "Not available to the role"),
        (["--user", "ops@example.org", "--scope", "everything"], "Invalid value for '--scope'"),
        (["--user", "ops@example.org", "--expires-days", "0"], "Invalid value for '--expires-days'"),
    ]
    for args, message in cases:
        result = run(app, "create", *args)
        assert result.exit_code != 0, args
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert session.exec(select(ApiToken)).all() == []


def test_list_shows_prefixes_never_tokens(app, session, make):
    agent = make.user(session, Role.agent, email="ops@example.org")
    token, plaintext = make.api_token(session, agent, name="Nightly export")
    result = run(app, "list", "--user", "ops@example.org")
    assert result.exit_code == 0
    assert token.prefix in result.output and "Nightly export" in result.output and "active" in result.output
    assert plaintext not in result.output and token.token_hash not in result.output
    make.user(session, Role.agent, email="empty@example.org")
    assert "has no API tokens" in run(app, "list", "--user", "empty@example.org").output


def test_revoke_by_prefix_or_full_token(app, client, session, make):
    agent = make.user(session, Role.agent, email="ops@example.org")
    first, first_plain = make.api_token(session, agent)
    second, second_plain = make.api_token(session, agent)
    result = run(app, "revoke", first.prefix)
    assert result.exit_code == 0 and f"Revoked {first.prefix}" in result.output
    assert client.get("/api/v1/me", headers=bearer(first_plain)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(second_plain)).status_code == 200
    assert "already revoked" in run(app, "revoke", first.prefix).output
    assert run(app, "revoke", second_plain).exit_code == 0  # a leaked token can be revoked as found
    assert client.get("/api/v1/me", headers=bearer(second_plain)).status_code == 401
    missing = run(app, "revoke", "rsp_none")
    assert missing.exit_code == 1 and "No API token matches" in missing.output


def test_revoke_refuses_an_ambiguous_prefix(app, session, make):
    agent = make.user(session, Role.agent, email="a@example.org")
    other = make.user(session, Role.agent, email="b@example.org")
    one, _ = make.api_token(session, agent)
    two, _ = make.api_token(session, other)
    two.prefix = one.prefix  # a shared prefix: 24 random bits make it rare, not impossible
    session.add(two)
    session.commit()
    result = run(app, "revoke", one.prefix)
    assert result.exit_code == 1 and "2 active tokens" in result.output
    assert run(app, "revoke", one.prefix, "--user", "b@example.org").exit_code == 0
    session.refresh(one)
    session.refresh(two)
    assert one.revoked_at is None and two.revoked_at is not None
