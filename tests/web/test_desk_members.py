"""The member pages agents work with, and what members see of their own organisation."""

from __future__ import annotations

from sqlmodel import select

from portal.models import Contact, Organisation, Role


def test_create_organisation_with_field_errors_then_success(client, session, make, login_as):
    login_as(make.user(session, Role.agent))
    bad = client.post("/desk/members/new", data={"name": "", "datacite_member_id": "bad id", "ror_id": "nope",
                                                  "country": "", "notes": "", "active": "y"})
    body = bad.get_data(as_text=True)
    for field in ("name", "datacite_member_id", "ror_id"):
        assert f'id="{field}-error"' in body
    ok = client.post("/desk/members/new", data={"name": "University of Unix", "datacite_member_id": "unix",
                                                 "ror_id": "04wxnsj81", "country": "GB", "notes": "", "active": "y"})
    org = session.exec(select(Organisation)).one()
    assert ok.headers["Location"].endswith(f"/desk/members/{org.id}")
    page = client.get(f"/desk/members/{org.id}").get_data(as_text=True)
    assert "United Kingdom" in page and "04wxnsj81" in page


def test_add_repository_prefills_member_id(client, session, make, login_as):
    login_as(make.user(session, Role.agent))
    org = make.organisation(session, "Unix", datacite_member_id="UNIX")
    form = client.get(f"/desk/members/{org.id}/repositories/new").get_data(as_text=True)
    assert 'value="UNIX."' in form
    response = client.post(f"/desk/members/{org.id}/repositories/new", data={
        "symbol": "unix.data", "name": "Data", "environment": "production", "prefixes": "10.80001",
        "domains": "unix.example", "active": "y"})
    assert response.status_code == 302
    assert "UNIX.DATA" in client.get(f"/desk/members/{org.id}").get_data(as_text=True)


def test_contacts_add_and_remove_with_confirmation(client, session, make, login_as):
    login_as(make.user(session, Role.agent))
    org = make.organisation(session, "Unix")
    bad = client.post(f"/desk/members/{org.id}/contacts", data={"name": "T", "email": "nope", "role": "technical"})
    assert bad.status_code == 422 and 'id="email-error"' in bad.get_data(as_text=True)
    client.post(f"/desk/members/{org.id}/contacts", data={"name": "Tomás", "email": "tomas@unix.example",
                                                          "role": "technical", "phone": ""})
    contact = session.exec(select(Contact)).one()
    confirm = client.get(f"/desk/members/{org.id}/contacts/{contact.id}/delete").get_data(as_text=True)
    assert "Remove Tomás as a contact?" in confirm
    assert session.exec(select(Contact)).all()
    client.post(f"/desk/members/{org.id}/contacts/{contact.id}/delete")
    assert session.exec(select(Contact)).all() == []


def test_contact_of_another_organisation_is_not_found(client, session, make, login_as):
    login_as(make.user(session, Role.agent))
    a, b = make.organisation(session), make.organisation(session)
    contact = Contact(organisation_id=b.id, name="B", email="b@example.org")
    session.add(contact)
    session.commit()
    assert client.get(f"/desk/members/{a.id}/contacts/{contact.id}/delete").status_code == 404


def test_members_list_search_by_repository_id(client, session, make, login_as):
    login_as(make.user(session, Role.agent))
    unix = make.organisation(session, "University of Unix", datacite_member_id="UNIX")
    make.repository(session, unix, "UNIX.DATA")
    make.organisation(session, "Other Place", datacite_member_id="OTHER")
    body = client.get("/desk/members?q=unix.data").get_data(as_text=True)
    assert "University of Unix" in body and "Other Place" not in body


def test_member_home_shows_own_repositories(client, session, make, login_as):
    org = make.organisation(session, "Unix", datacite_member_id="UNIX")
    make.repository(session, org, "UNIX.DATA", environment="production")
    login_as(make.user(session, Role.member, org=org))
    body = client.get("/member/").get_data(as_text=True)
    assert "UNIX.DATA" in body and "production" in body
