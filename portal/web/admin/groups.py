"""Groups of agents and how they receive tickets."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from portal.errors import ValidationFailed
from portal.models import AssignmentMode
from portal.services.tickets import groups
from portal.services.tickets.assignment import assignable_agents
from portal.web.admin import bp
from portal.web.common import apply_errors, client_ip, db
from portal.web.fields import Mandatory, SelectField, choices

MODES = [(AssignmentMode.manual.value, "By hand"), (AssignmentMode.round_robin.value, "Round robin"),
         (AssignmentMode.load.value, "Lowest open load")]


class GroupForm(FlaskForm):
    name = StringField("Name", validators=[Mandatory(), Length(max=100)])
    description = StringField("Description", validators=[Length(max=500)])
    assignment = SelectField("New tickets are assigned", choices=choices(MODES))
    is_default = BooleanField("Default group for new tickets")
    active = BooleanField("Active", default=True)


@bp.route("/groups")
def groups_list() -> str:
    views = [groups.group_view(db(), g) for g in groups.list_groups(db(), active_only=False)]
    return render_template("admin/groups.html", views=views, modes=dict(MODES))


def _edit(group_id: int | None) -> Any:
    group = groups.get_group(db(), group_id) if group_id else None
    form = GroupForm(obj=group)
    agents = assignable_agents(db())
    current = groups.group_view(db(), group).members if group else []
    member_ids = {u.id for u, _a in current}
    available_ids = {u.id for u, a in current if a}
    if form.is_submitted():
        member_ids = {int(v) for v in request.form.getlist("member") if v.isdigit()}
        available_ids = {int(v) for v in request.form.getlist("available") if v.isdigit()}
    if form.validate_on_submit():
        try:
            saved = groups.save_group(db(), group, name=form.name.data or "", description=form.description.data or "",
                                      assignment=form.assignment.data, is_default=bool(form.is_default.data),
                                      active=bool(form.active.data), member_ids=sorted(member_ids),
                                      available_ids=sorted(available_ids), actor=current_user, ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            flash(f"Group “{saved.name}” is saved.", "success")
            return redirect(url_for("admin.groups_list"))
    return render_template("admin/group_form.html", form=form, group=group, agents=agents, member_ids=member_ids,
                           available_ids=available_ids)


@bp.route("/groups/new", methods=["GET", "POST"])
def group_new() -> Any:
    return _edit(None)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
def group_edit(group_id: int) -> Any:
    return _edit(group_id)
