"""The public site."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from portal.web.docs import bp


@bp.route("/")
def index() -> object:
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    return render_template("docs/index.html")
