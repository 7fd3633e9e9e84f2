"""Property test: whatever JSON (or junk) reaches a POST endpoint, the answer is never a 5xx and errors are well-formed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.db import engine_of, session_scope
from portal.models import Role
from portal.services import api_tokens
from portal.web.api.openapi import ERROR_SCHEMA, operations
from portal.web.api.schemas import Field, Schema
from tests import factories
from tests.conftest import bearer

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", "application/problem+json",
                 "application/json; charset=iso-8859-1", "application/x-www-form-urlencoded"]


TEXT = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))


def valid(f: Field) -> st.SearchStrategy[Any]:
    """Values a field accepts, so that handlers are reached, not only the validator."""
    if f.kind == "string":
        if f.choices:
            return st.sampled_from(f.choices)
        least = max(f.min_length, 1) if (f.required or f.min_length) else 0
        return st.text(TEXT, min_size=least, max_size=min(f.max_length or 60, 60)).filter(
            lambda v: len(v.strip()) >= least)
    if f.kind == "integer":
        return st.integers(f.minimum if f.minimum is not None else -(2**63 - 1),
                           f.maximum if f.maximum is not None else 2**63 - 1)
    if f.kind == "boolean":
        return st.booleans()
    if f.kind == "array" and f.items is not None:
        return st.lists(valid(f.items), max_size=f.max_items or 3)
    if f.kind == "object" and f.schema is not None:
        return valid_object(f.schema)
    return st.nothing()


def valid_object(schema: Schema) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({n: valid(f) for n, f in schema.fields.items() if f.required},
                                 optional={n: valid(f) for n, f in schema.fields.items() if not f.required})


def near(f: Field) -> st.SearchStrategy[Any]:
    """Values close to what a field accepts, and just past its limits."""
    if f.kind == "string":
        return valid(f) | st.text(max_size=(f.max_length or 50) + 3)
    if f.kind == "integer":
        low, high = (f.minimum if f.minimum is not None else -10), (f.maximum if f.maximum is not None else 10)
        return st.integers(low - 2, high + 2) | st.integers()
    if f.kind == "array" and f.items is not None:
        return st.lists(near(f.items) | JSON_VALUES, max_size=(f.max_items or 3) + 2)
    if f.kind == "object" and f.schema is not None:
        return shaped(f.schema)
    return valid(f) | JSON_VALUES


def shaped(schema: Schema) -> st.SearchStrategy[dict[str, Any]]:
    """Valid objects, or objects with the schema's field names, values near or far from valid, maybe an extra key."""
    optional = {name: near(f) | JSON_VALUES for name, f in schema.fields.items()}
    extra = st.dictionaries(st.sampled_from(["role", "id", "user_id", "is_internal"]), JSON_VALUES, max_size=1)
    messy = st.builds(lambda body, more: {**body, **more}, st.fixed_dictionaries({}, optional=optional), extra)
    return valid_object(schema) | messy


@pytest.fixture
def tokens(app) -> dict[str, str]:
    made = {}
    with session_scope(engine_of(app)) as s:
        for role in api_tokens.ROLE_SCOPES:
            made[role] = factories.api_token(s, factories.user(s, role))[1]
    return made


def post_operations(app):
    return [op for _prefix, op in operations(app) if "POST" in op.methods]


def token_for(op, tokens: dict[str, str]) -> str:
    for role, plaintext in tokens.items():
        if op.scopes <= api_tokens.allowed_scopes(Role(role)):
            return plaintext
    raise AssertionError(f"no role can call {op.endpoint}")


def check(response, op) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)
    body = response.get_json()
    if response.status_code >= 400:
        ERROR_SCHEMA.validate(body)
        assert body["error"]["status"] == response.status_code
    elif op.response_schema is not None:
        op.response_schema.validate(body)


def url_of(app, op) -> str:
    prefix = next(p for p, o in operations(app) if o is op)
    return prefix + op.rule


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_json_never_breaks_a_post_endpoint(app, client, tokens, data):
    ops = post_operations(app)
    assert ops, "the app has no POST endpoints to test"
    op = data.draw(st.sampled_from(ops), label="operation")
    body = data.draw(shaped(op.request_schema) | JSON_VALUES if op.request_schema else JSON_VALUES, label="body")
    key = str(data.draw(st.uuids(), label="key"))
    headers = bearer(token_for(op, tokens), **{"Idempotency-Key": key})
    check(client.post(url_of(app, op), data=json.dumps(body), content_type="application/json", headers=headers), op)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_bytes_and_content_types_never_break_a_post_endpoint(app, client, tokens, data):
    op = data.draw(st.sampled_from(post_operations(app)), label="operation")
    raw = data.draw(st.binary(max_size=200) | st.text(max_size=200).map(str.encode), label="raw")
    content_type = data.draw(st.sampled_from(CONTENT_TYPES), label="content type")
    # Any header value a client can send (HTTP forbids CR and LF in it).
    key = data.draw(st.text(st.characters(exclude_characters="\r\n"), max_size=20), label="key")
    headers = bearer(token_for(op, tokens), **{"Idempotency-Key": key.encode("utf-8", "replace").decode("latin-1")})
    check(client.post(url_of(app, op), data=raw, content_type=content_type, headers=headers), op)
