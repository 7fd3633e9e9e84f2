"""The registry of API operations, and the OpenAPI 3.1 document generated from it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from flask import Blueprint, Flask

from portal import __version__
from portal.services.api_tokens import SCOPES
from portal.web.api.schemas import Field, Schema, field_schema, integer, mapping, string

_PATH_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")
_CONVERTER_TYPES = {"int": {"type": "integer", "minimum": 0}, "float": {"type": "number"}}


@dataclass(frozen=True)
class ApiOperation:
    """What one API view declares: its route, who may call it, what it takes and what it returns."""

    endpoint: str
    rule: str
    methods: tuple[str, ...]
    summary: str
    description: str
    scopes: frozenset[str]
    public: bool
    request_schema: Schema | None
    response_schema: Schema | None
    query_schema: Schema | None
    idempotent: bool
    status: int
    tags: tuple[str, ...]

    def path_parameters(self) -> list[tuple[str, str]]:
        """(name, converter) for each variable part of the rule, in order."""
        return [(m.group("name"), m.group("converter") or "default") for m in _PATH_ARGUMENT.finditer(self.rule)]


_REGISTRY: WeakKeyDictionary[Blueprint, list[ApiOperation]] = WeakKeyDictionary()


def register(bp: Blueprint, operation: ApiOperation) -> None:
    """Remember an operation of a blueprint (the decorator calls this)."""
    _REGISTRY.setdefault(bp, []).append(operation)


def operations(app: Flask) -> list[tuple[str, ApiOperation]]:
    """(URL prefix, operation) for every API operation of the app's blueprints."""
    found = []
    for bp in app.blueprints.values():
        for operation in _REGISTRY.get(bp, []):
            found.append((bp.url_prefix or "", operation))
    return found


def openapi_path(rule: str) -> str:
    """A Werkzeug rule as an OpenAPI path: ``/tickets/<int:number>`` becomes ``/tickets/{number}``."""
    return _PATH_ARGUMENT.sub(lambda m: "{" + m.group("name") + "}", rule)


ERROR_SCHEMA = Schema("Error", {
    "error": Field("object", required=True, schema=Schema("ErrorDetail", {
        "status": integer(required=True, minimum=400, maximum=599, description="The HTTP status code."),
        "title": string(required=True, max_length=100, description="A short name for the kind of problem."),
        "detail": string(required=True, max_length=2000, description="What went wrong and how to fix it."),
        "fields": mapping(string(max_length=300), max_items=1000,
                          description="For invalid or unknown fields: each field's name (dotted for nested "
                                      "fields and list items) mapped to what is wrong with it."),
        "reference": string(max_length=40, description="For server errors: a reference to quote to support."),
    })),
}, description="Every error has this shape.")

_ERROR_RESPONSES = {
    "400": ("BadRequest", "Malformed JSON, unknown fields or query parameters, or a missing or malformed "
                          "Idempotency-Key."),
    "401": ("Unauthorized", "No valid API token in the Authorization header (a token in the URL is refused too)."),
    "403": ("Forbidden", "The token lacks a scope this operation needs."),
    "404": ("NotFound", "Nothing exists at this address."),
    "409": ("Conflict", "A request with the same Idempotency-Key is still being processed; retry later."),
    "415": ("UnsupportedMediaType", "The body is not sent as `application/json`."),
    "422": ("UnprocessableContent", "Fields with invalid values (listed in `error.fields`), or an "
                                    "Idempotency-Key reused for a different request."),
}

DESCRIPTION = """\
The JSON API of the portal, for integrations.

**Authentication.** Send `Authorization: Bearer <token>` with every call except the public ones. Create a token
on your account page (*API tokens*) or with `flask --app wsgi tokens create --user EMAIL`; it is shown once.
Tokens in the URL are refused, and a browser session does not authorise API calls. Each operation lists the
scopes it needs.

**Bodies.** Send JSON with `Content-Type: application/json`. Fields not in the schema are refused with 400 (nothing
is silently ignored), and invalid values with 422, listing each field in `error.fields`.

**Retries.** Operations marked with an `Idempotency-Key` header need one: a unique value per intended action, such as
a UUID. Retrying with the same key and body returns the first response again, with `Idempotent-Replayed: true`; the
same key with a different body gives 422, and while the first request runs, 409. Keys are per token and are
remembered for at least 24 hours.
"""


