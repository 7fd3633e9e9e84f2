"""Admin pages of the RSP programme: the requirements board, the steps, the call pack, renewal and the badge."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from portal.errors import Conflict, ValidationFailed
from portal.services.programme import badge as badge_service
from portal.services.programme import board, documents, pack, renewal, steps
from portal.services.programme.catalogue import STATUS_LABELS
from portal.services.tickets.attachments import Upload
from portal.web.admin import bp
from portal.web.admin.programme_forms import BadgeForm, DocumentForm, NotesForm, RenewalForm, StepForm
from portal.web.common import apply_errors, client_ip, db, utcnow


def _storage() -> Any:
    cfg = current_app.config
    return documents.storage_for(cfg["ATTACHMENT_DIR"], int(cfg["ATTACHMENT_MAX_MB"]))


@bp.route("/programme/")
def programme_board() -> str:
    rows = board.board_rows(db())
    today = utcnow().date()
    return render_template("admin/programme/board.html", rows=rows, summary=board.summary(rows),
                           labels=STATUS_LABELS, counts=documents.document_counts(db()),
                           status=steps.programme_status(db(), today=today))


@bp.route("/programme/evaluate", methods=["POST"])
def programme_evaluate() -> Any:
    result = board.evaluate_board(db(), now=utcnow(), config=current_app.config)
    flash(f"Evaluated {result.rows} rows: {result.changed} changed, {result.notified} notices queued.", "success")
    return redirect(url_for("admin.programme_board"))


@bp.route("/programme/requirements/<requirement>", methods=["GET", "POST"])
def programme_requirement(requirement: str) -> Any:
    key = requirement
    row = board.board_row(db(), key)
    form = NotesForm(obj=row.state)
    if form.validate_on_submit():
        try:
            board.save_notes(db(), key=key, notes=form.notes.data or "", attest=bool(form.attest.data),
                             actor=current_user, now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash("Notes saved." + (" Confirmed as of today." if form.attest.data else ""), "success")
            return redirect(url_for("admin.programme_requirement", requirement=key))
    return render_template("admin/programme/requirement.html", row=row, form=form, upload=DocumentForm(),
                           documents=documents.list_documents(db(), requirement_key=key))


@bp.route("/programme/documents", methods=["POST"])
def programme_document_upload() -> Any:
    form = DocumentForm()
    requirement_key, step_key = request.form.get("requirement_key", ""), request.form.get("step_key", "")
    back = (url_for("admin.programme_requirement", requirement=requirement_key) if requirement_key
            else url_for("admin.programme_step", step=step_key or "interest"))
    if requirement_key:
        board.board_row(db(), requirement_key)
    if step_key:
        steps.step_title(step_key)
    upload = request.files.get("document")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash("Choose a file to attach.", "error")
        return redirect(back)
    try:
        documents.add_document(db(), Upload(upload.filename, upload.read()), storage=_storage(),
                               requirement_key=requirement_key, step_key=step_key, actor=current_user,
                               now=utcnow(), ip=client_ip())
    except ValidationFailed as exc:
        db().rollback()
        flash(" ".join(exc.errors.values()), "error")
    else:
        flash("Document attached.", "success")
    return redirect(back)


@bp.route("/programme/documents/<int:document_id>")
def programme_document(document_id: int) -> Any:
    row, path = documents.document_file(db(), document_id, _storage())
    return send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename)


@bp.route("/programme/steps")
def programme_steps() -> str:
    return render_template("admin/programme/steps.html", timeline=steps.timeline(db()),
                           counts=documents.document_counts(db()),
                           status=steps.programme_status(db(), today=utcnow().date()))


@bp.route("/programme/steps/<step>", methods=["GET", "POST"])
def programme_step(step: str) -> Any:
    key = step
    title = steps.step_title(key)
    current = steps.get_step(db(), key)
    form = StepForm(obj=current)
    if form.validate_on_submit():
        try:
            steps.save_step(db(), key=key, happened_on=form.happened_on.data, people=form.people.data or "",
                            notes=form.notes.data or "", actor=current_user, now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"{title}: saved.", "success")
            return redirect(url_for("admin.programme_steps"))
    return render_template("admin/programme/step.html", key=key, title=title, form=form, upload=DocumentForm(),
                           documents=documents.list_documents(db(), step_key=key))


@bp.route("/programme/call-pack")
def programme_pack() -> str:
    return render_template("admin/programme/pack.html", pack=pack.call_pack(db(), now=utcnow(),
                                                                            config=current_app.config),
                           labels=STATUS_LABELS)


@bp.route("/programme/renewal")
def programme_renewals() -> str:
    today = utcnow().date()
    year = renewal.upcoming_year(today)
    return render_template("admin/programme/renewals.html", history=renewal.history(db()), year=year,
                           due=renewal.due_date(year))


@bp.route("/programme/renewal/<int:year>", methods=["GET", "POST"])
def programme_renewal(year: int) -> Any:
    now = utcnow()
    existing = renewal.get_assessment(db(), year)
    if existing is None and year != renewal.upcoming_year(now.date()):
        abort(404)
    assessment = existing or renewal.draft_assessment(db(), year=year, now=now)
    form = RenewalForm(obj=assessment)
    if form.validate_on_submit():
        comments = {key[len("comment-"):]: value for key, value in request.form.items() if key.startswith("comment-")}
        submit = request.form.get("action") == "submit"
        try:
            renewal.save_assessment(db(), year=year, comments=comments, remarks=form.remarks.data or "",
                                    submit=submit, actor=current_user, now=now, ip=client_ip())
        except (ValidationFailed, Conflict) as exc:
            db().rollback()
            if isinstance(exc, ValidationFailed):
                apply_errors(form, exc)
            else:
                flash(str(exc), "error")
        else:
            flash("Self-assessment submitted." if submit else "Draft saved.", "success")
            return redirect(url_for("admin.programme_renewal", year=year))
    return render_template("admin/programme/renewal.html", assessment=assessment, form=form,
                           answers=renewal.answers_of(assessment), labels=STATUS_LABELS)


@bp.route("/programme/badge", methods=["GET", "POST"])
def programme_badge() -> Any:
    form = BadgeForm()
    if form.validate_on_submit():
        upload = request.files.get("badge")
        if upload is None or not upload.filename:
            form.badge.errors = ["Choose a PNG or SVG file."]
        else:
            try:
                badge_service.upload_badge(db(), filename=upload.filename, data=upload.read(MAX_READ),
                                           actor=current_user, now=utcnow(), ip=client_ip())
            except ValidationFailed as exc:
                db().rollback()
                apply_errors(form, exc)
            else:
                flash("Badge saved.", "success")
                return redirect(url_for("admin.programme_badge"))
    today = utcnow().date()
    base = current_app.config["BASE_URL"].rstrip("/")
    return render_template("admin/programme/badge.html", form=form, current=badge_service.current_badge(db()),
                           public=badge_service.public_badge(db(), today=today), badge_url=f"{base}/rsp-badge",
                           site_url=f"{base}/")


MAX_READ = badge_service.MAX_BYTES + 1
