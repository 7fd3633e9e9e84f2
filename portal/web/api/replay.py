"""Idempotency-Key on the web side: read the header, claim the key, run once, replay afterwards (C28)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, g, request

from portal.services import idempotency
from portal.web.api.problems import ApiProblem
from portal.web.common import db, utcnow

log = logging.getLogger("portal.api")

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
_HELP = "Send a unique value per action, such as a UUID, and reuse it only to retry that action."


def _unquote(value: str) -> str | None:
    """The content of a Structured Field string (RFC 8941: only \\" and \\\\ escapes), or None if malformed."""
    if len(value) < 2 or not value.endswith('"'):
        return None
    out, chars = [], iter(value[1:-1])
    for ch in chars:
        if ch == "\\":
            ch = next(chars, "")
            if ch not in ('"', "\\"):
                return None
        elif ch == '"':
            return None
        out.append(ch)
    return "".join(out)


def parse_key(raw: str | None) -> str:
    """The key from the header: a Structured Field string (``"..."``) or, leniently, the bare value."""
    if raw is None or not raw.strip():
        raise ApiProblem(400, f"This operation needs an `{HEADER}` header. {_HELP}", title="Idempotency-Key is missing")
    value: str | None = raw.strip()
    if raw.strip().startswith('"'):
        value = _unquote(value)
    elif '"' in raw or "\\" in raw:
        value = None
    if value is None or not 1 <= len(value) <= idempotency.MAX_KEY_LENGTH or not all(32 <= ord(ch) < 127 for ch in value):
        raise ApiProblem(400, f"The `{HEADER}` must be 1 to {idempotency.MAX_KEY_LENGTH} visible ASCII characters, "
                              "optionally as a quoted string. " + _HELP, title="Idempotency-Key is malformed")
    return value


def _replayed(stored: idempotency.StoredResponse) -> Response:
    response = current_app.response_class(stored.body, status=stored.status, mimetype="application/json")
    response.headers[REPLAYED] = "true"
    if stored.location:
        response.headers["Location"] = stored.location
    return response


def run_once(call: Callable[[], Response], *, body: Any) -> Response:
    """Run ``call`` once per key of the current token; replay its stored response to retries."""
    key = parse_key(request.headers.get(HEADER))
    session = db()
    try:
        outcome = idempotency.claim_key(session, token_id=g.api_token.id, key=key, method=request.method,
                                        path=request.path, body=body, now=utcnow())
    except idempotency.KeyReused as exc:
        raise ApiProblem(422, exc.message, title="Idempotency-Key reused") from None
    except idempotency.KeyInFlight as exc:
        raise ApiProblem(409, exc.message, headers={"Retry-After": "1"}, title="Request in progress") from None
    if isinstance(outcome, idempotency.StoredResponse):
        return _replayed(outcome)
    try:
        response = call()
    except BaseException:
        _release(outcome)
        raise
    if response.status_code >= 500:  # nothing worth replaying: let the client retry
        _release(outcome)
        return response
    idempotency.complete_claim(session, outcome, status=response.status_code, body=response.get_data(as_text=True),
                               location=response.headers.get("Location"), now=utcnow())
    return response


def _release(claim: idempotency.Claim) -> None:
    try:
        idempotency.release_claim(db(), claim)
    except Exception:  # the original error matters more; the key frees itself when abandoned
        log.exception("could not release idempotency claim %s", claim.record_id)
