"""Admin pages: users, invitations, the audit log, the system page."""

from __future__ import annotations

from sqlmodel import select

from portal import audit
from portal.models import Role, User


def test_users_list_filters_sorts_and_pages(client, session, make, login_as):
    admin = make.user(session, Role.admin, name="Ada Admin")
    org = make.organisation(session, "Unix")
    for n in range(30):
        make.user(session, Role.member, org=org, name=f"Member {n:02d}")
    make.user(session, Role.agent, name="Inactive Agent", active=False)
    login_as(admin)
    page = client.get("/admin/users?role=member&sort=name&dir=desc&per_page=10").get_data(as_text=True)
    assert "Member 29" in page and "Member 19" not in page and "1–10 of 30" in page
    assert "\">Ada Admin</a>" not in page
    second = client.get("/admin/users?role=member&sort=name&dir=desc&per_page=10&page=2").get_data(as_text=True)
    assert "Member 19" in second and "11–20 of 30" in second
    inactive = client.get("/admin/users?status=inactive").get_data(as_text=True)
    assert "Inactive Agent" in inactive and "Member 01" not in inactive
    search = client.get("/admin/users?q=member 0").get_data(as_text=True)
    assert "Member 05" in search and "Member 15" not in search


def test_invite_shows_field_errors_and_keeps_input(client, session, make, login_as):
    login_as(make.user(session, Role.admin))
    existing = make.user(session, Role.agent)
    response = client.post("/admin/users/invite", data={"email": existing.email, "name": "", "role": "member",
                                                         "organisation_id": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="name-error"' in body and 'aria-invalid="true"' in body
    assert 'id="email-error"' in body  # every problem at once
    body = client.post("/admin/users/invite", data={"email": existing.email, "name": "Someone", "role": "agent",
                                                     "organisation_id": ""}).get_data(as_text=True)
    assert 'id="email-error"' in body and "already exists" in body
    assert 'value="Someone"' in body
    assert len(session.exec(select(User)).all()) == 2


def test_member_invitation_needs_organisation(client, session, make, login_as):
    login_as(make.user(session, Role.admin))
    org = make.organisation(session, "Unix")
    body = client.post("/admin/users/invite", data={"email": "m@unix.example", "name": "M", "role": "member",
                                                     "organisation_id": ""}).get_data(as_text=True)
    assert "belongs to a member organisation" in body
    ok = client.post("/admin/users/invite", data={"email": "m@unix.example", "name": "M", "role": "member",
                                                   "organisation_id": str(org.id)})
    assert ok.status_code == 302
    assert session.exec(select(User).where(User.email == "m@unix.example")).one().organisation_id == org.id


def test_deactivation_asks_for_confirmation_first(client, session, make, login_as):
    login_as(make.user(session, Role.admin))
    target = make.user(session, Role.agent, name="Ben")
    page = client.get(f"/admin/users/{target.id}/deactivate").get_data(as_text=True)
    assert "Deactivate Ben?" in page and 'type="submit"' in page
    session.refresh(target)
    assert target.active
    client.post(f"/admin/users/{target.id}/deactivate")
    session.refresh(target)
    assert not target.active
    client.post(f"/admin/users/{target.id}/reactivate")
    session.refresh(target)
    assert target.active


def test_audit_log_filters(client, session, make, login_as):
    admin = make.user(session, Role.admin)
    for n in range(3):
        audit.record(session, "repository.update", actor_label="priya@rsp.example", target=("repository", n))
    audit.record(session, "auth.login_failed", actor_label="mallory@evil.example", ip="203.0.113.9")
    session.commit()
    login_as(admin)
    body = client.get("/admin/audit?action=auth.").get_data(as_text=True)
    assert "mallory@evil.example" in body and "priya@rsp.example" not in body
    body = client.get("/admin/audit?actor=priya&target_type=repository&target_id=2").get_data(as_text=True)
    assert body.count("<code>repository.update</code>") == 1
    bad = client.get("/admin/audit?since=last-week").get_data(as_text=True)
    assert "ignored: last-week" in bad


def test_times_are_shown_in_the_viewers_zone(client, session, make, login_as):
    from datetime import UTC, datetime

    admin = make.user(session, Role.admin, timezone="Asia/Tokyo")
    make.user(session, Role.agent, name="Zed", created_at=datetime(2026, 1, 1, 12, 0, tzinfo=UTC))
    login_as(admin)
    page = client.get("/admin/users/2").get_data(as_text=True)
    assert "2026-01-01 21:00 JST" in page and 'datetime="2026-01-01T12:00:00+00:00"' in page


def test_profile_time_zone_must_be_real(client, session, make, login_as):
    user = make.user(session, Role.agent)
    login_as(user)
    bad = client.post("/account", data={"name": "Agent", "timezone": "Mars/Olympus"})
    assert "Choose a time zone from the list" in bad.get_data(as_text=True)
    assert client.post("/account", data={"name": "Agent", "timezone": "Europe/Helsinki"}).status_code == 302
    session.refresh(user)
    assert user.timezone == "Europe/Helsinki"


def test_system_page_masks_secrets(app, client, session, make, login_as):
    login_as(make.user(session, Role.admin))
    body = client.get("/admin/system").get_data(as_text=True)
    assert "PORTAL_SECRET_KEY" in body and app.config["SECRET_KEY"] not in body
    assert "ktest" in body  # key ids are shown, keys are not
