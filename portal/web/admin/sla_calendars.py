"""Admin pages for business calendars: working hours, time zone, holidays, iCal import, a preview."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import Conflict, ValidationFailed
from portal.models import BusinessCalendar
from portal.services.sla import calendars
from portal.services.sla.business_time import WEEKDAYS, CalendarError
from portal.services.sla.calendars import CalendarInput
from portal.services.sla.hours import describe_hours, hours_from_json
from portal.services.sla.ical import IcalError, import_holidays
from portal.services.sla.preview import describe_minutes, preview_business_time
from portal.web.admin import bp
from portal.web.admin.forms import ConfirmForm
from portal.web.admin.sla_forms import (
    CalendarForm,
    HolidayForm,
    HolidayImportForm,
    grid_for_display,
    hours_grid,
)
from portal.web.common import apply_errors, client_ip, db, utcnow


def _calendar_input(form: CalendarForm) -> CalendarInput:
    return CalendarInput(name=form.name.data or "", timezone=form.timezone.data or "",
                         hours=hours_grid(request.form), is_default=bool(form.is_default.data))


def _hours_errors(exc: ValidationFailed | None) -> dict[int, str]:
    errors = exc.errors if exc else {}
    return {day: errors[f"hours_{day}"] for day in range(7) if f"hours_{day}" in errors}


def _render_form(form: CalendarForm, calendar: BusinessCalendar | None, rows: dict[int, list[tuple[str, str]]],
                 exc: ValidationFailed | None = None, **context: Any) -> str:
    slots, grid = grid_for_display(rows)
    return render_template(
        "admin/sla/calendar.html", form=form, calendar=calendar, slots=slots, grid=grid, weekdays=WEEKDAYS,
        hours_errors=_hours_errors(exc), hours_error=(exc.errors.get("hours") if exc else None), **context,
    )


@bp.route("/sla/calendars")
def sla_calendars() -> str:
    rows = calendars.list_calendars(db())
    described = {row.calendar.id: _describe(row.calendar) for row in rows}
    return render_template("admin/sla/calendars.html", rows=rows, described=described)


def _describe(calendar: BusinessCalendar) -> list[tuple[str, str]]:
    try:
        return describe_hours(hours_from_json(calendar.hours))
    except CalendarError as exc:
        return [("Error", str(exc))]


@bp.route("/sla/calendars/new", methods=["GET", "POST"])
def sla_calendar_new() -> object:
    form = CalendarForm()
    if not form.is_submitted():
        form.timezone.data = "Europe/Berlin"
        return _render_form(form, None, {d: [("09:00", "17:00")] for d in range(5)})
    if form.validate():
        try:
            calendar = calendars.create_calendar(db(), _calendar_input(form), actor=current_user, ip=client_ip(),
                                                 now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
            return _render_form(form, None, hours_grid(request.form), exc)
        flash(f"Calendar {calendar.name} is created. Add its holidays next.", "success")
        return redirect(url_for("admin.sla_calendar", calendar_id=calendar.id))
    return _render_form(form, None, hours_grid(request.form))


def _calendar_page(calendar: BusinessCalendar, *, form: CalendarForm | None = None,
                   exc: ValidationFailed | None = None, holiday_form: HolidayForm | None = None,
                   import_form: HolidayImportForm | None = None) -> str:
    if form is None:
        form = CalendarForm(obj=calendar)
        rows = calendars.hours_rows(calendar)
    else:
        rows = hours_grid(request.form)
    spec = calendars.calendar_spec(db(), calendar.id or 0)
    preview = preview_business_time(spec, start=request.args.get("start", "")[:40],
                                    end=request.args.get("end", "")[:40], target=request.args.get("target", "")[:60])
    holidays = calendars.list_holidays(db(), calendar)
    show_past = request.args.get("holidays") == "all"
    this_year = date(utcnow().year, 1, 1)
    shown = holidays if show_past else [h for h in holidays if h.day >= this_year]
    return _render_form(
        form, calendar, rows, exc, holidays=shown, holiday_total=len(holidays), show_past=show_past,
        users=calendars.calendar_users(db(), calendar),
        holiday_form=holiday_form or HolidayForm(), import_form=import_form or HolidayImportForm(),
        preview=preview, preview_minutes=(describe_minutes(preview.minutes, spec) if preview.minutes is not None
                                          else None),
        confirm=ConfirmForm(),
    )


@bp.route("/sla/calendars/<int:calendar_id>", methods=["GET", "POST"])
def sla_calendar(calendar_id: int) -> object:
    calendar = calendars.get_calendar(db(), calendar_id)
    if request.method == "GET":
        return _calendar_page(calendar)
    form = CalendarForm()
    if form.validate():
        try:
            calendars.update_calendar(db(), calendar, _calendar_input(form), actor=current_user, ip=client_ip(),
                                      now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
            return _calendar_page(calendar, form=form, exc=exc)
        flash("Saved. Tickets count on the new hours from their next change.", "success")
        return redirect(url_for("admin.sla_calendar", calendar_id=calendar.id))
    return _calendar_page(calendar, form=form)


@bp.route("/sla/calendars/<int:calendar_id>/delete", methods=["GET", "POST"])
def sla_calendar_delete(calendar_id: int) -> object:
    calendar = calendars.get_calendar(db(), calendar_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            calendars.delete_calendar(db(), calendar, actor=current_user, ip=client_ip())
        except Conflict as exc:
            db().rollback()
            flash(exc.message, "error")
            return redirect(url_for("admin.sla_calendar", calendar_id=calendar_id))
        flash(f"Calendar {calendar.name} and its holidays are deleted.", "success")
        return redirect(url_for("admin.sla_calendars"))
    return render_template("admin/confirm.html", form=form, heading=f"Delete the calendar {calendar.name}?",
                           text="Its working hours and all its holidays are removed. Calendars that policies use, "
                                "and the default calendar, cannot be deleted.",
                           button="Delete calendar", cancel=url_for("admin.sla_calendar", calendar_id=calendar_id))


@bp.route("/sla/calendars/<int:calendar_id>/holidays", methods=["POST"])
def sla_holiday_add(calendar_id: int) -> object:
    calendar = calendars.get_calendar(db(), calendar_id)
    form = HolidayForm()
    if form.validate():
        try:
            holiday = calendars.add_holiday(db(), calendar, day=form.day.data, name=form.name.data or "",
                                            actor=current_user, ip=client_ip(), now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"{holiday.day.isoformat()} ({holiday.name}) is a holiday now.", "success")
            return redirect(url_for("admin.sla_calendar", calendar_id=calendar_id) + "#holidays")
    return _calendar_page(calendar, holiday_form=form)


@bp.route("/sla/calendars/<int:calendar_id>/holidays/<int:holiday_id>/delete", methods=["GET", "POST"])
def sla_holiday_delete(calendar_id: int, holiday_id: int) -> object:
    calendar = calendars.get_calendar(db(), calendar_id)
    holiday = calendars.get_holiday(db(), calendar, holiday_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        calendars.remove_holiday(db(), holiday, actor=current_user, ip=client_ip(), now=utcnow())
        flash(f"{holiday.day.isoformat()} is a working day again.", "success")
        return redirect(url_for("admin.sla_calendar", calendar_id=calendar_id) + "#holidays")
    return render_template("admin/confirm.html", form=form,
                           heading=f"Remove {holiday.name} ({holiday.day.isoformat()})?",
                           text=f"{calendar.name} counts that day as a normal {WEEKDAYS[holiday.day.weekday()]} again.",
                           button="Remove holiday", cancel=url_for("admin.sla_calendar", calendar_id=calendar_id))


@bp.route("/sla/calendars/<int:calendar_id>/holidays/import", methods=["POST"])
def sla_holidays_import(calendar_id: int) -> object:
    calendar = calendars.get_calendar(db(), calendar_id)
    form = HolidayImportForm()
    upload = request.files.get("ics")
    if form.validate():
        if upload is None or not upload.filename:
            form.ics.errors = ["Choose an .ics file to import."]
        else:
            try:
                counts = import_holidays(db(), calendar, upload.read(), current_user, ip=client_ip(), now=utcnow())
            except IcalError as exc:
                db().rollback()
                form.ics.errors = [str(exc)]
            else:
                skipped = f"; {counts.skipped} were already there" if counts.skipped else ""
                flash(f"Imported {counts.added} holiday{'s' if counts.added != 1 else ''}{skipped}.", "success")
                return redirect(url_for("admin.sla_calendar", calendar_id=calendar_id) + "#holidays")
    return _calendar_page(calendar, import_form=form)
