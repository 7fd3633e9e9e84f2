"""The report figures drawn as charts, each with a description that says what it shows in words."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup

from portal.services.reports.attainment import ClockTally
from portal.services.reports.backlog import AGE_BUCKETS, Backlog
from portal.services.reports.csat import SCORE_LABELS, Csat
from portal.services.reports.series import DayCount, FirstResponses
from portal.services.reports.tables import duration_text
from portal.services.staff.report import StaffReport
from portal.web.charts import Series, grouped_bar_chart, line_chart, stacked_bar_chart

HOUR = 3600.0


def day_label(day: date) -> str:
    """A short day label for an axis, e.g. "4 Mar"."""
    return f"{day.day} {day:%b}"


def hours(value: float) -> str:
    """An axis value in hours."""
    return f"{value:g} h" if value else "0"


def opened_solved_chart(days: list[DayCount], *, chart_id: str, span: str) -> Markup:
    """Grouped bars of tickets opened and solved per day."""
    opened, solved = sum(d.opened for d in days), sum(d.solved for d in days)
    busiest = max(days, key=lambda d: d.opened, default=None)
    description = f"Over {span}, {opened} tickets were opened and {solved} solved."
    if busiest is not None and busiest.opened:
        description += f" The most were opened on {busiest.day:%A} {day_label(busiest.day)}: {busiest.opened}."
    return grouped_bar_chart(
        chart_id=chart_id, title=f"Tickets opened and solved per day, {span}", description=description,
        categories=[day_label(d.day) for d in days],
        series=[Series("Opened", [d.opened for d in days], "opened"), Series("Solved", [d.solved for d in days], "solved")],
        empty="No tickets were opened or solved in this period.",
    )


def first_response_chart(responses: FirstResponses, *, chart_id: str, span: str) -> Markup:
    """Lines of the median and 90th-percentile first response per opening day, in hours."""
    days = responses.days
    if responses.answered:
        description = (f"Over {span}, {responses.answered} tickets got a first response: median "
                       f"{duration_text(responses.median_seconds)}, 90th percentile {duration_text(responses.p90_seconds)}."
                       f" {responses.awaiting} still await one.")
    else:
        description = f"No ticket opened over {span} has had a first response yet; {responses.awaiting} await one."

    def in_hours(value: float | None) -> float | None:
        return None if value is None else round(value / HOUR, 2)

    return line_chart(
        chart_id=chart_id, title=f"First-response time per day opened, {span}", description=description,
        categories=[day_label(d.day) for d in days],
        series=[Series("Median", [in_hours(d.median_seconds) for d in days], "median"),
                Series("90th percentile", [in_hours(d.p90_seconds) for d in days], "p90")],
        fmt=hours, empty="No first responses in this period.",
    )


def sla_chart(clocks: list[ClockTally], *, chart_id: str, span: str) -> Markup:
    """Stacked bars of met, missed and pending per SLA target."""
    judged = [c for c in clocks if c.tally.total]
    parts = [f"{c.label}: {c.tally.percent:.1f} % met ({c.tally.met} of {c.tally.met + c.tally.missed} decided, "
             f"{c.tally.pending} pending)" if c.tally.percent is not None else f"{c.label}: {c.tally.pending} pending"
             for c in judged]
    description = ("; ".join(parts) + ".") if parts else "No ticket in this period has an SLA target."
    notes = [f"{c.tally.percent:.1f} % met" if c.tally.percent is not None else
             ("pending" if c.tally.total else "no target") for c in clocks]
    return stacked_bar_chart(
        chart_id=chart_id, title=f"SLA attainment for tickets opened {span}", description=description,
        rows=[c.label for c in clocks],
        series=[Series("Met", [c.tally.met for c in clocks], "met"),
                Series("Missed", [c.tally.missed for c in clocks], "missed"),
                Series("Pending", [c.tally.pending for c in clocks], "pending")],
        notes=notes, empty="No SLA targets in this period.",
    )


def response_spread_chart(responses: FirstResponses, *, chart_id: str) -> Markup:
    """Bars of how many first responses fell in each time bucket."""
    labels = [b.label for b in responses.buckets]
    counts = [b.count for b in responses.buckets]
    description = "; ".join(f"{b.label.lower()}: {b.count}" for b in responses.buckets) + "."
    return grouped_bar_chart(chart_id=chart_id, title="How long first responses took", description=description,
                             categories=labels, series=[Series("Tickets", counts, "count")],
                             empty="No first responses in this period.")


def backlog_chart(data: Backlog, *, chart_id: str) -> Markup:
    """Bars of open tickets by age."""
    labels = [label for label, _bound in AGE_BUCKETS]
    description = f"{data.total} open tickets; by age since opening: " + "; ".join(
        f"{label.lower()}: {n}" for label, n in zip(labels, data.by_age, strict=True)) + "."
    return grouped_bar_chart(chart_id=chart_id, title="Open tickets by age", description=description,
                             categories=labels, series=[Series("Open tickets", list(data.by_age), "count")],
                             empty="No open tickets.")


def csat_chart(csat: Csat, *, chart_id: str, span: str) -> Markup:
    """Bars of ratings per score."""
    if csat.count:
        description = f"{csat.count} ratings over {span}, average {csat.average:.2f} of 5. " + "; ".join(
            f"{SCORE_LABELS[s]}: {n}" for s, n in csat.distribution.items()) + "."
    else:
        description = f"No ratings over {span}."
    return grouped_bar_chart(chart_id=chart_id, title=f"Ratings by score, {span}", description=description,
                             categories=[SCORE_LABELS[s] for s in csat.distribution],
                             series=[Series("Ratings", list(csat.distribution.values()), "count")],
                             empty="No ratings in this period.")


def staff_response_chart(report: StaffReport, *, chart_id: str = "staff-response") -> Markup:
    """Grouped bars per month: median and 90th percentile of the business hours to answer DataCite staff."""
    months = list(reversed(report.months))  # oldest first on the axis
    described = [m for m in months if m.answer_median_hours is not None]
    description = f"Business hours from arrival to the first answer, per month, over {len(months)} months."
    if report.answer_target_hours is not None:
        description += f" The target is {report.answer_target_hours:g} business hours."
    if described:
        worst = max(described, key=lambda m: m.answer_p90_hours or 0)
        description += (f" The slowest month was {worst.month}: 90% answered within {worst.answer_p90_hours:g} h,"
                        f" median {worst.answer_median_hours:g} h.")
    return grouped_bar_chart(
        chart_id=chart_id, title="Time to answer DataCite staff requests", description=description,
        categories=[m.month for m in months],
        series=[Series("Median", [m.answer_median_hours for m in months], "median"),
                Series("90th percentile", [m.answer_p90_hours for m in months], "p90")],
        fmt=hours, whole=False, empty="No request from DataCite staff has been answered yet.")
