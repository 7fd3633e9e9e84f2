"""The web layer: one blueprint per audience, guarded by one access matrix."""

from __future__ import annotations

from flask import Flask

from portal.security import csrf
from portal.web import access, errors, filters


def init_app(app: Flask) -> None:
    from portal.web.admin import bp as admin_bp
    from portal.web.api import bp as api_bp
    from portal.web.auth import bp as auth_bp
    from portal.web.desk import bp as desk_bp
    from portal.web.docs import bp as docs_bp
    from portal.web.docs import init_app as docs_init_app
    from portal.web.handover import bp as handover_bp
    from portal.web.member import bp as member_bp
    from portal.web.publish import bp as publish_bp
    from portal.web.staff import bp as staff_bp

    app.before_request(access.guard)
    app.before_request(access.enforce_two_factor)
    for bp in (docs_bp, auth_bp, admin_bp, desk_bp, member_bp, staff_bp, publish_bp, handover_bp, api_bp):
        app.register_blueprint(bp)
    csrf.exempt(api_bp)
    docs_init_app(app)
    errors.init_app(app)
    filters.init_app(app)
