"""Business time for the designated contact's targets, on the default SLA calendar."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session


def business_due(session: Session, start: datetime, minutes: int) -> datetime:
    """``start`` plus ``minutes`` of business time on the default calendar (wall-clock time if none exists)."""
    spec = _default_spec(session)
    if spec is None:
        return start + timedelta(minutes=minutes)
    from portal.services.sla.business_time import add_business_minutes

    return add_business_minutes(spec, start, minutes)


def business_minutes(session: Session, start: datetime, end: datetime) -> int:
    spec = _default_spec(session)
    if spec is None:
        return int((end - start).total_seconds() // 60)
    from portal.services.sla.business_time import business_minutes_between

    return business_minutes_between(spec, start, end)


def _default_spec(session: Session) -> object | None:
    try:
        from portal.services.sla.calendars import default_calendar_spec
    except ImportError:  # SLA calendars are not part of this build
        return None
    return default_calendar_spec(session)
