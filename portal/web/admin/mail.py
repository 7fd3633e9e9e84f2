"""Admin page for the outbox: mail that failed or still waits, and "Retry now"."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import Length

from portal.errors import Conflict, ValidationFailed
from portal.models import OutboxStatus
from portal.models.types import utcnow
from portal.services import outbox
from portal.services.mail.smtp_secret import has_smtp_password, set_smtp_password
from portal.web.admin import bp
from portal.web.admin.forms import ConfirmForm
from portal.web.common import client_ip, db, page_args


@bp.route("/mail")
def mail() -> str:
    args = page_args(default_per_page=50)
    status = request.args.get("status", "")[:12]
    if status not in {s.value for s in OutboxStatus}:
        status = ""
    return render_template(
        "admin/mail.html",
        page=outbox.list_outbox(db(), status=status, page=args["page"], per_page=args["per_page"]),
        counts=outbox.outbox_counts(db()),
        status=status,
        statuses=[s.value for s in OutboxStatus],
        smtp_host=current_app.config["SMTP_HOST"],
        password_form=SmtpPasswordForm(formdata=None), password_stored=has_smtp_password(db()),
        password_in_config=bool(current_app.config.get("SMTP_PASSWORD")),
    )


class SmtpPasswordForm(FlaskForm):
    password = PasswordField("SMTP password", validators=[Length(max=1000)])


@bp.route("/mail/smtp-password", methods=["POST"])
def mail_smtp_password() -> object:
    form = SmtpPasswordForm()
    if form.validate_on_submit():
        try:
            set_smtp_password(db(), password=form.password.data or "", vault=current_app.extensions["portal.vault"],
                              actor=current_user, now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            flash(" ".join(exc.errors.values()), "error")
        else:
            flash("The SMTP password is stored encrypted." if form.password.data else "The SMTP password is removed.",
                  "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors) or "Try again.", "error")
    return redirect(url_for("admin.mail"))


@bp.route("/mail/<int:mail_id>/retry", methods=["POST"])
def mail_retry(mail_id: int) -> object:
    if ConfirmForm().validate_on_submit():
        try:
            message = outbox.retry_message(db(), message_id=mail_id, actor=current_user, ip=client_ip())
        except Conflict as exc:
            flash(exc.message, "error")
        else:
            flash(f"The message to {message.to_addr} goes out with the next delivery run (within a minute).",
                  "success")
    return redirect(url_for("admin.mail", status=request.args.get("status") or None))
