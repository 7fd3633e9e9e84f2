"""Forms of the member portal."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.models import Category, Environment
from portal.models.tickets import CATEGORY_LABELS
from portal.web.fields import Mandatory, SelectField, choices


class TicketForm(FlaskForm):
    subject = StringField("Subject", validators=[Mandatory(), Length(max=300)])
    repository_id = SelectField("Repository", validate_choice=False)
    environment = SelectField("Environment", choices=choices(
        [("", "I am not sure")] + [(e.value, e.value.capitalize()) for e in Environment]), validate_choice=False)
    category = SelectField("What is it about?", choices=choices((c.value, CATEGORY_LABELS[c]) for c in Category),
                           default=Category.registration_error.value, validate_choice=False)
    dois = TextAreaField("DOIs concerned (one per line)", validators=[Length(max=20_000)])
    error_text = TextAreaField("DataCite's error message, exactly as shown", validators=[Length(max=20_000)])
    body = TextAreaField("What happened, and what did you expect?", validators=[Mandatory(), Length(max=100_000)])
    attachments = MultipleFileField("Attach files (logs, screenshots, metadata)")


class ReplyForm(FlaskForm):
    body = TextAreaField("Your reply", validators=[Mandatory(), Length(max=100_000)])
    seen_message_id = HiddenField()
    attachments = MultipleFileField("Attach files")


class CloseForm(FlaskForm):
    reason = StringField("Anything we should know? (optional)", validators=[Length(max=500)])


class RateForm(FlaskForm):
    score = IntegerField("How well did we answer? (1 = poor, 5 = excellent)", validators=[Optional()])
    comment = TextAreaField("Comment (optional)", validators=[Length(max=2000)])
