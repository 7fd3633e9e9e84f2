"""Business calendars and their holidays: validated edits, audit, and the cached CalendarSpec of each."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, extract, func
from sqlmodel import Session, select

from portal import audit
from portal.errors import Conflict, NotFound, ValidationFailed
from portal.models import BusinessCalendar, Holiday, SlaPolicy, User
from portal.models.sla import new_version
from portal.services.sla.business_time import WEEKDAYS, CalendarError, CalendarSpec, zone_named
from portal.services.sla.hours import hours_from_json, hours_from_rows, hours_to_json

HOLIDAY_NAME_MAX = 120


@dataclass
class CalendarInput:
    """A calendar as a form gives it: working hours are (start, end) texts per weekday, Monday = 0."""

    name: str
    timezone: str
    hours: Mapping[int, Sequence[tuple[str, str]]] = field(default_factory=dict)
    is_default: bool = False


@dataclass
class CalendarRow:
    calendar: BusinessCalendar
    holidays: int
    policies: int


# ---------------------------------------------------------------- the cached spec of a calendar

_SPECS: dict[tuple[str, int], tuple[str, CalendarSpec]] = {}
_SPECS_LOCK = threading.Lock()
_SPECS_MAX = 256


def _cache_key(session: Session, calendar_id: int) -> tuple[str, int]:
    return str(session.get_bind().engine.url), calendar_id


def spec_of(calendar: BusinessCalendar, holidays: Sequence[date]) -> CalendarSpec:
    """The arithmetic view of a calendar row and its holiday dates."""
    return CalendarSpec(calendar.timezone, hours_from_json(calendar.hours), frozenset(holidays))


def calendar_spec(session: Session, calendar_id: int) -> CalendarSpec:
    """The CalendarSpec of a calendar, cached per calendar and rebuilt after any edit (any process)."""
    version = session.exec(select(BusinessCalendar.version).where(BusinessCalendar.id == calendar_id)).first()
    if version is None:
        raise NotFound("No such business calendar.")
    key = _cache_key(session, calendar_id)
    cached = _SPECS.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    # Fresh from the database even if this session has the row already: the version says it changed.
    calendar = session.exec(select(BusinessCalendar).where(BusinessCalendar.id == calendar_id)
                            .execution_options(populate_existing=True)).one()
    days = session.exec(select(Holiday.day).where(Holiday.calendar_id == calendar_id)).all()
    spec = spec_of(calendar, list(days))
    with _SPECS_LOCK:
        if len(_SPECS) >= _SPECS_MAX:
            _SPECS.clear()
        _SPECS[key] = (calendar.version, spec)
    return spec


def _touch(session: Session, calendar: BusinessCalendar, now: datetime) -> None:
    """Mark the calendar changed so every cached spec of it is rebuilt."""
    calendar.version = new_version()
    calendar.updated_at = now
    session.add(calendar)
    with _SPECS_LOCK:
        _SPECS.pop(_cache_key(session, calendar.id or 0), None)


# ---------------------------------------------------------------- calendars


def get_calendar(session: Session, calendar_id: int) -> BusinessCalendar:
    """A calendar by id, or NotFound."""
    calendar = session.get(BusinessCalendar, calendar_id)
    if calendar is None:
        raise NotFound("No such business calendar.")
    return calendar


def default_calendar(session: Session) -> BusinessCalendar | None:
    """The calendar new policies start from."""
    return session.exec(select(BusinessCalendar).where(BusinessCalendar.is_default.is_(True))).first()  # type: ignore[attr-defined]


def list_calendars(session: Session) -> list[CalendarRow]:
    """Every calendar with its number of holidays and of policies using it, by name."""
    holidays = dict(session.exec(select(Holiday.calendar_id, func.count()).group_by(Holiday.calendar_id)).all())
    policies = dict(session.exec(select(SlaPolicy.calendar_id, func.count()).group_by(SlaPolicy.calendar_id)).all())
    calendars = session.exec(select(BusinessCalendar).order_by(BusinessCalendar.name)).all()
    return [CalendarRow(c, holidays.get(c.id, 0), policies.get(c.id, 0)) for c in calendars]


def _validate_calendar(session: Session, data: CalendarInput, existing: BusinessCalendar | None
                       ) -> tuple[str, str, dict[str, Any]]:
    name = " ".join(data.name.split())
    timezone = data.timezone.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the calendar a name."
    elif len(name) > 100:
        errors["name"] = "Use at most 100 characters."
    else:
        clash = session.exec(select(BusinessCalendar).where(func.lower(BusinessCalendar.name) == name.lower())).first()
        if clash is not None and (existing is None or clash.id != existing.id):
            errors["name"] = "Another calendar already has this name."
    try:
        zone_named(timezone)
    except CalendarError:
        errors["timezone"] = "Choose a time zone from the list, such as Europe/Berlin."
    hours, day_errors = hours_from_rows(data.hours)
    for day, message in day_errors.items():
        errors[f"hours_{day}"] = message
    if not day_errors and not hours:
        errors["hours"] = "Give at least one working interval: a calendar without hours never reaches a due time."
    if existing is not None and existing.is_default and not data.is_default:
        errors["is_default"] = "One calendar is always the default: make another calendar the default instead."
    if errors:
        raise ValidationFailed(errors)
    return name, timezone, hours_to_json(hours)


def _take_default(session: Session, calendar: BusinessCalendar) -> None:
    for other in session.exec(select(BusinessCalendar).where(BusinessCalendar.is_default.is_(True))).all():  # type: ignore[attr-defined]
        if other.id != calendar.id:
            other.is_default = False
            session.add(other)
    session.flush()  # the unique index allows one default: clear the old one first


def create_calendar(session: Session, data: CalendarInput, *, actor: User | None, ip: str = "",
                    now: datetime) -> BusinessCalendar:
    """A new calendar; the first one, or one marked so, becomes the default."""
    name, timezone, hours = _validate_calendar(session, data, None)
    is_default = data.is_default or default_calendar(session) is None
    calendar = BusinessCalendar(name=name, timezone=timezone, hours=hours, is_default=False,
                                created_at=now, updated_at=now)
    session.add(calendar)
    session.flush()
    if is_default:
        _take_default(session, calendar)
        calendar.is_default = True
    audit.record(session, "sla_calendar.create", actor=actor, target=calendar, ip=ip,
                 detail={"name": name, "timezone": timezone, "hours": hours, "is_default": is_default})
    session.commit()
    return calendar


def update_calendar(session: Session, calendar: BusinessCalendar, data: CalendarInput, *, actor: User | None,
                    ip: str = "", now: datetime) -> BusinessCalendar:
    """Change name, zone, hours or default flag; every invalid field is reported at once."""
    name, timezone, hours = _validate_calendar(session, data, calendar)
    changes: dict[str, Any] = {}
    for key, value in (("name", name), ("timezone", timezone), ("hours", hours), ("is_default", data.is_default)):
        if getattr(calendar, key) != value:
            changes[key] = [getattr(calendar, key), value]
    if not changes:
        return calendar
    if data.is_default and not calendar.is_default:
        _take_default(session, calendar)
    calendar.name, calendar.timezone, calendar.hours, calendar.is_default = name, timezone, hours, data.is_default
    _touch(session, calendar, now)
    audit.record(session, "sla_calendar.update", actor=actor, target=calendar, detail=changes, ip=ip)
    session.commit()
    return calendar


def calendar_users(session: Session, calendar: BusinessCalendar) -> list[SlaPolicy]:
    """The policies that count on this calendar, by name."""
    return list(session.exec(select(SlaPolicy).where(SlaPolicy.calendar_id == calendar.id)
                             .order_by(SlaPolicy.name)).all())


def delete_calendar(session: Session, calendar: BusinessCalendar, *, actor: User | None, ip: str = "") -> None:
    """Remove a calendar and its holidays; refused while it is the default or policies use it."""
    if calendar.is_default:
        raise Conflict("This is the default calendar: make another calendar the default before deleting it.")
    users = calendar_users(session, calendar)
    if users:
        names = ", ".join(p.name for p in users[:5]) + (" …" if len(users) > 5 else "")
        raise Conflict(f"{len(users)} SLA {'policy uses' if len(users) == 1 else 'policies use'} this calendar "
                       f"({names}): move them to another calendar first.")
    audit.record(session, "sla_calendar.delete", actor=actor, target=calendar, detail={"name": calendar.name}, ip=ip)
    session.execute(delete(Holiday).where(Holiday.calendar_id == calendar.id))  # type: ignore[arg-type]
    session.delete(calendar)
    with _SPECS_LOCK:
        _SPECS.pop(_cache_key(session, calendar.id or 0), None)
    session.commit()


def hours_rows(calendar: BusinessCalendar | None) -> dict[int, list[tuple[str, str]]]:
    """The calendar's hours as form rows per weekday (empty for a new calendar)."""
    stored = calendar.hours if calendar is not None else {}
    return {day: [(a, b) for a, b in stored.get(str(day), [])] for day in range(len(WEEKDAYS))}


