"""The SLA clocks of a ticket: creation, replies, pauses, resolve and reopen, target changes, notices once."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from portal.services.sla.business_time import CalendarSpec
from portal.services.sla.clocks import (
    Notice,
    SlaClocks,
    Targets,
    due_notices,
    on_agent_public_reply,
    on_status_change,
    on_targets_change,
    start_clocks,
)

BERLIN = ZoneInfo("Europe/Berlin")
SPEC = CalendarSpec("Europe/Berlin", {d: ((time(9), time(17)),) for d in range(5)})
TARGETS = Targets(first_response=60, next_update=120, resolution=480)


def t(day: int, hour: int, minute: int = 0, month: int = 6) -> datetime:
    """Berlin wall-clock time in 2026 as UTC (June 2026: Monday 15, Friday 19)."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def test_creation_runs_first_response_and_resolution_only():
    clocks = start_clocks(TARGETS, SPEC, t(15, 10))
    assert clocks.first_response.due_at == t(15, 11) and clocks.first_response.warn_at == t(15, 10, 48)
    assert clocks.resolution.due_at == t(16, 10) and clocks.resolution.warn_at == t(15, 16, 24)
    assert clocks.next_update.started_at is None and clocks.next_update.state(t(15, 10)) == "none"
    assert clocks.state(t(15, 10)) == "ok"
    assert clocks.earliest_due() == t(15, 11) and clocks.earliest_warn() == t(15, 10, 48)


def test_ticket_created_on_saturday_is_due_from_monday_morning():
    clocks = start_clocks(TARGETS, SPEC, t(20, 14))
    assert clocks.first_response.due_at == t(22, 10)
    assert clocks.resolution.due_at == t(22, 17)


def test_no_target_means_no_due_time():
    clocks = start_clocks(Targets(resolution=480), SPEC, t(15, 10))
    assert clocks.first_response.due_at is None and clocks.first_response.state(t(15, 10)) == "none"
    assert clocks.earliest_due() == t(16, 10)
    assert due_notices(clocks, t(30, 10)) == [Notice("resolution", "breach", t(16, 10))]


def test_first_reply_in_time_meets_first_response_and_starts_next_update():
    created = start_clocks(TARGETS, SPEC, t(15, 10))
    replied = on_agent_public_reply(created, SPEC, t(15, 10, 40))
    assert replied.first_response.met_at == t(15, 10, 40) and replied.first_response.state(t(15, 12)) == "met"
    assert replied.next_update.due_at == t(15, 12, 40)
    assert created.first_response.met_at is None  # transitions leave their argument alone
    assert due_notices(replied, t(15, 11, 30)) == []


def test_late_first_reply_is_recorded_as_breached_without_a_notice():
    replied = on_agent_public_reply(start_clocks(TARGETS, SPEC, t(15, 10)), SPEC, t(15, 11, 5))
    assert replied.first_response.state(t(15, 12)) == "breached"
    assert replied.first_response.breached_at == t(15, 11)
    assert [n.clock for n in due_notices(replied, t(15, 12))] == []


def test_each_reply_restarts_next_update():
    clocks = on_agent_public_reply(start_clocks(TARGETS, SPEC, t(15, 10)), SPEC, t(15, 10, 30))
    assert due_notices(clocks, t(15, 12, 20)) == [Notice("next_update", "warning", t(15, 12, 6))]
    assert due_notices(clocks, t(15, 12, 45)) == [Notice("next_update", "breach", t(15, 12, 30))]
    again = on_agent_public_reply(clocks, SPEC, t(15, 13))
    assert again.next_update.due_at == t(15, 15) and again.next_update.breached_at is None
    assert again.first_response.met_at == t(15, 10, 30)  # met once, not again
    assert due_notices(again, t(15, 15, 1)) == [Notice("next_update", "breach", t(15, 15))]


def test_waiting_on_member_pauses_all_clocks_and_resumes_with_what_was_left():
    clocks = on_agent_public_reply(start_clocks(TARGETS, SPEC, t(15, 10)), SPEC, t(15, 10, 30))
    waiting = on_status_change(clocks, SPEC, "new", "waiting_member", t(15, 11))
    assert waiting.state(t(15, 11)) == "paused"
    assert waiting.resolution.remaining_minutes == 420 and waiting.resolution.due_at is None
    assert waiting.next_update.remaining_minutes == 90
    assert due_notices(waiting, t(19, 16)) == []  # nothing falls due while paused
    back = on_status_change(waiting, SPEC, "waiting_member", "open", t(17, 16))  # two days later, 16:00
    assert back.next_update.due_at == t(18, 9, 30)
    assert back.resolution.due_at == t(18, 15)
    assert back.resolution.started_at == t(15, 10)


def test_pause_across_the_clock_change_resumes_in_business_minutes():
    clocks = start_clocks(TARGETS, SPEC, t(27, 15, month=3))  # Friday, CET
    waiting = on_status_change(clocks, SPEC, "new", "waiting_member", t(27, 16, month=3))
    back = on_status_change(waiting, SPEC, "waiting_member", "open", t(30, 9, month=3))  # Monday, CEST
    assert back.resolution.due_at == t(30, 16, month=3)
    assert back.resolution.due_at == datetime(2026, 3, 30, 14, 0, tzinfo=UTC)


