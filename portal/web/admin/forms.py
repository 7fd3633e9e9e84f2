"""Admin forms: inviting and editing accounts, confirming destructive actions."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from portal.models.accounts import ROLE_LABELS
from portal.web.fields import Mandatory, SelectField, choices


def role_choices() -> list[SelectChoice]:
    return choices((role.value, label) for role, label in ROLE_LABELS.items())


class InviteForm(FlaskForm):
    email = EmailField("Email address", validators=[Mandatory(), Length(max=254)])
    name = StringField("Name", validators=[Mandatory(), Length(max=200)])
    role = SelectField("Role", choices=role_choices())
    organisation_id = SelectField("Member organisation (member users only)", coerce=str, validate_choice=False)


class UserForm(FlaskForm):
    name = StringField("Name", validators=[Mandatory(), Length(max=200)])
    role = SelectField("Role", choices=role_choices())
    organisation_id = SelectField("Member organisation (member users only)", coerce=str, validate_choice=False)


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the confirmation page's button."""
