"""Schema readiness: per-repository reports from the sandbox, the summary and CSV, plan reminders, the jobs."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlmodel import select

from portal.jobs import JobContext
from portal.models import Finding, OutboxMessage, ReadinessReport, Role
from portal.services.checks import readiness
from portal.services.checks.jobs import health_check, readiness_check
from portal.services.checks.readiness_report import (
    analyse,
    latest_reports,
    readiness_csv,
    run_readiness_check,
    summary,
)
from tests.checks.conftest import GOOD, mint


def test_analyse_names_versions_features_failures_and_fixes():
    old = {**GOOD, "doi": "10.12345/a", "url": "https://x.example/a", "types": {"resourceTypeGeneral": "Funder"}}
    new = {**GOOD, "doi": "10.12345/b", "url": "https://x.example/b", "types": {"resourceTypeGeneral": "Instrument"}}
    body = analyse([old, new], {"4": 2}, "4.7")
    assert body["failing_records"] == 1
    assert body["failing"][0]["example"] == "10.12345/a" and body["failing"][0]["fix"]
    assert body["needed"] == {"4.5": 2} and body["declared"] == {"4": 2}


def test_readiness_run_reports_every_repository_and_is_weekly(session, checks_world, clock):
    world = checks_world
    mint(world, "ALPHA.DATA", "10.80001", url="https://data.alpha.example/1")
    mint(world, "ALPHA.DATA", "10.80001", url="https://data.alpha.example/2", event=None,
         types={"resourceTypeGeneral": "Funder"})
    run = run_readiness_check(session, env=world["env"], now=clock.now)
    assert run.reports == 3 and run.failed == []
    rows = latest_reports(session)
    alpha = next(r for r, repo, _org in rows if repo.symbol == "ALPHA.DATA")
    assert alpha.sampled == 2 and alpha.failing == 1
    assert summary(rows)["repositories"] == 3 and summary(rows)["failing"] == 1
    table = list(csv.reader(io.StringIO(readiness_csv(rows))))
    assert table[0][:2] == ["member", "repository"] and {r[1] for r in table[1:]} == {"ALPHA.DATA", "ALPHA.TEST",
                                                                                       "BETA.DATA"}
    assert run_readiness_check(session, env=world["env"], now=clock.now + timedelta(days=2)) is None
    assert run_readiness_check(session, env=world["env"], now=clock.now + timedelta(days=2), newest="4.6") is not None
    assert run_readiness_check(session, env=world["env"], now=clock.now + timedelta(days=8)).reports == 3


def test_missing_plan_for_a_new_version_reminds_admins_once_and_closes(session, checks_world, clock, make):
    world = checks_world
    admin = make.user(session, Role.admin, email="boss@rsp.example")
    run = run_readiness_check(session, env=world["env"], now=clock.now, newest="4.8", supported="4.7")
    assert run.reminders == 1
    finding = session.exec(select(Finding).where(Finding.kind == "schema_plan")).one()
    assert "4.8" in finding.title and finding.closed_at is None
    assert session.exec(select(OutboxMessage).where(OutboxMessage.to_addr == "boss@rsp.example")).one()
    again = run_readiness_check(session, env=world["env"], now=clock.now + timedelta(days=8), newest="4.8",
                                supported="4.7")
    assert again.reminders == 0
    readiness.save_plan(session, version="4.8", owner="Integration team", target_date=date(2026, 12, 1),
                        status="in_progress", notes="", actor=admin, now=clock.now)
    run_readiness_check(session, env=world["env"], now=clock.now + timedelta(days=9), newest="4.8", supported="4.7",
                        force=True)
    assert session.get(Finding, finding.id).closed_at is not None
    late = run_readiness_check(session, env=world["env"], now=clock.now + timedelta(days=40), newest="4.8",
                               supported="4.7")
    assert late.reminders == 1
    assert "late" in session.exec(select(Finding).where(Finding.kind == "schema_plan",
                                                        Finding.closed_at.is_(None))).one().title


def _context(app, trigger="schedule"):
    return JobContext(job="checks.health", slot="s", trigger=trigger, holder="test", config=app.config,
                      stopping=lambda: False)


def test_jobs_run_in_the_app_context_and_record_counts(app, session, clock):
    with app.app_context():
        result = health_check(session, now=clock.now, context=_context(app))
        assert result.counts["checked"] == 0 and result.counts["failed"] == 0
        first = readiness_check(session, now=clock.now, context=_context(app))
        assert first.counts["reports"] == 0
    assert session.exec(select(ReadinessReport)).all() == []