def test_waiting_on_datacite_pauses_only_resolution():
    clocks = on_agent_public_reply(start_clocks(TARGETS, SPEC, t(15, 10)), SPEC, t(15, 10, 30))
    waiting = on_status_change(clocks, SPEC, "open", "waiting_datacite", t(15, 11))
    assert waiting.resolution.due_at is None and waiting.resolution.remaining_minutes == 420
    assert waiting.next_update.due_at == t(15, 12, 30)  # the member still gets updates
    assert due_notices(waiting, t(15, 12, 31)) == [Notice("next_update", "breach", t(15, 12, 30))]
    assert waiting.state(t(15, 12, 31)) == "breached"
    back = on_status_change(waiting, SPEC, "waiting_datacite", "open", t(16, 9))
    assert back.resolution.due_at == t(16, 16)


def test_first_response_keeps_running_while_waiting_on_datacite():
    waiting = on_status_change(start_clocks(TARGETS, SPEC, t(15, 10)), SPEC, "new", "waiting_datacite", t(15, 10, 5))
    assert waiting.first_response.due_at == t(15, 11)
    assert [n.kind for n in due_notices(waiting, t(15, 11, 1))] == ["breach"]


def test_reply_while_waiting_on_member_starts_next_update_paused():
    waiting = on_status_change(start_clocks(TARGETS, SPEC, t(15, 10)), SPEC, "new", "waiting_member", t(15, 10, 10))
    replied = on_agent_public_reply(waiting, SPEC, t(15, 10, 20))
    assert replied.first_response.met_at == t(15, 10, 20) and replied.first_response.breached_at is None
    assert replied.next_update.due_at is None and replied.next_update.remaining_minutes == 120
    back = on_status_change(replied, SPEC, "waiting_member", "open", t(16, 9))
    assert back.next_update.due_at == t(16, 11)


def test_resolve_in_time_then_reopen_resumes_resolution_from_what_was_left():
    clocks = on_agent_public_reply(start_clocks(TARGETS, SPEC, t(15, 10)), SPEC, t(15, 10, 30))
    resolved = on_status_change(clocks, SPEC, "open", "resolved", t(15, 16))
    assert resolved.resolution.state(t(20, 9)) == "met" and resolved.resolution.remaining_minutes == 120
    assert resolved.next_update.started_at is None and resolved.state(t(20, 9)) == "met"
    assert due_notices(resolved, t(30, 9)) == []
    closed = on_status_change(resolved, SPEC, "resolved", "closed", t(16, 9))
    assert closed.resolution == resolved.resolution
    reopened = on_status_change(closed, SPEC, "closed", "open", t(22, 9))
    assert reopened.resolution.met_at is None and reopened.resolution.due_at == t(22, 11)
    assert reopened.next_update.due_at == t(22, 11)
    assert reopened.first_response.met_at == t(15, 10, 30)


def test_late_resolution_stays_breached_after_reopening():
    created = start_clocks(TARGETS, SPEC, t(15, 10))
    resolved = on_status_change(created, SPEC, "open", "resolved", t(16, 12))
    assert resolved.resolution.breached_at == t(16, 10) and resolved.resolution.remaining_minutes == -120
    assert resolved.first_response.state(t(16, 12)) == "breached"  # never answered, resolved late
    reopened = on_status_change(resolved, SPEC, "resolved", "open", t(17, 9))
    assert reopened.resolution.due_at < t(17, 9)
    assert reopened.resolution.state(t(17, 9)) == "breached"
    assert due_notices(reopened, t(17, 9, 1)) == []  # the breach was already recorded


def test_reopening_into_waiting_keeps_resolution_paused():
    resolved = on_status_change(start_clocks(TARGETS, SPEC, t(15, 10)), SPEC, "open", "resolved", t(15, 12))
    reopened = on_status_change(resolved, SPEC, "resolved", "waiting_member", t(16, 9))
    assert reopened.resolution.due_at is None and reopened.resolution.remaining_minutes == 360
    assert reopened.state(t(16, 9)) == "paused"


def test_target_change_counts_from_the_start_and_keeps_pauses():
    clocks = start_clocks(TARGETS, SPEC, t(15, 10))
    waiting = on_status_change(clocks, SPEC, "new", "waiting_member", t(15, 11))
    back = on_status_change(waiting, SPEC, "waiting_member", "open", t(16, 9))  # an hour used, the night paused
    urgent = on_targets_change(back, SPEC, Targets(30, 60, 240), t(16, 9, 30))
    assert urgent.resolution.due_at == t(16, 12)  # 240 - 60 used before the pause - 30 since = 150 left
    assert urgent.first_response.due_at < t(16, 9, 30)
    assert [n.clock for n in due_notices(urgent, t(16, 9, 31))] == ["first_response"]
    relaxed = on_targets_change(urgent, SPEC, Targets(240, 480, 960), t(16, 9, 40))
    assert relaxed.first_response.breached_at is None and relaxed.first_response.due_at == t(16, 12)
    paused = on_status_change(relaxed, SPEC, "open", "waiting_member", t(16, 10))
    bigger = on_targets_change(paused, SPEC, Targets(240, 480, 1440), t(16, 11))
    assert bigger.resolution.due_at is None and bigger.resolution.remaining_minutes == 1440 - 120


