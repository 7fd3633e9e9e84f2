"""What agents may look up about service levels: the policies and the calendars, read-only."""

from __future__ import annotations

from flask import render_template

from portal.services.sla import calendars, policies
from portal.services.sla.hours import describe_hours, hours_from_json
from portal.web.common import db, utcnow
from portal.web.desk import bp
from portal.web.filters import viewer_zone

UPCOMING_HOLIDAYS = 8


@bp.route("/sla")
def sla() -> str:
    today = utcnow().astimezone(viewer_zone()).date()
    rows = calendars.list_calendars(db())
    details = {
        row.calendar.id: (describe_hours(hours_from_json(row.calendar.hours)),
                          calendars.list_holidays(db(), row.calendar, since=today, limit=UPCOMING_HOLIDAYS))
        for row in rows
    }
    return render_template("desk/sla.html", policies=policies.list_policies(db()), calendars=rows, details=details)
