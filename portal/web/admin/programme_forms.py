"""Forms of the RSP programme pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class NotesForm(FlaskForm):
    notes = TextAreaField("Notes (human evidence: what was checked, by whom, where the proof is)",
                          validators=[Length(max=20_000)])
    attest = BooleanField("I confirm this requirement is met as of today (for items that need human evidence)")


class DocumentForm(FlaskForm):
    document = FileField("Attach a document (PDF, image, text; up to the attachment size limit)")


class StepForm(FlaskForm):
    happened_on = DateField("Date", validators=[Optional()])
    people = StringField("People involved", validators=[Length(max=500)])
    notes = TextAreaField("Notes", validators=[Length(max=20_000)])


class RenewalForm(FlaskForm):
    remarks = TextAreaField("Remarks for DataCite", validators=[Length(max=20_000)])


class BadgeForm(FlaskForm):
    badge = FileField("Badge image from DataCite (PNG or SVG, at most 512 KB)")