def test_dropping_a_target_clears_its_marks():
    clocks = start_clocks(TARGETS, SPEC, t(15, 10))
    due_notices(clocks, t(15, 11, 30))
    assert clocks.first_response.breached_at == t(15, 11)
    dropped = on_targets_change(clocks, SPEC, Targets(None, 120, 480), t(15, 11, 45))
    assert dropped.first_response.due_at is None and dropped.first_response.breached_at is None
    assert dropped.first_response.state(t(15, 12)) == "none"


def test_warning_at_80_percent_and_breach_each_reported_once():
    clocks = start_clocks(Targets(resolution=100), SPEC, t(15, 10))
    assert clocks.resolution.warn_at == t(15, 11, 20)
    assert due_notices(clocks, t(15, 11, 19)) == []
    assert clocks.resolution.state(t(15, 11, 20)) == "warning"
    assert due_notices(clocks, t(15, 11, 20)) == [Notice("resolution", "warning", t(15, 11, 20))]
    assert due_notices(clocks, t(15, 11, 30)) == []
    assert due_notices(clocks, t(15, 11, 41)) == [Notice("resolution", "breach", t(15, 11, 40))]
    assert due_notices(clocks, t(16, 9)) == []
    assert clocks.resolution.warned_at == t(15, 11, 20) and clocks.resolution.breached_at == t(15, 11, 40)


def test_a_late_check_sends_only_the_breach():
    clocks = start_clocks(Targets(resolution=100), SPEC, t(15, 10))
    assert due_notices(clocks, t(16, 9)) == [Notice("resolution", "breach", t(15, 11, 40))]
    assert due_notices(clocks, t(16, 10)) == []


def test_warning_survives_a_pause_and_is_not_repeated():
    clocks = start_clocks(Targets(resolution=100), SPEC, t(15, 10))
    assert len(due_notices(clocks, t(15, 11, 25))) == 1
    waiting = on_status_change(clocks, SPEC, "new", "waiting_member", t(15, 11, 30))
    back = on_status_change(waiting, SPEC, "waiting_member", "open", t(16, 9))
    assert back.resolution.due_at == t(16, 9, 10)
    assert due_notices(back, t(16, 9, 5)) == []
    assert [n.kind for n in due_notices(back, t(16, 9, 11))] == ["breach"]


def test_overall_state_follows_the_most_urgent_live_clock():
    clocks = on_agent_public_reply(start_clocks(TARGETS, SPEC, t(15, 10)), SPEC, t(15, 11, 30))  # late reply
    assert clocks.first_response.state(t(15, 12)) == "breached"
    assert clocks.state(t(15, 12)) == "ok"  # what is still counting is on time
    assert clocks.state(t(15, 13, 10)) == "warning"  # next update at 80 %
    resolved = on_status_change(clocks, SPEC, "open", "resolved", t(15, 14))
    assert resolved.state(t(15, 14)) == "breached"  # finished: the late first reply is what remains


def test_unknown_status_is_refused():
    with pytest.raises(ValueError, match="Unknown ticket status 'pending'"):
        on_status_change(start_clocks(TARGETS, SPEC, t(15, 10)), SPEC, "new", "pending", t(15, 11))


def test_json_round_trip_is_stable_and_versioned():
    clocks = on_status_change(on_agent_public_reply(start_clocks(TARGETS, SPEC, t(15, 10)), SPEC, t(15, 10, 30)),
                              SPEC, "open", "waiting_datacite", t(15, 11))
    due_notices(clocks, t(15, 12, 20))
    data = clocks.to_json()
    assert data["version"] == 1 and data["status"] == "waiting_datacite"
    assert data["next_update"]["due_at"] == "2026-06-15T10:30:00+00:00"
    assert SlaClocks.from_json(data) == clocks
    import json

    assert SlaClocks.from_json(json.dumps(data)) == clocks


@pytest.mark.parametrize(("data", "message"), [
    ("not json", "not JSON"),
    ({"version": 2}, "unsupported version 2"),
    ({"version": 1, "status": "pending"}, "unknown status"),
    ({"version": 1, "status": "open", "first_response": {"due_at": "2026-06-15T10:00:00"}}, "no UTC offset"),
    ({"version": 1, "status": "open", "first_response": {"target_minutes": "60"}}, "whole number"),
])
def test_bad_stored_clocks_say_what_is_wrong(data, message):
    with pytest.raises(ValueError, match=message):
        SlaClocks.from_json(data)
