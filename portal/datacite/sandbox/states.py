"""The DOI state machine: events move drafts to registered or findable; invalid ones are silently ignored."""

from __future__ import annotations

STATES = ("draft", "registered", "findable")
# event -> {from state: to state}; lupo's AASM runs with whiny_transitions off, so anything else is a no-op.
TRANSITIONS: dict[str, dict[str, str]] = {
    "register": {"draft": "registered"},
    "publish": {"draft": "findable", "registered": "findable"},
    "hide": {"findable": "registered"},
    "show": {"registered": "findable"},
}


def next_state(state: str, event: str | None) -> str:
    """The state after ``event``; unknown events and invalid transitions leave ``state`` unchanged."""
    if not event:
        return state
    return TRANSITIONS.get(str(event).strip().lower(), {}).get(state, state)


def needs_validation(state: str) -> bool:
    """Registered and findable DOIs must carry a URL and complete metadata."""
    return state in ("registered", "findable")
