"""Forms of the agents' ticket pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from portal.models import Category, Channel, Environment, LinkKind, Priority, Status
from portal.models.tickets import CATEGORY_LABELS, STATUS_LABELS
from portal.web.fields import Mandatory, SelectField, choices

PRIORITIES = [(p.value, p.value.capitalize()) for p in Priority]
CATEGORIES = [(c.value, CATEGORY_LABELS[c]) for c in Category]
ENVIRONMENTS = [("", "—")] + [(e.value, e.value.capitalize()) for e in Environment]


class ReplyForm(FlaskForm):
    body = TextAreaField("Message", validators=[Length(max=100_000)])
    seen_message_id = HiddenField()
    after = SelectField("Then set the status to", validate_choice=False)
    status_reason = StringField("Reason for the status (shown in the history)", validators=[Length(max=500)])
    canned_id = SelectField("Canned answer", validate_choice=False)
    attachments = MultipleFileField("Attach files")


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=choices((s.value, STATUS_LABELS[s]) for s in Status), validate_choice=False)
    reason = StringField("Reason", validators=[Length(max=500)])


class AssignForm(FlaskForm):
    assignee_id = SelectField("Assignee", validate_choice=False)
    group_id = SelectField("Group", validate_choice=False)


class FieldsForm(FlaskForm):
    subject = StringField("Subject", validators=[Mandatory(), Length(max=300)])
    priority = SelectField("Priority", choices=choices(PRIORITIES), validate_choice=False)
    category = SelectField("Category", choices=choices(CATEGORIES), validate_choice=False)
    environment = SelectField("Environment", choices=choices(ENVIRONMENTS), validate_choice=False)
    repository_id = SelectField("Repository", validate_choice=False)
    dois = TextAreaField("DOIs", validators=[Length(max=20_000)])
    tags = StringField("Tags", validators=[Length(max=1000)])


class LinkForm(FlaskForm):
    kind = SelectField("Relation", choices=choices([(LinkKind.relates.value, "relates to"),
                                                     (LinkKind.duplicate_of.value, "is a duplicate of"),
                                                     (LinkKind.parent_of.value, "is the parent of")]), validate_choice=False)
    other = IntegerField("Ticket number", validators=[Optional()])


class MergeForm(FlaskForm):
    target = IntegerField("Merge into ticket number", validators=[Optional()])


class EscalateForm(FlaskForm):
    steps_taken = TextAreaField("Steps already taken", validators=[Length(max=20_000)])
    package = TextAreaField("Package for DataCite support", validators=[Length(max=100_000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField("DataCite's answer", validators=[Mandatory(), Length(max=100_000)])
    reference = StringField("DataCite's reference (optional)", validators=[Length(max=100)])


class NewTicketForm(FlaskForm):
    subject = StringField("Subject", validators=[Mandatory(), Length(max=300)])
    organisation_id = SelectField("Member organisation", validate_choice=False)
    requester = SelectField("Requester (a member user)", validate_choice=False)
    requester_email = StringField("…or a contact's email address", validators=[Length(max=254)])
    repository_id = SelectField("Repository", validate_choice=False)
    environment = SelectField("Environment", choices=choices(ENVIRONMENTS), validate_choice=False)
    category = SelectField("Category", choices=choices(CATEGORIES), validate_choice=False)
    priority = SelectField("Priority", choices=choices(PRIORITIES), default=Priority.normal.value, validate_choice=False)
    dois = TextAreaField("DOIs concerned", validators=[Length(max=20_000)])
    error_text = TextAreaField("DataCite's error message, exactly as shown", validators=[Length(max=20_000)])
    body = TextAreaField("Description", validators=[Mandatory(), Length(max=100_000)])
    tags = StringField("Tags", validators=[Length(max=1000)])
    channel = SelectField("Received by", choices=choices([(Channel.agent.value, "Phone or chat (agent)"),
                                                          (Channel.email.value, "Email")]))
    attachments = MultipleFileField("Attach files")


class BulkForm(FlaskForm):
    action = SelectField("With the selected tickets", validate_choice=False)
    reason = StringField("Reason", validators=[Length(max=500)])


class CannedForm(FlaskForm):
    title = StringField("Title", validators=[Mandatory(), Length(max=200)])
    body = TextAreaField("Answer", validators=[Mandatory(), Length(max=50_000)])
    failure_key = SelectField("DataCite failure it answers", validate_choice=False)
    active = SelectField("Status", choices=choices([("1", "In use"), ("0", "Retired")]), validate_choice=False)
