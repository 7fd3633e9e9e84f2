from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.web.admin import checks, groups, mail, schedule, sla_calendars, sla_policies, staff_channel, views  # noqa: E402,F401
