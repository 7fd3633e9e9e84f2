"""The agent's start page, and the report on DataCite staff requests."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from portal.services import credentials
from portal.services.reports.home import desk_home
from portal.web.common import db, utcnow
from portal.web.desk import bp
from portal.web.desk.report_pages import home_figures
from portal.web.filters import viewer_zone


@bp.route("/")
def home() -> str:
    """The agent's start page."""
    zone = viewer_zone()
    data = desk_home(db(), current_user, now=utcnow(), zone=zone)
    return render_template("desk/home.html", home=data, zone=zone, attention=credentials.needing_attention(db()),
                           **home_figures(data))


@bp.route("/staff-report")
def staff_report() -> str:
    """Response times to DataCite staff requests per month, against the designated contact's targets."""
    from portal.services.staff.report import staff_report as build
    from portal.web.desk.report_charts import staff_response_chart

    report = build(db(), now=utcnow(), zone=viewer_zone())
    return render_template("desk/staff_report.html", report=report, chart=staff_response_chart(report))
