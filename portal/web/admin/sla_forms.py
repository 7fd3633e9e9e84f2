"""Forms of the SLA admin pages. Working hours are a grid of time inputs read by ``hours_grid``."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from portal.models.sla import SLA_PRIORITIES
from portal.web.fields import Mandatory, SelectField, choices
from portal.web.filters import all_timezones

MIN_SLOTS = 3
MAX_SLOTS = 12
_HOURS_KEY = re.compile(r"^hours-([0-6])-(\d{1,2})-(start|end)$")
TARGET_HINT = ("Business time: 45m, 4h, 1h 30m or 2 business days (a business day is the calendar's working day). "
               "Empty for no target.")


class CalendarForm(FlaskForm):
    name = StringField("Name", validators=[Mandatory(), Length(max=100)])
    timezone = SelectField("Time zone", validate_choice=False)
    is_default = BooleanField("Default calendar for new policies")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = choices([("", "— choose —"), ("UTC", "UTC")] + [(z, z) for z in all_timezones()])


class HolidayForm(FlaskForm):
    day = StringField("Date", validators=[Mandatory()], render_kw={"type": "date"})
    name = StringField("Name", validators=[Mandatory(), Length(max=120)])


class HolidayImportForm(FlaskForm):
    ics = FileField("iCalendar file (.ics)")


class PolicyForm(FlaskForm):
    name = StringField("Name", validators=[Mandatory(), Length(max=100)])
    priority = SelectField("Priority", choices=choices((p, p.capitalize()) for p in reversed(SLA_PRIORITIES)),
                           validate_choice=False)
    organisation_id = SelectField("Member organisation", validate_choice=False)
    calendar_id = SelectField("Business calendar", validate_choice=False)
    first_response = StringField("First response", validators=[Length(max=60)])
    next_update = StringField("Next update", validators=[Length(max=60)])
    resolution = StringField("Resolution", validators=[Length(max=60)])
    active = BooleanField("Active", default=True)


def hours_grid(form: Mapping[str, str]) -> dict[int, list[tuple[str, str]]]:
    """The working-hours grid of a submitted calendar form: (start, end) texts per weekday, in slot order."""
    cells: dict[tuple[int, int], dict[str, str]] = {}
    for key, value in form.items():
        match = _HOURS_KEY.match(key)
        if match and int(match.group(2)) < MAX_SLOTS:
            cells.setdefault((int(match.group(1)), int(match.group(2))), {})[match.group(3)] = value[:10]
    rows: dict[int, list[tuple[str, str]]] = {day: [] for day in range(7)}
    for (day, _slot), cell in sorted(cells.items()):
        rows[day].append((cell.get("start", ""), cell.get("end", "")))
    return rows


def grid_for_display(rows: Mapping[int, list[tuple[str, str]]]) -> tuple[int, dict[int, list[tuple[str, str]]]]:
    """Rows padded to a common number of slots, one more than the busiest day uses (at least three).

    An end of 24:00 is shown as 00:00, which time inputs can hold and the calendar reads as midnight.
    """
    used = max((sum(1 for a, b in cells if a or b) for cells in rows.values()), default=0)
    slots = min(MAX_SLOTS, max(MIN_SLOTS, used + 1))
    padded = {}
    for day in range(7):
        cells = [(a, "00:00" if b == "24:00" else b) for a, b in rows.get(day, []) if a or b]
        padded[day] = (cells + [("", "")] * slots)[:slots]
    return slots, padded
