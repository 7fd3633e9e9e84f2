"""How clocks are shown: one line per clock with a target, and the macros that render them."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import render_template_string

from portal.services.sla.business_time import CalendarSpec
from portal.services.sla.clocks import Targets, on_agent_public_reply, on_status_change, start_clocks
from portal.services.sla.summary import summarise

SPEC = CalendarSpec("Europe/Berlin", {d: ((time(9), time(17)),) for d in range(5)})
MONDAY_10 = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, 15, hour - 2, minute, tzinfo=UTC)  # Berlin summer time


def test_summaries_name_state_and_moment():
    clocks = on_agent_public_reply(start_clocks(Targets(60, 120, None), SPEC, MONDAY_10), SPEC, at(11, 30))
    lines = summarise(clocks, at(13, 10))
    assert [(s.label, s.state_label, s.moment) for s in lines] == [
        ("First response", "met late", at(11, 30)), ("Next update", "due soon", at(13, 30))]
    paused = summarise(on_status_change(clocks, SPEC, "open", "waiting_member", at(12, 30)), at(14))
    assert [(s.state_label, s.remaining_minutes) for s in paused] == [("met late", None), ("paused", 60)]


def test_macros_render_states_for_pages_and_lists(app):
    clocks = start_clocks(Targets(60, 120, 480), SPEC, MONDAY_10)
    template = ('{% from "_sla.html" import sla_clocks, sla_badge %}{{ sla_clocks(lines) }}|{{ sla_badge(state, due) }}'
                '|{{ sla_badge("none") }}')
    with app.test_request_context():
        html = render_template_string(template, lines=summarise(clocks, at(11, 5)), state=clocks.state(at(11, 5)),
                                      due=clocks.earliest_due())
    pages, badge, nothing = html.split("|")
    assert 'class="sla sla-breached"' in pages and "First response" in pages and "overdue" in pages
    assert 'class="sla sla-ok"' in pages and "Resolution" in pages
    assert "overdue" in badge and 'datetime="2026-06-15T09:00:00+00:00"' in badge
    assert nothing.strip() == ""
