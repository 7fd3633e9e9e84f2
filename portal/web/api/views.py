"""The JSON API's own endpoints: health, the OpenAPI document, who am I, and an echo to try the conventions."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, jsonify
from sqlalchemy import text

from portal import __version__
from portal.web.api import bp
from portal.web.api.auth import api_route
from portal.web.api.openapi import build_document
from portal.web.api.schemas import Schema, array, boolean, integer, nested, string
from portal.web.common import db

HEALTH = Schema("Health", {
    "status": string(required=True, max_length=20, choices=("ok", "degraded")),
    "database": string(required=True, max_length=20, choices=("ok", "unavailable")),
    "version": string(required=True, max_length=40),
})

TOKEN_INFO = Schema("TokenInfo", {
    "prefix": string(required=True, max_length=12, description="The token's first characters, as lists show them."),
    "name": string(required=True, max_length=100),
    "expires_at": string(required=True, max_length=40, format="date-time", nullable=True),
}, description="The token used for this call.")

ME = Schema("Me", {
    "id": integer(required=True, minimum=1),
    "email": string(required=True, max_length=254, format="email"),
    "name": string(required=True, max_length=200),
    "role": string(required=True, max_length=20, choices=("admin", "agent", "datacite_staff")),
    "scopes": array(string(max_length=40), max_items=20, required=True,
                    description="The scopes this token grants now (its own, narrowed to what the role allows)."),
    "token": nested(TOKEN_INFO, required=True),
}, description="The owner of the token.")

ECHO_CONTACT = Schema("EchoContact", {
    "name": string(required=True, max_length=200),
    "email": string(max_length=254, format="email"),
})

ECHO_REQUEST = Schema("EchoRequest", {
    "message": string(required=True, max_length=2000, multiline=True, example="Hello"),
    "kind": string(max_length=20, choices=("question", "incident", "request"), default="question"),
    "priority": integer(minimum=1, maximum=5),
    "urgent": boolean(),
    "tags": array(string(max_length=40, min_length=1), max_items=10),
    "contact": nested(ECHO_CONTACT),
}, description="Anything shaped like this; nothing is stored.")

ECHO_RESPONSE = Schema("EchoResponse", {
    "received": nested(ECHO_REQUEST, required=True, description="The body as validated, defaults filled in."),
    "user_id": integer(required=True, minimum=1),
}, description="What the echo endpoint received.")


@api_route(bp, "/health", ["GET"], public=True, summary="Liveness and database reachability",
           response_schema=HEALTH, tags=("meta",))
def health() -> object:
    """For load balancers and monitoring; 503 when the database cannot be reached."""
    try:
        db().execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # a health check reports, it does not fail
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database, version=__version__), status


@api_route(bp, "/openapi.json", ["GET"], public=True, summary="This API described as OpenAPI 3.1", tags=("meta",))
def openapi() -> object:
    """The machine-readable description of every operation, generated from the routes themselves."""
    return jsonify(build_document(current_app))


@api_route(bp, "/me", ["GET"], summary="The token's owner and scopes", response_schema=ME, tags=("meta",))
def me() -> object:
    """Who the token belongs to; any valid token may ask. Useful to check a token works."""
    user, token = g.api_user, g.api_token
    return {
        "id": user.id, "email": user.email, "name": user.name, "role": user.role,
        "scopes": sorted(g.api_scopes),
        "token": {"prefix": token.prefix, "name": token.name,
                  "expires_at": token.expires_at.isoformat() if token.expires_at else None},
    }


@api_route(bp, "/echo", ["POST"], summary="Try the API's conventions without changing anything",
           request_schema=ECHO_REQUEST, response_schema=ECHO_RESPONSE, idempotent=True, tags=("meta",))
def echo(body: dict[str, Any]) -> object:
    """Validates the body like every write operation does, needs an Idempotency-Key, and returns what it
    received. Use it to test a client's authentication, error handling and retries."""
    return {"received": body, "user_id": g.api_user.id}
