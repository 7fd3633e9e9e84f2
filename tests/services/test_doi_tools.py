"""The agents' DOI tools against a fake DataCite: look-up with diagnosis, recent DOIs, test registration, transcripts."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from portal.errors import Conflict, ValidationFailed
from portal.models import AuditEvent, DataCiteCall, DiagnosisTranscript, Message, Role, Visibility
from portal.services import credentials, doi_tools, test_registration, transcripts
from portal.services.credentials import NoCredential
from portal.services.datacite_calls import Caller
from portal.services.tickets.context import TicketContext
from portal.services.tickets.core import NewTicket, create_ticket
from portal.services.tickets.escalation import build_package
from tests.services.fake_datacite import FakeDataCite

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "Tools-Pa55word"
GOOD = {"url": "https://example.org/x", "titles": [{"title": "A title"}], "creators": [{"name": "Doe, Jane"}],
        "publisher": "Alpha University", "publicationYear": "2024", "types": {"resourceTypeGeneral": "Dataset"}}


@pytest.fixture
def world(app, session, make):
    org = make.organisation(session, "Alpha University", datacite_member_id="ALPHA")
    repo = make.repository(session, org, "ALPHA.DATA", prefixes=("10.80001",), domains="*.alpha.example")
    agent = make.user(session, Role.agent, name="Priya Agent")
    fake = FakeDataCite().add("ALPHA.DATA", PASSWORD, "10.80001").add("BETA.DATA", "beta", "10.80009")
    return {"org": org, "repo": repo, "agent": agent, "fake": fake, "vault": app.extensions["portal.vault"],
            "caller": Caller(user=agent), "config": app.config}


def store(world, session, secret=PASSWORD):
    credentials.set_credential(session, world["repo"], secret=secret, vault=world["vault"], via="agent",
                               caller=world["caller"], ip="", now=NOW)


def look_up(world, session, raw):
    return doi_tools.look_up_doi(session, world["repo"], raw=raw, connector=world["fake"].connector(),
                                 vault=world["vault"], caller=world["caller"], ip="", now=NOW)


def clock():
    ticks = itertools.count()
    return lambda: NOW + timedelta(seconds=next(ticks))


def run(world, session, **kw):
    return test_registration.run_test_registration(session, world["repo"], connector=world["fake"].connector(),
                                                   vault=world["vault"], caller=world["caller"], site_name="RSP Portal",
                                                   ip="", clock=clock(), **kw)


@pytest.mark.parametrize("raw", ["10.80001/ABC", "https://doi.org/10.80001/abc", "doi:10.80001/abc ",
                                 "https://dx.doi.org/10.80001/abc."])
def test_doi_input_is_normalised(raw):
    assert doi_tools.parse_doi(raw) == "10.80001/abc"


@pytest.mark.parametrize("raw", ["", "abc", "10.1/x", "https://example.org/10.80001", "x" * 400])
def test_malformed_doi_is_a_field_error(raw):
    with pytest.raises(ValidationFailed) as caught:
        doi_tools.parse_doi(raw)
    assert "doi" in caught.value.errors


def test_look_up_without_credentials_explains_what_is_invisible(session, world):
    world["fake"].add_doi("10.80001/public", "ALPHA.DATA", "findable", **GOOD)
    diagnosis = look_up(world, session, "https://doi.org/10.80001/PUBLIC")
    assert diagnosis.found is not None and diagnosis.found.state == "findable"
    assert not diagnosis.with_credentials and doi_tools.ANONYMOUS_NOTE in diagnosis.notes
    assert diagnosis.problems == [] and diagnosis.minimum_version == "4.0" and diagnosis.owned is True
    assert "Authorization" not in world["fake"].requests[0].headers


def test_look_up_of_a_draft_with_credentials_explains_its_problems(session, world):
    store(world, session)
    world["fake"].add_doi("10.80001/draft", "ALPHA.DATA", "draft", url="https://example.org/d",
                          titles=[{"title": "Only a title"}], types={"resourceTypeGeneral": "Dataset",
                                                                     "resourceType": ""},
                          creators=[{"name": "Doe, Jane", "nameType": "Personal"}])
    diagnosis = look_up(world, session, "10.80001/draft")
    assert diagnosis.with_credentials and diagnosis.found.state == "draft"
    sources = {p.source: p for p in diagnosis.problems}
    assert {"publisher", "publicationYear"} <= set(sources)
    assert all(p.hint for p in diagnosis.problems)
    assert diagnosis.minimum_version == "4.1"  # creators[].nameType arrived in 4.1
    assert diagnosis.completeness is not None and diagnosis.completeness.score == 0
    call = session.exec(select(DataCiteCall)).one()
    assert (call.operation, call.doi, call.with_credentials, call.status) == ("get_doi", "10.80001/draft", True, 200)
    use = session.exec(select(AuditEvent).where(AuditEvent.action == "credential.use")).one()
    assert "doi lookup" in use.detail and PASSWORD not in use.detail


def test_unknown_doi_gives_datacites_explanation(session, world):
    store(world, session)
    diagnosis = look_up(world, session, "10.80001/missing")
    assert diagnosis.found is None and diagnosis.error is not None
    assert diagnosis.error.error_class == "not_found" and diagnosis.error.explanation and diagnosis.error.fix


def test_another_repositorys_doi_is_named(session, world):
    world["fake"].add_doi("10.80009/theirs", "BETA.DATA", "findable", **GOOD)
    diagnosis = look_up(world, session, "10.80009/theirs")
    assert diagnosis.owned is False
    assert any("belongs to BETA.DATA" in n for n in diagnosis.notes)
    assert any("10.80009 is not one of ALPHA.DATA's prefixes" in n for n in diagnosis.notes)


def test_datacite_down_is_an_outage_not_a_crash(session, world):
    world["fake"].fail = httpx.ConnectError("connection refused")
    diagnosis = look_up(world, session, "10.80001/abc")
    assert diagnosis.error is not None and diagnosis.error.error_class == "outage"
    call = session.exec(select(DataCiteCall)).one()
    assert not call.ok and call.error_class == "outage" and call.status is None


def test_recent_dois_lists_with_facets(session, world):
    store(world, session)
    for n in range(30):
        world["fake"].add_doi(f"10.80001/n{n:02d}", "ALPHA.DATA", "findable" if n % 3 else "draft", **GOOD)
    world["fake"].add_doi("10.80009/other", "BETA.DATA", "findable", **GOOD)
    connector = world["fake"].connector()
    recent = doi_tools.recent_dois(session, world["repo"], connector=connector, vault=world["vault"],
                                   caller=world["caller"], ip="", now=NOW, page=2)
    assert recent.error is None and recent.total == 30 and recent.total_pages == 2 and len(recent.items) == 5
    assert recent.facets.counts("states") == {"draft": 10, "findable": 20}
    drafts = doi_tools.recent_dois(session, world["repo"], connector=connector, vault=world["vault"],
                                   caller=world["caller"], ip="", now=NOW, state="draft")
    assert drafts.total == 10 and {d.state for d in drafts.items} == {"draft"}
    sent = world["fake"].requests[-1].url.params
    assert sent["client-id"] == "alpha.data" and sent["state"] == "draft" and sent["sort"] == "-updated"
    odd = doi_tools.recent_dois(session, world["repo"], connector=connector, vault=world["vault"],
                                caller=world["caller"], ip="", now=NOW, state="bogus", page=99999)
    assert odd.state == "" and odd.page == 400 and odd.error is None


def test_recent_dois_with_a_refused_credential_flags_it(session, world):
    store(world, session)
    world["fake"].fail = httpx.Response(403, json={"errors": [{"status": "403", "title": "Forbidden"}]})
    recent = doi_tools.recent_dois(session, world["repo"], connector=world["fake"].connector(), vault=world["vault"],
                                   caller=world["caller"], ip="", now=NOW)
    assert recent.error is not None and recent.error.error_class == "permission"
    assert credentials.credential_status(session, world["repo"]).needs_attention


# ---------------------------------------------------------------- test registration


def test_test_registration_passes_and_leaves_a_transcript(session, world):
    store(world, session)
    transcript = run(world, session)
    body = transcript.body
    assert transcript.ok and body.startswith("Diagnosis transcript: test registration for ALPHA.DATA")
    assert transcript.doi.startswith("10.80001/")
    assert world["fake"].dois[transcript.doi]["state"] == "registered"
    assert world["fake"].dois[transcript.doi]["url"] == "https://www.alpha.example/rsp-portal-test-registration"
    for expected in ("1. 12:00:01 Create a draft: POST /dois: HTTP 201", "Validate against schema 4.7: checked here", "ok: draft 10.80001/",
                     "Register: PUT /dois/10.80001/", "HTTP 200",
                     "Read back: GET /dois/", "as registered", "skipped:", "DataCite never deletes registered DOIs",
                     "Result: passed", "with the stored password (never shown here)"):
        assert expected in body, expected
    assert PASSWORD not in body
    operations = [c.operation for c in session.exec(select(DataCiteCall).order_by(DataCiteCall.id)).all()]
    assert operations == ["create_draft", "register", "get_doi"]


def test_a_refused_registration_deletes_the_draft(session, world):
    store(world, session)
    world["fake"].fail = httpx.Response(422, json={"errors": [{"source": "url", "title": "Can't be blank"}]})
    world["fake"].fail_on = "PUT"
    transcript = run(world, session)
    assert not transcript.ok
    assert "Register: PUT /dois/" in transcript.body and "HTTP 422" in transcript.body
    assert "Explanation:" in transcript.body and "Fix:" in transcript.body
    assert "Result: FAILED at step 3 (Register)" in transcript.body
    assert "deleted" in transcript.body and world["fake"].dois == {}


def test_wrong_password_fails_at_the_first_step_and_flags_the_credential(session, world):
    store(world, session, secret="wrong")
    transcript = run(world, session)
    assert not transcript.ok and "HTTP 401" in transcript.body
    assert "Result: FAILED at step 1 (Create a draft)" in transcript.body
    assert "nothing to delete" in transcript.body
    assert credentials.credential_status(session, world["repo"]).needs_attention


def test_production_is_refused_before_anything_is_sent(session, world):
    repo = world["repo"]
    repo.environment = "production"
    session.add(repo)
    session.commit()
    store(world, session)
    with pytest.raises(Conflict, match="production repository"):
        run(world, session)
    assert world["fake"].requests == []


def test_production_repository_on_the_sandbox_may_test(session, world):
    repo = world["repo"]
    repo.environment, repo.api_target = "production", "sandbox"
    session.add(repo)
    session.commit()
    store(world, session)
    transcript = run(world, session)
    assert transcript.ok and "calls sent to the offline DataCite sandbox" in transcript.body
    assert {r.url.host for r in world["fake"].requests} == {"127.0.0.1"}


def test_no_credential_no_call(session, world):
    with pytest.raises(NoCredential):
        run(world, session)
    assert world["fake"].requests == [] and session.exec(select(DiagnosisTranscript)).all() == []


def test_transcript_attaches_to_a_ticket_and_reaches_the_escalation_package(app, session, world):
    store(world, session)
    transcript = run(world, session)
    ctx = TicketContext.from_config(app.config)
    ticket = create_ticket(session, NewTicket(subject="Cannot register", body="Help", requester_email="x@alpha.example",
                                              repository_id=world["repo"].id), ctx=ctx, actor=world["agent"], now=NOW)
    message = transcripts.attach_transcript(session, transcript, ticket_number=ticket.id, author=world["agent"],
                                            config=app.config, now=NOW, ip="")
    assert message.visibility == Visibility.internal and message.body == transcript.body.strip()
    assert transcripts.get_transcript(session, world["repo"], transcript.id).attached_to == f"#{ticket.id}"
    package = build_package(session, ticket, steps_taken="Ran a test registration", now=NOW)
    assert "Diagnosis transcript" in package and transcript.doi in package
    with pytest.raises(ValidationFailed, match="no ticket #999"):
        transcripts.attach_transcript(session, transcript, ticket_number=999, author=world["agent"],
                                      config=app.config, now=NOW, ip="")
    assert len(session.exec(select(Message).where(Message.ticket_id == ticket.id)).all()) == 2


@pytest.mark.parametrize(("raw", "number"), [("#12", 12), (" 7 ", 7)])
def test_ticket_numbers(raw, number):
    assert transcripts.parse_ticket_number(raw) == number


@pytest.mark.parametrize("raw", ["", "#", "abc", "0", "-3", "1" * 12])
def test_bad_ticket_numbers(raw):
    with pytest.raises(ValidationFailed):
        transcripts.parse_ticket_number(raw)
