"""The agent's start page."""

from __future__ import annotations

from flask import render_template

from portal.services import system
from portal.web.common import db, utcnow
from portal.web.desk import bp


@bp.route("/")
def home() -> str:
    return render_template("desk/home.html", overview=system.overview(db(), now=utcnow()))
