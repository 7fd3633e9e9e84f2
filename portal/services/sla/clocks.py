"""The three SLA clocks of a ticket as plain data, and the transitions that move them.

Nothing here reads the time or the database: every transition takes ``now`` and the calendar's
``CalendarSpec`` and returns new clocks, leaving its argument alone (``due_notices`` is the one
exception: it marks the clocks it is given, so the caller saves them with the notices it queues).

The rules:
- On creation, first response and resolution run; next update waits for the first public reply.
- A public reply from an agent meets first response and (re)starts next update with a full target.
- waiting_member pauses all three clocks; waiting_datacite pauses resolution only, because the
  member still deserves updates while DataCite is busy. Back in new or open, paused clocks resume
  with the business minutes they had left.
- resolved or closed stops the clocks: resolution (and a first response never given) is met, on time
  or late; next update is cleared. Reopening resumes resolution from what it had left when the ticket
  was resolved (a reopened ticket does not earn a fresh target; if it was late, it stays late) and
  restarts next update.
- A change of targets (priority, organisation or policy) recomputes each running clock from the
  business minutes it has already used, so pauses keep counting as paused. Warnings and breaches that
  the new target no longer justifies are withdrawn, so they can be sent again under the new target.
- A warning falls due at 80 % of a target, a breach when the due time has passed. Each is reported
  once per clock (per cycle, for next update); a clock that is met late is recorded as breached
  without a notice, since nothing is left to chase.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Literal

from portal.services.sla.business_time import CalendarSpec, add_business_minutes, business_minutes_between

CLOCK_NAMES = ("first_response", "next_update", "resolution")
STATUSES = ("new", "open", "waiting_member", "waiting_datacite", "resolved", "closed")
DONE = frozenset({"resolved", "closed"})
PAUSED_BY: dict[str, frozenset[str]] = {
    "waiting_member": frozenset(CLOCK_NAMES),
    "waiting_datacite": frozenset({"resolution"}),
}
WARN_PERCENT = 80

ClockName = Literal["first_response", "next_update", "resolution"]
ClockState = Literal["ok", "warning", "breached", "paused", "met", "none"]
_LIVE_ORDER: tuple[ClockState, ...] = ("breached", "warning", "ok", "paused")


@dataclass(frozen=True)
class Targets:
    """Business minutes allowed per clock; None means no target."""

    first_response: int | None = None
    next_update: int | None = None
    resolution: int | None = None


@dataclass(frozen=True)
class Notice:
    """A warning or breach that has just fallen due; ``at`` is the moment it was crossed."""

    clock: str
    kind: Literal["warning", "breach"]
    at: datetime


@dataclass
class Clock:
    """One clock. ``elapsed_minutes`` counts business minutes used before ``running_since``; a started
    clock that is neither met nor running is paused."""

    target_minutes: int | None = None
    due_at: datetime | None = None
    remaining_minutes: int | None = None
    warn_at: datetime | None = None
    started_at: datetime | None = None
    met_at: datetime | None = None
    breached_at: datetime | None = None
    warned_at: datetime | None = None
    running_since: datetime | None = None
    elapsed_minutes: int = 0

    @property
    def running(self) -> bool:
        """Started, not met, and counting now."""
        return self.started_at is not None and self.met_at is None and self.running_since is not None

    @property
    def paused(self) -> bool:
        """Started, not met, and not counting."""
        return self.started_at is not None and self.met_at is None and self.running_since is None

    def used_minutes(self, spec: CalendarSpec, now: datetime) -> int:
        """Business minutes this clock has counted so far."""
        if self.running_since is None:
            return self.elapsed_minutes
        return self.elapsed_minutes + business_minutes_between(spec, self.running_since, now)

    def state(self, now: datetime) -> ClockState:
        """ok, warning, breached, paused, met or none (no target, or not started)."""
        if self.target_minutes is None or self.started_at is None:
            return "none"
        if self.met_at is not None:
            return "breached" if self.breached_at else "met"
        if self.running_since is None:
            late = self.breached_at is not None or (self.remaining_minutes or 0) < 0
            return "breached" if late else "paused"
        if self.breached_at is not None or (self.due_at is not None and now > self.due_at):
            return "breached"
        if self.warn_at is not None and now >= self.warn_at:
            return "warning"
        return "ok"


@dataclass
class SlaClocks:
    """A ticket's clocks, and the status they last heard of (it decides what a reply may start)."""

    first_response: Clock = field(default_factory=Clock)
    next_update: Clock = field(default_factory=Clock)
    resolution: Clock = field(default_factory=Clock)
    status: str = "new"

    def items(self) -> list[tuple[str, Clock]]:
        """(name, clock) for the three clocks, in a fixed order."""
        return [(name, getattr(self, name)) for name in CLOCK_NAMES]

    def copy(self) -> SlaClocks:
        """An independent copy."""
        return SlaClocks(*(replace(clock) for _name, clock in self.items()), status=self.status)

    def earliest_due(self) -> datetime | None:
        """The nearest due time of a running clock (possibly past), for sorting lists."""
        return min((c.due_at for _n, c in self.items() if c.running and c.due_at), default=None)

    def earliest_warn(self) -> datetime | None:
        """The nearest 80 % mark of a running clock whose warning is still to come."""
        return min((c.warn_at for _n, c in self.items() if c.running and c.warn_at and c.warned_at is None),
                   default=None)

    def next_notice_at(self) -> datetime | None:
        """When ``due_notices`` next has something to report, for indexing tickets to check."""
        moments = []
        for _name, c in self.items():
            if c.running and c.target_minutes is not None:
                if c.warned_at is None and c.warn_at is not None:
                    moments.append(c.warn_at)
                if c.breached_at is None and c.due_at is not None:
                    moments.append(c.due_at)
        return min(moments, default=None)

    def state(self, now: datetime) -> ClockState:
        """The most urgent state of the clocks still counting; when none is, breached if any clock
        was breached, met if any was met, otherwise none."""
        live = {c.state(now) for _n, c in self.items() if c.running or c.paused}
        for state in _LIVE_ORDER:
            if state in live:
                return state
        finished = {c.state(now) for _n, c in self.items()}
        if "breached" in finished:
            return "breached"
        return "met" if "met" in finished else "none"

    def to_json(self) -> dict[str, object]:
        """The stored form (see clocks_json): a versioned, JSON-ready dict."""
        from portal.services.sla.clocks_json import clocks_to_json

        return clocks_to_json(self)

    @classmethod
    def from_json(cls, data: object) -> SlaClocks:
        """Clocks from their stored form, a dict or JSON text; ValueError says what is wrong."""
        from portal.services.sla.clocks_json import clocks_from_json

        return clocks_from_json(data)


