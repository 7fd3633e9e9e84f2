"""Member organisations and repositories: validation, audit, and what a changed repository reports."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.errors import NotFound, ValidationFailed
from portal.models import AuditEvent, Organisation, Repository, RepositoryPrefix, Role
from portal.models.types import utcnow
from portal.services import members
from portal.services.members import OrganisationInput, RepositoryInput


def test_create_organisation_normalises_and_audits(session, make):
    admin = make.user(session, Role.admin)
    org = members.create_organisation(session, OrganisationInput(
        name="  University   of Unix ", datacite_member_id="unix", ror_id="https://ror.org/04wxnsj81", country="gb"),
        actor=admin)
    assert (org.name, org.datacite_member_id, org.ror_id, org.country) == ("University of Unix", "UNIX", "04wxnsj81", "GB")
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "organisation.create")).one()
    assert event.actor == admin.email and event.target_id == str(org.id)


def test_organisation_errors_name_each_field(session, make):
    make.organisation(session, "Taken Name")
    with pytest.raises(ValidationFailed) as info:
        members.create_organisation(session, OrganisationInput(
            name="taken name", datacite_member_id="no spaces", ror_id="04wxnsj82", country="XX"), actor=None)
    assert set(info.value.errors) == {"name", "datacite_member_id", "ror_id", "country"}
    assert len(session.exec(select(Organisation)).all()) == 1


def test_repository_validation_like_datacite(session, make):
    org = make.organisation(session, "Unix", datacite_member_id="UNIX")
    with pytest.raises(ValidationFailed) as info:
        members.create_repository(session, org, RepositoryInput(symbol="OTHER.DATA", prefixes="10.12, 10.5438",
                                                                domains="", environment="staging"), actor=None)
    assert set(info.value.errors) == {"symbol", "prefixes", "domains", "environment"}
    assert "start with its member ID" in info.value.errors["symbol"]


def test_same_symbol_in_test_and_production_but_not_twice(session, make):
    org = make.organisation(session, "Unix", datacite_member_id="UNIX")
    members.create_repository(session, org, RepositoryInput(symbol="unix.data", environment="production"), actor=None)
    members.create_repository(session, org, RepositoryInput(symbol="UNIX.DATA", environment="test"), actor=None)
    with pytest.raises(ValidationFailed, match="already registered"):
        members.create_repository(session, org, RepositoryInput(symbol="UNIX.DATA", environment="test"), actor=None)


def test_update_repository_reports_changes_and_prefixes(session, make):
    agent = make.user(session, Role.agent)
    org = make.organisation(session, "Unix", datacite_member_id="UNIX")
    repo = members.create_repository(session, org, RepositoryInput(symbol="UNIX.DATA", prefixes="10.80001"), actor=None)
    _repo, changes = members.update_repository(
        session, repo, RepositoryInput(symbol="UNIX.DATA2", environment="production", prefixes="10.80001,10.80002",
                                       domains="*.unix.example"),
        actor=agent, ip="192.0.2.1", now=utcnow())
    assert changes["symbol"] == ["UNIX.DATA", "UNIX.DATA2"] and changes["environment"] == ["test", "production"]
    assert changes["prefixes"] == [["10.80001"], ["10.80001", "10.80002"]]
    assert members.prefixes_of(session, repo) == ["10.80001", "10.80002"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "repository.update")).one()
    assert event.ip == "192.0.2.1"
    _repo, nothing = members.update_repository(
        session, repo, RepositoryInput(symbol="UNIX.DATA2", environment="production", prefixes="10.80002 10.80001",
                                       domains="*.unix.example"), actor=agent, ip="", now=utcnow())
    assert nothing == {}


def test_repository_scoped_to_organisation(session, make):
    a, b = make.organisation(session), make.organisation(session)
    repo = make.repository(session, a)
    assert members.get_repository(session, repo.id, organisation_id=a.id).id == repo.id
    with pytest.raises(NotFound):
        members.get_repository(session, repo.id, organisation_id=b.id)


def test_prefix_rows_go_with_their_repository(session, make):
    org = make.organisation(session)
    repo = make.repository(session, org, prefixes=("10.80001", "10.80002"))
    session.delete(session.get(Repository, repo.id))
    session.commit()
    assert session.exec(select(RepositoryPrefix)).all() == []


def test_list_organisations_filters_sorts_and_counts(session, make):
    for name, country in (("Alpha", "DE"), ("Beta", "FI"), ("Gamma", "DE")):
        org = make.organisation(session, name, country=country)
        make.repository(session, org)
    page = members.list_organisations(session, country="DE", sort="name", descending=True)
    assert [(o.name, n) for o, n in page.items] == [("Gamma", 1), ("Alpha", 1)]
    by_repo = members.list_organisations(session, q=".R")
    assert by_repo.total == 3
