"""Business-time arithmetic and SLA clock transitions: time per call on a Berlin office calendar.

The issue asks that adding 10,000 business minutes take well under a millisecond or two.
Run: .venv/bin/python bench/sla_business_time.py
"""

from __future__ import annotations

import random
import time as timer
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from portal.services.sla.business_time import CalendarSpec, add_business_minutes, business_minutes_between
from portal.services.sla.clocks import (
    Targets,
    due_notices,
    on_agent_public_reply,
    on_status_change,
    start_clocks,
)
from portal.services.sla.seed import german_public_holidays

HOLIDAYS = frozenset(d for year in range(2025, 2036) for d, _name in german_public_holidays(year))
OFFICE = {d: ((time(9), time(17)),) for d in range(5)}


def spec() -> CalendarSpec:
    return CalendarSpec("Europe/Berlin", OFFICE, HOLIDAYS)


def per_call(label: str, calls: int, action: Callable[[int], object]) -> None:
    began = timer.perf_counter()
    for n in range(calls):
        action(n)
    elapsed = timer.perf_counter() - began
    print(f"{label:<58} {elapsed / calls * 1e6:9.1f} µs per call ({calls} calls)")


def main() -> None:
    rng = random.Random(7)
    starts = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 525_600)) for _ in range(2000)]
    shared = spec()
    per_call("add 10,000 business minutes (spec reused, varied starts)", 2000,
             lambda n: add_business_minutes(shared, starts[n], 10_000))
    per_call("add 10,000 business minutes (new spec every call)", 500,
             lambda n: add_business_minutes(spec(), starts[n], 10_000))
    per_call("add -10,000 business minutes", 2000, lambda n: add_business_minutes(shared, starts[n], -10_000))
    per_call("add 1,000,000 business minutes (~8 years)", 200,
             lambda n: add_business_minutes(shared, starts[n], 1_000_000))
    per_call("business minutes between two moments a year apart", 2000,
             lambda n: business_minutes_between(shared, starts[n], starts[n] + timedelta(days=365)))
    targets = Targets(60, 120, 480)

    def lifecycle(n: int) -> None:
        now = starts[n]
        clocks = start_clocks(targets, shared, now)
        clocks = on_agent_public_reply(clocks, shared, now + timedelta(minutes=30))
        clocks = on_status_change(clocks, shared, "open", "waiting_member", now + timedelta(hours=1))
        clocks = on_status_change(clocks, shared, "waiting_member", "open", now + timedelta(days=2))
        due_notices(clocks, now + timedelta(days=3))
        clocks = on_status_change(clocks, shared, "open", "resolved", now + timedelta(days=3))
        clocks.to_json()

    per_call("ticket lifecycle: create, reply, pause, resume, notices, resolve", 2000, lifecycle)


if __name__ == "__main__":
    main()