CLOCK_FIELDS = tuple(f.name for f in fields(Clock))


def _warn_mark(target: int) -> int:
    return -(-target * WARN_PERCENT // 100)  # rounded up: warn no earlier than 80 %


def _schedule(clock: Clock, spec: CalendarSpec) -> None:
    """Derive due, warning and remaining time from target, elapsed minutes and running state."""
    target = clock.target_minutes
    if target is None:
        clock.due_at = clock.warn_at = clock.remaining_minutes = None
    elif clock.running_since is not None and clock.met_at is None:
        clock.due_at = add_business_minutes(spec, clock.running_since, target - clock.elapsed_minutes)
        clock.warn_at = add_business_minutes(spec, clock.running_since, _warn_mark(target) - clock.elapsed_minutes)
        clock.remaining_minutes = None
    else:
        if clock.met_at is None:  # paused; a met clock keeps its last due time for the record
            clock.due_at = clock.warn_at = None
        clock.remaining_minutes = target - clock.elapsed_minutes


def _start(clock: Clock, spec: CalendarSpec, now: datetime, *, paused: bool = False) -> None:
    """Begin a fresh cycle: nothing used, no marks."""
    clock.started_at = now
    clock.met_at = clock.breached_at = clock.warned_at = None
    clock.elapsed_minutes = 0
    clock.running_since = None if paused else now
    _schedule(clock, spec)


def _pause(clock: Clock, spec: CalendarSpec, now: datetime) -> None:
    clock.elapsed_minutes = clock.used_minutes(spec, now)
    clock.running_since = None
    _schedule(clock, spec)


def _resume(clock: Clock, spec: CalendarSpec, now: datetime) -> None:
    clock.running_since = now
    _schedule(clock, spec)


def _meet(clock: Clock, spec: CalendarSpec, now: datetime) -> None:
    """Stop the clock as met; a late one is recorded as breached (from its due time if known)."""
    late = clock.breached_at is not None
    if clock.target_minutes is not None and clock.breached_at is None:
        if clock.running and clock.due_at is not None:
            late = now > clock.due_at
            breach_moment = clock.due_at
        else:
            late = (clock.remaining_minutes or 0) < 0
            breach_moment = now
        if late:
            clock.breached_at = breach_moment
    clock.elapsed_minutes = clock.used_minutes(spec, now)
    clock.running_since = None
    clock.met_at = now
    _schedule(clock, spec)


def _clear(clock: Clock) -> None:
    """Back to not started, keeping only the target."""
    target = clock.target_minutes
    for name in CLOCK_FIELDS:
        setattr(clock, name, 0 if name == "elapsed_minutes" else None)
    clock.target_minutes = target


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"Unknown ticket status {status!r}; expected one of {', '.join(STATUSES)}.")


