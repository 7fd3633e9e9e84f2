"""The web layer: one blueprint per audience, guarded by one access matrix."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from portal.security import csrf
from portal.web import access, errors, filters, snippets


class RowIntConverter(IntegerConverter):
    """``<int:...>`` in every route: numbers past the databases' integer columns match no route (404), so such a
    number never reaches PostgreSQL, which would refuse it with an error instead of finding no row."""

    def __init__(self, url_map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 (werkzeug's name)
                 max: int | None = 2**31 - 1, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = RowIntConverter
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
    app.jinja_env.globals.update(snippets.TEMPLATE_GLOBALS)
