"""The schedule as data: which service function runs when, and with which APScheduler settings.

Adding a job is one line in ``SCHEDULE`` plus a plain service function
``verb_noun(session, *, now, context) -> JobResult``. The scheduler process (``portal.scheduler``) runs
it; every run is recorded in ``job_run``, at most once per (job, slot).

A slot names one scheduled fire time, written at the trigger's resolution (``2026-11-25T03:15Z``, or with
seconds when the trigger has them). Interval triggers are anchored at a fixed epoch rather than at the
moment a process starts, so every scheduler process computes the same fire times and the same slots.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from portal.errors import NotFound
from portal.settings import ConfigError

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
DAY, HOUR, MINUTE, SECOND = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1), timedelta(seconds=1)
CRON_FIELDS = ("year", "month", "day", "week", "day_of_week", "hour", "minute", "second")
JOB_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")


@dataclass(frozen=True)
class JobResult:
    """What a run did: counts by kind (``{"sent": 3}``) and one line for people."""

    counts: dict[str, int] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class JobContext:
    """Everything a job may use besides its session and the time."""

    job: str
    slot: str
    trigger: str
    holder: str
    config: Mapping[str, Any]
    stopping: Callable[[], bool]  # true once the process is shutting down: stop taking new items


JobFunction = Callable[..., JobResult]


def _plural(count: int, unit: str) -> str:
    return f"every {unit}" if count == 1 else f"every {count} {unit}s"


@dataclass(frozen=True)
class Every:
    """A fixed interval from ``EPOCH``."""

    step: timedelta

    @property
    def resolution(self) -> timedelta:
        return MINUTE if self.step % MINUTE == timedelta(0) else SECOND

    def build(self) -> BaseTrigger:
        """The APScheduler trigger (UTC, anchored at the epoch)."""
        from apscheduler.triggers.interval import IntervalTrigger

        return IntervalTrigger(seconds=int(self.step.total_seconds()), start_date=EPOCH, timezone=UTC)

    def previous_fire(self, now: datetime, within: timedelta | None = None) -> datetime | None:
        """The latest fire time at or before ``now``."""
        return EPOCH + ((now - EPOCH) // self.step) * self.step

    def next_fire(self, now: datetime) -> datetime:
        """The first fire time after ``now``."""
        return EPOCH + ((now - EPOCH) // self.step + 1) * self.step

    def describe(self) -> str:
        """The interval in words."""
        for unit, name in ((DAY, "day"), (HOUR, "hour"), (MINUTE, "minute"), (SECOND, "second")):
            if self.step % unit == timedelta(0):
                text = _plural(self.step // unit, name)
                return f"{text} at 00:00 UTC" if unit == DAY else text
        return f"every {self.step.total_seconds():g} seconds"


@dataclass(frozen=True)
class Cron:
    """Calendar fields as APScheduler's CronTrigger takes them, always in UTC."""

    fields: tuple[tuple[str, str], ...]

    @property
    def resolution(self) -> timedelta:
        return SECOND if "second" in dict(self.fields) else MINUTE

    def build(self) -> BaseTrigger:
        """The APScheduler trigger (UTC)."""
        from apscheduler.triggers.cron import CronTrigger

        return CronTrigger(timezone=UTC, **dict(self.fields))

    def previous_fire(self, now: datetime, within: timedelta | None = None) -> datetime | None:
        """The latest fire time in (now - within, now], or None when there is none."""
        trigger = self.build()
        fire = trigger.get_next_fire_time(None, now - (within or DAY))
        latest = None
        while fire is not None and fire <= now:
            latest = fire
            fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
        return latest

    def next_fire(self, now: datetime) -> datetime | None:
        """The first fire time after ``now``."""
        return self.build().get_next_fire_time(None, now + timedelta(microseconds=1))

    def describe(self) -> str:
        """The calendar in words where it is simple, else its fields."""
        spec = dict(self.fields)
        hour, minute = spec.get("hour", ""), spec.get("minute", "0")
        if set(spec) <= {"hour", "minute", "day_of_week"} and hour.isdigit() and minute.isdigit():
            when = f"{int(hour):02d}:{int(minute):02d} UTC"
            return f"every {spec['day_of_week']} at {when}" if "day_of_week" in spec else f"daily at {when}"
        return "cron " + " ".join(f"{k}={v}" for k, v in self.fields) + " (UTC)"


