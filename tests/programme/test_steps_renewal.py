"""Application steps and the yearly renewal with reminders, driven by ``now``."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from portal.errors import Conflict, ValidationFailed
from portal.models import OutboxMessage, Role
from portal.services.programme import renewal, steps

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _subjects(session):
    return [m.subject for m in session.exec(select(OutboxMessage).where(OutboxMessage.kind == "programme")
                                            .order_by(OutboxMessage.id)).all()]


def test_timeline_status_and_listing(session, make):
    admin = make.user(session, Role.admin)
    assert steps.programme_status(session, today=NOW.date()) == "Not started"
    assert [v.key for v in steps.timeline(session)][0] == "interest"
    steps.save_step(session, key="interest", happened_on=date(2026, 3, 1), people="Ada", notes="Form sent.",
                    actor=admin, now=NOW)
    steps.save_step(session, key="call_scheduled", happened_on=date(2026, 12, 10), people="Ada, DataCite",
                    notes="Demo the deposit flow.", actor=admin, now=NOW)
    assert steps.programme_status(session, today=NOW.date()) == "Expressed interest"  # the call is still ahead
    assert not steps.is_listed(session, today=NOW.date())
    with pytest.raises(ValidationFailed) as failed:
        steps.save_step(session, key="listed", happened_on=date(2026, 12, 1), people="", notes="", actor=admin,
                        now=NOW)
    assert "future" in failed.value.errors["happened_on"]
    steps.save_step(session, key="listed", happened_on=date(2026, 11, 19), people="", notes="", actor=admin, now=NOW)
    assert steps.is_listed(session, today=NOW.date())
    assert steps.programme_status(session, today=NOW.date()) == "Listed and badge received"
    steps.save_step(session, key="listed", happened_on=None, people="", notes="", actor=admin, now=NOW)
    assert not steps.is_listed(session, today=NOW.date())


def _listed(session, admin):
    steps.save_step(session, key="listed", happened_on=date(2026, 6, 1), people="", notes="", actor=admin,
                    now=datetime(2026, 6, 1, tzinfo=UTC))


def test_renewal_reminder_before_due_once_then_overdue(app, session, make):
    admin = make.user(session, Role.admin)
    config = app.config
    # not listed: nothing to renew
    assert renewal.remind_renewal(session, now=datetime(2027, 1, 5, tzinfo=UTC), config=config) == renewal.Reminders()
    _listed(session, admin)
    assert renewal.upcoming_year(date(2026, 11, 20)) == 2027 and renewal.upcoming_year(date(2027, 1, 31)) == 2027
    assert renewal.remind_renewal(session, now=datetime(2026, 12, 31, tzinfo=UTC), config=config).reminded == 0
    assert renewal.remind_renewal(session, now=datetime(2027, 1, 1, 7, tzinfo=UTC), config=config).reminded == 1
    assert renewal.remind_renewal(session, now=datetime(2027, 1, 2, 7, tzinfo=UTC), config=config).reminded == 0
    assert _subjects(session) == ["RSP renewal: the 2027 self-assessment is due by 31 January 2027"]
    assessment = renewal.get_assessment(session, 2027)
    assert assessment is not None and assessment.due_on == date(2027, 1, 31)
    answers = renewal.answers_of(assessment)
    assert len(answers) >= 10 and answers[0].key == "req.api"  # prefilled from the board

    result = renewal.remind_renewal(session, now=datetime(2027, 2, 1, 7, tzinfo=UTC), config=config)
    assert result.overdue == 1
    assert renewal.remind_renewal(session, now=datetime(2027, 2, 2, 7, tzinfo=UTC), config=config).overdue == 0
    assert _subjects(session)[-1] == "RSP renewal overdue: the 2027 self-assessment"


def test_reminder_days_follow_the_setting(app, session, make):
    admin = make.user(session, Role.admin)
    _listed(session, admin)
    config = {**app.config, "PROGRAMME_RENEWAL_REMIND_DAYS": 45}
    assert renewal.remind_renewal(session, now=datetime(2026, 12, 16, tzinfo=UTC), config=config).reminded == 0
    assert renewal.remind_renewal(session, now=datetime(2026, 12, 17, tzinfo=UTC), config=config).reminded == 1


def test_submitted_assessment_is_kept_in_history_and_frozen(app, session, make):
    admin = make.user(session, Role.admin)
    _listed(session, admin)
    now = datetime(2027, 1, 10, tzinfo=UTC)
    renewal.save_assessment(session, year=2027, comments={"req.api": "REST API since 2024."}, remarks="All good.",
                            submit=True, actor=admin, now=now)
    row = renewal.get_assessment(session, 2027)
    assert row.submitted_at == now and row.remarks == "All good."
    assert {a.key: a.comment for a in renewal.answers_of(row)}["req.api"] == "REST API since 2024."
    with pytest.raises(Conflict):
        renewal.save_assessment(session, year=2027, comments={}, remarks="", submit=True, actor=admin, now=now)
    assert renewal.remind_renewal(session, now=datetime(2027, 2, 5, tzinfo=UTC), config=app.config).overdue == 0
    assert [a.year for a in renewal.history(session)] == [2027]
