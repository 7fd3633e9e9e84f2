"""Forms of the publishing pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.services.docs.frontmatter import AUDIENCES
from portal.web.fields import SelectField, choices


class EditForm(FlaskForm):
    text = TextAreaField("Page text (Markdown with front matter)",
                         validators=[DataRequired("The page needs some text."), Length(max=200_000)],
                         render_kw={"rows": 28, "spellcheck": "true", "class": "editor"})
    message = StringField("What changed (for the revision history)", validators=[Length(max=300)])
    base_hash = HiddenField()


class NewPageForm(FlaskForm):
    slug = StringField("Address", validators=[DataRequired("Choose the page's address."), Length(max=120)],
                       render_kw={"placeholder": "troubleshooting/new-error", "spellcheck": "false"})
    title = StringField("Title", validators=[DataRequired("Give the page a title."), Length(max=200)])
    summary = StringField("Summary", validators=[DataRequired("Write a one-sentence summary."), Length(max=300)])
    section = SelectField("Section", choices=[], validate_choice=False)
    audience = SelectField("Who may read it", choices=choices(
        (a, {"public": "Everyone (public)", "members": "Signed-in members and staff",
             "agents": "Agents, admins and publishers"}[a]) for a in AUDIENCES))


class RenameForm(FlaskForm):
    new_slug = StringField("New address", validators=[DataRequired("Enter the new address."), Length(max=120)],
                           render_kw={"spellcheck": "false"})


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""
