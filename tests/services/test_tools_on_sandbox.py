"""Credential verification and the DOI tools against the offline DataCite sandbox, through httpx.WSGITransport."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlmodel import select

from portal.datacite import Credentials, client_for
from portal.datacite.retry import RetryPolicy
from portal.models import DataCiteCall, Role
from portal.services import credentials, doi_tools, test_registration
from portal.services.datacite_calls import Caller, Connector
from portal.vault import Secret

sandbox_module = pytest.importorskip("portal.datacite.sandbox",
                                     reason="the offline DataCite sandbox is not in this build yet")

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "Sandbox-Tools-Pa55"
SPEC = f"ALPHA.DATA:{PASSWORD}:10.80001:*.alpha.example"


@pytest.fixture
def sandbox() -> Iterator[Any]:
    stand_in = sandbox_module.create_sandbox(repositories=[sandbox_module.parse_repository_spec(SPEC)],
                                             now=lambda: NOW)
    yield stand_in
    stand_in.close()


@pytest.fixture
def world(app, session, make, sandbox):
    org = make.organisation(session, "Alpha University", datacite_member_id="ALPHA")
    repo = make.repository(session, org, "ALPHA.DATA", prefixes=("10.80001",), domains="*.alpha.example",
                           api_target="sandbox")
    agent = make.user(session, Role.agent, name="Priya Agent")
    connector = Connector(config=app.config, transport=httpx.WSGITransport(app=sandbox),
                          retry=RetryPolicy(attempts=1))
    return {"repo": repo, "agent": agent, "caller": Caller(user=agent), "vault": app.extensions["portal.vault"],
            "connector": connector, "config": app.config}


def store(world, session, secret=PASSWORD):
    credentials.set_credential(session, world["repo"], secret=secret, vault=world["vault"], via="agent",
                               caller=world["caller"], ip="", now=NOW)


def verify(world, session):
    return credentials.verify_credential(session, world["repo"], vault=world["vault"], connector=world["connector"],
                                         caller=world["caller"], ip="", now=NOW)


def draft(world, attributes: dict[str, Any]) -> str:
    """Create a draft in the sandbox directly, as the member's own system would."""
    with client_for(world["config"], "sandbox", transport=world["connector"].transport) as client:
        made = client.create_draft(Credentials("ALPHA.DATA", Secret(PASSWORD)), attributes, prefix="10.80001")
    return made.doi


def test_sandbox_accepts_the_right_password_and_refuses_a_wrong_one(session, world):
    store(world, session)
    assert verify(world, session).ok
    store(world, session, secret="wrong-password")
    outcome = verify(world, session)
    assert outcome.checked and not outcome.ok
    assert credentials.credential_status(session, world["repo"]).needs_attention


def test_look_up_a_sandbox_draft_with_its_problems(session, world):
    doi = draft(world, {"url": "https://www.alpha.example/1", "titles": [{"title": "Only a title"}]})
    store(world, session)
    diagnosis = doi_tools.look_up_doi(session, world["repo"], raw=f"https://doi.org/{doi.upper()}",
                                      connector=world["connector"], vault=world["vault"], caller=world["caller"],
                                      ip="", now=NOW)
    assert diagnosis.error is None and diagnosis.found.state == "draft" and diagnosis.owned
    assert {"creators", "publisher", "publicationYear", "types"} <= {p.source for p in diagnosis.problems}
    anonymous = doi_tools.look_up_doi(session, world["repo"].model_copy(), raw=doi, connector=world["connector"],
                                      vault=world["vault"], caller=world["caller"], ip="", now=NOW)
    assert anonymous.found is not None  # the credential is still stored, so the draft stays visible


def test_recent_dois_and_facets_from_the_sandbox(session, world, sandbox):
    sandbox.seed_dois(40, seed=7)
    store(world, session)
    recent = doi_tools.recent_dois(session, world["repo"], connector=world["connector"], vault=world["vault"],
                                   caller=world["caller"], ip="", now=NOW)
    assert recent.error is None and recent.total == 40 and len(recent.items) == 25
    assert sum(recent.facets.counts("states").values()) == 40
    updated = [d.updated for d in recent.items]
    assert updated == sorted(updated, reverse=True)


def test_test_registration_on_the_sandbox(session, world):
    store(world, session)
    transcript = test_registration.run_test_registration(session, world["repo"], connector=world["connector"],
                                                         vault=world["vault"], caller=world["caller"],
                                                         site_name="RSP Portal", ip="")
    assert transcript.ok, transcript.body
    assert "calls sent to the offline DataCite sandbox" in transcript.body
    assert "Register: PUT /dois/10.80001/" in transcript.body and "as registered" in transcript.body
    diagnosis = doi_tools.look_up_doi(session, world["repo"], raw=transcript.doi, connector=world["connector"],
                                      vault=world["vault"], caller=world["caller"], ip="", now=NOW)
    assert diagnosis.found.state == "registered" and diagnosis.problems == []
    assert diagnosis.found.url == "https://www.alpha.example/rsp-portal-test-registration"
    operations = [c.operation for c in session.exec(select(DataCiteCall).order_by(DataCiteCall.id)).all()]
    assert operations == ["create_draft", "register", "get_doi", "get_doi"]


def test_a_url_outside_the_sandbox_domains_fails_and_the_draft_is_cleaned_up(session, world):
    repo = world["repo"]
    repo.domains = "elsewhere.example"  # the portal's record disagrees with the sandbox's domain list
    session.add(repo)
    session.commit()
    store(world, session)
    transcript = test_registration.run_test_registration(session, repo, connector=world["connector"],
                                                         vault=world["vault"], caller=world["caller"],
                                                         site_name="RSP Portal", ip="")
    assert not transcript.ok
    assert "Result: FAILED at step 3 (Register)" in transcript.body
    assert "Clean up: DELETE /dois/" in transcript.body and "HTTP 204" in transcript.body
