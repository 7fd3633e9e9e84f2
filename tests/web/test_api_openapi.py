"""The OpenAPI document at /api/v1/openapi.json matches the routes, both ways, and is internally consistent."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.db import engine_of, session_scope
from portal.models import Role
from portal.web.access import ACCESS, EVERYONE, TOKEN
from portal.web.api.openapi import operations
from tests import factories
from tests.conftest import bearer

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def routes_of(app) -> set[tuple[str, str, frozenset[str]]]:
    """(OpenAPI-style path, method, path parameters) for every route under /api/, read from the URL map."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - IGNORED_METHODS:
            found.add((path, method.lower(), frozenset(rule.arguments)))
    return found


def documented(document: dict[str, Any]) -> set[tuple[str, str, frozenset[str]]]:
    found = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            params = frozenset(p["name"] for p in operation.get("parameters", []) if p.get("in") == "path")
            found.add((path, method, params))
    return found


def fetch(app) -> dict[str, Any]:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_every_route_is_documented_and_every_documented_route_exists(app):
    document = fetch(app)
    assert routes_of(app) == documented(document)
    paths = {path for path, _m, _p in routes_of(app)}
    assert {"/api/v1/openapi.json", "/api/v1/health", "/api/v1/me", "/api/v1/echo"} <= paths


def test_the_check_also_covers_path_parameters_and_other_blueprints(app, testbed):
    document = fetch(app)
    undocumented = {("/api/test/undecorated", "get", frozenset())}  # on purpose: a plain route, caught here
    assert routes_of(app) - undocumented == documented(document)
    assert undocumented <= routes_of(app)
    item = document["paths"]["/api/test/items/{item_id}"]["get"]
    assert item["parameters"] == [{"name": "item_id", "in": "path", "required": True,
                                   "schema": {"type": "integer", "minimum": 0}}]
    assert "404" in item["responses"]
    query = {p["name"]: p for p in document["paths"]["/api/test/items"]["get"]["parameters"]}
    assert query["state"]["in"] == "query" and query["state"]["schema"]["enum"] == ["open", "closed"]


def test_the_test_blueprint_stays_out_of_other_apps_documents(app):
    assert not any(path.startswith("/api/test/") for path in fetch(app)["paths"])


def test_a_route_declared_without_api_route_is_caught(app):
    app.add_url_rule("/api/v1/sneaky", endpoint="sneaky", view_func=lambda: {"ok": True})
    missing = routes_of(app) - documented(fetch(app))
    assert missing == {("/api/v1/sneaky", "get", frozenset())}


def test_the_document_is_openapi_3_1_with_bearer_auth(app):
    document = fetch(app)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["version"] and document["servers"] == [{"url": "http://localhost"}]
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "tickets:write" in scheme["description"]
    assert document["components"]["schemas"]["Error"]["required"] == ["error"]


def test_security_scopes_and_headers_follow_the_declarations(app, testbed):
    document = fetch(app)
    declared = {(prefix + op.rule, method.lower()): op for prefix, op in operations(app) for method in op.methods}
    assert len(declared) == len(documented(document))
    operation_ids = []
    for (rule, method), op in declared.items():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)
        entry = document["paths"][path][method]
        operation_ids.append(entry["operationId"])
        assert ACCESS[op.endpoint] == (EVERYONE if op.public else TOKEN), op.endpoint
        if op.public:
            assert entry["security"] == []
        else:
            assert entry["security"] == [{"bearerAuth": sorted(op.scopes)}]
            assert {"401", "403"} <= set(entry["responses"])
        has_key = {"$ref": "#/components/parameters/IdempotencyKey"} in entry.get("parameters", [])
        assert has_key == op.idempotent, op.endpoint
        assert ("requestBody" in entry) == (op.request_schema is not None)
        assert str(op.status) in entry["responses"]
    assert len(operation_ids) == len(set(operation_ids))


def test_every_reference_resolves(app, testbed):
    document = fetch(app)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                target: Any = document
                for part in ref.removeprefix("#/").split("/"):
                    assert part in target, f"dangling {ref}"
                    target = target[part]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)
    assert document["components"]["schemas"]["EchoRequest"]["additionalProperties"] is False


def test_the_document_is_public(app, session, make):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", "/api/v1/health", None),
    ("GET", "/api/v1/me", None),
    ("POST", "/api/v1/echo", {"message": "m", "contact": {"name": "n"}, "tags": ["t"]}),
])
def test_responses_match_their_documented_schemas(app, method, url, body):
    with session_scope(engine_of(app)) as s:
        _token, plaintext = factories.api_token(s, factories.user(s, Role.datacite_staff))
    response = app.test_client().open(url, method=method, json=body,
                                      headers=bearer(plaintext, **{"Idempotency-Key": "doc"}))
    assert response.status_code == 200
    operation = next(op for prefix, op in operations(app) if prefix + op.rule == url)
    operation.response_schema.validate(response.get_json())
    if url.endswith("/me"):
        assert response.get_json()["scopes"] == ["profile:read", "staff-requests:write"]