Trigger = Every | Cron


def every(*, days: int = 0, hours: int = 0, minutes: int = 0, seconds: int = 0) -> Every:
    """An interval trigger: ``every(minutes=1)``."""
    step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if step < SECOND or step % SECOND:
        raise ValueError("An interval is a whole number of seconds, at least one.")
    return Every(step)


def cron(**fields: int | str) -> Cron:
    """A calendar trigger in UTC: ``cron(hour=3, minute=15)``."""
    unknown = set(fields) - set(CRON_FIELDS)
    if unknown:
        raise ValueError(f"Unknown cron fields: {', '.join(sorted(unknown))}; use {', '.join(CRON_FIELDS)}.")
    spec = Cron(tuple((name, str(fields[name])) for name in CRON_FIELDS if name in fields))
    spec.build()  # APScheduler rejects bad expressions here, at import time
    return spec


def slot_name(trigger: Trigger, fire_time: datetime) -> str:
    """A fire time written at the trigger's resolution, in UTC."""
    fmt = "%Y-%m-%dT%H:%M:%SZ" if trigger.resolution == SECOND else "%Y-%m-%dT%H:%MZ"
    return fire_time.astimezone(UTC).strftime(fmt)


def manual_slot(requested_at: datetime) -> str:
    """The slot of a run someone asked for: ``manual:<when they asked>``."""
    return "manual:" + requested_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class JobSpec:
    """One scheduled job: a service function, its trigger and its APScheduler settings."""

    name: str
    func: str  # "package.module:function"
    trigger: Trigger
    description: str
    misfire_grace_time: int = 300
    coalesce: bool = True
    max_instances: int = 1
    enabled: bool = True

    def __post_init__(self) -> None:
        if not JOB_NAME.match(self.name) or len(self.name) > 80:
            raise ValueError(f"Job name {self.name!r}: lower-case words joined by dots, at most 80 characters.")
        if self.func.count(":") != 1:
            raise ValueError(f"Job {self.name}: func is 'package.module:function', not {self.func!r}.")
        if self.max_instances != 1:
            raise ValueError(f"Job {self.name}: a job never overlaps itself (max_instances=1).")
        if self.misfire_grace_time < 1:
            raise ValueError(f"Job {self.name}: misfire_grace_time is at least 1 second.")

    def slot_at(self, now: datetime) -> str:
        """The slot a scheduled run starting at ``now`` belongs to."""
        grace = timedelta(seconds=self.misfire_grace_time) + MINUTE
        fire = self.trigger.previous_fire(now, grace)
        if fire is None:  # started outside any fire window (clock jump): name the moment itself
            fire = now - (now - EPOCH) % self.trigger.resolution
        return slot_name(self.trigger, fire)

    def load(self) -> JobFunction:
        """Import the service function."""
        module_name, _, attr = self.func.partition(":")
        try:
            function = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(f"Job {self.name}: cannot import {self.func} ({exc}).") from None
        if not callable(function):
            raise ConfigError(f"Job {self.name}: {self.func} is not a function.")
        return function


