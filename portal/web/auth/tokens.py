"""One's own API tokens: list, create (the token is shown once), revoke behind a confirmation page."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, fresh_login_required

from portal.errors import ValidationFailed
from portal.models import User
from portal.services import api_tokens
from portal.web.auth import bp
from portal.web.auth.forms import EmptyForm, TokenForm
from portal.web.common import apply_errors, client_ip, db, utcnow
from portal.web.fields import choices


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def _expiry(choice: str | None, now: datetime) -> datetime | None:
    return None if choice == "never" or not (choice or "").isdigit() else now + timedelta(days=int(choice or 0))


@bp.route("/account/tokens")
def tokens() -> str:
    return render_template("auth/tokens.html", tokens=api_tokens.list_tokens(db(), _me()), now=utcnow(),
                           state=api_tokens.token_state)


@bp.route("/account/tokens/new", methods=["GET", "POST"])
@fresh_login_required
def token_new() -> object:
    user = _me()
    allowed = sorted(api_tokens.allowed_scopes(user.role))
    form = TokenForm()
    form.scopes.choices = choices((scope, f"{scope}: {api_tokens.SCOPES[scope]}") for scope in allowed)
    if request.method == "GET":
        form.scopes.data = allowed
    if form.validate_on_submit():
        now = utcnow()
        try:
            token, plaintext = api_tokens.create_token(
                db(), user=user, name=form.name.data or "", scopes=form.scopes.data or [],
                expires_at=_expiry(form.expires_at.data, now), actor=user, ip=client_ip(), now=now,
            )
        except ValidationFailed as exc:
            db().rollback()
            apply_errors(form, exc)
        else:
            # Rendered, never redirected: the token must not travel in a URL, a flash message or the session.
            return render_template("auth/token_created.html", token=token, plaintext=plaintext)
    return render_template("auth/token_new.html", form=form)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
def token_revoke(token_id: int) -> object:
    token = api_tokens.get_token(db(), token_id, owner=_me())
    form = EmptyForm()
    if form.validate_on_submit():
        if api_tokens.revoke_token(db(), token, actor=_me(), ip=client_ip(), now=utcnow()):
            flash(f"The token {token.prefix}… ({token.name}) is revoked; calls with it fail from now on.", "success")
        else:
            flash(f"The token {token.prefix}… was already revoked.", "info")
        return redirect(url_for("auth.tokens"))
    return render_template("auth/token_revoke.html", form=form, token=token)
