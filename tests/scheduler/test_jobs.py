"""The schedule as data: slots, triggers in words, the jobs' settings, and the test-only extra jobs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from portal import create_app, jobs
from portal.errors import NotFound
from portal.jobs import SCHEDULE, JobSpec, cron, every, manual_slot, schedule_for
from portal.settings import ConfigError
from tests.conftest import base_config

T = datetime(2026, 11, 25, 16, 52, 44, 123456, tzinfo=UTC)


def spec(trigger: jobs.Trigger, grace: int = 300) -> JobSpec:
    return JobSpec("sample.job", "tests.scheduler.sample_jobs:append", trigger, "Sample.", misfire_grace_time=grace)


@pytest.mark.parametrize(("trigger", "at", "slot"), [
    (every(minutes=1), T, "2026-11-25T16:52Z"),
    (every(minutes=1), T.replace(second=0, microsecond=0), "2026-11-25T16:52Z"),
    (every(minutes=5), T, "2026-11-25T16:50Z"),
    (every(hours=1), T, "2026-11-25T16:00Z"),
    (every(seconds=2), T, "2026-11-25T16:52:44Z"),
    (every(seconds=2), T.replace(second=45), "2026-11-25T16:52:44Z"),
    (every(seconds=90), T, "2026-11-25T16:52:30Z"),
    (cron(hour=16, minute=50), T, "2026-11-25T16:50Z"),
    (cron(minute="*/15"), T.replace(minute=45, second=3), "2026-11-25T16:45Z"),
    (cron(second="*/10"), T, "2026-11-25T16:52:40Z"),
])
def test_slot_is_the_scheduled_fire_time_at_the_trigger_resolution(trigger, at, slot):
    assert spec(trigger).slot_at(at) == slot


def test_a_late_start_within_the_grace_time_keeps_its_slot():
    daily = spec(cron(hour=3, minute=15), grace=300)
    fired = datetime(2026, 11, 25, 3, 15, tzinfo=UTC)
    assert daily.slot_at(fired + timedelta(seconds=299)) == "2026-11-25T03:15Z"
    assert spec(every(minutes=1)).slot_at(fired + timedelta(seconds=59, microseconds=999999)) == "2026-11-25T03:15Z"


DAILY = (every(days=1), cron(hour=3, minute=15))


@pytest.mark.parametrize("trigger", [every(minutes=1), every(seconds=7), every(hours=6), every(days=1),
                                     cron(hour=3, minute=15), cron(minute="*/5"), cron(second="*/10")])
def test_apscheduler_fires_exactly_at_the_times_slots_are_computed_from(trigger):
    """Every process builds the same APScheduler trigger, so two schedulers fire at the same instants."""
    built_a, built_b = trigger.build(), trigger.build()
    assert str(built_a.timezone) == "UTC"
    moment = T
    for _ in range(5):
        fire = built_a.get_next_fire_time(None, moment)
        assert fire == built_b.get_next_fire_time(None, moment + timedelta(microseconds=1)) or fire == moment
        lookback = timedelta(days=2) if trigger in DAILY else timedelta(hours=1)
        assert trigger.previous_fire(fire + timedelta(milliseconds=3), lookback) == fire
        assert trigger.next_fire(fire) > fire
        moment = fire + timedelta(microseconds=1)


def test_two_processes_started_apart_compute_the_same_slots():
    # An interval trigger is anchored at the epoch, not at the moment a process starts.
    first, second = every(minutes=1).build(), every(minutes=1).build()
    a = first.get_next_fire_time(None, T)
    b = second.get_next_fire_time(None, T + timedelta(seconds=15))
    assert a == b == datetime(2026, 11, 25, 16, 53, tzinfo=UTC)


def test_triggers_in_words():
    assert every(minutes=1).describe() == "every minute"
    assert every(minutes=10).describe() == "every 10 minutes"
    assert every(seconds=90).describe() == "every 90 seconds"
    assert every(days=1).describe() == "every day at 00:00 UTC"
    assert cron(hour=3, minute=15).describe() == "daily at 03:15 UTC"
    assert cron(day_of_week="mon", hour=7, minute=0).describe() == "every mon at 07:00 UTC"
    assert cron(minute="*/5").describe() == "cron minute=*/5 (UTC)"


def test_manual_slots_name_the_request():
    assert manual_slot(T) == "manual:2026-11-25T16:52:44.123456Z"


@pytest.mark.parametrize(("build", "message"), [
    (lambda: every(), "at least one"),
    (lambda: every(seconds=0), "at least one"),
    (lambda: cron(hours=3), "Unknown cron fields: hours"),
    (lambda: cron(minute="61"), "61"),
    (lambda: JobSpec("Bad Name", "a:b", every(minutes=1), ""), "lower-case"),
    (lambda: JobSpec("ok.name", "no_colon", every(minutes=1), ""), "package.module:function"),
    (lambda: JobSpec("ok.name", "a:b", every(minutes=1), "", max_instances=2), "max_instances=1"),
    (lambda: JobSpec("ok.name", "a:b", every(minutes=1), "", misfire_grace_time=0), "misfire_grace_time"),
])
def test_bad_job_declarations_fail_at_import_with_a_reason(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_the_schedule_is_data_every_function_loads():
    names = [s.name for s in SCHEDULE]
    assert len(set(names)) == len(names)
    for job in SCHEDULE:
        assert callable(job.load())
        assert job.max_instances == 1 and job.coalesce and job.misfire_grace_time >= 60
        assert job.description
    deliver = jobs.find_job(SCHEDULE, "outbox.deliver")
    assert deliver.trigger == every(minutes=1)
    with pytest.raises(NotFound, match="no job named 'nope'"):
        jobs.find_job(SCHEDULE, "nope")


def test_a_job_whose_function_is_missing_fails_clearly():
    with pytest.raises(ConfigError, match="cannot import portal.services.outbox:no_such_function"):
        JobSpec("x.y", "portal.services.outbox:no_such_function", every(minutes=1), "").load()


EXTRA = json.dumps([{"name": "test.append", "func": "tests.scheduler.sample_jobs:append", "every": {"seconds": 1}},
                    {"name": "test.daily", "func": "tests.scheduler.sample_jobs:append", "cron": {"hour": 2}}])


def test_extra_jobs_join_the_schedule_when_testing():
    schedule = schedule_for({"ENV": "testing", "SCHEDULER_EXTRA_JOBS": EXTRA})
    assert [s.name for s in schedule] == [*(s.name for s in SCHEDULE), "test.append", "test.daily"]
    assert schedule[-2].trigger == every(seconds=1) and schedule[-1].trigger.describe() == "daily at 02:00 UTC"
    assert schedule_for({"ENV": "testing", "SCHEDULER_EXTRA_JOBS": ""}) == SCHEDULE


@pytest.mark.parametrize(("raw", "message"), [
    ("not json", "not usable"),
    ('{"name": "x"}', "a JSON list"),
    ('[{"name": "x.y", "func": "a:b"}]', "exactly one of every or cron"),
    ('[{"name": "x.y", "func": "a:b", "every": {"fortnights": 1}}]', "not usable"),
    ('[{"name": "outbox.deliver", "func": "a:b", "every": {"seconds": 1}}]', "repeats a job name"),
])
def test_bad_extra_jobs_are_a_clear_error(raw, message):
    with pytest.raises(ConfigError, match=message):
        schedule_for({"ENV": "testing", "SCHEDULER_EXTRA_JOBS": raw})


def test_extra_jobs_are_refused_outside_the_test_suite(tmp_path):
    with pytest.raises(ConfigError, match="for the test suite only"):
        schedule_for({"ENV": "production", "SCHEDULER_EXTRA_JOBS": EXTRA})
    config = base_config(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, ENV="development", SCHEDULER_EXTRA_JOBS=EXTRA)
    with pytest.raises(ConfigError, match="PORTAL_SCHEDULER_EXTRA_JOBS is for the test suite only"):
        create_app(config)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"SMTP_SECURITY": "ssl"}, "PORTAL_SMTP_SECURITY must be starttls, tls or none"),
    ({"SCHEDULER_LEASE_SECONDS": 0}, "PORTAL_SCHEDULER_LEASE_SECONDS must be more than 0"),
    ({"SCHEDULER_SHUTDOWN_SECONDS": -1}, "must not be negative"),
])
def test_unusable_scheduler_and_mail_settings_stop_the_start(tmp_path, overrides, message):
    with pytest.raises(ConfigError, match=message):
        create_app(base_config(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, **overrides))


def test_float_settings_parse_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_SCHEDULER_LEASE_SECONDS", "0.75")
    app = create_app(base_config(f"sqlite:///{tmp_path / 'x.db'}", tmp_path))
    assert app.config["SCHEDULER_LEASE_SECONDS"] == 0.75
    monkeypatch.setenv("PORTAL_SCHEDULER_LEASE_SECONDS", "soon")
    with pytest.raises(ConfigError, match="PORTAL_SCHEDULER_LEASE_SECONDS must be a number"):
        create_app(base_config(f"sqlite:///{tmp_path / 'x.db'}", tmp_path))