def start_clocks(policy_targets: Targets, spec: CalendarSpec, now: datetime) -> SlaClocks:
    """The clocks of a ticket created at ``now``: first response and resolution run."""
    clocks = SlaClocks(
        first_response=Clock(target_minutes=policy_targets.first_response),
        next_update=Clock(target_minutes=policy_targets.next_update),
        resolution=Clock(target_minutes=policy_targets.resolution),
    )
    _start(clocks.first_response, spec, now)
    _start(clocks.resolution, spec, now)
    return clocks


def on_agent_public_reply(clocks: SlaClocks, spec: CalendarSpec, now: datetime) -> SlaClocks:
    """An agent answered the member: first response is met, next update starts a new cycle."""
    new = clocks.copy()
    if new.first_response.running or new.first_response.paused:
        _meet(new.first_response, spec, now)
    if new.status not in DONE:
        _start(new.next_update, spec, now, paused="next_update" in PAUSED_BY.get(new.status, ()))
    return new


def on_status_change(clocks: SlaClocks, spec: CalendarSpec, old: str, new: str, now: datetime) -> SlaClocks:
    """Pause, resume, stop or reopen the clocks for a status change (rules in the module text)."""
    _check_status(old)
    _check_status(new)
    result = clocks.copy()
    result.status = new
    if old == new or (old in DONE and new in DONE):
        return result
    if new in DONE:
        for clock in (result.first_response, result.resolution):
            if clock.running or clock.paused:
                _meet(clock, spec, now)
        _clear(result.next_update)
        return result
    paused_now = PAUSED_BY.get(new, frozenset())
    if old in DONE:
        resolution = result.resolution
        if resolution.met_at is not None:
            resolution.met_at = None
            resolution.running_since = None if "resolution" in paused_now else now
            _schedule(resolution, spec)
        _start(result.next_update, spec, now, paused="next_update" in paused_now)
        return result
    for name, clock in result.items():
        if clock.running and name in paused_now:
            _pause(clock, spec, now)
        elif clock.paused and name not in paused_now:
            _resume(clock, spec, now)
    return result


def on_targets_change(clocks: SlaClocks, spec: CalendarSpec, targets: Targets, now: datetime) -> SlaClocks:
    """New targets (priority or policy changed): due times follow from the minutes already used."""
    result = clocks.copy()
    for name, clock in result.items():
        clock.target_minutes = getattr(targets, name)
        if clock.started_at is None:
            continue
        if clock.met_at is None and clock.running_since is not None:
            # Rebase the running segment at now, so the minutes used so far are counted once.
            clock.elapsed_minutes = clock.used_minutes(spec, now)
            clock.running_since = now
        _schedule(clock, spec)
        if clock.met_at is not None:
            continue
        if clock.target_minutes is None:
            clock.warned_at = clock.breached_at = None
            continue
        used = clock.elapsed_minutes
        if clock.breached_at is not None and used <= clock.target_minutes:
            clock.breached_at = None
        if clock.warned_at is not None and used < _warn_mark(clock.target_minutes):
            clock.warned_at = None
    return result


def due_notices(clocks: SlaClocks, now: datetime) -> list[Notice]:
    """Warnings and breaches crossed by ``now`` and not yet reported; marks them on ``clocks``."""
    notices: list[Notice] = []
    for name, clock in clocks.items():
        if clock.target_minutes is None or not (clock.running or clock.paused) or clock.breached_at is not None:
            continue
        if clock.running and clock.due_at is not None and now > clock.due_at:
            clock.breached_at = clock.due_at
            clock.warned_at = clock.warned_at or clock.warn_at
            notices.append(Notice(name, "breach", clock.due_at))
        elif clock.paused and (clock.remaining_minutes or 0) < 0:
            # Paused after its due time but before anyone reported it.
            clock.breached_at = clock.warned_at = now
            notices.append(Notice(name, "breach", now))
        elif clock.running and clock.warned_at is None and clock.warn_at is not None and now >= clock.warn_at:
            clock.warned_at = clock.warn_at
            notices.append(Notice(name, "warning", clock.warn_at))
    return notices
