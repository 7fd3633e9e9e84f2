"""The JSON API."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import text

from portal import __version__
from portal.web.api import bp
from portal.web.common import db


@bp.route("/health")
def health() -> object:
    """Liveness and database reachability, for load balancers and monitoring."""
    try:
        db().execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # a health check reports, it does not fail
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database, version=__version__), status
