"""The helpdesk reports page and its CSV downloads; the charts and tables of the agent's start page."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, url_for

from portal.errors import ValidationFailed
from portal.models import Priority
from portal.services.docs import deflection_stats
from portal.services.reports import report as report_service
from portal.services.reports.csv_export import csv_filename, table_csv
from portal.services.reports.home import DeskHome
from portal.services.reports.period import PRESETS, Period, parse_period
from portal.services.reports.scope import ReportScope, parse_scope
from portal.services.reports.tables import duration_text
from portal.services.tickets.groups import list_groups
from portal.web.common import db, utcnow
from portal.web.desk import bp
from portal.web.desk import report_charts as draw
from portal.web.filters import viewer_zone

FORM_KEYS = ("range", "start", "end", "group", "priority")


def _form() -> dict[str, str]:
    return {key: request.args.get(key, "")[:40] for key in FORM_KEYS}


def _choose(form: dict[str, str], group_ids: set[int]) -> tuple[Period, ReportScope]:
    """The period and filters a request asks for; every problem at once as a ValidationFailed."""
    errors: dict[str, str] = {}
    period = scope = None
    try:
        period = parse_period(preset=form["range"], first=form["start"], last=form["end"], now=utcnow(),
                              zone=viewer_zone())
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        scope = parse_scope(group=form["group"], priority=form["priority"], group_ids=group_ids)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors or period is None or scope is None:
        raise ValidationFailed(errors)
    return period, scope


def _span(period: Period) -> str:
    return period.label if period.preset else f"{period.first.isoformat()} to {period.last.isoformat()}"


def csv_url(table: str, period: Period, scope: ReportScope | None = None) -> str:
    """The CSV download of one table for exactly this period and these filters."""
    args: dict[str, Any] = {"table": table}
    if period.preset:
        args["range"] = period.preset
    else:
        args.update(range="custom", start=period.first.isoformat(), end=period.last.isoformat())
    if scope is not None and scope.group_id is not None:
        args["group"] = scope.group_id
    if scope is not None and scope.priority:
        args["priority"] = scope.priority
    return url_for("desk.reports_csv", **args)


@bp.route("/reports")
def reports() -> tuple[str, int] | str:
    """The reports page: period and filter form, every figure as chart and table."""
    form = _form()
    groups = list_groups(db(), active_only=False)
    page: dict[str, Any] = {"form": form, "groups": groups, "presets": PRESETS, "zone": viewer_zone(),
                            "priorities": [p.value for p in reversed(Priority)]}
    try:
        period, scope = _choose(form, {g.id for g in groups if g.id is not None})
    except ValidationFailed as exc:
        return render_template("desk/reports.html", errors=exc.errors, report=None, **page), 400
    report = report_service.build_report(db(), period=period, scope=scope, now=utcnow())
    span = _span(period)
    figures = {
        "opened_solved": draw.opened_solved_chart(report.opened_solved, chart_id="opened-solved", span=span),
        "first_response": draw.first_response_chart(report.responses, chart_id="first-response", span=span),
        "response_spread": draw.response_spread_chart(report.responses, chart_id="first-response-spread"),
        "sla": draw.sla_chart(report.sla.clocks, chart_id="sla", span=span),
        "backlog": draw.backlog_chart(report.backlog, chart_id="backlog"),
        "csat": draw.csat_chart(report.csat, chart_id="csat", span=span),
    }
    tables = {name: report.table(name) for name in report_service.TABLES}
    csv_links = {name: csv_url(name, period, scope) for name in report_service.TABLES}
    deflection = deflection_stats(db(), since=period.start, until=period.end)
    return render_template("desk/reports.html", errors={}, report=report, span=span, charts=figures, tables=tables,
                           csv_links=csv_links, deflection=deflection, median_text=duration_text(report.responses.median_seconds), **page)


@bp.route("/reports.csv")
def reports_csv() -> Response:
    """One report table as a CSV download, for the same period and filters as the page."""
    form = _form()
    groups = list_groups(db(), active_only=False)
    try:
        period, scope = _choose(form, {g.id for g in groups if g.id is not None})
    except ValidationFailed as exc:
        message = "\n".join(exc.errors.values())
        return Response(f"The report could not be made:\n{message}\n", status=400, mimetype="text/plain")
    report = report_service.build_report(db(), period=period, scope=scope, now=utcnow())
    table = report.table(request.args.get("table", "")[:40])  # NotFound names the tables there are
    response = Response(table_csv(table, viewer_zone()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{csv_filename(table, period)}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def home_figures(home: DeskHome) -> dict[str, Any]:
    """Charts, tables and CSV links for the start page's SLA week and its two 14-day charts."""
    chart_span = f"the last {len(home.chart_period.days)} days"
    sla_span = f"the last {len(home.sla_period.days)} days"
    return {
        "charts": {
            "opened_solved": draw.opened_solved_chart(home.opened_solved, chart_id="home-opened-solved", span=chart_span),
            "first_response": draw.first_response_chart(home.responses, chart_id="home-first-response", span=chart_span),
            "sla": draw.sla_chart(home.sla.clocks, chart_id="home-sla", span=sla_span),
        },
        "tables": {
            "opened_solved": report_service.opened_solved_table(home.opened_solved),
            "first_response": report_service.first_response_table(home.responses),
            "sla": report_service.sla_table(home.sla),
        },
        "csv_links": {
            "opened_solved": csv_url("opened-solved", home.chart_period),
            "first_response": csv_url("first-response", home.chart_period),
            "sla": csv_url("sla", home.sla_period),
        },
        "chart_span": chart_span,
        "sla_span": sla_span,
    }
