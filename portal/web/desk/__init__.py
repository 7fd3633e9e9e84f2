from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")

from portal.web.desk import (  # noqa: E402,F401
    canned_pages,
    credentials,
    doi_tools,
    health,
    mail,
    members,
    report_pages,
    sla,
    ticket_actions,
    tickets,
    views,
)
