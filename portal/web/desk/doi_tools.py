"""The agents' DOI tools on a repository: look up a DOI, recent DOIs, test registration, transcripts, call log."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, fresh_login_required
from werkzeug.wrappers import Response

from portal.errors import DomainError, ValidationFailed
from portal.services import datacite_calls, doi_tools, members, test_registration, transcripts
from portal.vault_app import get_vault
from portal.web.common import apply_errors, caller, client_ip, datacite, db, page_args, utcnow
from portal.web.desk import bp
from portal.web.desk.forms import AttachForm, ConfirmForm, DoiLookupForm, RecentDoisForm


def _page_number(raw: str | None) -> int:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


# Look-ups and listings are POSTs: they call DataCite with the stored credential and record each call, and a
# GET must change nothing (C04); fresh sign-in because they use a member's credential (C11).


@bp.route("/repositories/<int:repo_id>/doi", methods=["GET", "POST"])
@fresh_login_required
def doi_lookup(repo_id: int) -> object:
    repo = members.get_repository(db(), repo_id)
    org = members.get_organisation(db(), repo.organisation_id)
    form = DoiLookupForm()
    diagnosis = None
    if form.validate_on_submit():
        try:
            diagnosis = doi_tools.look_up_doi(db(), repo, raw=form.doi.data or "", connector=datacite(),
                                              vault=get_vault(), caller=caller(), ip=client_ip(), now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        except DomainError as exc:
            db().rollback()
            form.form_errors.append(exc.message)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("desk/doi_lookup.html", repo=repo, org=org, form=form, diagnosis=diagnosis), status


@bp.route("/repositories/<int:repo_id>/dois", methods=["GET", "POST"])
@fresh_login_required
def recent_dois(repo_id: int) -> object:
    repo = members.get_repository(db(), repo_id)
    org = members.get_organisation(db(), repo.organisation_id)
    form = RecentDoisForm()
    recent = None
    if form.validate_on_submit():
        try:
            recent = doi_tools.recent_dois(db(), repo, connector=datacite(), vault=get_vault(), caller=caller(),
                                           ip=client_ip(), now=utcnow(), page=_page_number(form.page.data),
                                           state=(form.state.data or "")[:20])
        except DomainError as exc:
            db().rollback()
            form.form_errors.append(exc.message)
    return render_template("desk/recent_dois.html", repo=repo, org=org, form=form, recent=recent,
                           lookup=DoiLookupForm(formdata=None))


@bp.route("/repositories/<int:repo_id>/test-registration", methods=["POST"])
@fresh_login_required
def test_registration_run(repo_id: int) -> Response:
    repo = members.get_repository(db(), repo_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("desk.repository", repo_id=repo.id))
    try:
        transcript = test_registration.run_test_registration(
            db(), repo, connector=datacite(), vault=get_vault(), caller=caller(),
            site_name=current_app.config["SITE_NAME"], ip=client_ip())
    except DomainError as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect(url_for("desk.repository", repo_id=repo.id, _anchor="tools"))
    return redirect(url_for("desk.transcript", repo_id=repo.id, transcript_id=transcript.id))


def _transcript_page(repo_id: int, transcript_id: int, form: AttachForm, status: int = 200) -> tuple[str, int]:
    repo = members.get_repository(db(), repo_id)
    org = members.get_organisation(db(), repo.organisation_id)
    transcript = transcripts.get_transcript(db(), repo, transcript_id)
    return render_template("desk/transcript.html", repo=repo, org=org, transcript=transcript, form=form), status


@bp.route("/repositories/<int:repo_id>/transcripts/<int:transcript_id>")
def transcript(repo_id: int, transcript_id: int) -> object:
    return _transcript_page(repo_id, transcript_id, AttachForm())


@bp.route("/repositories/<int:repo_id>/transcripts/<int:transcript_id>/attach", methods=["POST"])
def transcript_attach(repo_id: int, transcript_id: int) -> object:
    repo = members.get_repository(db(), repo_id)
    record = transcripts.get_transcript(db(), repo, transcript_id)
    form = AttachForm()
    if form.validate_on_submit():
        try:
            number = transcripts.parse_ticket_number(form.ticket.data or "")
            transcripts.attach_transcript(db(), record, ticket_number=number,
                                          author=current_user._get_current_object(),  # type: ignore[attr-defined]
                                          config=current_app.config, now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        except DomainError as exc:  # a closed ticket, for example
            db().rollback()
            form.ticket.errors = [exc.message]
        else:
            flash(f"The transcript is attached to ticket #{number} as an internal note.", "success")
            return redirect(url_for("desk.transcript", repo_id=repo.id, transcript_id=record.id))
    return _transcript_page(repo_id, transcript_id, form, 422)


@bp.route("/repositories/<int:repo_id>/calls")
def datacite_call_log(repo_id: int) -> str:
    repo = members.get_repository(db(), repo_id)
    org = members.get_organisation(db(), repo.organisation_id)
    args = page_args(default_per_page=50)
    page = datacite_calls.list_calls(db(), repo, page=args["page"], per_page=args["per_page"])
    return render_template("desk/datacite_calls.html", repo=repo, org=org, page=page)
