"""The requirements board follows the data: statuses change with it, and admins hear once per slip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from portal.models import CheckedDoi, DataCiteCall, DesignatedContact, OutboxMessage, Role, StaffRequest
from portal.services.programme import board
from portal.services.programme.catalogue import AT_RISK, ITEMS, MET, NOT_EVALUATED, NOT_MET

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _status(session, key):
    return board.board_row(session, key).state.status


def _mails(session, needle=""):
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "programme")).all()
    return [m for m in rows if needle in m.subject]


def _doi(session, repo, doi, registered):
    session.add(CheckedDoi(doi=doi, repository_id=repo.id, organisation_id=repo.organisation_id,
                           environment="production", state="findable", url=f"https://example.org/{doi}",
                           registered=registered, created=registered))
    session.commit()


def test_every_requirement_and_best_practice_has_a_row(session):
    rows = board.board_rows(session)
    assert [r.item.key for r in rows] == [i.key for i in ITEMS]
    assert sum(1 for r in rows if r.item.is_requirement) == 10
    assert all(r.state.status == NOT_EVALUATED for r in rows)


def test_findable_dois_drive_requirement_two_and_notices(app, session, make):
    admin = make.user(session, Role.admin, email="boss@example.org")
    make.user(session, Role.admin, email="gone@example.org", active=False)
    org = make.organisation(session, "Alpha University")
    repo = make.repository(session, org, "ALPHA.DATA", environment="production")

    board.evaluate_board(session, now=NOW, config=app.config)
    assert _status(session, "req.dois") == NOT_MET
    mails = _mails(session, "Findable production DOIs")
    assert [m.to_addr for m in mails] == [admin.email]
    assert "No findable production DOI" in mails[0].body_text

    board.evaluate_board(session, now=NOW + timedelta(days=1), config=app.config)
    assert len(_mails(session, "Findable production DOIs")) == 1  # once per change, not every run

    _doi(session, repo, "10.1234/old", NOW - timedelta(days=500))
    _doi(session, repo, "10.1234/new", NOW - timedelta(days=3))
    board.evaluate_board(session, now=NOW, config=app.config)
    row = board.board_row(session, "req.dois")
    assert row.state.status == MET and row.state.evaluated_at == NOW
    assert row.links[0] == ("10.1234/new (Alpha University, ALPHA.DATA)", "https://doi.org/10.1234/new")
    assert len(_mails(session, "Findable production DOIs")) == 1

    later = NOW + timedelta(days=400)  # the recent DOI leaves the evidence window
    board.evaluate_board(session, now=later, config=app.config)
    row = board.board_row(session, "req.dois")
    assert row.state.status == AT_RISK and "No findable production DOI in the last 365 days" in row.state.reason
    slipped = _mails(session, "at risk: Findable production DOIs")
    assert len(slipped) == 1 and "2 older ones" in slipped[0].body_text
    assert row.state.changed_at == later


def test_overdue_staff_request_puts_the_designated_contact_at_risk(app, session, make):
    make.user(session, Role.admin)
    primary, backup = make.user(session, Role.agent), make.user(session, Role.agent)
    board.evaluate_board(session, now=NOW, config=app.config)
    assert _status(session, "req.contact") == NOT_MET  # no contact yet

    session.add(DesignatedContact(email="datacite@rsp.example", primary_agent_id=primary.id,
                                  backup_agent_id=backup.id))
    session.commit()
    board.evaluate_board(session, now=NOW, config=app.config)
    assert _status(session, "req.contact") == MET

    ticket = make.ticket(session, subject="DataCite asks", now=NOW - timedelta(days=2))
    session.add(StaffRequest(ticket_id=ticket.id, ack_due_at=NOW - timedelta(days=1),
                             answer_due_at=NOW - timedelta(hours=1), created_at=NOW - timedelta(days=2)))
    session.commit()
    board.evaluate_board(session, now=NOW, config=app.config)
    row = board.board_row(session, "req.contact")
    assert row.state.status == AT_RISK and "1 DataCite staff requests are overdue" in row.state.reason
    assert len(_mails(session, "at risk: Designated contact")) == 1

    primary.active = False
    session.add(primary)
    session.commit()
    board.evaluate_board(session, now=NOW, config=app.config)
    assert _status(session, "req.contact") == NOT_MET
    assert len(_mails(session, "not met: Designated contact")) == 2  # once with no contact, once now


def test_api_use_and_user_agent(app, session, make):
    org = make.organisation(session)
    repo = make.repository(session, org)
    board.evaluate_board(session, now=NOW, config=app.config)
    assert _status(session, "req.api") == NOT_MET
    assert _status(session, "bp.user_agent") == MET

    session.add(DataCiteCall(created_at=NOW - timedelta(days=2), repository_id=repo.id, operation="get_doi",
                             target="production", ok=True))
    session.commit()
    board.evaluate_board(session, now=NOW, config=app.config)
    row = board.board_row(session, "req.api")
    assert row.state.status == MET
    assert any("mailto:" in line for line in row.evidence)
    assert _status(session, "bp.test_system") == AT_RISK

    board.evaluate_board(session, now=NOW + timedelta(days=31), config=app.config)
    assert _status(session, "req.api") == AT_RISK


def test_human_items_need_an_admins_confirmation(app, session, make):
    admin = make.user(session, Role.admin)
    board.evaluate_board(session, now=NOW, config=app.config)
    assert _status(session, "bp.drafts") == NOT_EVALUATED
    board.save_notes(session, key="bp.drafts", notes="Drafts are created on deposit.", attest=True, actor=admin, now=NOW)
    board.evaluate_board(session, now=NOW + timedelta(days=1), config=app.config)
    assert _status(session, "bp.drafts") == MET
    assert board.board_row(session, "bp.drafts").state.notes == "Drafts are created on deposit."
    board.evaluate_board(session, now=NOW + timedelta(days=400), config=app.config)
    assert _status(session, "bp.drafts") == AT_RISK


def test_service_profile_and_rate_limits(app, session, make):
    from portal.services.staff.profile import save_texts

    admin = make.user(session, Role.admin)
    board.evaluate_board(session, now=NOW, config=app.config)
    assert _status(session, "req.profile") == NOT_MET
    assert _status(session, "bp.rate_limits") == MET
    save_texts(session, description="A repository platform.", hosting="EU", support_policy="", documentation_url="",
               actor=admin, now=NOW)
    board.evaluate_board(session, now=NOW, config=app.config)
    assert _status(session, "req.profile") == MET
    board.evaluate_board(session, now=NOW + timedelta(days=366), config=app.config)
    assert _status(session, "req.profile") == AT_RISK
    board.evaluate_board(session, now=NOW, config={**app.config, "DATACITE_RATE_TEST": 900})
    assert _status(session, "bp.rate_limits") == NOT_MET
    assert _status(session, "req.best_practices") == NOT_MET


def test_schema_plan_support_docs_and_credentials(app, session, make):
    from datetime import date

    from portal.datacite.schema import LATEST
    from portal.models import RepositoryCredential
    from portal.services.checks.readiness import save_plan

    admin = make.user(session, Role.admin)
    board.evaluate_board(session, now=NOW, config=app.config)
    assert _status(session, "req.schema") == NOT_MET
    assert _status(session, "req.support") == NOT_EVALUATED  # no tickets with an SLA yet
    assert _status(session, "req.credentials") == MET
    assert _status(session, "req.docs") in {MET, AT_RISK}

    save_plan(session, version=LATEST, owner="Integration team", target_date=date(2026, 12, 31), status="in_progress",
              notes="", actor=admin, now=NOW)
    board.evaluate_board(session, now=NOW, config=app.config)
    assert _status(session, "req.schema") == MET
    board.evaluate_board(session, now=datetime(2027, 1, 2, tzinfo=UTC), config=app.config)
    assert _status(session, "req.schema") == AT_RISK

    org = make.organisation(session)
    repo = make.repository(session, org)
    session.add(RepositoryCredential(repository_id=repo.id, secret="plain-text-password"))
    session.commit()
    board.evaluate_board(session, now=NOW, config=app.config)
    assert _status(session, "req.credentials") == NOT_MET

    for n in range(4):
        ticket = make.ticket(session, subject=f"Help {n}", now=NOW - timedelta(days=3))
        ticket.first_response_due_at, ticket.first_response_at = NOW - timedelta(days=2), None
        session.add(ticket)
    session.commit()
    board.evaluate_board(session, now=NOW, config=app.config)
    row = board.board_row(session, "req.support")
    assert row.state.status == NOT_MET and "0%" in row.state.reason


def test_docs_turn_at_risk_when_pages_go_unreviewed(app, session):
    board.evaluate_board(session, now=NOW, config=app.config)
    fresh = _status(session, "req.docs")
    board.evaluate_board(session, now=NOW + timedelta(days=3 * 365), config=app.config)
    row = board.board_row(session, "req.docs")
    assert row.state.status == AT_RISK and "not reviewed for 12 months" in row.state.reason
    assert fresh in {MET, AT_RISK}


def test_daily_jobs_are_scheduled_and_run(app, session, make):
    from portal.jobs import SCHEDULE, JobContext
    from portal.services.programme.jobs import evaluate_requirements, renewal_reminders

    names = {spec.name: spec for spec in SCHEDULE}
    assert names["programme.evaluate"].load() is evaluate_requirements
    assert names["programme.renewal_reminders"].load() is renewal_reminders
    make.user(session, Role.admin)
    context = JobContext(job="programme.evaluate", slot="manual", trigger="manual", holder="test", config=app.config,
                         stopping=lambda: False)
    result = evaluate_requirements(session, now=NOW, context=context)
    assert result.counts["rows"] == len(ITEMS) and result.counts["notified"] >= 1
    assert renewal_reminders(session, now=NOW, context=context).counts == {"reminded": 0, "overdue": 0}
