"""Error pages: HTML for people, JSON under /api/; never a traceback (C22)."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal import audit
from portal.db import get_session
from portal.errors import DomainError, Throttled
from portal.web.common import client_ip

log = logging.getLogger("portal.errors")

EXPLANATIONS = {
    400: ("Bad request", "The request could not be understood. Check what you sent and try again."),
    401: ("Sign-in needed", "Sign in, or send a valid API token."),
    403: ("Not allowed", "Your account does not give access to this."),
    404: ("Not found", "There is nothing here. The link may be old, or the item was removed."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "What you sent is larger than the portal accepts."),
    415: ("Unsupported media type", "Send the body in a format this address accepts."),
    409: ("Conflict", "This clashes with the current state of the item. Reload and try again."),
    422: ("Cannot be saved", "Some of what you sent is not valid."),
    429: ("Too many requests", "Slow down a little, then try again."),
    500: ("Something went wrong", "The portal hit an unexpected error. Nothing you sent was lost; "
                                  "try again, and quote the reference below if it happens again."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(status: int, detail: str | None = None, reference: str | None = None,
                 headers: dict[str, str] | None = None, extra: dict[str, object] | None = None) -> Response:
    """The error as a page, or under /api/ as ``{"error": {"status", "title", "detail", ...extra}}``."""
    title, default = EXPLANATIONS.get(status, ("Error", "The request failed."))
    detail = detail or default
    if _wants_json():
        body: dict[str, object] = {"status": status, "title": title, "detail": detail, **(extra or {})}
        if reference:
            body["reference"] = reference
        response = jsonify(error=body)
    else:
        try:
            body = render_template("errors/error.html", status=status, title=title, detail=detail, reference=reference)
        except Exception:  # e.g. an untrusted Host: no URLs can be built, so answer in plain text
            response = Response(f"{status} {title}\n\n{detail}\n", mimetype="text/plain")
        else:
            response = Response(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handle_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status >= 500:
        return handle_crash(exc)
    detail = exc.description if exc.description and exc.description != type(exc).description else None
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    if status == 429 and getattr(exc, "retry_after", None):
        headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
    return render_error(status, detail, headers=headers)


def handle_csrf(exc: CSRFError) -> Response:
    """A missing or bad CSRF token: refused, logged and audited (C04, C23)."""
    log.warning("CSRF refusal on %s %s: %s", request.method, request.path, exc.description)
    try:
        session = get_session()
        session.rollback()
        audit.record(session, "security.csrf_failure", detail={"path": request.path, "reason": exc.description},
                     ip=client_ip())
        session.commit()
    except Exception:  # the refusal must not depend on the database
        log.exception("could not audit a CSRF refusal")
    return render_error(403, "The form was not sent from this site or has expired. Reload the page and try again.")


def handle_domain(exc: DomainError) -> Response:
    """A service refused: show its message with the matching status."""
    try:
        get_session().rollback()
    except Exception:  # noqa: S110  (the message matters more than the rollback)
        pass
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else None
    return render_error(exc.status, exc.message or None, headers=headers)


def handle_crash(exc: BaseException) -> Response:
    reference = secrets.token_hex(6)
    original = getattr(exc, "original_exception", None) or exc
    log.error("unhandled error %s on %s %s", reference, request.method, request.path,
              exc_info=(type(original), original, original.__traceback__))
    try:
        get_session().rollback()
    except Exception:  # noqa: S110  (the error page must render even if the database is gone)
        pass
    return render_error(500, reference=reference)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(DomainError, handle_domain)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_crash)
    app.register_error_handler(Exception, handle_crash)
