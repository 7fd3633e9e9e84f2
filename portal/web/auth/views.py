"""Signing in and out, two-factor sign-in, invitations, password resets and one's own account."""

from __future__ import annotations

import io
import time

import segno
from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import confirm_login, current_user, login_user, logout_user

from portal.errors import Throttled, ValidationFailed
from portal.models import Role, User
from portal.passwords import verify_password
from portal.security import mark_signed_in
from portal.services import accounts, throttle, twofactor
from portal.services.tokens import TokenInvalid, peek_token
from portal.vault_app import get_vault
from portal.web.auth import bp
from portal.web.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    EmptyForm,
    ForgotForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    ReauthForm,
    RecoveryForm,
)
from portal.web.common import apply_errors, client_ip, db, policy, safe_next, utcnow
from portal.web.fields import choices
from portal.web.filters import all_timezones

PENDING_SECONDS = 300
HOMES = {
    Role.admin: "admin.home",
    Role.agent: "desk.home",
    Role.publisher: "publish.home",
    Role.datacite_staff: "staff.home",
    Role.member: "member.home",
}


def home_url(user: User) -> str:
    return url_for(HOMES.get(Role(user.role), "docs.index"))


def _complete_login(user: User, *, remember: bool, next_url: str | None, method: str) -> Response:
    """Start a brand-new session for the user (C09) and send them on."""
    session.clear()
    remember = remember and user.role != Role.admin and current_app.config["REMEMBER_DAYS"] > 0
    login_user(user, remember=remember, fresh=True)
    mark_signed_in(remember)
    accounts.record_login(db(), user, now=utcnow(), ip=client_ip(), method=method)
    return redirect(safe_next(next_url, home_url(user)))


def _throttled_page(template: str, form: object, exc: Throttled, **context: object) -> tuple[str, int, dict]:
    flash(exc.message, "error")
    return render_template(template, form=form, **context), 429, {"Retry-After": str(exc.retry_after)}


@bp.route("/home")
def home() -> Response:
    return redirect(home_url(current_user))


@bp.route("/login", methods=["GET", "POST"])
def login() -> object:
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db(), email=form.email.data, password=form.password.data,
                                         ip=client_ip(), now=utcnow(), policy=policy())
        except Throttled as exc:
            return _throttled_page("auth/login.html", form, exc, next_url=next_url)
        except accounts.LoginFailed as exc:
            form.form_errors.append(exc.message)
            return render_template("auth/login.html", form=form, next_url=next_url)
        if user.totp_enabled:
            session.clear()
            session["pending_2fa"] = user.get_id()
            session["pending_at"] = int(time.time())
            session["pending_remember"] = bool(form.remember.data)
            session["pending_next"] = safe_next(next_url, "")
            return redirect(url_for("auth.two_factor"))
        return _complete_login(user, remember=bool(form.remember.data), next_url=next_url, method="password")
    return render_template("auth/login.html", form=form, next_url=next_url)


def _pending_user() -> User | None:
    identity = session.get("pending_2fa")
    if not identity or int(time.time()) - int(session.get("pending_at", 0)) > PENDING_SECONDS:
        return None
    from portal.security import load_user

    return load_user(identity)


@bp.route("/login/two-factor", methods=["GET", "POST"])
def two_factor() -> object:
    user = _pending_user()
    if user is None:
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            twofactor.verify(db(), user, vault=get_vault(), code=form.code.data, now=utcnow(), ip=client_ip())
        except Throttled as exc:
            return _throttled_page("auth/two_factor.html", form, exc)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            return _complete_login(user, remember=session.get("pending_remember", False),
                                   next_url=session.get("pending_next"), method="password+totp")
    return render_template("auth/two_factor.html", form=form)


