"""The public RSP badge: served only while the provider is listed, and shown in the site's footer."""

from __future__ import annotations

import time

from flask import Response, abort, current_app, g

from portal.models import ProgrammeBadge
from portal.services.programme import steps
from portal.services.programme.badge import PublicBadge, badge_csp, public_badge
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


BADGE_TTL_SECONDS = 60.0
clock = time.monotonic  # tests move it on


@bp.app_template_global()
def rsp_badge_shown() -> PublicBadge | None:
    """The badge every page's footer shows (None when not listed or no image).

    Held for a minute per process, and dropped at once when this process changes the steps or the badge, so
    the footer costs no query on most pages; another web process follows within the minute."""
    if "rsp_badge" not in g:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        key, moment = (steps.edits(), utcnow().date()), clock()
        held = app.extensions.get("portal.rsp_badge")
        if held is None or held[0] != key or held[1] < moment:
            held = (key, moment + BADGE_TTL_SECONDS, public_badge(db(), today=key[1]))
            app.extensions["portal.rsp_badge"] = held
        g.rsp_badge = held[2]
    return g.rsp_badge
