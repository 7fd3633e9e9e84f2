"""``api_route``: how every API endpoint is declared. Bearer tokens only, scopes, JSON in and out, retries.

Example::

    @api_route(bp, "/tickets", ["POST"], scopes={TICKETS_WRITE}, summary="Open a ticket",
               request_schema=NEW_TICKET, response_schema=TICKET, status=201, idempotent=True)
    def create_ticket(body: dict[str, Any]) -> object:
        ticket = tickets.create_ticket(db(), author=g.api_user, **body, now=utcnow())
        return ticket_json(ticket), 201

The endpoint must also be in ``portal.web.access.ACCESS`` as ``TOKEN`` (or ``EVERYONE`` with ``public=True``).
The view receives the path arguments, ``body`` (with a request schema) and ``query`` (with a query schema);
``g.api_user``, ``g.api_token`` and ``g.api_scopes`` say who is calling.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, g, request

from portal.errors import ValidationFailed
from portal.models import User
from portal.services import api_tokens
from portal.web.api import replay
from portal.web.api.openapi import ApiOperation, register
from portal.web.api.payloads import read_body, read_query
from portal.web.api.problems import ApiProblem
from portal.web.api.schemas import Schema
from portal.web.common import db, utcnow

log = logging.getLogger("portal.security")

REALM = 'Bearer realm="api"'
# Query arguments that clients use for tokens; any of them (or any value that looks like our token) is refused.
TOKEN_QUERY_NAMES = frozenset({"access_token", "token", "api_token", "api_key", "apikey", "auth", "bearer"})
_NO_QUERY = Schema("NoQuery")


def api_route(
    bp: Blueprint,
    rule: str,
    methods: Iterable[str],
    *,
    scopes: Iterable[str] = (),
    summary: str,
    description: str = "",
    request_schema: Schema | None = None,
    response_schema: Schema | None = None,
    query_schema: Schema | None = None,
    idempotent: bool = False,
    status: int = 200,
    public: bool = False,
    tags: Iterable[str] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
    """Declare an API endpoint: route, authentication and scopes, schemas, Idempotency-Key, OpenAPI entry.

    ``scopes`` are all required; an empty set means any valid token. ``public`` endpoints take no token.
    """
    wanted = tuple(m.upper() for m in methods)
    needed = frozenset(scopes)
    if unknown := needed - set(api_tokens.SCOPES):
        raise ValueError(f"unknown scopes {sorted(unknown)} on {rule}")
    if public and (needed or idempotent):
        raise ValueError(f"{rule}: a public endpoint has no scopes and no Idempotency-Key (keys belong to tokens)")
    if idempotent and not set(wanted) <= {"POST", "PATCH"}:
        raise ValueError(f"{rule}: Idempotency-Key is for POST and PATCH")

    def decorate(view: Callable[..., Any]) -> Callable[..., Response]:
        operation = ApiOperation(
            endpoint=f"{bp.name}.{view.__name__}", rule=rule, methods=wanted, summary=summary,
            description=description or inspect.cleandoc(view.__doc__ or ""), scopes=needed, public=public,
            request_schema=request_schema, response_schema=response_schema, query_schema=query_schema,
            idempotent=idempotent, status=status, tags=tuple(tags) or (bp.name,),
        )

        @wraps(view)
        def endpoint(**view_args: Any) -> Response:
            try:
                return _serve(operation, view, view_args)
            except ApiProblem as problem:
                return problem.response()

        endpoint.api_operation = operation  # type: ignore[attr-defined]  (the access guard looks for it)
        register(bp, operation)
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=endpoint, methods=list(wanted))
        return endpoint

    return decorate


def _serve(operation: ApiOperation, view: Callable[..., Any], view_args: dict[str, Any]) -> Response:
    if not operation.public:
        authenticate_request(operation.scopes)
    kwargs = dict(view_args)
    query = read_query(operation.query_schema or _NO_QUERY)
    if operation.query_schema is not None:
        kwargs["query"] = query
    if operation.request_schema is not None:
        kwargs["body"] = read_body(operation.request_schema)

    def call() -> Response:
        return _call(view, kwargs)

    if operation.idempotent:
        return replay.run_once(call, body=kwargs.get("body"))
    return call()


def _call(view: Callable[..., Any], kwargs: dict[str, Any]) -> Response:
    try:
        result = view(**kwargs)
    except ValidationFailed as exc:  # a service refused the values: name the fields, as schema errors do
        db().rollback()
        raise ApiProblem(422, exc.message or "Some fields are not valid.", fields=exc.errors) from None
    return current_app.make_response(result)


def _unauthorized(detail: str, error: str | None = None) -> ApiProblem:
    challenge = REALM if error is None else f'{REALM}, error="{error}"'
    return ApiProblem(401, detail, headers={"WWW-Authenticate": challenge})


def token_in_query() -> bool:
    """Whether the URL carries something that looks like a token (refused: URLs end up in logs)."""
    for name, value in request.args.items(multi=True):
        if name.lower() in TOKEN_QUERY_NAMES or value.strip().startswith(api_tokens.TOKEN_PREFIX):
            return True
    return False


def authenticate_request(scopes: frozenset[str]) -> User:
    """Check the bearer token and its scopes; set ``g.api_token``, ``g.api_user`` and ``g.api_scopes``."""
    if token_in_query():
        log.warning("API call with a token in the URL refused: %s %s", request.method, request.path)
        raise _unauthorized("Tokens in the URL are refused, because URLs end up in logs and browser history. "
                            "Send it in the header `Authorization: Bearer <token>`, and revoke this one if the URL "
                            "was shared.", "invalid_request")
    header = request.headers.get("Authorization")
    if header is None:
        raise _unauthorized("Send an API token in the header `Authorization: Bearer <token>`. "
                            "Being signed in with a browser does not authorise API calls.")
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() != "bearer" or not credentials:
        raise _unauthorized("The Authorization header must be `Bearer <token>`.", "invalid_request")
    token = api_tokens.authenticate(db(), credentials, now=utcnow())
    user = db().get(User, token.user_id) if token is not None else None
    if token is None or user is None:
        raise _unauthorized("The API token is not valid: it is mistyped, revoked or expired, or its account "
                            "is deactivated.", "invalid_token")
    granted = api_tokens.effective_scopes(token, user)
    if missing := scopes - granted:
        needed = " ".join(sorted(missing))
        raise ApiProblem(403, f"This token lacks the scope {needed}. Create a token that has it.",
                         headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{needed}"'})
    g.api_token, g.api_user, g.api_scopes = token, user, granted
    return user
