"""The helpdesk report: every figure for a period and scope, and each figure as a named table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property

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


class Report:
    """Every figure for a period and scope; each is queried on first use, so a CSV of one table runs one query set."""

    def __init__(self, session: Session, *, period: Period, scope: ReportScope, now: datetime) -> None:
        self.session, self.period, self.scope, self.now = session, period, scope, now

    @cached_property
    def opened_solved(self) -> list[DayCount]:
        return opened_solved_per_day(self.session, self.period, scope=self.scope)

    @cached_property
    def responses(self) -> FirstResponses:
        return first_responses(self.session, self.period, scope=self.scope)

    @cached_property
    def sla(self) -> Attainment:
        return sla_attainment(self.session, self.period, now=self.now, scope=self.scope)

    @cached_property
    def backlog(self) -> Backlog:
        return backlog(self.session, now=self.now, scope=self.scope)

    @cached_property
    def workload(self) -> list[WorkloadRow]:
        return workload(self.session, scope=self.scope)

    @cached_property
    def csat(self) -> Csat:
        return csat_summary(self.session, self.period, scope=self.scope)

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
    """The report for a period (series, SLA, CSAT) and as of now (backlog, workload); figures load when used."""
    return Report(session, period=period, scope=scope, now=now)


def load_all(report: Report) -> Report:
    """Query every figure now (for timing, or before the session goes away)."""
    for name in ("opened_solved", "responses", "sla", "backlog", "workload", "csat"):
        getattr(report, name)
    return report


# ---------------------------------------------------------------- tables


def opened_solved_table(days: list[DayCount]) -> Table:
    """Opened and solved per local day."""
    return Table("opened-solved", "Tickets opened and solved per day",
                 (Column("day", "Day", Kind.day), Column("opened", "Opened"), Column("solved", "Solved")),
                 [(d.day, d.opened, d.solved) for d in days])


def first_response_table(responses: FirstResponses) -> Table:
    """First-response counts, median and 90th percentile per opening day."""
    return Table("first-response", "First response per day opened",
                 (Column("day", "Day opened", Kind.day), Column("answered", "Answered"),
                  Column("awaiting", "Awaiting a reply"), Column("median", "Median first response", Kind.duration),
                  Column("p90", "90th percentile", Kind.duration)),
                 [(d.day, d.answered, d.awaiting, d.median_seconds, d.p90_seconds) for d in responses.days])


def response_buckets_table(responses: FirstResponses) -> Table:
    """How many first responses fell in each time bucket, and how many still wait."""
    return Table("first-response-spread", "How long first responses took",
                 (Column("bucket", "First response within", Kind.text), Column("tickets", "Tickets")),
                 [(b.label, b.count) for b in responses.buckets] + [("Still awaiting a reply", responses.awaiting)])


def _clock_rows(prefix: tuple[str, ...], clocks: list[ClockTally], *, skip_empty: bool = False) -> list[tuple[object, ...]]:
    return [(*prefix, c.label, c.tally.met, c.tally.missed, c.tally.pending, c.tally.percent) for c in clocks
            if c.tally.total or not skip_empty]


SLA_COLUMNS = (Column("clock", "Target", Kind.text), Column("met", "Met"), Column("missed", "Missed"),
               Column("pending", "Pending"), Column("percent", "Met of decided", Kind.percent))


def sla_table(sla: Attainment) -> Table:
    """Met / missed / pending per SLA target."""
    return Table("sla", "SLA attainment per target", SLA_COLUMNS, _clock_rows((), sla.clocks),
                 empty="No ticket opened in this period has an SLA target.")


def sla_priority_table(sla: Attainment) -> Table:
    """Met / missed / pending per priority and target (targets without tickets left out)."""
    rows = [row for priority, clocks in sla.by_priority for row in _clock_rows((priority,), clocks, skip_empty=True)]
    return Table("sla-priority", "SLA attainment per priority", (Column("priority", "Priority", Kind.text), *SLA_COLUMNS),
                 rows, empty="No ticket opened in this period has an SLA target.")


def sla_group_table(sla: Attainment) -> Table:
    """Met / missed / pending per group and target (targets without tickets left out)."""
    rows = [row for group, clocks in sla.by_group for row in _clock_rows((group,), clocks, skip_empty=True)]
    return Table("sla-group", "SLA attainment per group", (Column("group", "Group", Kind.text), *SLA_COLUMNS),
                 rows, empty="No ticket opened in this period has an SLA target.")


def backlog_table(data: Backlog) -> Table:
    """Open tickets by status and age, with totals."""
    columns = (Column("status", "Status", Kind.text), *(Column(f"age{i}", label) for i, (label, _b) in enumerate(AGE_BUCKETS)),
               Column("total", "Total"))
    rows: list[tuple[object, ...]] = [(r.label, *r.by_age, r.total) for r in data.rows]
    rows.append(("All open", *data.by_age, data.total))
    return Table("backlog", "Open tickets by status and age", columns, rows, snapshot=True,
                 empty="No open tickets.")


def workload_table(rows: list[WorkloadRow]) -> Table:
    """Open tickets per assignee and status."""
    columns = (Column("assignee", "Assignee", Kind.text),
               *(Column(s.value, STATUS_LABELS[s]) for s in ACTIVE_STATUSES), Column("total", "Total"))
    return Table("workload", "Open tickets per assignee", columns,
                 [(r.name, *r.by_status, r.total) for r in rows], snapshot=True, empty="No open tickets.")


def csat_scores_table(csat: Csat) -> Table:
    """Ratings per score."""
    return Table("csat", "Ratings by score", (Column("score", "Score", Kind.text), Column("ratings", "Ratings")),
                 [(SCORE_LABELS[s], n) for s, n in csat.distribution.items()], empty="No ratings in this period.")


def csat_comments_table(csat: Csat) -> Table:
    """The latest ratings that came with a comment."""
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
