"""Admin pages for mailboxes (addresses we receive on, and how mail arrives) and the mail received."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, StringField
from wtforms.validators import Length, NumberRange, Optional

from portal.errors import ValidationFailed
from portal.models import Arrival, ImapSecurity, InboundOutcome, MailboxPurpose
from portal.services.mail import mailboxes
from portal.services.tickets import groups
from portal.web.admin import bp
from portal.web.common import apply_errors, client_ip, db, page_args
from portal.web.fields import Mandatory, SelectField, choices

PURPOSES = [(MailboxPurpose.member_support.value, "Member support"),
            (MailboxPurpose.designated_contact.value, "Designated contact (DataCite staff)")]
ARRIVALS = [(Arrival.pipe.value, "Piped by the mail server (flask --app wsgi mail ingest)"),
            (Arrival.imap.value, "Polled over IMAP every minute")]
SECURITY = [(ImapSecurity.tls.value, "TLS (port 993)"), (ImapSecurity.starttls.value, "STARTTLS (port 143)"),
            (ImapSecurity.plain.value, "None (a server on this machine only)")]


class MailboxForm(FlaskForm):
    name = StringField("Name (used in the pipe command)", validators=[Mandatory(), Length(max=60)])
    address = StringField("Address", validators=[Mandatory(), Length(max=254)])
    purpose = SelectField("Mail to it is", choices=choices(PURPOSES))
    group_id = SelectField("Group for new tickets", coerce=str, validate_choice=False)
    arrival = SelectField("Mail arrives", choices=choices(ARRIVALS))
    imap_host = StringField("IMAP server", validators=[Length(max=253)])
    imap_port = IntegerField("IMAP port", default=993, validators=[Optional(), NumberRange(1, 65535)])
    imap_security = SelectField("IMAP encryption", choices=choices(SECURITY))
    imap_user = StringField("IMAP login", validators=[Length(max=254)])
    imap_password = PasswordField("IMAP password", validators=[Length(max=1000)])
    imap_folder = StringField("Folder to poll", default="INBOX", validators=[Length(max=200)])
    processed_folder = StringField("Move received mail to", default="Processed", validators=[Length(max=200)])
    active = BooleanField("Active", default=True)


@bp.route("/mailboxes")
def mailboxes_list() -> str:
    args = page_args(default_per_page=50)
    outcome = request.args.get("outcome", "")[:12]
    if outcome not in {o.value for o in InboundOutcome}:
        outcome = ""
    return render_template("admin/mailboxes.html", mailboxes=mailboxes.list_mailboxes(db()),
                           received=mailboxes.list_received(db(), outcome=outcome, page=args["page"],
                                                            per_page=args["per_page"]),
                           outcome=outcome, outcomes=[o.value for o in InboundOutcome], purposes=dict(PURPOSES))


def _edit(mailbox_id: int | None) -> Any:
    mailbox = mailboxes.get_mailbox(db(), mailbox_id) if mailbox_id else None
    form = MailboxForm(obj=mailbox)
    form.group_id.choices = [("", "The default group")] + [(str(g.id), g.name) for g in groups.list_groups(db())]
    if request.method == "GET" and mailbox is not None:
        form.group_id.data = str(mailbox.group_id or "")
        form.imap_password.data = ""
    if form.validate_on_submit():
        data = mailboxes.MailboxInput(
            name=(form.name.data or "").strip(), address=form.address.data or "", purpose=form.purpose.data,
            group_id=int(form.group_id.data) if (form.group_id.data or "").isdigit() else None,
            arrival=form.arrival.data, imap_host=form.imap_host.data or "", imap_port=form.imap_port.data or 993,
            imap_security=form.imap_security.data, imap_user=form.imap_user.data or "",
            imap_password=form.imap_password.data or "", imap_folder=form.imap_folder.data or "",
            processed_folder=form.processed_folder.data or "", active=bool(form.active.data))
        try:
            saved = mailboxes.save_mailbox(db(), data, vault=current_app.extensions["portal.vault"], actor=current_user,
                                           ip=client_ip(), mailbox_id=mailbox_id)
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"Mailbox “{saved.name}” is saved.", "success")
            return redirect(url_for("admin.mailboxes_list"))
    form.imap_password.data = ""  # write-only: never sent back to the browser
    return render_template("admin/mailbox_form.html", form=form, mailbox=mailbox)


@bp.route("/mailboxes/new", methods=["GET", "POST"])
def mailbox_new() -> Any:
    return _edit(None)


@bp.route("/mailboxes/<int:mailbox_id>", methods=["GET", "POST"])
def mailbox_edit(mailbox_id: int) -> Any:
    return _edit(mailbox_id)
