"""Admin pages for the DataCite staff channel: the designated contact and the service profile texts."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.errors import ValidationFailed
from portal.services.staff import contact as contact_service
from portal.services.staff import profile as profile_service
from portal.services.tickets.assignment import assignable_agents
from portal.services.tickets.groups import list_groups
from portal.web.admin import bp
from portal.web.common import apply_errors, client_ip, db, utcnow
from portal.web.fields import choices
from portal.web.staff.forms import ContactForm, ProfileTextForm


def _id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@bp.route("/designated-contact", methods=["GET", "POST"])
def designated_contact() -> Any:
    current = contact_service.get_contact(db())
    form = ContactForm(obj=current)
    people = [("", "— choose —")] + [(str(u.id), u.name) for u in assignable_agents(db())]
    form.primary_agent_id.choices = choices(people)
    form.backup_agent_id.choices = choices(people)
    form.group_id.choices = choices([("", "— none —")] + [(str(g.id), g.name) for g in list_groups(db())])
    if not form.is_submitted():
        form.email.data = current.email if current else current_app.config["CONTACT_EMAIL"]
        for field in ("primary_agent_id", "backup_agent_id", "group_id"):
            getattr(form, field).data = str(getattr(current, field) or "") if current else ""
        form.ack_hours.data = (current.ack_business_minutes // 60) if current else 8
        form.answer_hours.data = (current.answer_business_minutes // 60) if current else 16
        form.backup_after_hours.data = (current.backup_after_business_minutes // 60) if current else 4
    if form.validate_on_submit():
        try:
            contact_service.save_contact(db(), contact_service.ContactInput(
                email=form.email.data or "", primary_agent_id=_id(form.primary_agent_id.data),
                backup_agent_id=_id(form.backup_agent_id.data), group_id=_id(form.group_id.data),
                ack_business_minutes=(form.ack_hours.data or 0) * 60,
                answer_business_minutes=(form.answer_hours.data or 0) * 60,
                backup_after_business_minutes=(form.backup_after_hours.data or 0) * 60,
            ), actor=current_user, now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            errors = {k.replace("ack_business_minutes", "ack_hours").replace("answer_business_minutes", "answer_hours")
                      .replace("backup_after_business_minutes", "backup_after_hours"): v for k, v in exc.errors.items()}
            apply_errors(form, ValidationFailed(errors))
        else:
            flash("The designated contact is saved.", "success")
            return redirect(url_for("admin.designated_contact"))
    return render_template("admin/designated_contact.html", form=form, contact=current,
                           warnings=contact_service.warnings(db()))


@bp.route("/service-profile", methods=["GET", "POST"])
def service_profile() -> Any:
    texts = profile_service.current_texts(db())
    form = ProfileTextForm(obj=texts)
    if form.validate_on_submit():
        try:
            profile_service.save_texts(db(), description=form.description.data or "", hosting=form.hosting.data or "",
                                       support_policy=form.support_policy.data or "",
                                       documentation_url=form.documentation_url.data or "", actor=current_user,
                                       now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash("Saved. The service profile now shows the new text.", "success")
            return redirect(url_for("admin.service_profile"))
    return render_template("admin/service_profile.html", form=form, history=profile_service.text_history(db()))
