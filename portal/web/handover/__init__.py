from flask import Blueprint

bp = Blueprint("handover", __name__)

from portal.web.handover import views  # noqa: E402,F401
