"""Admin pages for SLA policies: targets per priority, optionally per member organisation."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from portal.errors import ValidationFailed
from portal.models import SlaPolicy
from portal.services import members
from portal.services.sla import calendars, policies
from portal.services.sla.policies import PolicyInput
from portal.web.admin import bp
from portal.web.admin.forms import ConfirmForm
from portal.web.admin.sla_forms import TARGET_HINT, PolicyForm
from portal.web.common import apply_errors, client_ip, db, utcnow
from portal.web.fields import choices


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _form(policy: SlaPolicy | None = None) -> PolicyForm:
    if policy is None:
        form = PolicyForm()
    else:
        form = PolicyForm(obj=policy, organisation_id=str(policy.organisation_id or ""),
                          calendar_id=str(policy.calendar_id), **policies.target_texts(db(), policy))
    form.organisation_id.choices = choices(
        [("", "— all members —")] + [(str(o.id), o.name) for o in members.list_all_organisations(db())])
    form.calendar_id.choices = choices(
        [(str(row.calendar.id), row.calendar.name + (" (default)" if row.calendar.is_default else ""))
         for row in calendars.list_calendars(db())])
    return form


def _input(form: PolicyForm) -> PolicyInput:
    return PolicyInput(
        name=form.name.data or "", priority=form.priority.data or "",
        organisation_id=_int_or_none(form.organisation_id.data), calendar_id=_int_or_none(form.calendar_id.data),
        first_response=form.first_response.data or "", next_update=form.next_update.data or "",
        resolution=form.resolution.data or "", active=bool(form.active.data),
    )


@bp.route("/sla/policies")
def sla_policies() -> str:
    return render_template("admin/sla/policies.html", rows=policies.list_policies(db()))


@bp.route("/sla/policies/new", methods=["GET", "POST"])
def sla_policy_new() -> object:
    form = _form()
    if not form.is_submitted():
        default = calendars.default_calendar(db())
        form.calendar_id.data = str(default.id) if default else ""
    if form.validate_on_submit():
        try:
            policy = policies.create_policy(db(), _input(form), actor=current_user, ip=client_ip(), now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"Policy {policy.name} is saved. New tickets of its priority get its targets.", "success")
            return redirect(url_for("admin.sla_policies"))
    return render_template("admin/sla/policy.html", form=form, policy=None, hint=TARGET_HINT)


@bp.route("/sla/policies/<int:policy_id>", methods=["GET", "POST"])
def sla_policy(policy_id: int) -> object:
    policy = policies.get_policy(db(), policy_id)
    form = _form(policy)
    if form.validate_on_submit():
        try:
            _policy, changes = policies.update_policy(db(), policy, _input(form), actor=current_user, ip=client_ip(),
                                                      now=utcnow())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash("Saved." if changes else "Nothing changed.", "success")
            return redirect(url_for("admin.sla_policies"))
    return render_template("admin/sla/policy.html", form=form, policy=policy, hint=TARGET_HINT, confirm=ConfirmForm())


@bp.route("/sla/policies/<int:policy_id>/delete", methods=["GET", "POST"])
def sla_policy_delete(policy_id: int) -> object:
    policy = policies.get_policy(db(), policy_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        policies.delete_policy(db(), policy, actor=current_user, ip=client_ip())
        flash(f"Policy {policy.name} is deleted.", "success")
        return redirect(url_for("admin.sla_policies"))
    return render_template("admin/confirm.html", form=form, heading=f"Delete the policy {policy.name}?",
                           text="Tickets keep the due times they have; new tickets of this priority fall back to the "
                                "general policy, or get no targets. To pause a policy instead, untick Active.",
                           button="Delete policy", cancel=url_for("admin.sla_policy", policy_id=policy_id))
