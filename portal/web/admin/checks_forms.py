"""The schema support plan form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.models.checks import PlanState
from portal.services.checks.readiness import STATUS_LABELS
from portal.web.fields import Mandatory, SelectField, choices


class SchemaPlanForm(FlaskForm):
    version = StringField("Metadata Schema version", validators=[Mandatory(), Length(max=10)])
    owner = StringField("Owner (who is responsible)", validators=[Mandatory(), Length(max=200)])
    target_date = DateField("Target date", validators=[Optional()])
    status = SelectField("Status", choices=choices((s.value, STATUS_LABELS[s]) for s in PlanState))
    notes = TextAreaField("Notes", validators=[Length(max=10_000)])
