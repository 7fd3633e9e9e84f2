from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.web.admin import groups, staff_channel, views  # noqa: E402,F401
