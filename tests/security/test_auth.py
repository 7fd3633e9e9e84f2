"""C06-C11: password storage, sign-in throttling, two-factor, session start and end."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select

from portal.db import engine_of
from portal.models import AuditEvent, OutboxMessage, RecoveryCode, Role, User
from portal.models.types import utcnow
from portal.passwords import hash_password, verify_password
from portal.services import accounts
from portal.vault import Binding
from tests.conftest import build_app
from tests.factories import PASSWORD, tampered


def login(client, email, password=PASSWORD, remember=False, next_url=None):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data=data)


def test_password_hash_is_argon2id_and_round_trips_long_and_unicode(session, make):
    for password in ("p" * 64, "Grüße aus Köln – 東京 🚀 long enough"):
        stored = hash_password(password)
        assert stored.startswith("$argon2id$")
        assert verify_password(stored, password) == (True, None)
        assert verify_password(stored, password + "x")[0] is False


def test_outdated_hash_is_upgraded_on_login(client, session, make):
    user = make.user(session, Role.agent)
    user.password_hash = hash_password(PASSWORD, "fast").replace("m=1024", "m=1024")
    session.add(user)
    session.commit()
    # The app hashes with "fast"; store a hash with other parameters and see it rewritten.
    from argon2 import PasswordHasher

    user.password_hash = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(PASSWORD)
    session.add(user)
    session.commit()
    old = user.password_hash
    assert login(client, user.email).status_code == 302
    session.refresh(user)
    assert user.password_hash != old and "m=1024,t=1,p=1" in user.password_hash


@pytest.mark.parametrize("bad", ["short", "password1234", "aaaaaaaaaaaaaaa"])
def test_weak_passwords_are_refused(session, make, bad, app):
    policy = accounts.AuthPolicy.from_config(app.config)
    with pytest.raises(accounts.ValidationFailed) as info:
        accounts.create_user(session, email="new@example.org", name="New Person", role=Role.agent,
                             password=bad, policy=policy)
    assert "password" in info.value.errors


def test_login_success_starts_a_new_session(client, session, make):
    user = make.user(session, Role.agent)
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by an attacker"
    before = client.get_cookie("portal_session").value
    response = login(client, user.email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/desk/")
    after = client.get_cookie("portal_session").value
    assert before != after
    with client.session_transaction() as s:
        assert "planted" not in s
    assert client.get("/desk/").status_code == 200


def test_wrong_password_and_unknown_account_read_the_same(client, session, make):
    user = make.user(session, Role.agent)
    a = login(client, user.email, "wrong password here").get_data(as_text=True)
    b = login(client, "nobody@example.org", "wrong password here").get_data(as_text=True)
    message = "The email address or password is not correct."
    assert message in a and message in b
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).all()


def test_account_throttle_soft_locks_and_expires(app, client, session, make):
    user = make.user(session, Role.agent)
    for _ in range(app.config["LOGIN_MAX_FAILURES_ACCOUNT"]):
        assert login(client, user.email, "wrong password here").status_code == 200
    locked = login(client, user.email)  # even the right password waits
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    # Unknown accounts lock the same way: the lock does not reveal whether the account exists.
    for _ in range(app.config["LOGIN_MAX_FAILURES_ACCOUNT"]):
        login(client, "ghost@example.org", "wrong password here")
    assert login(client, "ghost@example.org", "wrong password here").status_code == 429
    # The lock expires by itself.
    from portal.models import LoginThrottle

    for row in session.exec(select(LoginThrottle)).all():
        row.locked_until = utcnow() - timedelta(seconds=1)
        row.window_started_at = utcnow() - timedelta(hours=1)
        session.add(row)
    session.commit()
    assert login(client, user.email).status_code == 302


def test_ip_throttle_spans_accounts(app_config, session, make):
    app_config["LOGIN_MAX_FAILURES_IP"] = 3
    app = build_app(app_config)
    client = app.test_client()
    for n in range(3):
        login(client, f"someone{n}@example.org", "wrong password here")
    assert login(client, "fresh@example.org", "wrong password here").status_code == 429
    engine_of(app).dispose()


def test_spoofed_forwarded_for_does_not_reset_the_ip_counter(app_config, make, session):
    app_config["LOGIN_MAX_FAILURES_IP"] = 2
    app = build_app(app_config)
    client = app.test_client()
    for n in range(2):
        client.post("/login", data={"email": f"x{n}@example.org", "password": "nope nope nope"},
                    headers={"X-Forwarded-For": f"203.0.113.{n}"})
    response = client.post("/login", data={"email": "y@example.org", "password": "nope nope nope"},
                           headers={"X-Forwarded-For": "198.51.100.7"})
    assert response.status_code == 429
    engine_of(app).dispose()


def test_throttle_is_shared_by_two_app_instances_on_one_database(app_config, session, make):
    user = make.user(session, Role.agent)
    first, second = build_app(dict(app_config)), build_app(dict(app_config))
    c1, c2 = first.test_client(), second.test_client()
    for n in range(app_config.get("LOGIN_MAX_FAILURES_ACCOUNT", 5)):
        login(c1 if n % 2 else c2, user.email, "wrong password here")
    assert login(c1, user.email).status_code == 429
    assert login(c2, user.email).status_code == 429
    engine_of(first).dispose()
    engine_of(second).dispose()


def test_inactive_account_cannot_sign_in(client, session, make):
    user = make.user(session, Role.agent, active=False)
    response = login(client, user.email)
    assert response.status_code == 200
    assert "not correct" in response.get_data(as_text=True)


def _replay(app, cookies):
    fresh = app.test_client()
    for name, value in cookies.items():
        fresh.set_cookie(name, value)
    return fresh.get("/desk/")


def _cookies(client):
    names = ("portal_session", "portal_remember")
    return {n: client.get_cookie(n).value for n in names if client.get_cookie(n) is not None}


def test_logout_ends_session_and_remember_cookie(app, client, session, make):
    user = make.user(session, Role.agent)
    login(client, user.email, remember=True)
    saved = _cookies(client)
    assert "portal_remember" in saved
    assert client.get("/desk/").status_code == 200
    client.post("/logout")
    for name, value in saved.items():
        assert _replay(app, {name: value}).status_code == 302, name
    assert _replay(app, saved).status_code == 302


def test_password_change_ends_other_sessions_but_not_this_one(app, client, session, make):
    user = make.user(session, Role.agent)
    other = app.test_client()
    login(other, user.email, remember=True)
    saved = _cookies(other)
    login(client, user.email)
    response = client.post("/account/password", data={"current_password": PASSWORD,
                                                       "password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert client.get("/desk/").status_code == 200
    assert _replay(app, saved).status_code == 302
    assert _replay(app, {"portal_remember": saved["portal_remember"]}).status_code == 302


def test_deactivation_ends_sessions(app, client, session, make, login_as):
    user = make.user(session, Role.agent)
    admin = make.user(session, Role.admin)
    login(client, user.email, remember=True)
    saved = _cookies(client)
    admin_client = login_as(admin, app.test_client())
    assert admin_client.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert _replay(app, saved).status_code == 302


def test_remember_me_is_bounded_and_never_for_admins(app, client, session, make):
    agent = make.user(session, Role.agent)
    response = login(client, agent.email, remember=True)
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("portal_remember=")][0]
    expires = re.search(r"Expires=([^;]+)", cookie).group(1)
    from email.utils import parsedate_to_datetime

    assert parsedate_to_datetime(expires) - utcnow() <= timedelta(days=14, minutes=1)
    admin = make.user(session, Role.admin)
    admin_client = app.test_client()
    response = login(admin_client, admin.email, remember=True)
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("portal_remember=")]


def test_idle_and_absolute_timeouts(app, client, session, make, login_as):
    user = make.user(session, Role.agent)
    login_as(user)
    with client.session_transaction() as s:
        s["seen_at"] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 - 5
    assert client.get("/desk/").status_code == 302
    login_as(user)
    with client.session_transaction() as s:
        s["auth_at"] = int(time.time()) - app.config["SESSION_MAX_HOURS"] * 3600 - 5
    assert client.get("/desk/").status_code == 302
    login_as(user)
    assert client.get("/desk/").status_code == 200


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example",
                                    "javascript:alert(1)", "%2F%2Fevil.example", "\\\\evil.example"])
def test_next_parameter_stays_on_this_site(client, session, make, target):
    user = make.user(session, Role.agent)
    response = login(client, user.email, next_url=target)
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location


def test_next_parameter_is_followed_when_local(client, session, make):
    user = make.user(session, Role.agent)
    assert login(client, user.email, next_url="/desk/members").headers["Location"] == "/desk/members"


def test_unknown_host_is_refused(client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


# ------------------------------------------------------------------ two-factor


def enrol(client, user, session, app):
    """Enrol through the pages; returns the TOTP secret and recovery codes."""
    client.post("/account/two-factor", data={"action": "start"})
    session.refresh(user)
    vault = app.extensions["portal.vault"]
    secret = vault.open(user.totp_secret, Binding.for_row(user, "totp_secret")).reveal()
    assert client.get("/account/two-factor/qr.svg").mimetype == "image/svg+xml"
    code = pyotp.TOTP(secret).now()
    page = client.post("/account/two-factor", data={"action": "confirm", "confirm-code": code}).get_data(as_text=True)
    codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", page)
    assert len(codes) == 10
    return secret, codes


def test_two_factor_enrolment_and_sign_in_with_replay_refused(app, client, session, make, login_as):
    user = make.user(session, Role.agent)
    login_as(user)
    secret, _codes = enrol(client, user, session, app)
    session.refresh(user)
    assert user.totp_enabled and user.totp_secret.startswith("v1.")

    fresh = app.test_client()
    response = login(fresh, user.email)
    assert response.headers["Location"].endswith("/login/two-factor")
    assert fresh.get("/desk/").status_code == 302  # not signed in yet
    totp = pyotp.TOTP(secret)
    # The code used at enrolment is spent; use the next time step's code.
    next_code = totp.at(time.time() + 30)
    assert fresh.post("/login/two-factor", data={"code": next_code}).status_code == 302
    assert fresh.get("/desk/").status_code == 200

    again = app.test_client()
    login(again, user.email)
    replay = again.post("/login/two-factor", data={"code": next_code})
    assert replay.status_code == 200
    assert "already used" in replay.get_data(as_text=True)
    assert again.get("/desk/").status_code == 302


def test_two_factor_attempts_are_throttled(app, client, session, make, login_as):
    user = make.user(session, Role.agent)
    login_as(user)
    enrol(client, user, session, app)
    fresh = app.test_client()
    login(fresh, user.email)
    statuses = [fresh.post("/login/two-factor", data={"code": "000000"}).status_code for _ in range(6)]
    assert statuses[-1] == 429


def test_recovery_codes_are_hashed_and_single_use(app, client, session, make, login_as):
    user = make.user(session, Role.agent)
    login_as(user)
    _secret, codes = enrol(client, user, session, app)
    stored = session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and all(c.code_hash not in codes and len(c.code_hash) == 64 for c in stored)
    first = app.test_client()
    login(first, user.email)
    assert first.post("/login/recovery", data={"code": codes[0]}).status_code == 302
    assert first.get("/desk/").status_code == 200
    second = app.test_client()
    login(second, user.email)
    assert second.post("/login/recovery", data={"code": codes[0]}).status_code == 200
    assert second.get("/desk/").status_code == 302


def test_required_two_factor_blocks_agents_until_enrolled(app_config, session, make, login_as):
    app_config["REQUIRE_2FA"] = True
    app = build_app(app_config)
    client = app.test_client()
    agent = make.user(session, Role.agent)
    login_as(agent, client)
    response = client.get("/desk/members")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
    assert client.get("/account/two-factor").status_code == 200
    member = make.user(session, Role.member, org=make.organisation(session))
    member_client = login_as(member, app.test_client())
    assert member_client.get("/member/").status_code == 200
    engine_of(app).dispose()


# ------------------------------------------------------------------ invitations and resets


def _link(session, kind):
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"http://localhost(/\S+)", mail.body_text).group(1)


def test_invitation_sets_password_once(app, client, session, make, login_as):
    admin = make.user(session, Role.admin)
    admin_client = login_as(admin, app.test_client())
    response = admin_client.post("/admin/users/invite", data={"email": "New.Agent@Example.org", "name": "New Agent",
                                                               "role": "agent", "organisation_id": ""})
    assert response.status_code == 302
    link = _link(session, "invitation")
    page = client.get(link)
    assert page.status_code == 200 and "New Agent" in page.get_data(as_text=True)
    weak = client.post(link, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 200 and "at least" in weak.get_data(as_text=True)
    ok = client.post(link, data={"password": "my own long passphrase", "confirm": "my own long passphrase"})
    assert ok.status_code == 302
    assert client.get(link).status_code == 400
    assert login(app.test_client(), "new.agent@example.org", "my own long passphrase").status_code == 302


def test_password_reset_link_is_single_use_and_expires(app, client, session, make):
    user = make.user(session, Role.member, org=make.organisation(session))
    response = client.post("/forgot", data={"email": user.email})
    assert response.status_code == 302
    unknown = client.post("/forgot", data={"email": "nobody@example.org"})
    assert unknown.status_code == 302  # same answer either way
    link = _link(session, "password-reset")
    assert client.post(link, data={"password": "another long passphrase", "confirm": "another long passphrase"}).status_code == 302
    assert client.get(link).status_code == 400
    assert login(app.test_client(), user.email, "another long passphrase").status_code == 302

    client.post("/forgot", data={"email": user.email})
    link = _link(session, "password-reset")
    from portal.models import OneTimeToken

    for token in session.exec(select(OneTimeToken)).all():
        token.expires_at = utcnow() - timedelta(minutes=1)
        session.add(token)
    session.commit()
    expired = client.get(link)
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)


def test_tampered_token_is_refused(client, session, make):
    user = make.user(session, Role.agent)
    client.post("/forgot", data={"email": user.email})
    link = _link(session, "password-reset")
    assert client.get(tampered(link)).status_code == 400


def test_role_change_ends_sessions_and_is_audited(app, client, session, make, login_as):
    admin = make.user(session, Role.admin)
    agent = make.user(session, Role.agent)
    agent_client = login_as(agent, app.test_client())
    admin_client = login_as(admin, app.test_client())
    response = admin_client.post(f"/admin/users/{agent.id}", data={"name": agent.name, "role": "publisher",
                                                                    "organisation_id": ""})
    assert response.status_code == 302
    assert agent_client.get("/desk/").status_code == 302
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.role_change")).one()
    assert event.actor == admin.email and '"agent"' in event.detail and '"publisher"' in event.detail


def test_last_admin_cannot_be_demoted_or_deactivated(app, session, make, login_as):
    admin = make.user(session, Role.admin)
    other = make.user(session, Role.admin)
    c = login_as(admin, app.test_client())
    assert c.post(f"/admin/users/{other.id}/deactivate").status_code == 302
    session.refresh(other)
    assert not other.active
    page = login_as(other, app.test_client())  # deactivated: cannot act, so use the remaining admin
    assert page.get("/admin/").status_code == 302
    response = c.post(f"/admin/users/{admin.id}", data={"name": admin.name, "role": "agent", "organisation_id": ""})
    assert "cannot change your own role" in response.get_data(as_text=True)
    session.refresh(admin)
    assert admin.role == Role.admin


def test_user_create_rejects_member_without_organisation(session, app):
    with pytest.raises(accounts.ValidationFailed) as info:
        accounts.create_user(session, email="m@example.org", name="M", role="member", password=None,
                             policy=accounts.AuthPolicy.from_config(app.config))
    assert "organisation_id" in info.value.errors
    assert session.exec(select(User).where(User.email == "m@example.org")).first() is None
