"""Managing canned answers."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from portal.errors import ValidationFailed
from portal.services.tickets import canned
from portal.web.common import apply_errors, db, utcnow
from portal.web.desk import bp
from portal.web.desk.ticket_forms import CannedForm
from portal.web.fields import choices


def _failure_choices() -> list[tuple[str, str]]:
    try:
        from portal.datacite.errors import FAILURE_MODES
    except ImportError:  # the error catalogue is not installed in this build
        return [("", "— none —")]
    return [("", "— none —")] + [(key, key) for key in sorted(FAILURE_MODES)]


@bp.route("/canned")
def canned_list() -> str:
    return render_template("desk/canned_list.html", answers=canned.list_answers(db(), active_only=False),
                           variables=canned.VARIABLES)


def _edit(answer_id: int | None) -> Any:
    answer = canned.get_answer(db(), answer_id) if answer_id else None
    form = CannedForm(obj=answer)
    form.failure_key.choices = choices(_failure_choices())
    if answer is not None and not form.is_submitted():
        form.active.data = "1" if answer.active else "0"
    if form.validate_on_submit():
        try:
            saved = canned.save_answer(db(), answer, title=form.title.data or "", body=form.body.data or "",
                                       failure_key=form.failure_key.data or "", active=form.active.data == "1",
                                       actor=current_user, now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"Saved “{saved.title}”.", "success")
            return redirect(url_for("desk.canned_list"))
    return render_template("desk/canned_form.html", form=form, answer=answer, variables=canned.VARIABLES)


@bp.route("/canned/new", methods=["GET", "POST"])
def canned_new() -> Any:
    return _edit(None)


@bp.route("/canned/<int:answer_id>", methods=["GET", "POST"])
def canned_edit(answer_id: int) -> Any:
    return _edit(answer_id)
