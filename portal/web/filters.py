"""Template filters and globals: times in the viewer's zone, paging links, navigation."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Flask, current_app, g, has_request_context, request, url_for
from flask_login import current_user

from portal import __version__
from portal.web.access import ACCESS, role_of


@cache
def all_timezones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def viewer_zone() -> ZoneInfo:
    """The viewer's time zone (their own, else the site's, else UTC); worked out once per request."""
    if has_request_context() and "viewer_zone" in g:
        return g.viewer_zone
    zone = _zone_of(getattr(current_user, "timezone", "") if current_user.is_authenticated else "")
    if has_request_context():
        g.viewer_zone = zone
    return zone


def _zone_of(name: str) -> ZoneInfo:
    for candidate in (name, current_app.config["DEFAULT_TIMEZONE"]):
        if not candidate:
            continue
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """A UTC datetime in the viewer's time zone."""
    if value is None:
        return ""
    return value.astimezone(viewer_zone()).strftime(fmt)


def message_html(text: str) -> Any:
    """A message body as HTML: Markdown through the sanitiser when it is installed, else escaped text."""
    try:
        from portal.markdown import render_markdown
    except ImportError:  # the Markdown sanitiser is not part of this build
        from markupsafe import escape

        return escape(text)
    return render_markdown(text, profile="message")


def sla_state(ticket: Any) -> str:
    """The ticket's overall SLA state now, for list badges."""
    from portal.models.types import utcnow
    from portal.services.tickets.sla_hooks import state_of

    return state_of(ticket, utcnow())


def url_with(**changes: Any) -> str:
    """The current URL with some query arguments changed (for paging and sorting links)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint or "docs.index", **(request.view_args or {}), **args)


def can(endpoint: str) -> bool:
    """Whether the current viewer's role may use an endpoint (for showing links)."""
    return role_of(current_user) in ACCESS.get(endpoint, frozenset())


NAVIGATION = {
    "admin": [("desk.home", "Desk"), ("desk.tickets", "Tickets"), ("desk.members", "Members"),
              ("desk.reports", "Reports"), ("admin.home", "Admin"), ("docs.home", "Docs")],
    "agent": [("desk.home", "Home"), ("desk.tickets", "Tickets"), ("desk.members", "Members"),
              ("desk.reports", "Reports"), ("desk.canned_list", "Canned answers"), ("docs.home", "Docs")],
    "publisher": [("publish.home", "Publishing"), ("docs.home", "Docs")],
    "datacite_staff": [("staff.home", "Requests"), ("staff.request_new", "New request"),
                       ("staff.profile", "Service profile"), ("docs.home", "Docs")],
    "member": [("member.home", "Home"), ("member.tickets", "Tickets"), ("member.ticket_new", "New ticket"),
               ("member.organisation", "Organisation"), ("docs.home", "Docs")],
    "anonymous": [("docs.index", "Home"), ("docs.home", "Docs")],
}


def navigation() -> list[tuple[str, str]]:
    return NAVIGATION.get(role_of(current_user), [])


def init_app(app: Flask) -> None:
    app.add_template_filter(localtime, "localtime")
    app.add_template_global(localtime, "localtime")
    app.add_template_filter(message_html, "message_html")
    app.add_template_global(url_with)
    app.add_template_global(can)
    app.add_template_global(navigation)
    app.add_template_global(viewer_zone)
    app.add_template_global(sla_state, "sla_state")
    app.add_template_global(__version__, "portal_version")
