from flask import Blueprint

bp = Blueprint("docs", __name__)

from portal.web.docs import views  # noqa: E402,F401
