"""The HTML pieces written in Python (portal/web/snippets.py) equal the Jinja macros they replaced, hostile text too."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.web import snippets

# The macros as they were written in Jinja before they moved to Python.
OLD_MACROS = """
{%- macro time(dt) -%}
  {% if dt %}<time datetime="{{ dt.isoformat() }}">{{ dt|localtime }}</time>{% else %}—{% endif %}
{%- endmacro %}
{%- macro status_badge(ticket) -%}
  <span class="badge status-{{ ticket.status }}">{{ ticket.status_label }}</span>
{%- endmacro %}
{%- macro priority_badge(ticket) -%}
  <span class="badge priority-{{ ticket.priority }}">{{ ticket.priority }}</span>
{%- endmacro %}
{%- macro sla_badge(state, due=None) -%}
  {% if state != 'none' %}
  <span class="sla sla-{{ state }}">{{ {'ok': 'on time', 'warning': 'due soon', 'breached': 'overdue', 'paused': 'paused', 'met': 'met'}[state] }}{% if due and state in ('ok', 'warning', 'breached') %} · <time datetime="{{ due.isoformat() }}">{{ due|localtime }}</time>{% endif %}</span>
  {% endif %}
{%- endmacro %}
"""

HOSTILE = '"><script>alert(1)</script>&'
MOMENTS = [None, datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]


def _old(call: str, **values: object) -> str:
    return render_template_string(OLD_MACROS + "{{ " + call + " }}", **values).strip()


@pytest.fixture
def viewer(app):
    app.config["DEFAULT_TIMEZONE"] = "Europe/Berlin"  # a zone with DST, so the local time differs from UTC
    with app.test_request_context():
        yield


@pytest.mark.parametrize("moment", MOMENTS)
def test_time_tag_equals_the_macro(viewer, moment):
    assert str(snippets.time_tag(moment)) == _old("time(dt)", dt=moment)


@pytest.mark.parametrize("ticket", [
    SimpleNamespace(status="open", status_label="Open", priority="urgent"),
    SimpleNamespace(status=HOSTILE, status_label=HOSTILE, priority=HOSTILE),
])
def test_badges_equal_the_macros(viewer, ticket):
    assert str(snippets.status_badge(ticket)) == _old("status_badge(t)", t=ticket)
    assert str(snippets.priority_badge(ticket)) == _old("priority_badge(t)", t=ticket)
    assert "<script>" not in str(snippets.status_badge(ticket)) + str(snippets.priority_badge(ticket))


@pytest.mark.parametrize("state", ["none", "ok", "warning", "breached", "paused", "met"])
@pytest.mark.parametrize("due", MOMENTS)
def test_sla_badge_equals_the_macro(viewer, state, due):
    old = " ".join(_old("sla_badge(state, due)", state=state, due=due).split())
    assert " ".join(str(snippets.sla_badge(state, due)).split()) == old


def test_option_tags_escape_and_select():
    html = str(snippets.option_tags([(1, "Alpha"), (2, HOSTILE), ('"x', "Quote")], 2))
    assert html == ('<option value="1">Alpha</option>'
                    '<option value="2" selected>&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;</option>'
                    '<option value="&#34;x">Quote</option>')
    assert " selected" not in str(snippets.option_tags([(1, "Alpha"), ("", "Blank")], None))
    assert str(snippets.option_tags([(1, "A"), (12, "B")], "12")).count(" selected") == 1