# The schedule. Other features append their jobs here: one line each.
SCHEDULE: tuple[JobSpec, ...] = (
    JobSpec("outbox.deliver", "portal.services.mail_delivery:deliver_outbox", every(minutes=1),
            "Send queued mail over SMTP; temporary failures are retried with growing delays."),
    JobSpec("mail.poll", "portal.services.mail.polling:poll_mailboxes", every(minutes=1),
            "Receive unread mail from IMAP mailboxes; each message moves to the processed folder once committed."),
    JobSpec("tickets.sla_notices", "portal.services.tickets.jobs:sla_notices", every(minutes=1),
            "Warn the assignee and group at 80 % of an SLA target, and again when it is missed."),
    JobSpec("staff.overdue_alerts", "portal.services.tickets.jobs:staff_alerts", every(minutes=5),
            "Alert the designated contact's primary, then backup, about overdue DataCite requests."),
    JobSpec("tickets.close_resolved", "portal.services.tickets.jobs:close_resolved", cron(hour=2, minute=30),
            "Close tickets resolved more than RESOLVED_CLOSE_DAYS ago."),
    JobSpec("db.optimise", "portal.services.system:optimise_database", cron(hour=3, minute=45),
            "Refresh the database's query-planner statistics where they are stale (SQLite)."),
    JobSpec("api.purge_idempotency", "portal.services.tickets.jobs:purge_idempotency_keys", cron(hour=3, minute=5),
            "Forget API idempotency keys older than two days."),
    JobSpec("checks.health", "portal.services.checks.jobs:health_check", cron(hour=4, minute=10),
            "DOI-registration health of every repository with a verified credential: findings, evidence, history.",
            misfire_grace_time=3600),
    JobSpec("checks.readiness", "portal.services.checks.jobs:readiness_check", cron(hour=5, minute=40),
            "Schema readiness per repository weekly (at once when a new version appears); plan reminders.",
            misfire_grace_time=3600),
    JobSpec("programme.evaluate", "portal.services.programme.jobs:evaluate_requirements", cron(hour=6, minute=10),
            "Evaluate the RSP requirements board from live data; mail admins when a requirement slips."),
    JobSpec("programme.renewal_reminders", "portal.services.programme.jobs:renewal_reminders",
            cron(hour=7, minute=0), "Remind admins of the January RSP self-assessment before it is due."),
)


def _extra_job(raw: Any) -> JobSpec:
    if not isinstance(raw, dict) or "name" not in raw or "func" not in raw:
        raise ValueError("each extra job is an object with name, func and every or cron")
    if ("every" in raw) == ("cron" in raw):
        raise ValueError(f"job {raw['name']}: give exactly one of every or cron")
    trigger = every(**raw["every"]) if "every" in raw else cron(**raw["cron"])
    return JobSpec(
        name=raw["name"], func=raw["func"], trigger=trigger,
        description=raw.get("description", "Extra job for tests."),
        misfire_grace_time=int(raw.get("misfire_grace_time", 30)),
        enabled=bool(raw.get("enabled", True)),
    )


def schedule_for(config: Mapping[str, Any]) -> tuple[JobSpec, ...]:
    """The schedule, plus ``SCHEDULER_EXTRA_JOBS`` when the portal runs its own tests."""
    raw = config.get("SCHEDULER_EXTRA_JOBS") or ""
    if not raw:
        return SCHEDULE
    if config.get("ENV") != "testing":
        raise ConfigError("PORTAL_SCHEDULER_EXTRA_JOBS is for the test suite only (PORTAL_ENV=testing).")
    try:
        entries = json.loads(raw)
        if not isinstance(entries, list):
            raise ValueError("a JSON list is expected")
        extra = tuple(_extra_job(entry) for entry in entries)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"PORTAL_SCHEDULER_EXTRA_JOBS is not usable: {exc}.") from None
    schedule = SCHEDULE + extra
    names = [spec.name for spec in schedule]
    if len(set(names)) != len(names):
        raise ConfigError("PORTAL_SCHEDULER_EXTRA_JOBS repeats a job name.")
    return schedule


def find_job(schedule: Iterable[JobSpec], name: str) -> JobSpec:
    """The job of that name, or NotFound."""
    for spec in schedule:
        if spec.name == name:
            return spec
    raise NotFound(f"There is no job named {name[:80]!r}.")