# ---------------------------------------------------------------- holidays


def list_holidays(session: Session, calendar: BusinessCalendar, *, year: int | None = None,
                  since: date | None = None, limit: int | None = None) -> list[Holiday]:
    """A calendar's holidays by date: all, one year's, or those from a day on."""
    stmt = select(Holiday).where(Holiday.calendar_id == calendar.id)
    if year is not None:
        stmt = stmt.where(extract("year", Holiday.day) == year)
    if since is not None:
        stmt = stmt.where(Holiday.day >= since)
    return list(session.exec(stmt.order_by(Holiday.day).limit(limit)).all())


def get_holiday(session: Session, calendar: BusinessCalendar, holiday_id: int) -> Holiday:
    """A holiday of this calendar, or NotFound."""
    holiday = session.get(Holiday, holiday_id)
    if holiday is None or holiday.calendar_id != calendar.id:
        raise NotFound("No such holiday in this calendar.")
    return holiday


def parse_day(raw: date | str | None) -> date | None:
    """A date from a date or "YYYY-MM-DD"; None when it is neither."""
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def add_holiday(session: Session, calendar: BusinessCalendar, *, day: date | str | None, name: str,
                actor: User | None, ip: str = "", now: datetime) -> Holiday:
    """Add one holiday; errors name the field (bad or duplicate date, missing name)."""
    errors: dict[str, str] = {}
    parsed = parse_day(day)
    clean_name = " ".join(name.split())
    if parsed is None:
        errors["day"] = "Give the date as YYYY-MM-DD."
    elif not 1970 <= parsed.year <= 2200:
        errors["day"] = "Give a date between 1970 and 2200."
    else:
        clash = session.exec(select(Holiday).where(Holiday.calendar_id == calendar.id, Holiday.day == parsed)).first()
        if clash is not None:
            errors["day"] = f"{parsed.isoformat()} is already a holiday: {clash.name}."
    if not clean_name:
        errors["name"] = "Name the holiday, for example New Year's Day."
    elif len(clean_name) > HOLIDAY_NAME_MAX:
        errors["name"] = f"Use at most {HOLIDAY_NAME_MAX} characters."
    if errors:
        raise ValidationFailed(errors)
    assert parsed is not None
    holiday = Holiday(calendar_id=calendar.id or 0, day=parsed, name=clean_name)
    session.add(holiday)
    _touch(session, calendar, now)
    session.flush()
    audit.record(session, "sla_holiday.add", actor=actor, target=("business_calendar", calendar.id), ip=ip,
                 detail={"day": parsed.isoformat(), "name": clean_name})
    session.commit()
    return holiday


