from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")

from portal.web.desk import canned_pages, members, report_pages, sla, ticket_actions, tickets, views  # noqa: E402,F401
