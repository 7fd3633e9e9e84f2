"""Repository credentials: sealed at rest (C16, C17), rotated, write-only (C20), verified, cleared, never misrouted (C25)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from portal.db import engine_of
from portal.errors import ValidationFailed
from portal.models import AuditEvent, CredentialKind, DataCiteCall, RepositoryCredential, Role
from portal.services import credentials, members
from portal.services.credentials import NoCredential
from portal.services.datacite_calls import Caller
from portal.services.members import RepositoryInput
from portal.vault import _b64e, generate_key, key_id_of
from tests.conftest import build_app
from tests.services.fake_datacite import FakeDataCite

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "Sealed-Repo-Pa55word"


@pytest.fixture
def world(app, session, make):
    org = make.organisation(session, "Alpha University", datacite_member_id="ALPHA")
    repo = make.repository(session, org, "ALPHA.DATA", prefixes=("10.80001",))
    agent = make.user(session, Role.agent, name="Priya Agent")
    return {"org": org, "repo": repo, "agent": agent, "vault": app.extensions["portal.vault"],
            "caller": Caller(user=agent)}


def store(world, session, secret=PASSWORD, via="agent", repo=None):
    return credentials.set_credential(session, repo or world["repo"], secret=secret, vault=world["vault"], via=via,
                                      caller=world["caller"], ip="192.0.2.1", now=NOW)


def actions(session) -> list[str]:
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def raw_database(app, backend, database_url) -> bytes:
    if backend == "sqlite":
        engine_of(app).dispose()  # checkpoint the WAL into the file as well
        return b"".join(Path(p).read_bytes() for p in Path(database_url[10:]).parent.glob("portal.db*"))
    url = make_url(database_url)
    return subprocess.run(["pg_dump", "-h", url.host or "127.0.0.1", "-U", url.username or "postgres", url.database],
                          capture_output=True, check=True).stdout


def test_stored_secret_is_sealed_in_the_raw_database(app, session, world, backend, database_url):
    row = store(world, session)
    assert row.secret and row.secret.startswith("v1.") and PASSWORD not in row.secret
    raw = raw_database(app, backend, database_url)
    assert PASSWORD.encode() not in raw
    assert row.secret.encode() in raw  # what is stored is the sealed form


def test_kind_follows_the_value_and_status_never_holds_the_secret(session, world):
    store(world, session, secret="DC.abcdefghijklmnopqrstuvwxyz012345")
    status = credentials.credential_status(session, world["repo"])
    assert status.stored and status.kind == CredentialKind.api_key
    text = status.describe()
    assert text == "API key set on 2026-03-01 12:00 UTC by Priya Agent, not verified yet."
    assert "DC.abc" not in repr(status) and "DC.abc" not in text
    row = credentials.get_credential(session, world["repo"])
    assert "DC.abc" not in repr(row) and "v1." not in repr(row)


def test_replacing_keeps_one_row_and_resets_the_verdict(session, world):
    first = store(world, session)
    first.last_verification_ok, first.needs_attention = False, True
    session.add(first)
    session.commit()
    second = store(world, session, secret="another-Pa55word")
    assert second.id == first.id and not second.needs_attention and second.last_verification_ok is None
    assert len(session.exec(select(RepositoryCredential)).all()) == 1
    opened = credentials.open_credentials(session, world["repo"], vault=world["vault"], caller=world["caller"],
                                          purpose="test", ip="", now=NOW)
    assert opened.secret.reveal() == "another-Pa55word"


@pytest.mark.parametrize(("value", "message"), [("", "Enter the repository's password"),
                                                ("   ", "Enter the repository's password"),
                                                ("two\nlines", "line breaks"), ("x" * 501, "longer than 500")])
def test_bad_values_are_refused_without_echo(session, world, value, message):
    with pytest.raises(ValidationFailed) as caught:
        store(world, session, secret=value)
    assert message in caught.value.errors["secret"]
    if value.strip():
        assert value not in caught.value.errors["secret"]
    assert credentials.get_credential(session, world["repo"]) is None


def test_value_moved_to_another_row_does_not_open(session, world, make):
    other = make.repository(session, world["org"], "ALPHA.OTHER")
    store(world, session)
    store(world, session, repo=other, secret="other-password")
    a = credentials.get_credential(session, world["repo"])
    b = credentials.get_credential(session, other)
    b.secret = a.secret  # someone with database access copies ALPHA.DATA's credential to ALPHA.OTHER
    session.add(b)
    session.commit()
    with pytest.raises(NoCredential, match="cannot be decrypted"):
        credentials.open_credentials(session, other, vault=world["vault"], caller=world["caller"], purpose="x", ip="",
                                     now=NOW)


def _cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def test_doctor_and_rotate_cover_repository_credentials(app_config, session, make):
    k1 = generate_key()
    app_config["ENCRYPTION_KEYS"] = json.dumps({"primary": "k1", "keys": {"k1": _b64e(k1)}})
    first = build_app(app_config)
    org = make.organisation(session, "Rotating University", datacite_member_id="ROT")
    repos = [make.repository(session, org, f"ROT.R{n}") for n in range(3)]
    for repo in repos:
        credentials.set_credential(session, repo, secret=f"secret-{repo.symbol}", vault=first.extensions["portal.vault"],
                                   via="agent", caller=Caller(label="test"), ip="", now=NOW)
    engine_of(first).dispose()

    k2 = generate_key()
    app_config["ENCRYPTION_KEYS"] = json.dumps({"primary": "k2", "keys": {"k1": _b64e(k1), "k2": _b64e(k2)}})
    second = build_app(app_config)
    rotated = _cli(second, "secrets", "rotate")
    assert rotated.exit_code == 0 and "Re-sealed 3 values under key k2" in rotated.output
    engine_of(second).dispose()

    app_config["ENCRYPTION_KEYS"] = json.dumps({"primary": "k2", "keys": {"k2": _b64e(k2)}})
    third = build_app(app_config)
    doctor = _cli(third, "secrets", "doctor")
    assert doctor.exit_code == 0 and "3 sealed values; 3 decrypt (k2: 3); 0 fail" in doctor.output
    session.expire_all()
    for row in session.exec(select(RepositoryCredential)).all():
        assert key_id_of(row.secret) == "k2"
    opened = credentials.open_credentials(session, repos[1], vault=third.extensions["portal.vault"],
                                          caller=Caller(label="test"), purpose="x", ip="", now=NOW)
    assert opened.secret.reveal() == "secret-ROT.R1"
    engine_of(third).dispose()


def test_doctor_names_a_moved_credential(app, session, world, make):
    other = make.repository(session, world["org"], "ALPHA.OTHER")
    store(world, session)
    store(world, session, repo=other, secret="other-password")
    b = credentials.get_credential(session, other)
    b.secret = credentials.get_credential(session, world["repo"]).secret
    session.add(b)
    session.commit()
    result = _cli(app, "secrets", "doctor")
    assert result.exit_code == 1
    assert f"repository_credential#{b.id}.secret" in result.output


def test_clearing_keeps_who_and_why_and_is_audited(session, world):
    store(world, session)
    assert credentials.clear_credential(session, world["repo"], caller=world["caller"], reason="asked by the member",
                                        ip="", now=NOW + timedelta(hours=1))
    status = credentials.credential_status(session, world["repo"])
    assert not status.stored
    assert status.describe() == ("No credential stored (cleared on 2026-03-01 13:00 UTC by Priya Agent: "
                                 "asked by the member).")
    assert credentials.get_credential(session, world["repo"]).secret is None
    assert not credentials.clear_credential(session, world["repo"], caller=world["caller"], reason="again", ip="",
                                            now=NOW)
    assert actions(session).count("credential.clear") == 1
    assert "credential.store" in actions(session)


@pytest.mark.parametrize(("field", "value"), [("symbol", "ALPHA.NEW"), ("environment", "production"),
                                              ("api_target", "sandbox")])
def test_changing_identity_clears_the_credential(session, world, field, value):
    store(world, session)
    repo = world["repo"]
    data = RepositoryInput(symbol=repo.symbol, name=repo.name, environment=repo.environment, prefixes="10.80001",
                           domains=repo.domains, active=True, api_target=repo.api_target)
    setattr(data, field, value)
    _repo, changes = members.update_repository(session, repo, data, actor=world["agent"], ip="", now=NOW)
    assert field in changes
    status = credentials.credential_status(session, repo)
    assert not status.stored and field in status.cleared_reason
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "credential.clear")).one()
    assert field in event.detail and PASSWORD not in event.detail


def test_other_changes_keep_the_credential(session, world):
    store(world, session)
    repo = world["repo"]
    members.update_repository(session, repo, RepositoryInput(symbol=repo.symbol, name="New name", prefixes="10.80001",
                                                             environment=repo.environment, domains="example.org"),
                              actor=world["agent"], ip="", now=NOW)
    assert credentials.credential_status(session, repo).stored


def test_audit_events_never_hold_the_secret(session, world):
    fake = FakeDataCite().add("ALPHA.DATA", PASSWORD, "10.80001")
    store(world, session)
    credentials.verify_credential(session, world["repo"], vault=world["vault"], connector=fake.connector(),
                                  caller=world["caller"], ip="", now=NOW)
    credentials.clear_credential(session, world["repo"], caller=world["caller"], reason="done", ip="", now=NOW)
    events = session.exec(select(AuditEvent)).all()
    # C23: one event per action: the verification is one "credential.verify", not also a "credential.use"
    assert [e.action for e in events if e.action.startswith("credential.")] == [
        "credential.store", "credential.verify", "credential.clear"]
    for event in events:
        assert PASSWORD not in event.detail


# ---------------------------------------------------------------- verification


def test_verification_accepted(session, world):
    fake = FakeDataCite().add("ALPHA.DATA", PASSWORD, "10.80001")
    store(world, session)
    outcome = credentials.verify_credential(session, world["repo"], vault=world["vault"], connector=fake.connector(),
                                            caller=world["caller"], ip="", now=NOW)
    assert outcome.checked and outcome.ok
    status = credentials.credential_status(session, world["repo"])
    assert status.verified_ok and not status.needs_attention
    assert status.describe().endswith("last verified 2026-03-01 12:00 UTC: ok.")
    call = session.exec(select(DataCiteCall)).one()
    assert (call.operation, call.target, call.request, call.status, call.ok) == (
        "verify", "test", "GET /clients/alpha.data", 200, True)
    assert call.actor == world["agent"].email and call.with_credentials
    assert fake.requests[0].url.host == "api.test.datacite.org"


def test_wrong_password_fails_and_needs_attention(session, world):
    fake = FakeDataCite().add("ALPHA.DATA", "the-real-one", "10.80001")
    store(world, session)
    outcome = credentials.verify_credential(session, world["repo"], vault=world["vault"], connector=fake.connector(),
                                            caller=world["caller"], ip="", now=NOW)
    assert outcome.checked and not outcome.ok
    assert "did not accept the password" in outcome.reason
    status = credentials.credential_status(session, world["repo"])
    assert status.needs_attention and status.verified_ok is False
    assert "failed (DataCite did not accept" in status.describe()


@pytest.mark.parametrize("status_code", [401, 403])
def test_refusal_marks_needs_attention(session, world, status_code):
    fake = FakeDataCite().add("ALPHA.DATA", PASSWORD, "10.80001")
    fake.fail = httpx.Response(status_code, json={"errors": [{"status": str(status_code), "title": "Refused"}]})
    store(world, session)
    outcome = credentials.verify_credential(session, world["repo"], vault=world["vault"], connector=fake.connector(),
                                            caller=world["caller"], ip="", now=NOW)
    assert outcome.checked and not outcome.ok
    assert credentials.credential_status(session, world["repo"]).needs_attention
    assert session.exec(select(DataCiteCall)).one().status == status_code


def test_outage_keeps_the_earlier_verdict(session, world):
    fake = FakeDataCite().add("ALPHA.DATA", PASSWORD, "10.80001")
    store(world, session)
    connector = fake.connector()
    credentials.verify_credential(session, world["repo"], vault=world["vault"], connector=connector,
                                  caller=world["caller"], ip="", now=NOW)
    fake.fail = httpx.Response(500, json={"errors": [{"status": "500", "title": "Internal Server Error"}]})
    outcome = credentials.verify_credential(session, world["repo"], vault=world["vault"], connector=connector,
                                            caller=world["caller"], ip="", now=NOW + timedelta(hours=1))
    assert not outcome.checked and outcome.error is not None and outcome.error.error_class == "outage"
    status = credentials.credential_status(session, world["repo"])
    assert status.verified_ok and status.last_verified_at == NOW and not status.needs_attention
    calls = session.exec(select(DataCiteCall).order_by(DataCiteCall.id)).all()
    assert [c.ok for c in calls] == [True, False] and calls[1].status == 500 and calls[1].error_class == "outage"


def test_no_credential_means_no_call(session, world):
    fake = FakeDataCite()
    with pytest.raises(NoCredential, match="No credential is stored for ALPHA.DATA"):
        credentials.verify_credential(session, world["repo"], vault=world["vault"], connector=fake.connector(),
                                      caller=world["caller"], ip="", now=NOW)
    assert fake.requests == []


# ---------------------------------------------------------------- C25: never the wrong system


def test_sandbox_and_datacite_credentials_go_only_to_their_own_system(session, world, make):
    fake = FakeDataCite().add("ALPHA.DATA", PASSWORD, "10.80001").add("ALPHA.SANDBOX", "sandbox-pw", "10.80002")
    production = make.repository(session, world["org"], "ALPHA.DATA", environment="production")
    sandbox = make.repository(session, world["org"], "ALPHA.SANDBOX", api_target="sandbox")
    store(world, session, repo=production)
    store(world, session, repo=sandbox, secret="sandbox-pw")
    for repo in (production, sandbox):
        credentials.verify_credential(session, repo, vault=world["vault"], connector=fake.connector(),
                                      caller=world["caller"], ip="", now=NOW)
    first, second = fake.requests
    assert first.url.host == "api.datacite.org" and PASSWORD not in str(second.headers)
    assert (second.url.host, second.url.port) == ("127.0.0.1", 5099)
    assert b"sandbox-pw" not in __import__("base64").b64decode(first.headers["Authorization"][6:])


def test_credential_of_a_repository_moved_behind_the_services_back_is_never_sent(session, world):
    fake = FakeDataCite().add("ALPHA.DATA", PASSWORD, "10.80001")
    repo = world["repo"]
    repo.environment = "production"
    session.add(repo)
    session.commit()
    store(world, session)  # stored for production
    repo.api_target = "sandbox"  # changed directly in the database, not through update_repository
    session.add(repo)
    session.commit()
    with pytest.raises(NoCredential, match="cleared instead of being sent elsewhere"):
        credentials.verify_credential(session, repo, vault=world["vault"], connector=fake.connector(),
                                      caller=world["caller"], ip="", now=NOW)
    assert fake.requests == []
    assert not credentials.credential_status(session, repo).stored
