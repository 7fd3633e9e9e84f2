"""The clocks of a ticket as pages show them: one line per clock with a target, worst state first in lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.services.sla.clocks import ClockState, SlaClocks

LABELS = {"first_response": "First response", "next_update": "Next update", "resolution": "Resolution"}
STATE_LABELS: dict[str, str] = {"ok": "on time", "warning": "due soon", "breached": "overdue", "paused": "paused",
                                "met": "met", "none": "no target"}


@dataclass(frozen=True)
class ClockSummary:
    """One clock for display: ``moment`` is the due time (running), or when it was met."""

    name: str
    label: str
    state: ClockState
    state_label: str
    moment: datetime | None
    remaining_minutes: int | None


def summarise(clocks: SlaClocks, now: datetime) -> list[ClockSummary]:
    """Every clock that has a target and has started, in the fixed order."""
    out = []
    for name, clock in clocks.items():
        state = clock.state(now)
        if state == "none":
            continue
        moment = clock.met_at if clock.met_at is not None else clock.due_at
        label = "met late" if state == "breached" and clock.met_at is not None else STATE_LABELS[state]
        out.append(ClockSummary(name, LABELS[name], state, label, moment,
                                clock.remaining_minutes if clock.paused else None))
    return out
