"""Pages for DataCite staff."""

from __future__ import annotations

from flask import render_template

from portal.web.staff import bp


@bp.route("/")
def home() -> str:
    return render_template("staff/home.html")
