"""Pages for staff of member institutions: only their own organisation, ever."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, fresh_login_required

from portal.errors import ValidationFailed
from portal.models import CredentialSource, Organisation
from portal.services import credentials, members
from portal.services.datacite_calls import TARGET_LABELS
from portal.vault_app import get_vault
from portal.web.common import apply_errors, caller, client_ip, db, utcnow
from portal.web.credential_entry import CredentialForm, verify_and_flash
from portal.web.member import bp


def own_organisation() -> Organisation:
    """The signed-in member's organisation; there is no way to name another one."""
    return members.get_organisation(db(), current_user.organisation_id or 0)


@bp.route("/")
def home() -> str:
    org = own_organisation()
    return render_template("member/home.html", org=org, repositories=members.list_repositories(db(), org))


@bp.route("/organisation")
def organisation() -> str:
    org = own_organisation()
    repositories = members.list_repositories(db(), org)
    statuses = credentials.credential_statuses(db(), [rv.repository for rv in repositories])
    return render_template("member/organisation.html", org=org, repositories=repositories,
                           contacts=members.list_contacts(db(), org), statuses=statuses, target_labels=TARGET_LABELS)


@bp.route("/repositories/<int:repo_id>/credential", methods=["GET", "POST"])
@fresh_login_required
def credential(repo_id: int) -> object:
    org = own_organisation()
    repo = members.get_repository(db(), repo_id, organisation_id=org.id)
    status = credentials.credential_status(db(), repo)
    form = CredentialForm()
    if form.validate_on_submit():
        if not (form.secret.data or "").strip() and status.stored:
            flash("Nothing changed: the stored credential is kept.", "info")
            return redirect(url_for("member.organisation"))
        try:
            credentials.set_credential(db(), repo, secret=form.secret.data or "", vault=get_vault(),
                                       via=CredentialSource.member, caller=caller(), ip=client_ip(), now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            verify_and_flash(repo)
            return redirect(url_for("member.organisation", _anchor="repositories"))
    form.secret.data = ""
    return render_template("member/credential.html", form=form, repo=repo, org=org, credential=status,
                           target_label=TARGET_LABELS.get(repo.datacite_target, repo.datacite_target))