@bp.route("/login/recovery", methods=["GET", "POST"])
def recovery() -> object:
    user = _pending_user()
    if user is None:
        flash("Please sign in again.", "info")
        return redirect(url_for("auth.login"))
    form = RecoveryForm()
    if form.validate_on_submit():
        try:
            twofactor.use_recovery_code(db(), user, code=form.code.data, now=utcnow(), ip=client_ip())
        except Throttled as exc:
            return _throttled_page("auth/recovery.html", form, exc)
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            left = twofactor.remaining_recovery_codes(db(), user)
            flash(f"Signed in with a recovery code. {left} codes are left; make new ones on your account page.",
                  "warning")
            return _complete_login(user, remember=False, next_url=url_for("auth.two_factor_setup"),
                                   method="password+recovery")
    return render_template("auth/recovery.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    form = EmptyForm()
    if form.validate_on_submit():
        accounts.logout(db(), current_user, ip=client_ip())
    session.clear()
    logout_user()  # after clear(): it leaves the instruction to delete the remember cookie
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/reauthenticate", methods=["GET", "POST"])
def reauthenticate() -> object:
    form = ReauthForm()
    code_form = CodeForm(prefix="totp") if current_user.totp_enabled else None
    next_url = request.args.get("next")
    if form.validate_on_submit():
        ok, _ = verify_password(current_user.password_hash, form.password.data, policy().hash_profile)
        if not ok:
            form.password.errors = ["Your password is not correct."]
        elif code_form is not None:
            try:
                twofactor.verify(db(), current_user, vault=get_vault(), code=code_form.code.data or "",
                                 now=utcnow(), ip=client_ip())
            except Throttled as exc:
                return _throttled_page("auth/reauthenticate.html", form, exc, code_form=code_form)
            except ValidationFailed as exc:
                apply_errors(code_form, exc)
            else:
                confirm_login()
                return redirect(safe_next(next_url, home_url(current_user)))
        else:
            confirm_login()
            return redirect(safe_next(next_url, home_url(current_user)))
    return render_template("auth/reauthenticate.html", form=form, code_form=code_form)


@bp.route("/forgot", methods=["GET", "POST"])
def forgot() -> object:
    form = ForgotForm()
    if form.validate_on_submit():
        now = utcnow()
        key = f"reset:{client_ip()}"
        wait = throttle.locked_for(db(), [key], now)
        if wait:
            return _throttled_page("auth/forgot.html", form, Throttled(
                "Too many reset requests from your network. Try again later.", wait))
        throttle.record_failure(db(), [throttle.Limit(key, 10, policy().lock)], now)
        accounts.request_password_reset(db(), email=form.email.data, policy=policy(), now=now, ip=client_ip())
        flash("If an account exists for that address, we have sent it a link to choose a new password.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


def _token_page(purpose: str, token: str, template: str, action: object) -> object:
    try:
        row = peek_token(db(), secret_key=policy().secret_key, purpose=purpose, signed=token, now=utcnow())
    except TokenInvalid as exc:
        return render_template("auth/token_invalid.html", message=exc.message), 400
    user = accounts.get_user(db(), row.user_id or 0)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            action(signed=token, password=form.password.data)  # type: ignore[operator]
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        except TokenInvalid as exc:
            return render_template("auth/token_invalid.html", message=exc.message), 400
        else:
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
    return render_template(template, form=form, user=user)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> object:
    def act(**kw: str) -> None:
        accounts.reset_password(db(), policy=policy(), now=utcnow(), ip=client_ip(), **kw)

    return _token_page(accounts.PASSWORD_RESET, token, "auth/reset.html", act)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str) -> object:
    def act(**kw: str) -> None:
        accounts.accept_invitation(db(), policy=policy(), now=utcnow(), ip=client_ip(), **kw)

    return _token_page(accounts.INVITE, token, "auth/invitation.html", act)


@bp.route("/account", methods=["GET", "POST"])
def account() -> object:
    form = ProfileForm(obj=current_user)
    zones = all_timezones()
    form.timezone.choices = choices([("", f"Default ({current_app.config['DEFAULT_TIMEZONE']})")] + [(z, z) for z in zones])
    if form.validate_on_submit():
        try:
            accounts.update_profile(db(), current_user, name=form.name.data, timezone=form.timezone.data or "",
                                    valid_zones=set(zones))
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("auth.account"))
    codes_left = twofactor.remaining_recovery_codes(db(), current_user) if current_user.totp_enabled else 0
    return render_template("auth/account.html", form=form, codes_left=codes_left)


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> object:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        try:
            accounts.change_password(db(), user, current=form.current_password.data, new=form.password.data,
                                     policy=policy(), now=utcnow(), ip=client_ip())
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            # Other sessions ended with the old session version; this one continues under the new one.
            remembered = bool(session.get("remembered"))
            session.clear()
            login_user(user, remember=remembered, fresh=True)
            mark_signed_in(remembered)
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
def two_factor_setup() -> object:
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    start_form = EmptyForm(prefix="start")
    code_form = CodeForm(prefix="confirm")
    vault = get_vault()
    if user.totp_enabled:
        return render_template("auth/two_factor_setup.html", enabled=True, start_form=start_form,
                               codes_left=twofactor.remaining_recovery_codes(db(), user))
    action = request.form.get("action") if request.method == "POST" else None
    if action == "start":
        if start_form.validate_on_submit():
            twofactor.begin_enrolment(db(), user, vault=vault)
        return redirect(url_for("auth.two_factor_setup"))
    if action == "confirm" and code_form.validate_on_submit():
        try:
            codes = twofactor.confirm_enrolment(db(), user, vault=vault, code=code_form.code.data, now=utcnow(),
                                                ip=client_ip())
        except Throttled as exc:
            flash(exc.message, "error")
        except ValidationFailed as exc:
            apply_errors(code_form, exc)
        else:
            flash("Two-factor sign-in is on.", "success")
            return render_template("auth/recovery_codes.html", codes=codes)
    secret = twofactor.pending_secret(user, vault=vault)
    return render_template("auth/two_factor_setup.html", enabled=False, secret=secret, start_form=start_form,
                           code_form=code_form)


@bp.route("/account/two-factor/qr.svg")
def two_factor_qr() -> Response:
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    secret = None if user.totp_enabled else twofactor.pending_secret(user, vault=get_vault())
    if not secret:
        return Response("No enrolment in progress.", status=404, mimetype="text/plain")
    buffer = io.BytesIO()
    segno.make(twofactor.provisioning_uri(user, secret, current_app.config["SITE_NAME"]), error="m").save(
        buffer, kind="svg", scale=5, border=2, xmldecl=False
    )
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
def recovery_codes() -> object:
    form = EmptyForm()
    if not current_user.totp_enabled or not form.validate_on_submit():
        return redirect(url_for("auth.two_factor_setup"))
    codes = twofactor.new_recovery_codes(db(), current_user, ip=client_ip())
    return render_template("auth/recovery_codes.html", codes=codes)
