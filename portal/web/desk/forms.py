"""Forms of the support desk: member organisations, contacts, repositories."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import Length

from portal.identifiers import countries
from portal.models import ApiTarget, ContactRole, Environment
from portal.web.fields import Mandatory, SelectField, choices


class OrganisationForm(FlaskForm):
    name = StringField("Name", validators=[Mandatory(), Length(max=200)])
    datacite_member_id = StringField("DataCite member ID", validators=[Length(max=40)],
                                     render_kw={"autocapitalize": "characters", "spellcheck": "false"})
    ror_id = StringField("ROR ID", validators=[Length(max=60)], render_kw={"spellcheck": "false"})
    country = SelectField("Country", choices=[], validate_choice=False)
    notes = TextAreaField("Notes", validators=[Length(max=10_000)])
    active = BooleanField("Active member", default=True)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = choices([("", "—")] + [(c, f"{n} ({c})") for c, n in sorted(countries().items(), key=lambda i: i[1])])


class ContactForm(FlaskForm):
    name = StringField("Name", validators=[Mandatory(), Length(max=200)])
    email = EmailField("Email", validators=[Mandatory(), Length(max=254)])
    role = SelectField("Role", choices=choices((r.value, r.value.capitalize()) for r in ContactRole))
    phone = StringField("Phone", validators=[Length(max=40)])


class RepositoryForm(FlaskForm):
    symbol = StringField("DataCite repository ID", validators=[Mandatory(), Length(max=40)],
                         render_kw={"autocapitalize": "characters", "spellcheck": "false", "placeholder": "ABC.DATA"})
    name = StringField("Name", validators=[Length(max=200)])
    environment = SelectField("Environment", choices=choices((e.value, e.value.capitalize()) for e in Environment))
    prefixes = StringField("Prefixes", validators=[Length(max=1000)], render_kw={"placeholder": "10.12345"})
    domains = StringField("Allowed domains", default="*", validators=[Length(max=2000)])
    api_target = SelectField("DataCite calls go to", default=ApiTarget.datacite,
                             choices=choices([(ApiTarget.datacite.value, "DataCite (test or production, as above)"),
                                              (ApiTarget.sandbox.value, "The offline sandbox on this machine")]))
    active = BooleanField("Active", default=True)


class HandoverForm(FlaskForm):
    recipient = SelectField("Send the link to", choices=[], validate_choice=False)


class DoiLookupForm(FlaskForm):
    doi = StringField("DOI", validators=[Length(max=400)],
                      render_kw={"spellcheck": "false", "placeholder": "10.12345/abc-def or https://doi.org/..."})


class RecentDoisForm(FlaskForm):
    state = SelectField("State", choices=choices([("", "All"), ("findable", "Findable"), ("registered", "Registered"),
                                                  ("draft", "Draft")]), validate_choice=False)
    page = StringField("Page", default="1", validators=[Length(max=6)])


class AttachForm(FlaskForm):
    ticket = StringField("Attach to ticket #", validators=[Length(max=20)], render_kw={"inputmode": "numeric"})


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""
