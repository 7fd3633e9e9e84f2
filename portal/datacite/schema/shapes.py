"""Tolerant readers for JSON-like data: never raise, whatever the input holds."""

from __future__ import annotations

from typing import Any

# Schema appendix 3: standard stand-ins for unknown mandatory values; valid, but carry no information.
UNKNOWN_VALUES = frozenset({":unac", ":unal", ":unap", ":unas", ":unav", ":unkn", ":none", ":null", ":tba", ":etal"})


def as_list(value: Any) -> list[Any]:
    """The value as a list the way lupo's Array.wrap sees it: None -> [], list -> itself, else [value]."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def dicts(value: Any) -> list[dict[str, Any]]:
    """The dict items of a JSON array (other items are shape errors reported elsewhere)."""
    return [item for item in as_list(value) if isinstance(item, dict)]


def text(value: Any) -> str:
    """A scalar as trimmed text; "" for None, containers and booleans."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float):
        return str(value)
    return ""


def filled(value: Any) -> bool:
    """True when a scalar holds text, or a container holds anything."""
    if isinstance(value, dict | list | tuple):
        return bool(value)
    return bool(text(value))


def informative(value: Any) -> bool:
    """Like filled, but the appendix-3 unknown markers (":unav" ...) count as empty."""
    return filled(value) and text(value).lower() not in UNKNOWN_VALUES


def lowered(value: Any) -> str:
    """Text in lower case, for comparing scheme names."""
    return text(value).lower()
