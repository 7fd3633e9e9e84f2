"""SLA attainment, backlog, workload and CSAT figures, with ``now`` passed in."""

from __future__ import annotations

from datetime import date, timedelta

from portal.models import Role, Status, TicketGroup
from portal.services.reports.attainment import sla_attainment
from portal.services.reports.backlog import backlog, workload
from portal.services.reports.csat import csat_summary
from portal.services.reports.period import Period
from portal.services.reports.scope import ReportScope
from tests.services.reports_data import BERLIN, add_ticket, local

WEEK = Period(first=date(2024, 6, 3), last=date(2024, 6, 9), zone=BERLIN)
NOW = local(BERLIN, 2024, 6, 9, 12)
OPENED = local(BERLIN, 2024, 6, 4, 9)


def tallies(clocks):
    return {c.key: (c.tally.met, c.tally.missed, c.tally.pending) for c in clocks}


def test_met_missed_pending_and_no_target(session):
    due = OPENED + timedelta(hours=4)
    add_ticket(session, OPENED, first_response_due_at=due, first_response_at=due)  # on the due time: met
    add_ticket(session, OPENED, first_response_due_at=due, first_response_at=due + timedelta(seconds=1))  # late
    add_ticket(session, OPENED, first_response_due_at=due)  # no reply and overdue: missed
    add_ticket(session, OPENED, first_response_due_at=NOW + timedelta(hours=1))  # no reply, still on time: pending
    add_ticket(session, OPENED)  # no target at all
    add_ticket(session, OPENED, status=Status.resolved, resolution_due_at=due, resolved_at=due - timedelta(hours=1),
               next_update_due_at=due + timedelta(hours=2))
    add_ticket(session, OPENED, resolution_due_at=NOW - timedelta(minutes=1), next_update_due_at=NOW + timedelta(hours=1))
    add_ticket(session, local(BERLIN, 2024, 6, 2, 9), first_response_due_at=due)  # opened before the period
    result = sla_attainment(session, WEEK, now=NOW)
    assert tallies(result.clocks) == {"first_response": (1, 2, 1), "next_update": (1, 0, 1), "resolution": (1, 1, 0)}
    first = result.clocks[0].tally
    assert first.percent == round(100 / 3, 1) and first.total == 4
    assert not result.empty


def test_attainment_per_priority_and_group_and_scoped(session):
    group = TicketGroup(name="First line")
    session.add(group)
    session.commit()
    due = OPENED + timedelta(hours=1)
    add_ticket(session, OPENED, priority="urgent", group_id=group.id, first_response_due_at=due, first_response_at=due)
    add_ticket(session, OPENED, priority="urgent", first_response_due_at=due)
    add_ticket(session, OPENED, priority="low", group_id=group.id, first_response_due_at=due,
               first_response_at=due + timedelta(hours=1))
    result = sla_attainment(session, WEEK, now=NOW)
    assert [p for p, _c in result.by_priority] == ["urgent", "low"]
    assert tallies(result.by_priority[0][1])["first_response"] == (1, 1, 0)
    assert tallies(result.by_priority[1][1])["first_response"] == (0, 1, 0)
    assert [g for g, _c in result.by_group] == ["First line", "No group"]
    assert tallies(result.by_group[0][1])["first_response"] == (1, 1, 0)
    scoped = sla_attainment(session, WEEK, now=NOW, scope=ReportScope(group_id=group.id, priority="urgent"))
    assert tallies(scoped.clocks)["first_response"] == (1, 0, 0)


def test_empty_period_has_no_percent(session):
    result = sla_attainment(session, WEEK, now=NOW)
    assert result.empty and result.clocks[0].tally.percent is None and result.by_group == []


def test_backlog_by_status_and_age(session):
    add_ticket(session, NOW - timedelta(hours=2), status=Status.new)
    add_ticket(session, NOW - timedelta(days=1), status=Status.open)  # exactly one day old: second bucket
    add_ticket(session, NOW - timedelta(days=5), status=Status.waiting_member)
    add_ticket(session, NOW - timedelta(days=10), status=Status.waiting_datacite)
    add_ticket(session, NOW - timedelta(days=40), status=Status.open)
    add_ticket(session, NOW - timedelta(days=40), status=Status.resolved)  # not open
    result = backlog(session, now=NOW)
    rows = {r.status: r.by_age for r in result.rows}
    assert rows == {"new": (1, 0, 0, 0, 0), "open": (0, 1, 0, 0, 1), "waiting_member": (0, 0, 1, 0, 0),
                    "waiting_datacite": (0, 0, 0, 1, 0)}
    assert result.total == 5 and result.by_age == (1, 1, 1, 1, 1)
    assert backlog(session, now=NOW, scope=ReportScope(priority="urgent")).total == 0


def test_workload_per_assignee_busiest_first(session, make):
    ada = make.user(session, Role.agent, name="Ada")
    bo = make.user(session, Role.agent, name="Bo")
    for status in (Status.open, Status.open, Status.waiting_member):
        add_ticket(session, OPENED, status=status, assignee_id=bo.id)
    add_ticket(session, OPENED, status=Status.open, assignee_id=ada.id)
    add_ticket(session, OPENED, status=Status.closed, assignee_id=ada.id)
    add_ticket(session, OPENED, status=Status.new)
    rows = workload(session)
    assert [(r.name, r.by_status, r.total) for r in rows] == [
        ("Bo", (0, 2, 1, 0), 3), ("Ada", (0, 1, 0, 0), 1), ("Unassigned", (1, 0, 0, 0), 1)]


def test_csat_average_distribution_and_latest_comments(session):
    rated = [(5, "Great help", 1), (4, "", 2), (2, "=HYPERLINK(\"x\")", 3), (5, "Fast", 4)]
    for score, comment, day in rated:
        at = local(BERLIN, 2024, 6, 3 + day, 10)
        add_ticket(session, OPENED, status=Status.resolved, resolved_at=at, csat_score=score, csat_comment=comment,
                   csat_at=at)
    add_ticket(session, OPENED, status=Status.resolved, resolved_at=NOW, csat_score=1, csat_comment="old",
               csat_at=local(BERLIN, 2024, 6, 2, 23, 59))  # rated before the period
    add_ticket(session, OPENED, status=Status.resolved, resolved_at=NOW)  # solved, not rated
    result = csat_summary(session, WEEK)
    assert result.count == 4 and result.average == 4.0
    assert result.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 2}
    assert result.satisfied_percent == 75.0
    assert result.solved == 6 and result.response_percent == round(400 / 6, 1)
    assert [c.comment for c in result.comments] == ["Fast", "=HYPERLINK(\"x\")", "Great help"]
    assert csat_summary(session, WEEK, scope=ReportScope(priority="urgent")).average is None
