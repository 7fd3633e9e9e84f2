"""A sensible starting point: one office-hours calendar in Berlin with German public holidays, and a
policy per priority."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from portal.models import BusinessCalendar
from portal.models.types import utcnow
from portal.services.sla.calendars import CalendarInput, add_holidays, create_calendar, default_calendar
from portal.services.sla.policies import PolicyInput, create_policy

DEFAULT_CALENDAR = "Office hours (Berlin)"
OFFICE_DAY = [("09:00", "17:00")]
# priority: (first response, next update, resolution)
DEFAULT_TARGETS = {
    "urgent": ("1h", "2h", "8h"),
    "high": ("4h", "8h", "2 business days"),
    "normal": ("8h", "16h", "3 business days"),
    "low": ("16h", "24h", "5 business days"),
}


def easter_sunday(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def german_public_holidays(year: int) -> list[tuple[date, str]]:
    """The nine public holidays observed in every German state."""
    easter = easter_sunday(year)
    return sorted([
        (date(year, 1, 1), "Neujahr"),
        (easter - timedelta(days=2), "Karfreitag"),
        (easter + timedelta(days=1), "Ostermontag"),
        (date(year, 5, 1), "Tag der Arbeit"),
        (easter + timedelta(days=39), "Christi Himmelfahrt"),
        (easter + timedelta(days=50), "Pfingstmontag"),
        (date(year, 10, 3), "Tag der Deutschen Einheit"),
        (date(year, 12, 25), "1. Weihnachtstag"),
        (date(year, 12, 26), "2. Weihnachtstag"),
    ])


def seed_default_sla(session: Session, *, now: datetime | None = None) -> BusinessCalendar:
    """Create the default calendar (Mon-Fri 09:00-17:00 Europe/Berlin, this and next year's German
    public holidays) and one general policy per priority. Does nothing when a calendar exists."""
    existing = default_calendar(session) or session.exec(select(BusinessCalendar)).first()
    if existing is not None:
        return existing
    moment = now or utcnow()
    calendar = create_calendar(
        session,
        CalendarInput(name=DEFAULT_CALENDAR, timezone="Europe/Berlin", hours={d: OFFICE_DAY for d in range(5)},
                      is_default=True),
        actor=None, now=moment,
    )
    add_holidays(session, calendar, german_public_holidays(moment.year) + german_public_holidays(moment.year + 1),
                 now=moment)
    session.commit()
    for priority, (first, update, resolution) in DEFAULT_TARGETS.items():
        create_policy(
            session,
            PolicyInput(name=f"{priority.capitalize()} (standard)", priority=priority, calendar_id=calendar.id,
                        first_response=first, next_update=update, resolution=resolution),
            actor=None, now=moment,
        )
    return calendar
