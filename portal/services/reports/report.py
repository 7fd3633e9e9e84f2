"""The helpdesk report: every figure for a period and scope, and each figure as a named table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from portal.errors import NotFound
from portal.models.tickets import ACTIVE_STATUSES, STATUS_LABELS
from portal.services.reports.attainment import Attainment, ClockTally, sla_attainment
from portal.services.reports.backlog import AGE_BUCKETS, Backlog, WorkloadRow, backlog, workload
from portal.services.reports.csat import SCORE_LABELS, Csat, csat_summary
from portal.services.reports.period import Period
from portal.services.reports.scope import ReportScope
from portal.services.reports.series import DayCount, FirstResponses, first_responses, opened_solved_per_day
from portal.services.reports.tables import Column, Kind, Table


@dataclass
class Report:
    period: Period
    scope: ReportScope
    now: datetime
    opened_solved: list[DayCount]
    responses: FirstResponses
    sla: Attainment
    backlog: Backlog
    workload: list[WorkloadRow]
    csat: Csat

    def table(self, name: str) -> Table:
        """One figure as a table, by its CSV name; NotFound for an unknown name."""
        builder = TABLES.get(name)
        if builder is None:
            raise NotFound(f"There is no report table “{name[:40]}”. Choose one of: {', '.join(TABLES)}.")
        return builder(self)

    @property
    def opened_total(self) -> int:
        return sum(d.opened for d in self.opened_solved)

    @property
    def solved_total(self) -> int:
        return sum(d.solved for d in self.opened_solved)


def build_report(session: Session, *, period: Period, scope: ReportScope, now: datetime) -> Report:
    """Every report figure for the period (series, SLA, CSAT) and as of now (backlog, workload)."""
    return Report(
        period=period, scope=scope, now=now,
        opened_solved=opened_solved_per_day(session, period, scope=scope),
        responses=first_responses(session, period, scope=scope),
        sla=sla_attainment(session, period, now=now, scope=scope),
        backlog=backlog(session, now=now, scope=scope),
        workload=workload(session, scope=scope),
        csat=csat_summary(session, period, scope=scope),
    )


# ---------------------------------------------------------------- tables


def opened_solved_table(days: list[DayCount]) -> Table:
    return Table("opened-solved", "Tickets opened and solved per day",
                 (Column("day", "Day", Kind.day), Column("opened", "Opened"), Column("solved", "Solved")),
                 [(d.day, d.opened, d.solved) for d in days])


def first_response_table(responses: FirstResponses) -> Table:
    return Table("first-response", "First response per day opened",
                 (Column("day", "Day opened", Kind.day), Column("answered", "Answered"),
                  Column("awaiting", "Awaiting a reply"), Column("median", "Median first response", Kind.duration),
                  Column("p90", "90th percentile", Kind.duration)),
                 [(d.day, d.answered, d.awaiting, d.median_seconds, d.p90_seconds) for d in responses.days])


def response_buckets_table(responses: FirstResponses) -> Table:
    return Table("first-response-spread", "How long first responses took",
                 (Column("bucket", "First response within", Kind.text), Column("tickets", "Tickets")),
                 [(b.label, b.count) for b in responses.buckets] + [("Still awaiting a reply", responses.awaiting)])


def _clock_rows(prefix: tuple[str, ...], clocks: list[ClockTally], *, skip_empty: bool = False) -> list[tuple[object, ...]]:
    return [(*prefix, c.label, c.tally.met, c.tally.missed, c.tally.pending, c.tally.percent) for c in clocks
            if c.tally.total or not skip_empty]


SLA_COLUMNS = (Column("clock", "Target", Kind.text), Column("met", "Met"), Column("missed", "Missed"),
               Column("pending", "Pending"), Column("percent", "Met of decided", Kind.percent))


def sla_table(sla: Attainment) -> Table:
    return Table("sla", "SLA attainment per target", SLA_COLUMNS, _clock_rows((), sla.clocks),
                 empty="No ticket opened in this period has an SLA target.")


def sla_priority_table(sla: Attainment) -> Table:
    rows = [row for priority, clocks in sla.by_priority for row in _clock_rows((priority,), clocks, skip_empty=True)]
    return Table("sla-priority", "SLA attainment per priority", (Column("priority", "Priority", Kind.text), *SLA_COLUMNS),
                 rows, empty="No ticket opened in this period has an SLA target.")


def sla_group_table(sla: Attainment) -> Table:
    rows = [row for group, clocks in sla.by_group for row in _clock_rows((group,), clocks, skip_empty=True)]
    return Table("sla-group", "SLA attainment per group", (Column("group", "Group", Kind.text), *SLA_COLUMNS),
                 rows, empty="No ticket opened in this period has an SLA target.")


def backlog_table(data: Backlog) -> Table:
    columns = (Column("status", "Status", Kind.text), *(Column(f"age{i}", label) for i, (label, _b) in enumerate(AGE_BUCKETS)),
               Column("total", "Total"))
    rows: list[tuple[object, ...]] = [(r.label, *r.by_age, r.total) for r in data.rows]
    rows.append(("All open", *data.by_age, data.total))
    return Table("backlog", "Open tickets by status and age", columns, rows, snapshot=True,
                 empty="No open tickets.")


def workload_table(rows: list[WorkloadRow]) -> Table:
    columns = (Column("assignee", "Assignee", Kind.text),
               *(Column(s.value, STATUS_LABELS[s]) for s in ACTIVE_STATUSES), Column("total", "Total"))
    return Table("workload", "Open tickets per assignee", columns,
                 [(r.name, *r.by_status, r.total) for r in rows], snapshot=True, empty="No open tickets.")


def csat_scores_table(csat: Csat) -> Table:
    return Table("csat", "Ratings by score", (Column("score", "Score", Kind.text), Column("ratings", "Ratings")),
                 [(SCORE_LABELS[s], n) for s, n in csat.distribution.items()], empty="No ratings in this period.")


def csat_comments_table(csat: Csat) -> Table:
    columns = (Column("ticket", "Ticket"), Column("subject", "Subject", Kind.text),
               Column("organisation", "Organisation", Kind.text), Column("score", "Score"),
               Column("comment", "Comment", Kind.text), Column("rated_at", "Rated", Kind.moment))
    return Table("csat-comments", "Latest comments", columns,
                 [(c.ticket_id, c.subject, c.organisation, c.score, c.comment, c.at) for c in csat.comments],
                 empty="No comments with the ratings in this period.")


TABLES: dict[str, Callable[[Report], Table]] = {
    "opened-solved": lambda r: opened_solved_table(r.opened_solved),
    "first-response": lambda r: first_response_table(r.responses),
    "first-response-spread": lambda r: response_buckets_table(r.responses),
    "sla": lambda r: sla_table(r.sla),
    "sla-priority": lambda r: sla_priority_table(r.sla),
    "sla-group": lambda r: sla_group_table(r.sla),
    "backlog": lambda r: backlog_table(r.backlog),
    "workload": lambda r: workload_table(r.workload),
    "csat": lambda r: csat_scores_table(r.csat),
    "csat-comments": lambda r: csat_comments_table(r.csat),
}
