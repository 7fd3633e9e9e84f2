"""Sessions, CSRF, headers and host checks: what protects every request and response."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, current_app, flash, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.db import get_session
from portal.models import User

log = logging.getLogger("portal.security")
csrf = CSRFProtect()


class PortalLoginManager(LoginManager):
    """flask-login, but the cookie that deletes the remember cookie carries its attributes (flask-login #734)."""

    def _clear_cookie(self, response: Response) -> None:
        cfg = current_app.config
        response.delete_cookie(
            cfg["REMEMBER_COOKIE_NAME"],
            path="/",
            secure=cfg["REMEMBER_COOKIE_SECURE"],
            httponly=True,
            samesite=cfg["REMEMBER_COOKIE_SAMESITE"],
        )


login_manager = PortalLoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
login_manager.refresh_view = "auth.reauthenticate"
login_manager.needs_refresh_message = "Please confirm your password to continue."
login_manager.needs_refresh_message_category = "info"
login_manager.session_protection = "basic"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """Resolve ``"<id>:<session version>"``; an old version (after logout) resolves to nobody."""
    try:
        raw_id, raw_version = identity.split(":", 1)
        user_id, version = int(raw_id), int(raw_version)
    except ValueError:
        return None
    user = get_session().get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def init_app(app: Flask) -> None:
    if app.config["PROXY_HOPS"]:
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    csrf.init_app(app)
    login_manager.init_app(app)
    app.before_request(enforce_session_limits)
    app.after_request(set_security_headers)


def mark_signed_in(remember: bool) -> None:
    """Start the timers of a new session (called right after login_user)."""
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now
    session["remembered"] = remember
    session.permanent = True


def enforce_session_limits() -> Response | None:
    """End sessions that were idle too long or are older than the absolute limit (C11)."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    cfg = current_app.config
    if "auth_at" not in session:
        # Restored from a remember cookie: a new session starts now.
        mark_signed_in(remember=True)
        return None
    idle = now - int(session.get("seen_at", now))
    age = now - int(session["auth_at"])
    too_idle = not session.get("remembered") and idle > int(cfg["SESSION_IDLE_MINUTES"]) * 60
    too_old = not session.get("remembered") and age > int(cfg["SESSION_MAX_HOURS"]) * 3600
    if too_idle or too_old:
        session.clear()
        logout_user()
        flash("You were signed out after a period of inactivity. Please sign in again.", "info")
        if request.path.startswith("/api/"):
            return None
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    session["seen_at"] = now
    return None


def set_security_headers(response: Response) -> Response:
    """CSP, framing, sniffing, referrer and caching headers on every response (C13)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_app.config["ENV"] == "production":
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    headers.pop("Server", None)
    return response
