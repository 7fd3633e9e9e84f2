"""The agent's start page."""

from __future__ import annotations

from flask import render_template

from portal.services import credentials, system
from portal.web.common import db, utcnow
from portal.web.desk import bp


@bp.route("/")
def home() -> str:
    return render_template("desk/home.html", overview=system.overview(db(), now=utcnow()),
                           attention=credentials.needing_attention(db()))


@bp.route("/staff-report")
def staff_report() -> str:
    """Response times to DataCite staff requests per month, against the designated contact's targets."""
    from portal.services.staff.report import staff_report as build
    from portal.web.filters import viewer_zone

    return render_template("desk/staff_report.html", report=build(db(), now=utcnow(), zone=viewer_zone()))
