"""Secure hand-over links: bound to one repository and one person, expiring, single use, then verified."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from portal.errors import ValidationFailed
from portal.models import AuditEvent, Contact, CredentialHandover, OutboxMessage, Role
from portal.services import credentials, handover
from portal.services.datacite_calls import Caller
from portal.services.handover import HandoverPolicy, TokenInvalid
from tests.factories import tampered
from tests.services.fake_datacite import FakeDataCite

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "Handed-Over-Pa55"


@pytest.fixture
def world(app, session, make):
    org = make.organisation(session, "Alpha University", datacite_member_id="ALPHA")
    other_org = make.organisation(session, "Beta Institute", datacite_member_id="BETA")
    repo = make.repository(session, org, "ALPHA.DATA", prefixes=("10.80001",))
    other_repo = make.repository(session, org, "ALPHA.MORE")
    contact = Contact(organisation_id=org.id, name="Tomás Contact", email="tomas@alpha.example", role="technical")
    stranger = Contact(organisation_id=other_org.id, name="Beta Person", email="beta@beta.example")
    session.add_all([contact, stranger])
    session.commit()
    member = make.user(session, Role.member, org=org, name="Li Member", email="li@alpha.example")
    agent = make.user(session, Role.agent, name="Priya Agent")
    policy = HandoverPolicy(secret_key=app.config["SECRET_KEY"], base_url="https://portal.example",
                            site_name="RSP Portal", ttl=timedelta(hours=72))
    fake = FakeDataCite().add("ALPHA.DATA", PASSWORD, "10.80001")
    return {"org": org, "repo": repo, "other_repo": other_repo, "contact": contact, "stranger": stranger,
            "member": member, "agent": agent, "policy": policy, "fake": fake,
            "vault": app.extensions["portal.vault"]}


def issue(world, session, key=None, repo=None, now=NOW):
    return handover.issue_handover(session, repo or world["repo"],
                                   recipient_key=key or f"contact:{world['contact'].id}", policy=world["policy"],
                                   caller=Caller(user=world["agent"]), ip="", now=now)


def complete(world, session, link, secret=PASSWORD, now=NOW + timedelta(hours=1)):
    return handover.complete_handover(session, signed=link.rsplit("/", 1)[1], secret=secret, policy=world["policy"],
                                      vault=world["vault"], connector=world["fake"].connector(), ip="", now=now)


def test_recipients_are_the_organisations_contacts_and_member_users(session, world):
    keys = {r.key: r.email for r in handover.handover_recipients(session, world["repo"])}
    assert keys == {f"contact:{world['contact'].id}": "tomas@alpha.example", f"user:{world['member'].id}": "li@alpha.example"}


def test_link_is_mailed_and_names_no_secret(session, world):
    record, link = issue(world, session)
    assert link.startswith("https://portal.example/handover/")
    mail = session.exec(select(OutboxMessage)).one()
    assert mail.to_addr == "tomas@alpha.example" and link in mail.body_text
    assert "ALPHA.DATA" in mail.body_text and "72 hours" in mail.body_text
    assert record.expires_at == NOW + timedelta(hours=72) and record.recipient_email == "tomas@alpha.example"
    view = handover.open_handover(session, signed=link.rsplit("/", 1)[1], policy=world["policy"], now=NOW)
    assert view.repository.id == world["repo"].id and view.system_label == "DataCite test system"


def test_someone_of_another_organisation_cannot_be_chosen(session, world):
    for key in (f"contact:{world['stranger'].id}", "contact:999", f"user:{world['agent'].id}", "junk"):
        with pytest.raises(ValidationFailed) as caught:
            issue(world, session, key=key)
        assert "recipient" in caught.value.errors
    assert session.exec(select(OutboxMessage)).all() == []


def test_completing_stores_verifies_and_uses_up_the_link(session, world):
    _record, link = issue(world, session)
    result = complete(world, session, link)
    assert result.repository.id == world["repo"].id
    assert result.verification.checked and result.verification.ok
    status = credentials.credential_status(session, world["repo"])
    assert status.stored and status.set_via == "handover" and status.set_by == "Tomás Contact <tomas@alpha.example>"
    assert "through a secure link" in status.describe() and status.verified_ok
    row = session.exec(select(CredentialHandover)).one()
    assert row.used_at is not None and row.outcome.startswith("saved; verified: ok")
    with pytest.raises(TokenInvalid, match="already been used"):
        complete(world, session, link, secret="second-try")
    assert credentials.open_credentials(session, world["repo"], vault=world["vault"], caller=Caller(label="t"),
                                        purpose="t", ip="", now=NOW).secret.reveal() == PASSWORD
    actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert {"credential.handover_issue", "credential.handover_complete", "credential.store",
            "credential.verify"} <= set(actions)


def test_wrong_credential_is_saved_and_shown_as_failed(session, world):
    _record, link = issue(world, session)
    result = complete(world, session, link, secret="not-the-password")
    assert result.verification.checked and not result.verification.ok
    assert credentials.credential_status(session, world["repo"]).needs_attention


def test_blank_value_keeps_the_link_usable(session, world):
    _record, link = issue(world, session)
    with pytest.raises(ValidationFailed):
        complete(world, session, link, secret="  ")
    assert complete(world, session, link).verification.ok


def test_expired_link_is_refused(session, world):
    _record, link = issue(world, session)
    with pytest.raises(TokenInvalid, match="expired"):
        complete(world, session, link, now=NOW + timedelta(hours=72, seconds=1))
    assert not credentials.credential_status(session, world["repo"]).stored


def test_link_works_only_for_its_own_repository(session, world):
    _record, link = issue(world, session)
    complete(world, session, link)
    assert not credentials.credential_status(session, world["other_repo"]).stored


def test_a_newer_link_or_clearing_revokes_open_links(session, world):
    _first, first_link = issue(world, session)
    _second, second_link = issue(world, session, key=f"user:{world['member'].id}")
    with pytest.raises(TokenInvalid):
        complete(world, session, first_link)
    credentials.set_credential(session, world["repo"], secret=PASSWORD, vault=world["vault"], via="agent",
                               caller=Caller(user=world["agent"]), ip="", now=NOW)
    credentials.clear_credential(session, world["repo"], caller=Caller(user=world["agent"]), reason="moved", ip="",
                                 now=NOW)
    with pytest.raises(TokenInvalid):
        complete(world, session, second_link)


def test_tampered_link_is_refused(session, world):
    _record, link = issue(world, session)
    with pytest.raises(TokenInvalid, match="not valid"):
        complete(world, session, tampered(link))


def test_removing_the_contact_keeps_the_record_of_the_link(session, world):
    from portal.services import members

    record, _link = issue(world, session)
    members.remove_contact(session, world["contact"], actor=world["agent"], ip="")
    session.expire_all()
    kept = session.get(CredentialHandover, record.id)
    assert kept.contact_id is None and kept.recipient_email == "tomas@alpha.example"
