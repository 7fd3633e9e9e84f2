from flask import Blueprint

bp = Blueprint("publish", __name__, url_prefix="/publish")

from portal.web.publish import views  # noqa: E402,F401
