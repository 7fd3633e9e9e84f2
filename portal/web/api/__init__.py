from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from portal.web.api import staff, tickets, views  # noqa: E402,F401
