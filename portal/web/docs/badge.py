"""The public RSP badge: served only while the provider is listed, and shown in the site's footer."""

from __future__ import annotations

from flask import Response, abort

from portal.models import ProgrammeBadge
from portal.services.programme.badge import PublicBadge, badge_csp, footer_badge, public_badge
from portal.web.common import db, utcnow
from portal.web.docs import bp


@bp.route("/rsp-badge")
def rsp_badge() -> Response:
    shown = public_badge(db(), today=utcnow().date())
    row = db().get(ProgrammeBadge, shown.id) if shown else None
    if row is None:
        abort(404)
    response = Response(row.data, mimetype=row.content_type)
    response.headers["Content-Security-Policy"] = badge_csp(row.content_type)
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.app_template_global()
def rsp_badge_shown() -> PublicBadge | None:
    """The badge every page's footer shows (None when not listed or no image), held in memory per process."""
    return footer_badge(db(), today=utcnow().date())
