"""A seeded sandbox, members with verified credentials, and the health run's environment."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from portal.datacite import Credentials, client_for
from portal.datacite.retry import RetryPolicy
from portal.datacite.sandbox import Faults, create_sandbox, parse_repository_spec
from portal.models import Contact, Role
from portal.services import credentials
from portal.services.checks.health import HealthEnv
from portal.services.checks.rules import HealthSettings
from portal.services.datacite_calls import Caller, Connector
from portal.vault import Secret
from tests.helpdesk import ctx_for_tests

PASSWORD = "Checks-Sandbox-Pa55"
START = datetime(2026, 11, 2, 4, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def sandbox(clock) -> Iterator[Any]:
    specs = [f"ALPHA.DATA:{PASSWORD}:10.80001", f"ALPHA.TEST:{PASSWORD}:10.80002:*.alpha.example",
             f"BETA.DATA:{PASSWORD}:10.80003"]
    stand_in = create_sandbox(repositories=[parse_repository_spec(s) for s in specs], faults=Faults(seed=1),
                              now=clock)
    yield stand_in
    stand_in.close()


@pytest.fixture
def checks_world(app, session, make, sandbox, clock):
    alpha = make.organisation(session, "Alpha University", datacite_member_id="ALPHA")
    beta = make.organisation(session, "Beta Institute", datacite_member_id="BETA")
    session.add(Contact(organisation_id=alpha.id, name="Tech Alpha", email="tech@alpha.example", role="technical"))
    session.commit()
    repos = {
        "ALPHA.DATA": make.repository(session, alpha, "ALPHA.DATA", prefixes=("10.80001",), domains="*.alpha.example",
                                      api_target="sandbox", environment="production"),
        "ALPHA.TEST": make.repository(session, alpha, "ALPHA.TEST", prefixes=("10.80002",), domains="*.alpha.example",
                                      api_target="sandbox", environment="test"),
        "BETA.DATA": make.repository(session, beta, "BETA.DATA", prefixes=("10.80003",), api_target="sandbox",
                                     environment="production"),
    }
    agent = make.user(session, Role.agent)
    vault = app.extensions["portal.vault"]
    connector = Connector(config=app.config, transport=httpx.WSGITransport(app=sandbox),
                          retry=RetryPolicy(attempts=2, base=0, cap=0, total=1, max_retry_after=0))
    for repo in repos.values():
        credentials.set_credential(session, repo, secret=PASSWORD, vault=vault, via="agent",
                                   caller=Caller(user=agent), ip="", now=clock.now)
        assert credentials.verify_credential(session, repo, vault=vault, connector=connector, caller=Caller(user=agent),
                                             ip="", now=clock.now).ok
    env = HealthEnv(connector=connector, vault=vault, ctx=ctx_for_tests(), fallback_email="support@rsp.example",
                    settings=HealthSettings(page_size=5, initial_page_size=5))
    return {"repos": repos, "orgs": {"alpha": alpha, "beta": beta}, "env": env, "config": app.config,
            "agent": agent, "vault": vault, "connector": connector}


GOOD = {
    "titles": [{"title": "Glacier data"}],
    "creators": [{"name": "Doe, Jane", "nameType": "Personal",
                  "nameIdentifiers": [{"nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
                                       "nameIdentifierScheme": "ORCID"}],
                  "affiliation": [{"name": "Alpha University", "affiliationIdentifier": "https://ror.org/02mhbdp94",
                                   "affiliationIdentifierScheme": "ROR"}]}],
    "publisher": {"name": "Alpha University", "publisherIdentifier": "https://ror.org/02mhbdp94",
                  "publisherIdentifierScheme": "ROR"},
    "publicationYear": 2026,
    "types": {"resourceTypeGeneral": "Dataset"},
    "descriptions": [{"description": "Measurements of glaciers.", "descriptionType": "Abstract"}],
    "rightsList": [{"rights": "CC BY 4.0", "rightsIdentifier": "CC-BY-4.0", "rightsUri":
                    "https://creativecommons.org/licenses/by/4.0/legalcode"}],
    "relatedIdentifiers": [{"relatedIdentifier": "10.5555/other", "relatedIdentifierType": "DOI",
                            "relationType": "IsSupplementTo"}],
    "fundingReferences": [{"funderName": "EU", "funderIdentifier": "https://doi.org/10.13039/501100000780",
                           "funderIdentifierType": "Crossref Funder ID"}],
}


def mint(world, symbol: str, prefix: str, *, url: str | None, event: str | None = "publish", **extra: Any) -> str:
    """Create a DOI in the sandbox as the member's own system would (draft, then an event)."""
    attributes = {**GOOD, **extra}
    if url is not None:
        attributes["url"] = url
    creds = Credentials(symbol, Secret(PASSWORD))
    with client_for(world["config"], "sandbox", transport=world["connector"].transport) as client:
        made = client.create_draft(creds, attributes, prefix=prefix)
        if event == "publish":
            client.publish(creds, made.doi)
        elif event == "register":
            client.register(creds, made.doi)
    return made.doi
