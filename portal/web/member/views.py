"""Pages for staff of member institutions: only their own organisation, ever."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from portal.models import Organisation
from portal.services import members
from portal.web.common import db
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
    return render_template("member/organisation.html", org=org, repositories=members.list_repositories(db(), org),
                           contacts=members.list_contacts(db(), org))
