"""Credential pages for agents, members and hand-over links, and the agents' DOI tools, over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from portal.models import (
    AuditEvent,
    Contact,
    DataCiteCall,
    DiagnosisTranscript,
    Message,
    OutboxMessage,
    RepositoryCredential,
    Role,
    Visibility,
)
from portal.models.types import utcnow
from portal.services import credentials
from portal.services.datacite_calls import Caller
from portal.services.tickets.context import TicketContext
from portal.services.tickets.core import NewTicket, create_ticket
from portal.web.common import CONNECTOR_EXTENSION
from tests.services.fake_datacite import FakeDataCite

PASSWORD = "Page-Test-Pa55word"
GOOD = {"url": "https://example.org/x", "titles": [{"title": "A title"}], "creators": [{"name": "Doe, Jane"}],
        "publisher": "Alpha University", "publicationYear": "2024", "types": {"resourceTypeGeneral": "Dataset"}}


@pytest.fixture
def fake(app) -> FakeDataCite:
    fake = FakeDataCite().add("ALPHA.DATA", PASSWORD, "10.80001")
    app.extensions[CONNECTOR_EXTENSION] = fake.connector(app.config)
    return fake


@pytest.fixture
def world(session, make):
    org = make.organisation(session, "Alpha University", datacite_member_id="ALPHA")
    other = make.organisation(session, "Beta Institute", datacite_member_id="BETA")
    repo = make.repository(session, org, "ALPHA.DATA", prefixes=("10.80001",))
    other_repo = make.repository(session, other, "BETA.DATA")
    contact = Contact(organisation_id=org.id, name="Tomás Contact", email="tomas@alpha.example", role="technical")
    session.add(contact)
    session.commit()
    return {"org": org, "repo": repo, "other_repo": other_repo, "contact": contact,
            "agent": make.user(session, Role.agent, name="Priya Agent"),
            "member": make.user(session, Role.member, org=org, name="Li Member"),
            "outsider": make.user(session, Role.member, org=other, name="Beta Member")}


def text(response) -> str:
    body = response.get_data(as_text=True)
    response.close()
    return body


def stored(session, repo):
    session.expire_all()
    return credentials.credential_status(session, repo)


def test_agent_sets_a_credential_and_sees_the_verdict(client, login_as, session, world, fake):
    login_as(world["agent"])
    page = text(client.get(f"/desk/repositories/{world['repo'].id}/credential"))
    field = re.search(r'<input[^>]*name="secret"[^>]*>', page).group(0)
    assert 'type="password"' in field and not re.search(r'value="[^"]', field)
    response = client.post(f"/desk/repositories/{world['repo'].id}/credential", data={"secret": PASSWORD})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Verified: DataCite accepted the password for ALPHA.DATA" in page
    assert "Password set on" in page and "by Priya Agent" in page and "last verified" in page
    assert PASSWORD not in page
    status = stored(session, world["repo"])
    assert status.stored and status.verified_ok


def test_blank_submit_keeps_the_stored_value(client, login_as, session, world, fake, app):
    credentials.set_credential(session, world["repo"], secret=PASSWORD, vault=app.extensions["portal.vault"],
                               via="agent", caller=Caller(user=world["agent"]), ip="", now=utcnow())
    before = session.exec(select(RepositoryCredential)).one().secret
    login_as(world["agent"])
    response = client.post(f"/desk/repositories/{world['repo'].id}/credential", data={"secret": "  "})
    assert response.status_code == 302
    assert "Nothing changed" in text(client.get(response.headers["Location"]))
    session.expire_all()
    assert session.exec(select(RepositoryCredential)).one().secret == before
    login_as(world["member"])
    response = client.post(f"/member/repositories/{world['repo'].id}/credential", data={"secret": ""})
    assert response.status_code == 302
    session.expire_all()
    assert session.exec(select(RepositoryCredential)).one().secret == before


def test_blank_first_submit_is_a_field_error(client, login_as, world, fake):
    login_as(world["agent"])
    response = client.post(f"/desk/repositories/{world['repo'].id}/credential", data={"secret": ""})
    assert response.status_code == 200
    assert "Enter the repository&#39;s password or API key." in text(response)


def test_setting_needs_a_fresh_sign_in(client, login_as, world, fake):
    login_as(world["agent"])
    with client.session_transaction() as sess:
        sess["_fresh"] = False  # e.g. restored from a remember-me cookie
    for path in (f"/desk/repositories/{world['repo'].id}/credential",
                 f"/desk/repositories/{world['repo'].id}/credential/clear"):
        response = client.get(path)
        assert response.status_code == 302 and "/reauthenticate" in response.headers["Location"]
    response = client.post(f"/desk/repositories/{world['repo'].id}/credential/verify")
    assert response.status_code == 302 and "/reauthenticate" in response.headers["Location"]


def test_clearing_asks_first(client, login_as, session, world, fake, app):
    credentials.set_credential(session, world["repo"], secret=PASSWORD, vault=app.extensions["portal.vault"],
                               via="agent", caller=Caller(user=world["agent"]), ip="", now=utcnow())
    login_as(world["agent"])
    page = text(client.get(f"/desk/repositories/{world['repo'].id}/credential/clear"))
    assert "Clear the credential of ALPHA.DATA?" in page
    assert stored(session, world["repo"]).stored
    response = client.post(f"/desk/repositories/{world['repo'].id}/credential/clear")
    assert response.status_code == 302
    assert "No credential stored (cleared on" in text(client.get(response.headers["Location"]))


def test_editing_the_repository_id_clears_it(client, login_as, session, world, fake, app):
    credentials.set_credential(session, world["repo"], secret=PASSWORD, vault=app.extensions["portal.vault"],
                               via="agent", caller=Caller(user=world["agent"]), ip="", now=utcnow())
    login_as(world["agent"])
    response = client.post(f"/desk/repositories/{world['repo'].id}/edit", data={
        "symbol": "ALPHA.RENAMED", "name": "", "environment": "test", "prefixes": "10.80001", "domains": "*",
        "api_target": "datacite", "active": "y"})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "credential was cleared" in page and "repository changed: symbol ALPHA.DATA → ALPHA.RENAMED" in page
    assert not stored(session, world["repo"]).stored


def test_verify_with_datacite_down_explains(client, login_as, session, world, fake, app):
    credentials.set_credential(session, world["repo"], secret=PASSWORD, vault=app.extensions["portal.vault"],
                               via="agent", caller=Caller(user=world["agent"]), ip="", now=utcnow())
    fake.fail = httpx.ConnectError("refused")
    login_as(world["agent"])
    response = client.post(f"/desk/repositories/{world['repo'].id}/credential/verify")
    page = text(client.get(response.headers["Location"]))
    assert "could not be verified now" in page and "DataCite" in page
    assert "not verified yet" in page


def test_member_sets_their_own_repositorys_credential_only(client, login_as, session, world, fake):
    login_as(world["member"])
    page = text(client.get("/member/organisation"))
    assert "No credential stored." in page and f"/member/repositories/{world['repo'].id}/credential" in page
    response = client.post(f"/member/repositories/{world['repo'].id}/credential", data={"secret": PASSWORD})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Verified:" in page and "(member)" in page and PASSWORD not in page
    assert client.get(f"/member/repositories/{world['other_repo'].id}/credential").status_code == 404
    assert client.post(f"/member/repositories/{world['other_repo'].id}/credential",
                       data={"secret": "x"}).status_code == 404
    assert not stored(session, world["other_repo"]).stored


def test_hand_over_by_link(client, login_as, session, world, fake):
    login_as(world["agent"])
    page = text(client.get(f"/desk/repositories/{world['repo'].id}/handover"))
    assert "Tomás Contact &lt;tomas@alpha.example&gt;" in page and "Li Member" in page
    assert "Beta Member" not in page
    response = client.post(f"/desk/repositories/{world['repo'].id}/handover",
                           data={"recipient": f"contact:{world['contact'].id}"})
    assert response.status_code == 302
    mail = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "credential-handover")).one()
    path = re.search(r"http://localhost(/handover/\S+)", mail.body_text).group(1)

    anonymous = client.application.test_client()
    page = text(anonymous.get(path))
    assert "ALPHA.DATA" in page and "Alpha University" in page and "test (DataCite test system)" in page
    # A repository id slipped into the form is ignored: the link decides.
    done = anonymous.post(path, data={"secret": PASSWORD, "repository_id": world["other_repo"].id,
                                      "repo_id": world["other_repo"].id})
    body = text(done)
    assert done.status_code == 200 and "Verified:" in body and "no longer works" in body and PASSWORD not in body
    assert stored(session, world["repo"]).set_via == "handover"
    assert not stored(session, world["other_repo"]).stored
    again = anonymous.get(path)
    assert again.status_code == 400 and "already been used" in text(again)


def test_hand_over_to_someone_else_is_refused(client, login_as, session, world, fake):
    outsider = Contact(organisation_id=world["other_repo"].organisation_id, name="X", email="x@beta.example")
    session.add(outsider)
    session.commit()
    login_as(world["agent"])
    response = client.post(f"/desk/repositories/{world['repo'].id}/handover", data={"recipient": f"contact:{outsider.id}"})
    assert response.status_code == 200 and "Choose one of this organisation" in text(response)
    assert session.exec(select(OutboxMessage)).all() == []


def test_expired_hand_over_link(client, login_as, session, world, fake, app):
    from portal.services import handover

    policy = handover.HandoverPolicy.from_config(app.config)
    _record, link = handover.issue_handover(session, world["repo"], recipient_key=f"contact:{world['contact'].id}",
                                            policy=policy, caller=Caller(user=world["agent"]), ip="",
                                            now=utcnow() - timedelta(hours=73))
    response = client.get(link.replace("http://localhost", ""))
    assert response.status_code == 400 and "expired" in text(response)


def test_doi_look_up_page(client, login_as, session, world, fake, app):
    credentials.set_credential(session, world["repo"], secret=PASSWORD, vault=app.extensions["portal.vault"],
                               via="agent", caller=Caller(user=world["agent"]), ip="", now=utcnow())
    fake.add_doi("10.80001/draft-1", "ALPHA.DATA", "draft", url="https://example.org/d", titles=[{"title": "T"}])
    login_as(world["agent"])
    url = f"/desk/repositories/{world['repo'].id}/doi"
    assert client.get(url).status_code == 200
    page = text(client.post(url, data={"doi": "https://doi.org/10.80001/DRAFT-1"}))
    assert "<code>10.80001/draft-1</code>" in page and ">draft<" in page
    assert "Checked against schema 4.7" in page and "publisher" in page and "Can&#39;t be blank" in page
    bad = client.post(url, data={"doi": "not a doi"})
    assert bad.status_code == 422 and "is not a DOI" in text(bad)
    missing = text(client.post(url, data={"doi": "10.80001/nothing"}))
    assert "What to do:" in missing
    fake.fail = httpx.ConnectError("refused")
    down = text(client.post(url, data={"doi": "10.80001/draft-1"}))
    assert "Could not connect to DataCite" in down and "What to do:" in down
    assert client.post("/desk/repositories/99999/doi", data={"doi": "10.80001/x"}).status_code == 404


def test_recent_dois_page(client, login_as, session, world, fake):
    for n in range(30):
        fake.add_doi(f"10.80001/n{n:02d}", "ALPHA.DATA", "findable", **GOOD)
    login_as(world["agent"])
    url = f"/desk/repositories/{world['repo'].id}/dois"
    page = text(client.get(url))
    assert "Show DOIs" in page and "10.80001/n" not in page and fake.requests == []
    page = text(client.post(url, data={"state": "", "page": "2"}))
    assert "30 DOIs" in page and "Page 2 of 2" in page and "Findable: 30" in page
    assert "only findable DOIs are shown" in page
    assert page.count("10.80001/n") >= 5


def test_test_registration_and_attaching_the_transcript(client, login_as, session, world, fake, app):
    credentials.set_credential(session, world["repo"], secret=PASSWORD, vault=app.extensions["portal.vault"],
                               via="agent", caller=Caller(user=world["agent"]), ip="", now=utcnow())
    ticket = create_ticket(session, NewTicket(subject="Registration fails", body="Help", requester_email="x@alpha.example",
                                              repository_id=world["repo"].id),
                           ctx=TicketContext.from_config(app.config), actor=world["agent"], now=utcnow())
    login_as(world["agent"])
    response = client.post(f"/desk/repositories/{world['repo'].id}/test-registration")
    assert response.status_code == 302 and "/transcripts/" in response.headers["Location"]
    page = text(client.get(response.headers["Location"]))
    assert "Test registration passed" in page and "Diagnosis transcript: test registration for ALPHA.DATA" in page
    transcript = session.exec(select(DiagnosisTranscript)).one()
    attach = f"/desk/repositories/{world['repo'].id}/transcripts/{transcript.id}/attach"
    bad = client.post(attach, data={"ticket": "abc"})
    assert bad.status_code == 422 and "Enter a ticket number" in text(bad)
    missing = client.post(attach, data={"ticket": "#999999"})
    assert missing.status_code == 422 and "There is no ticket #999999" in text(missing)
    done = client.post(attach, data={"ticket": f"#{ticket.id}"})
    assert done.status_code == 302
    assert f"attached to ticket #{ticket.id}" in text(client.get(done.headers["Location"]))
    note = session.exec(select(Message).where(Message.ticket_id == ticket.id, Message.visibility == Visibility.internal)).one()
    assert note.body.startswith("Diagnosis transcript") and PASSWORD not in note.body
    page = text(client.get(f"/desk/repositories/{world['repo'].id}"))
    assert "create_draft" in page and "HTTP 201" in page and f"attached to #{ticket.id}" in page


def test_test_registration_refusals_are_messages(client, login_as, session, world, fake):
    login_as(world["agent"])
    response = client.post(f"/desk/repositories/{world['repo'].id}/test-registration")
    assert response.status_code == 302
    assert "No credential is stored for ALPHA.DATA" in text(client.get(response.headers["Location"]))
    production = world["repo"]
    production.environment = "production"
    session.add(production)
    session.commit()
    page = text(client.get(f"/desk/repositories/{production.id}"))
    assert "Run a test registration" not in page and "registered DOIs can never be deleted" in page
    response = client.post(f"/desk/repositories/{production.id}/test-registration")
    assert "production repository" in text(client.get(response.headers["Location"]))
    assert fake.requests == []


def test_call_log_page(client, login_as, session, world, fake, app):
    credentials.set_credential(session, world["repo"], secret=PASSWORD, vault=app.extensions["portal.vault"],
                               via="agent", caller=Caller(user=world["agent"]), ip="", now=utcnow())
    login_as(world["agent"])
    client.post(f"/desk/repositories/{world['repo'].id}/credential/verify").close()
    page = text(client.get(f"/desk/repositories/{world['repo'].id}/calls"))
    assert "GET /clients/alpha.data" in page and "HTTP 200" in page and world["agent"].email in page
    assert session.exec(select(DataCiteCall)).one().repository_id == world["repo"].id
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "credential.verify")).one()


def test_organisation_page_shows_each_repositorys_credential_state(client, login_as, session, world, fake, app):
    credentials.set_credential(session, world["repo"], secret="Not-The-Pa55word", vault=app.extensions["portal.vault"],
                               via="agent", caller=Caller(user=world["agent"]), ip="", now=utcnow())
    credentials.verify_credential(session, world["repo"], vault=app.extensions["portal.vault"],
                                  connector=fake.connector(app.config), caller=Caller(user=world["agent"]), ip="",
                                  now=utcnow())
    make_repo = world["other_repo"]
    login_as(world["agent"])
    page = text(client.get(f"/desk/members/{world['org'].id}"))
    assert "needs attention" in page and "Not-The-Pa55word" not in page
    other = text(client.get(f"/desk/members/{make_repo.organisation_id}"))
    assert ">none<" in other


def test_desk_home_lists_credentials_needing_attention(client, login_as, session, world, fake, app):
    login_as(world["agent"])
    assert "None: every stored credential" in text(client.get("/desk/"))
    credentials.set_credential(session, world["repo"], secret="Not-The-Pa55word", vault=app.extensions["portal.vault"],
                               via="agent", caller=Caller(user=world["agent"]), ip="", now=utcnow())
    client.post(f"/desk/repositories/{world['repo'].id}/credential/verify").close()
    page = text(client.get("/desk/"))
    assert "<code>ALPHA.DATA</code>" in page and "DataCite did not accept the password" in page
    assert "Not-The-Pa55word" not in page
