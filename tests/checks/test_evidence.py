"""The evidence interface (RSP requirement 2) and the schema plan interface (requirement 3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portal.errors import ValidationFailed
from portal.models import CheckedDoi, Role
from portal.services.checks import evidence, readiness

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _doi(session, repo, doi, state, *, registered=None, created=None, environment="production"):
    row = CheckedDoi(doi=doi, repository_id=repo.id, organisation_id=repo.organisation_id, environment=environment,
                     state=state, url=f"https://example.org/{doi}", registered=registered, created=created or registered)
    session.add(row)
    session.commit()
    return row


def test_findable_production_dois_newest_first_with_member(session, make):
    org = make.organisation(session, "Alpha University")
    prod = make.repository(session, org, "ALPHA.DATA", environment="production")
    test = make.repository(session, org, "ALPHA.TEST", environment="test")
    _doi(session, prod, "10.1/old", "findable", registered=NOW - timedelta(days=400))
    _doi(session, prod, "10.1/new", "findable", registered=NOW - timedelta(days=2))
    _doi(session, prod, "10.1/reg", "registered", registered=NOW - timedelta(days=3))
    _doi(session, prod, "10.1/draft", "draft", created=NOW - timedelta(days=1))
    _doi(session, test, "10.1/test", "findable", registered=NOW, environment="test")

    rows = evidence.findable_production_dois(session)
    assert [r.doi for r in rows] == ["10.1/new", "10.1/old"]
    assert rows[0].organisation_name == "Alpha University" and rows[0].repository_symbol == "ALPHA.DATA"
    assert rows[0].url == "https://example.org/10.1/new" and rows[0].registered == NOW - timedelta(days=2)
    assert [r.doi for r in evidence.findable_production_dois(session, since=NOW - timedelta(days=365))] == ["10.1/new"]
    assert len(evidence.findable_production_dois(session, limit=1)) == 1
    assert evidence.count_findable_production_dois(session) == 2
    assert evidence.count_findable_production_dois(session, since=NOW - timedelta(days=365)) == 1
    assert evidence.dois_by_state_since(session, since=NOW - timedelta(days=365)) == {
        "findable": 1, "registered": 1, "draft": 1}
    assert evidence.evidence_by_member(session)[0][1:3] == ("Alpha University", 2)


def test_dois_by_state_since_is_all_zero_when_empty(session):
    assert evidence.dois_by_state_since(session, since=NOW) == {"findable": 0, "registered": 0, "draft": 0}


def test_plan_status_missing_then_late_then_done(session, make):
    admin = make.user(session, Role.admin)
    assert readiness.plan_status(session, version="4.8", today=date(2026, 12, 1)) == readiness.PlanStatus(
        version="4.8", has_plan=False, late=False, status="missing", owner="", target_date=None)
    readiness.save_plan(session, version="4.8", owner="Integration team", target_date=date(2026, 11, 30),
                        status="in_progress", notes="", actor=admin, now=NOW)
    status = readiness.plan_status(session, version="4.8", today=date(2026, 12, 1))
    assert status.has_plan and status.late and status.owner == "Integration team"
    assert not readiness.plan_status(session, version="4.8", today=date(2026, 11, 30)).late
    readiness.save_plan(session, version="4.8", owner="Integration team", target_date=date(2026, 11, 30),
                        status="done", notes="Shipped", actor=admin, now=NOW)
    assert not readiness.plan_status(session, version="4.8", today=date(2027, 1, 1)).late


def test_save_plan_refuses_bad_input(session, make):
    admin = make.user(session, Role.admin)
    with pytest.raises(ValidationFailed) as caught:
        readiness.save_plan(session, version="latest", owner="", target_date=None, status="someday", notes="",
                            actor=admin, now=NOW)
    assert set(caught.value.errors) == {"version", "owner", "status"}


def test_plan_summary_names_the_supported_newest(session):
    newest = readiness.newest_supported()
    assert newest in readiness.plan_summary(session, newest)
    assert "supported" in readiness.plan_summary(session, newest)
    text = readiness.plan_summary(session, "9.9")
    assert "not yet supported" in text and "no support plan" in text
