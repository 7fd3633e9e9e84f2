from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.web.admin import groups, views  # noqa: E402,F401
