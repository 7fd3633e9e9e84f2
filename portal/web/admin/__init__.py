from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.web.admin import (  # noqa: E402,F401
    checks,
    groups,
    mail,
    mailboxes,
    programme,
    schedule,
    sla_calendars,
    sla_policies,
    staff_channel,
    views,
)
