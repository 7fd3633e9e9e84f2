"""SLA targets as people write them: "45m", "1h 30m", "1.5 hours", "2 business days".

Targets are business time, so a day is one working day of the policy's calendar (480 minutes for
09:00-17:00); "days" and "business days" mean the same. A bare number is refused rather than guessed.
"""

from __future__ import annotations

import re
from fractions import Fraction

MAX_TARGET_MINUTES = 1_000_000
_UNITS = {
    "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
    "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
    "d": 0, "day": 0, "days": 0, "bd": 0,  # 0: one working day of the calendar
}
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:(business|working)\s+)?([a-z]+)")
_HH_MM = re.compile(r"^(\d+):([0-5]\d)$")
NO_TARGET_WORDS = frozenset({"", "-", "—", "none", "no target", "off"})


class DurationError(ValueError):
    """Text that is not a duration; the message shows what would be."""


def parse_duration(text: str, *, day_minutes: int) -> int | None:
    """Minutes of business time, or None for "no target" (blank, "none", "-")."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in NO_TARGET_WORDS:
        return None
    if match := _HH_MM.match(cleaned):
        total = Fraction(int(match.group(1)) * 60 + int(match.group(2)))
    else:
        total = Fraction(0)
        rest = cleaned.replace(" and ", " ")
        position = 0
        found = False
        for part in _PART.finditer(rest):
            if rest[position:part.start()].strip(" ,+"):
                raise DurationError(_help(text))
            number, _qualifier, unit = part.groups()
            if unit not in _UNITS:
                raise DurationError(_help(text))
            factor = _UNITS[unit] or day_minutes
            total += Fraction(number.replace(",", ".")) * factor
            position = part.end()
            found = True
        if not found or rest[position:].strip(" ,+"):
            if cleaned.replace(".", "", 1).isdigit():
                raise DurationError(f"Add a unit to {text.strip()!r}: for example {cleaned}m, {cleaned}h "
                                    f"or {cleaned} business days.")
            raise DurationError(_help(text))
    if total.denominator != 1:
        raise DurationError(f"{text.strip()!r} comes to {float(total):g} minutes; give whole minutes.")
    minutes = int(total)
    if minutes <= 0:
        raise DurationError("Give a target above zero, or leave it empty for no target.")
    if minutes > MAX_TARGET_MINUTES:
        raise DurationError(f"{text.strip()!r} is longer than any sensible target.")
    return minutes


def _help(text: str) -> str:
    return (f"{text.strip()!r} is not a duration. Write it like 45m, 1h 30m, 1.5 hours or 2 business days "
            "(or leave it empty for no target).")


def format_duration(minutes: int | None, *, day_minutes: int) -> str:
    """A target as people read it: "2 business days", "16 h", "1 h 30 min"; "" for no target."""
    if minutes is None:
        return ""
    if day_minutes > 0 and minutes >= 2 * day_minutes and minutes % day_minutes == 0:
        days = minutes // day_minutes
        return f"{days} business days"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    if not rest:
        return f"{hours} h"
    return f"{hours} h {rest} min"
