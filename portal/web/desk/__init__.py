from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/desk")

from portal.web.desk import credentials, doi_tools, members, views  # noqa: E402,F401
