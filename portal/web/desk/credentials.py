"""A repository's DataCite credential, as agents and admins handle it: write-only, verified, handed over."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import fresh_login_required
from werkzeug.wrappers import Response

from portal.errors import ValidationFailed
from portal.models import CredentialSource, Repository
from portal.services import credentials, datacite_calls, handover, members, transcripts
from portal.services.handover import HandoverPolicy
from portal.vault_app import get_vault
from portal.web.common import apply_errors, caller, client_ip, db, utcnow
from portal.web.credential_entry import CredentialForm, verify_and_flash
from portal.web.desk import bp
from portal.web.desk.forms import ConfirmForm, HandoverForm
from portal.web.fields import choices


def tools_context(repo: Repository) -> dict[str, Any]:
    """What the repository page shows about its credential and DataCite tools."""
    return {
        "credential": credentials.credential_status(db(), repo),
        "handovers": handover.list_handovers(db(), repo, limit=5),
        "transcripts": transcripts.list_transcripts(db(), repo, limit=5),
        "calls": datacite_calls.list_calls(db(), repo, per_page=10),
        "target_label": datacite_calls.TARGET_LABELS.get(repo.datacite_target, repo.datacite_target),
        "confirm": ConfirmForm(),
    }


@bp.route("/repositories/<int:repo_id>/credential", methods=["GET", "POST"])
@fresh_login_required
def credential_set(repo_id: int) -> object:
    repo = members.get_repository(db(), repo_id)
    org = members.get_organisation(db(), repo.organisation_id)
    status = credentials.credential_status(db(), repo)
    form = CredentialForm()
    if form.validate_on_submit():
        if not (form.secret.data or "").strip() and status.stored:
            flash("Nothing changed: the stored credential is kept.", "info")
            return redirect(url_for("desk.repository", repo_id=repo.id))
        try:
            credentials.set_credential(db(), repo, secret=form.secret.data or "", vault=get_vault(),
                                       via=CredentialSource.agent, caller=caller(), ip=client_ip(), now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            verify_and_flash(repo)
            return redirect(url_for("desk.repository", repo_id=repo.id))
    form.secret.data = ""
    return render_template("desk/credential_form.html", form=form, repo=repo, org=org, credential=status,
                           target_label=datacite_calls.TARGET_LABELS.get(repo.datacite_target, repo.datacite_target))


@bp.route("/repositories/<int:repo_id>/credential/clear", methods=["GET", "POST"])
@fresh_login_required
def credential_clear(repo_id: int) -> object:
    repo = members.get_repository(db(), repo_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        if credentials.clear_credential(db(), repo, caller=caller(), reason="cleared on the desk", ip=client_ip(),
                                        now=utcnow()):
            flash(f"The credential of {repo.symbol} is cleared; open hand-over links no longer work.", "success")
        else:
            flash("There was no credential to clear.", "info")
        return redirect(url_for("desk.repository", repo_id=repo.id))
    return render_template("admin/confirm.html", form=form, heading=f"Clear the credential of {repo.symbol}?",
                           text="The stored password or API key is deleted and open hand-over links stop working. "
                                "DOI tools then work without credentials until someone sets it again.",
                           button="Clear the credential", cancel=url_for("desk.repository", repo_id=repo.id))


@bp.route("/repositories/<int:repo_id>/credential/verify", methods=["POST"])
@fresh_login_required
def credential_verify(repo_id: int) -> Response:
    repo = members.get_repository(db(), repo_id)
    if ConfirmForm().validate_on_submit():
        verify_and_flash(repo)
    return redirect(url_for("desk.repository", repo_id=repo.id, _anchor="credential"))


@bp.route("/repositories/<int:repo_id>/handover", methods=["GET", "POST"])
@fresh_login_required
def handover_new(repo_id: int) -> object:
    repo = members.get_repository(db(), repo_id)
    org = members.get_organisation(db(), repo.organisation_id)
    recipients = handover.handover_recipients(db(), repo)
    form = HandoverForm()
    form.recipient.choices = choices([("", "Choose someone…")] + [(r.key, r.label) for r in recipients])
    if form.validate_on_submit():
        policy = HandoverPolicy.from_config(current_app.config)
        try:
            record, _link = handover.issue_handover(db(), repo, recipient_key=form.recipient.data or "",
                                                    policy=policy, caller=caller(), ip=client_ip(), now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"A secure link went to {record.recipient_email}. It works once, for "
                  f"{current_app.config['HANDOVER_HOURS']} hours; earlier links for {repo.symbol} no longer work.",
                  "success")
            return redirect(url_for("desk.repository", repo_id=repo.id, _anchor="credential"))
    return render_template("desk/handover_form.html", form=form, repo=repo, org=org, recipients=recipients,
                           target_label=datacite_calls.TARGET_LABELS.get(repo.datacite_target, repo.datacite_target))
