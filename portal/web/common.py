"""Small helpers every view uses: time, client IP, policy, form errors, paging, safe redirects."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlmodel import Session

from portal import audit
from portal.db import get_session
from portal.errors import ValidationFailed
from portal.models.types import utcnow
from portal.services.accounts import AuthPolicy
from portal.services.datacite_calls import Caller, Connector
from portal.services.pagination import clamp_page
from portal.web.filters import viewer_zone

__all__ = ["apply_errors", "audit_here", "caller", "client_ip", "datacite", "day_bound", "db", "page_args", "policy",
           "safe_next", "utcnow"]

CONNECTOR_EXTENSION = "portal.datacite.connector"


def db() -> Session:
    return get_session()


def client_ip() -> str:
    """The client address; X-Forwarded-For counts only behind configured proxies (ProxyFix)."""
    return request.remote_addr or ""


def policy() -> AuthPolicy:
    cached = current_app.extensions.get("portal.auth_policy")
    if cached is None:
        cached = current_app.extensions["portal.auth_policy"] = AuthPolicy.from_config(current_app.config)
    return cached


def datacite() -> Connector:
    """How this app reaches DataCite; tests and in-process sandboxes put their own Connector in the extension."""
    connector = current_app.extensions.get(CONNECTOR_EXTENSION)
    return connector if connector is not None else Connector(config=current_app.config)


def caller() -> Caller:
    """The signed-in user, as DataCite calls and credential changes record them."""
    return Caller(user=current_user._get_current_object() if current_user.is_authenticated else None)  # type: ignore[attr-defined]


def apply_errors(form: FlaskForm, exc: ValidationFailed) -> None:
    """Show a service's validation errors next to the fields they concern."""
    for name, message in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            form.form_errors.append(message)


def page_args(default_sort: str = "", default_per_page: int = 25) -> dict[str, Any]:
    """page, per_page, sort and descending from the query string, never raising on junk."""

    def as_int(name: str) -> int | None:
        raw = request.args.get(name, "")
        return int(raw) if raw.isdigit() and len(raw) < 7 else None

    page, per_page = clamp_page(as_int("page"), as_int("per_page"), default_per_page)
    return {
        "page": page,
        "per_page": per_page,
        "sort": request.args.get("sort", default_sort)[:40],
        "descending": request.args.get("dir") == "desc",
    }


def safe_next(target: str | None, fallback: str) -> str:
    """A redirect target on this site only: a path, never a scheme, host or protocol-relative URL (C15)."""
    if not target:
        return fallback
    target = target.strip()
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return fallback
    return target


def audit_here(action: str, target: Any = None, detail: dict[str, Any] | str | None = None) -> None:
    """Record an audit event for the current user and client (the caller commits)."""
    actor = current_user if current_user.is_authenticated else None
    audit.record(db(), action, actor=actor, target=target, detail=detail, ip=client_ip())


def day_bound(raw: str, *, end: bool = False) -> datetime | None:
    """The start (or end) of a ``YYYY-MM-DD`` day in the viewer's zone; None for anything else."""
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=viewer_zone())
