"""Pages for publishers of the integration documentation."""

from __future__ import annotations

from flask import render_template

from portal.web.publish import bp


@bp.route("/")
def home() -> str:
    return render_template("publish/home.html")
