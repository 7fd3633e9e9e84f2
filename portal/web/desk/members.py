"""Member organisations, contacts and repositories, as agents and admins keep them."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import ValidationFailed
from portal.identifiers import countries
from portal.models import Organisation
from portal.services import accounts, audit_log, credentials, members
from portal.services.credentials import IDENTITY_FIELDS
from portal.services.members import ContactInput, OrganisationInput, RepositoryInput
from portal.web.common import apply_errors, client_ip, db, page_args, utcnow
from portal.web.desk import bp
from portal.web.desk.credentials import tools_context
from portal.web.desk.forms import ConfirmForm, ContactForm, OrganisationForm, RepositoryForm


@bp.route("/members", endpoint="members")
def members_list() -> str:
    args = page_args("name")
    status = request.args.get("status", "active")
    page = members.list_organisations(
        db(), q=request.args.get("q", "")[:100], country=request.args.get("country", "")[:2],
        active={"active": True, "inactive": False}.get(status), **args,
    )
    return render_template("desk/members.html", page=page, args=args, status=status, countries=countries())



def _org_input(form: OrganisationForm) -> OrganisationInput:
    return OrganisationInput(name=form.name.data or "", datacite_member_id=form.datacite_member_id.data or "",
                             ror_id=form.ror_id.data or "", country=form.country.data or "",
                             notes=form.notes.data or "", active=bool(form.active.data))


@bp.route("/members/new", methods=["GET", "POST"])
def organisation_new() -> object:
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = members.create_organisation(db(), _org_input(form), actor=current_user, ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"{org.name} is added. Add its repositories next.", "success")
            return redirect(url_for("desk.organisation", org_id=org.id))
    return render_template("desk/organisation_form.html", form=form, org=None)


def _organisation_page(org: Organisation, contact_form: ContactForm) -> str:
    people = accounts.list_users(db(), organisation_id=org.id, per_page=100)
    history = audit_log.list_events(db(), target_type="organisation", target_id=str(org.id), per_page=10)
    repositories = members.list_repositories(db(), org)
    return render_template(
        "desk/organisation.html", org=org, repositories=repositories,
        contacts=members.list_contacts(db(), org), people=people.items, contact_form=contact_form,
        history=history, country_name=countries().get(org.country, ""),
        statuses=credentials.credential_statuses(db(), [rv.repository for rv in repositories]),
    )


@bp.route("/members/<int:org_id>")
def organisation(org_id: int) -> str:
    org = members.get_organisation(db(), org_id)
    return _organisation_page(org, ContactForm())


@bp.route("/members/<int:org_id>/edit", methods=["GET", "POST"])
def organisation_edit(org_id: int) -> object:
    org = members.get_organisation(db(), org_id)
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        try:
            members.update_organisation(db(), org, _org_input(form), actor=current_user, ip=client_ip(), now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash("Saved.", "success")
            return redirect(url_for("desk.organisation", org_id=org.id))
    return render_template("desk/organisation_form.html", form=form, org=org)


@bp.route("/members/<int:org_id>/contacts", methods=["POST"])
def contact_add(org_id: int) -> object:
    org = members.get_organisation(db(), org_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            members.add_contact(db(), org, ContactInput(name=form.name.data, email=form.email.data,
                                                        role=form.role.data, phone=form.phone.data or ""),
                                actor=current_user, ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash("Contact added.", "success")
            return redirect(url_for("desk.organisation", org_id=org.id, _anchor="contacts"))
    return _organisation_page(org, form), 422


@bp.route("/members/<int:org_id>/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
def contact_delete(org_id: int, contact_id: int) -> object:
    org = members.get_organisation(db(), org_id)
    contact = members.get_contact(db(), org, contact_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        members.remove_contact(db(), contact, actor=current_user, ip=client_ip())
        flash(f"{contact.name} is no longer a contact of {org.name}.", "success")
        return redirect(url_for("desk.organisation", org_id=org.id, _anchor="contacts"))
    return render_template("admin/confirm.html", form=form, heading=f"Remove {contact.name} as a contact?",
                           text=f"{contact.email} will no longer receive mail about {org.name}.",
                           button="Remove contact", cancel=url_for("desk.organisation", org_id=org.id))


def _repo_input(form: RepositoryForm) -> RepositoryInput:
    return RepositoryInput(symbol=form.symbol.data or "", name=form.name.data or "",
                           environment=form.environment.data or "", prefixes=form.prefixes.data or "",
                           domains=form.domains.data or "", active=bool(form.active.data),
                           api_target=form.api_target.data or "")


@bp.route("/members/<int:org_id>/repositories/new", methods=["GET", "POST"])
def repository_new(org_id: int) -> object:
    org = members.get_organisation(db(), org_id)
    form = RepositoryForm()
    if request.method == "GET" and org.datacite_member_id:
        form.symbol.data = f"{org.datacite_member_id}."
    if form.validate_on_submit():
        try:
            repo = members.create_repository(db(), org, _repo_input(form), actor=current_user, ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"Repository {repo.symbol} is added.", "success")
            return redirect(url_for("desk.repository", repo_id=repo.id))
    return render_template("desk/repository_form.html", form=form, org=org, repo=None)


@bp.route("/repositories/<int:repo_id>")
def repository(repo_id: int) -> str:
    repo = members.get_repository(db(), repo_id)
    org = members.get_organisation(db(), repo.organisation_id)
    history = audit_log.list_events(db(), target_type="repository", target_id=str(repo.id), per_page=20)
    return render_template("desk/repository.html", repo=repo, org=org, prefixes=members.prefixes_of(db(), repo),
                           history=history, **tools_context(repo))


@bp.route("/repositories/<int:repo_id>/edit", methods=["GET", "POST"])
def repository_edit(repo_id: int) -> object:
    repo = members.get_repository(db(), repo_id)
    org = members.get_organisation(db(), repo.organisation_id)
    form = RepositoryForm(obj=repo)
    if request.method == "GET":
        form.prefixes.data = ", ".join(members.prefixes_of(db(), repo))
    if form.validate_on_submit():
        try:
            _repo, changes = members.update_repository(db(), repo, _repo_input(form), actor=current_user,
                                                       ip=client_ip(), now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash("Saved." if changes else "Nothing changed.", "success")
            if any(name in changes for name in IDENTITY_FIELDS):
                flash("Any stored DataCite credential was cleared: it belonged to the repository's old ID, "
                      "environment or API target.", "warning")
            return redirect(url_for("desk.repository", repo_id=repo.id))
    return render_template("desk/repository_form.html", form=form, org=org, repo=repo)
