"""Forms for signing in and managing one's own account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.web.fields import Mandatory, SelectField, choices


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=1024)])
    remember = BooleanField("Keep me signed in on this device for 14 days")


class CodeForm(FlaskForm):
    code = StringField("Code from your authenticator app",
                       validators=[DataRequired("Enter the six-digit code."), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class RecoveryForm(FlaskForm):
    code = StringField("Recovery code", validators=[DataRequired("Enter one of your recovery codes."), Length(max=40)],
                       render_kw={"autocomplete": "off"})


class ReauthForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=1024)])


class ForgotForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address."), Length(max=254)])


class NewPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("Choose a password."), Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Repeat the new password", validators=[DataRequired("Repeat the password.")],
                            render_kw={"autocomplete": "new-password"})

    def validate_confirm(self, field: PasswordField) -> None:
        from wtforms.validators import ValidationError

        if field.data != self.password.data:
            raise ValidationError("The two passwords are not the same.")


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")],
                                     render_kw={"autocomplete": "current-password"})


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter your name."), Length(max=200)])
    timezone = SelectField("Time zone", choices=[], validate_choice=False)


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post."""


class TokenForm(FlaskForm):
    """A new API token: what it is for, what it may do, how long it lasts."""

    name = StringField("Name", validators=[Mandatory(), Length(max=100)],
                       render_kw={"autocomplete": "off", "placeholder": "e.g. Ticket sync from our CRM"})
    scopes = SelectMultipleField("Scopes", choices=[], validate_choice=False,
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    expires_at = SelectField("Expires", choices=choices([("30", "In 30 days"), ("90", "In 90 days"),
                                                         ("365", "In a year"), ("never", "Never (until revoked)")]),
                             default="90")
