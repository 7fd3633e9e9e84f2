from flask import Blueprint

bp = Blueprint("member", __name__, url_prefix="/member")

from portal.web.member import tickets, views  # noqa: E402,F401
