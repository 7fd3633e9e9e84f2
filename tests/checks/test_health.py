"""The daily health run against the sandbox: findings open once and close when fixed, tickets follow them,
faults never lose a run, and a run with no changes costs one request per repository."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal.models import CheckedDoi, Finding, HealthSnapshot, RepositoryCheck, Status, Ticket
from portal.services import credentials
from portal.services.checks import evidence
from portal.services.checks.health import run_health_check
from portal.services.datacite_calls import Caller
from tests.checks.conftest import PASSWORD, mint


def open_kinds(session, repo=None):
    stmt = select(Finding).where(Finding.closed_at.is_(None))
    if repo is not None:
        stmt = stmt.where(Finding.repository_id == repo.id)
    return sorted(f.kind for f in session.exec(stmt).all())


def test_first_run_keeps_evidence_snapshots_and_findings(session, checks_world, clock):
    world = checks_world
    for n in range(7):
        mint(world, "ALPHA.DATA", "10.80001", url=f"https://data.alpha.example/{n}")
    mint(world, "ALPHA.DATA", "10.80001", url="https://elsewhere.example/x")
    mint(world, "ALPHA.DATA", "10.80001", url="https://data.alpha.example/d", event=None)
    mint(world, "ALPHA.TEST", "10.80002", url="https://data.alpha.example/t")
    run = run_health_check(session, env=world["env"], now=clock.now)
    assert run.checked == 3 and run.failed == []
    assert session.exec(select(CheckedDoi)).all().__len__() == 10  # paged past the first 5 with the cursor
    assert evidence.count_findable_production_dois(session) == 8
    snap = session.exec(select(HealthSnapshot).where(
        HealthSnapshot.repository_id == world["repos"]["ALPHA.DATA"].id)).one()
    assert (snap.total, snap.findable, snap.draft) == (9, 8, 1)
    assert open_kinds(session, world["repos"]["ALPHA.DATA"]) == ["url_problem"]
    # a high-severity finding opened one proactive ticket with an internal first message
    ticket = session.exec(select(Ticket)).one()
    assert ticket.channel == "proactive" and ticket.category == "landing_page_url"
    assert ticket.repository_id == world["repos"]["ALPHA.DATA"].id and ticket.requester_email == "tech@alpha.example"


def test_second_run_without_changes_costs_one_request_per_repository(session, checks_world, clock):
    world = checks_world
    for n in range(12):
        mint(world, "ALPHA.DATA", "10.80001", url=f"https://data.alpha.example/{n}")
    run_health_check(session, env=world["env"], now=clock.now)
    clock.now += timedelta(days=1)
    again = run_health_check(session, env=world["env"], now=clock.now)
    assert again.checked == 3 and again.requests == 3 and again.changed == 0
    assert again.opened == 0 and again.tickets_opened == 0


def test_changed_dois_are_picked_up_through_the_updated_cursor(session, checks_world, clock):
    world = checks_world
    mint(world, "ALPHA.DATA", "10.80001", url="https://data.alpha.example/1")
    run_health_check(session, env=world["env"], now=clock.now)
    clock.now += timedelta(hours=1)
    for n in range(8):
        mint(world, "ALPHA.DATA", "10.80001", url=f"https://data.alpha.example/new{n}")
    clock.now += timedelta(hours=1)
    run = run_health_check(session, env=world["env"], now=clock.now)
    assert run.changed == 8
    assert evidence.count_findable_production_dois(session) == 9


def test_fixing_the_url_closes_the_finding_and_resolves_the_ticket(session, checks_world, clock):
    world = checks_world
    from portal.datacite import Credentials, client_for
    from portal.vault import Secret

    doi = mint(world, "ALPHA.DATA", "10.80001", url="https://elsewhere.example/x")
    run_health_check(session, env=world["env"], now=clock.now)
    clock.now += timedelta(days=1)
    run_health_check(session, env=world["env"], now=clock.now)  # still broken: no second ticket
    assert len(session.exec(select(Ticket)).all()) == 1
    assert len(session.exec(select(Finding).where(Finding.kind == "url_problem")).all()) == 1
    clock.now += timedelta(hours=1)
    with client_for(world["config"], "sandbox", transport=world["connector"].transport) as client:
        client.update_doi(Credentials("ALPHA.DATA", Secret(PASSWORD)), doi, {"url": "https://data.alpha.example/x"})
    clock.now += timedelta(hours=1)
    run = run_health_check(session, env=world["env"], now=clock.now)
    assert run.closed >= 1 and run.tickets_resolved == 1
    assert "url_problem" not in open_kinds(session)
    assert session.exec(select(Ticket)).one().status == Status.resolved


def test_member_with_test_dois_only(session, checks_world, clock):
    world = checks_world
    mint(world, "ALPHA.TEST", "10.80002", url="https://data.alpha.example/t")
    run_health_check(session, env=world["env"], now=clock.now)
    finding = session.exec(select(Finding).where(Finding.kind == "test_only")).one()
    assert finding.organisation_id == world["orgs"]["alpha"].id and finding.repository_id is None
    mint(world, "ALPHA.DATA", "10.80001", url="https://data.alpha.example/p")
    clock.now += timedelta(hours=1)
    run_health_check(session, env=world["env"], now=clock.now)
    assert session.get(Finding, finding.id).closed_at == clock.now


def test_old_drafts_and_no_recent_registrations(session, checks_world, clock):
    world = checks_world
    mint(world, "BETA.DATA", "10.80003", url="https://beta.example/1")
    mint(world, "BETA.DATA", "10.80003", url="https://beta.example/2", event=None)
    clock.now += timedelta(days=120)
    run_health_check(session, env=world["env"], now=clock.now)
    assert open_kinds(session, world["repos"]["BETA.DATA"]) == ["no_recent_registrations", "old_drafts"]


def test_rejected_credential_opens_a_ticket_once_and_a_new_one_closes_it(session, checks_world, clock, sandbox):
    world = checks_world
    repo = world["repos"]["BETA.DATA"]
    from portal.datacite.sandbox import parse_repository_spec

    sandbox.add_repository(parse_repository_spec("BETA.DATA:Changed-In-Fabrica-1:10.80003"))
    run = run_health_check(session, env=world["env"], now=clock.now)
    assert open_kinds(session, repo) == ["credential_rejected"] and run.tickets_opened == 1
    assert credentials.credential_status(session, repo).needs_attention
    clock.now += timedelta(days=1)
    run_health_check(session, env=world["env"], now=clock.now)
    assert len(session.exec(select(Ticket).where(Ticket.category == "credentials")).all()) == 1
    credentials.set_credential(session, repo, secret="Changed-In-Fabrica-1", vault=world["vault"], via="agent",
                               caller=Caller(user=world["agent"]), ip="", now=clock.now)
    assert credentials.verify_credential(session, repo, vault=world["vault"], connector=world["connector"],
                                         caller=Caller(user=world["agent"]), ip="", now=clock.now).ok
    clock.now += timedelta(days=1)
    run = run_health_check(session, env=world["env"], now=clock.now)
    assert "credential_rejected" not in open_kinds(session, repo) and run.tickets_resolved == 1


def test_faults_never_lose_a_run(session, checks_world, clock, sandbox):
    world = checks_world
    for n in range(3):
        mint(world, "ALPHA.DATA", "10.80001", url=f"https://data.alpha.example/{n}")
    sandbox.faults.error_rate = 1.0
    run = run_health_check(session, env=world["env"], now=clock.now)
    assert run.checked == 0 and sorted(run.failed) == ["ALPHA.DATA", "ALPHA.TEST", "BETA.DATA"]
    state = session.get(RepositoryCheck, world["repos"]["ALPHA.DATA"].id)
    assert state.last_ok is False and state.last_error and state.updated_watermark is None
    assert open_kinds(session) == []
    sandbox.faults.error_rate = 0.0
    sandbox.faults.rate_limit_every = 2  # every second request answers 429; the retry gets through
    sandbox.reset_counters()
    clock.now += timedelta(minutes=10)
    run = run_health_check(session, env=world["env"], now=clock.now)
    assert run.failed == [] and run.checked == 3
    assert evidence.count_findable_production_dois(session) == 3


def test_timeouts_are_recorded_and_the_next_run_catches_up(session, checks_world, clock, sandbox):
    world = checks_world
    mint(world, "ALPHA.DATA", "10.80001", url="https://data.alpha.example/1")
    sandbox.faults.timeout_rate = 1.0
    run = run_health_check(session, env=world["env"], now=clock.now)
    assert len(run.failed) == 3
    sandbox.faults.timeout_rate = 0.0
    clock.now += timedelta(days=1)
    run = run_health_check(session, env=world["env"], now=clock.now)
    assert run.failed == [] and evidence.count_findable_production_dois(session) == 1