def remove_holiday(session: Session, holiday: Holiday, *, actor: User | None, ip: str = "", now: datetime) -> None:
    """Make the day a working day again."""
    calendar = get_calendar(session, holiday.calendar_id)
    audit.record(session, "sla_holiday.remove", actor=actor, target=("business_calendar", calendar.id), ip=ip,
                 detail={"day": holiday.day.isoformat(), "name": holiday.name})
    session.delete(holiday)
    _touch(session, calendar, now)
    session.commit()


def add_holidays(session: Session, calendar: BusinessCalendar, found: Sequence[tuple[date, str]], *,
                 now: datetime) -> tuple[int, int]:
    """Add holidays not yet in the calendar (names cut to fit); returns (added, skipped). Caller audits, commits."""
    existing = set(session.exec(select(Holiday.day).where(Holiday.calendar_id == calendar.id)).all())
    added = 0
    for day, name in found:
        if day in existing:
            continue
        existing.add(day)
        session.add(Holiday(calendar_id=calendar.id or 0, day=day,
                            name=(" ".join(name.split()) or "Holiday")[:HOLIDAY_NAME_MAX]))
        added += 1
    if added:
        _touch(session, calendar, now)
    return added, len(found) - added


def default_calendar_spec(session: Session) -> CalendarSpec | None:
    """The default calendar's CalendarSpec, or None when no calendar is set up."""
    calendar = default_calendar(session)
    return calendar_spec(session, calendar.id) if calendar is not None and calendar.id is not None else None


def describe_default_calendar(session: Session) -> str:
    """Support hours in words, from the default calendar (for the service profile)."""
    calendar = default_calendar(session)
    if calendar is None:
        return ""
    from portal.services.sla.hours import describe_hours, hours_from_json

    days = "; ".join(f"{day} {span}" for day, span in describe_hours(hours_from_json(calendar.hours)))
    return f"{days} ({calendar.timezone}), except public holidays"
