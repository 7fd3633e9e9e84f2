"""Forms of the DataCite staff pages and of the admin pages that serve them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import EmailField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.web.fields import Mandatory, SelectField, choices

URGENCY = [("low", "Low: when convenient"), ("normal", "Normal"), ("high", "High: members are affected"),
           ("urgent", "Urgent: registrations are failing now")]


class StaffRequestForm(FlaskForm):
    subject = StringField("Subject", validators=[Mandatory(), Length(max=300)])
    organisation_id = SelectField("Member organisation", validate_choice=False)
    repository = StringField("Repository ID", validators=[Length(max=40)],
                             render_kw={"placeholder": "UNIX.DATA", "spellcheck": "false"})
    dois = TextAreaField("DOIs concerned (one per line)", validators=[Length(max=20_000)])
    observed = TextAreaField("What DataCite observed", validators=[Mandatory(), Length(max=100_000)])
    error_text = TextAreaField("Error messages or log lines (optional)", validators=[Length(max=20_000)])
    urgency = SelectField("Urgency", choices=choices(URGENCY), default="normal", validate_choice=False)
    reply_to = EmailField("Reply-to address", validators=[Length(max=254)])
    attachments = MultipleFileField("Attach files")


class StaffReplyForm(FlaskForm):
    body = TextAreaField("Add information or reply", validators=[Mandatory(), Length(max=100_000)])
    seen_message_id = HiddenField()
    attachments = MultipleFileField("Attach files")


class ContactForm(FlaskForm):
    email = EmailField("Designated contact address", validators=[Mandatory(), Length(max=254)])
    primary_agent_id = SelectField("Primary agent", validate_choice=False)
    backup_agent_id = SelectField("Backup agent", validate_choice=False)
    group_id = SelectField("Group that receives the requests", validate_choice=False)
    ack_hours = IntegerField("Acknowledge within (business hours)", validators=[Optional()])
    answer_hours = IntegerField("Answer within (business hours)", validators=[Optional()])
    backup_after_hours = IntegerField("Alert the backup after a further (business hours)", validators=[Optional()])


class ProfileTextForm(FlaskForm):
    description = TextAreaField("What the service is", validators=[Mandatory(), Length(max=10_000)])
    hosting = TextAreaField("Hosting", validators=[Length(max=10_000)])
    support_policy = TextAreaField("Support policy", validators=[Length(max=10_000)])
    documentation_url = StringField("Documentation address (optional)", validators=[Length(max=500)])
