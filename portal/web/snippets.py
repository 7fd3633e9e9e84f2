"""Small pieces of HTML that long lists repeat, written in Python: a time, a status, priority or SLA badge, options.

A queue page repeats each of these 25 times and lists some 300 organisations in its filter; as Jinja macros they
cost it several milliseconds. The macros in ``_macros.html`` and ``_sla.html`` call these, so each piece of HTML
has one source. Every interpolated value passes through ``escape``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from portal.web.filters import localtime

SLA_LABELS = {"ok": "on time", "warning": "due soon", "breached": "overdue", "paused": "paused", "met": "met"}
_SLA_WITH_DUE = frozenset({"ok", "warning", "breached"})


def time_tag(moment: datetime | None) -> Markup:
    """A <time> element showing a UTC moment in the viewer's zone; a dash when there is none."""
    if not moment:
        return Markup("—")
    return Markup(f'<time datetime="{escape(moment.isoformat())}">{escape(localtime(moment))}</time>')  # noqa: S704


def status_badge(ticket: Any) -> Markup:
    return Markup(f'<span class="badge status-{escape(ticket.status)}">{escape(ticket.status_label)}</span>')  # noqa: S704


def priority_badge(ticket: Any) -> Markup:
    priority = escape(ticket.priority)
    return Markup(f'<span class="badge priority-{priority}">{priority}</span>')  # noqa: S704


def sla_badge(state: str, due: datetime | None = None) -> Markup:
    """A list row's SLA badge: the overall state and, while a clock runs, the nearest due time."""
    if state == "none":
        return Markup("")
    when = f" · {time_tag(due)}" if due and state in _SLA_WITH_DUE else ""
    return Markup(f'<span class="sla sla-{escape(state)}">{escape(SLA_LABELS[state])}{when}</span>')  # noqa: S704


def option_tags(items: Iterable[tuple[Any, Any]], selected: Any = None) -> Markup:
    """<option> elements for (value, label) pairs, the one equal to ``selected`` marked selected."""
    chosen = None if selected is None else str(selected)
    return Markup("".join(  # noqa: S704
        f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>{escape(label)}</option>'
        for value, label in items))


TEMPLATE_GLOBALS = {"time_tag": time_tag, "status_badge_html": status_badge, "priority_badge_html": priority_badge,
                    "sla_badge_html": sla_badge, "option_tags": option_tags}