def _ref(schema: Schema) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{schema.name}"}


def _collect(schema: Schema | None, schemas: dict[str, Any]) -> None:
    if schema is None:
        return
    for each in schema.nested_schemas():
        if each.name not in schemas:
            schemas[each.name] = each.json_schema(_ref)


def _parameters(operation: ApiOperation, method: str) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": dict(_CONVERTER_TYPES.get(converter, {"type": "string"}))}
        for name, converter in operation.path_parameters()
    ]
    if operation.query_schema is not None:
        for name, f in operation.query_schema.fields.items():
            param: dict[str, Any] = {"name": name, "in": "query", "required": f.required,
                                     "schema": field_schema(f, _ref)}
            if f.description:
                param["description"] = f.description
            params.append(param)
    if operation.idempotent and method != "GET":
        params.append({"$ref": "#/components/parameters/IdempotencyKey"})
    return params


def _operation_object(operation: ApiOperation, method: str, schemas: dict[str, Any]) -> dict[str, Any]:
    _collect(operation.request_schema, schemas)
    _collect(operation.response_schema, schemas)
    success: dict[str, Any] = {"description": operation.summary}
    if operation.response_schema is not None:
        success["content"] = {"application/json": {"schema": _ref(operation.response_schema)}}
    if operation.idempotent:
        success["headers"] = {"Idempotent-Replayed": {
            "description": "`true` when this is the stored response of an earlier request with the same key.",
            "schema": {"type": "string", "enum": ["true"]}}}
    responses: dict[str, Any] = {str(operation.status): success}
    codes: set[str] = set()
    if not operation.public:
        codes |= {"401", "403"}
    if operation.request_schema is not None:
        codes |= {"400", "415", "422"}
    if operation.query_schema is not None:
        codes |= {"400", "422"}
    if operation.idempotent:
        codes |= {"400", "409", "422"}
    if operation.path_parameters():
        codes.add("404")
    for code in sorted(codes):
        responses[code] = {"$ref": f"#/components/responses/{_ERROR_RESPONSES[code][0]}"}
    obj: dict[str, Any] = {
        "operationId": operation.endpoint.replace(".", "_") + ("" if len(operation.methods) == 1 else f"_{method}"),
        "summary": operation.summary,
        "tags": list(operation.tags),
        "security": [] if operation.public else [{"bearerAuth": sorted(operation.scopes)}],
        "responses": responses,
    }
    if operation.description:
        obj["description"] = operation.description
    params = _parameters(operation, method)
    if params:
        obj["parameters"] = params
    if operation.request_schema is not None:
        obj["requestBody"] = {"required": True,
                              "content": {"application/json": {"schema": _ref(operation.request_schema)}}}
    return obj


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document for every operation registered on the app's blueprints."""
    schemas: dict[str, Any] = {}
    _collect(ERROR_SCHEMA, schemas)
    paths: dict[str, dict[str, Any]] = {}
    for prefix, operation in sorted(operations(app), key=lambda pair: (pair[0] + pair[1].rule, pair[1].methods)):
        item = paths.setdefault(openapi_path(prefix + operation.rule), {})
        for method in operation.methods:
            item[method.lower()] = _operation_object(operation, method, schemas)
    error_content = {"application/json": {"schema": _ref(ERROR_SCHEMA)}}
    responses = {name: {"description": text, "content": error_content} for name, text in _ERROR_RESPONSES.values()}
    responses["Unauthorized"]["headers"] = {"WWW-Authenticate": {
        "description": "`Bearer`, with `error=\"invalid_token\"` when a token was sent but is not valid.",
        "schema": {"type": "string"}}}
    scope_lines = "\n".join(f"- `{name}`: {text}" for name, text in SCOPES.items())
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{app.config['SITE_NAME']} API", "version": __version__, "description": DESCRIPTION},
        "servers": [{"url": app.config["BASE_URL"].rstrip("/")}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": responses,
            "parameters": {"IdempotencyKey": {
                "name": "Idempotency-Key", "in": "header", "required": True,
                "description": "A unique value for this intended action (a UUID, 1 to 255 visible ASCII "
                               "characters, optionally as a quoted string). Reuse it only to retry.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 257}}},
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "An API token (`rsp_...`). Scopes a token may carry:\n" + scope_lines}},
        },
    }
