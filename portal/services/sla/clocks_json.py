"""The stored form of a ticket's SLA clocks: versioned JSON that later code can still read.

Version 1::

    {"version": 1, "status": "open",
     "first_response": {"target_minutes": 60, "due_at": "2026-03-30T09:00:00+00:00", ...}, ...}

Every Clock field is written, instants as ISO 8601 in UTC, so the form changes only with a new version.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from portal.services.sla.clocks import CLOCK_FIELDS, CLOCK_NAMES, STATUSES, Clock, SlaClocks

VERSION = 1
_INT_FIELDS = frozenset({"target_minutes", "remaining_minutes", "elapsed_minutes"})


def clocks_to_json(clocks: SlaClocks) -> dict[str, Any]:
    """A JSON-ready dict of the clocks (for a JSON column, or json.dumps for a text one)."""
    out: dict[str, Any] = {"version": VERSION, "status": clocks.status}
    for name, clock in clocks.items():
        out[name] = {
            key: (value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value)
            for key in CLOCK_FIELDS
            for value in (getattr(clock, key),)
        }
    return out


def clocks_from_json(data: object) -> SlaClocks:
    """Clocks from their stored form (a dict or JSON text); ValueError says what is wrong."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError:
            raise ValueError("SLA clocks: stored value is not JSON.") from None
    if not isinstance(data, dict):
        raise ValueError("SLA clocks: expected an object.")
    if data.get("version") != VERSION:
        raise ValueError(f"SLA clocks: unsupported version {data.get('version')!r} (this code reads {VERSION}).")
    status = data.get("status")
    if status not in STATUSES:
        raise ValueError(f"SLA clocks: unknown status {status!r}.")
    return SlaClocks(*(_clock(name, data.get(name)) for name in CLOCK_NAMES), status=status)


def _clock(name: str, raw: object) -> Clock:
    if not isinstance(raw, dict):
        raise ValueError(f"SLA clocks: {name} is missing.")
    values: dict[str, Any] = {}
    for key in CLOCK_FIELDS:
        value = raw.get(key)
        if key in _INT_FIELDS:
            if key == "elapsed_minutes" and value is None:
                value = 0
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise ValueError(f"SLA clocks: {name}.{key} must be a whole number.")
        elif value is not None:
            value = _instant(name, key, value)
        values[key] = value
    return Clock(**values)


def _instant(name: str, key: str, value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"SLA clocks: {name}.{key} must be an ISO 8601 time.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"SLA clocks: {name}.{key} is not an ISO 8601 time: {value!r}.") from None
    if moment.tzinfo is None:
        raise ValueError(f"SLA clocks: {name}.{key} has no UTC offset.")
    return moment.astimezone(UTC)
