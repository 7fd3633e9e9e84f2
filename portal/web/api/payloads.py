"""Reading what a client sent: the JSON body and the query string, checked against a schema."""

from __future__ import annotations

import json
from typing import Any

from flask import request

from portal.web.api.problems import ApiProblem
from portal.web.api.schemas import InvalidPayload, Schema, parse_query

JSON_TYPES = ("application/json",)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def is_json_type(mimetype: str) -> bool:
    """application/json, or any ``+json`` type such as application/merge-patch+json."""
    return mimetype in JSON_TYPES or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def read_json() -> Any:
    """The body parsed as JSON: 415 for another content type, 400 with the parser's message when malformed."""
    if not is_json_type(request.mimetype):
        raise ApiProblem(415, "Send the body as JSON with the header `Content-Type: application/json`.")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ApiProblem(415, "JSON bodies are UTF-8; send `charset=utf-8` or no charset.")
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiProblem(400, "The body is empty; send a JSON object.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiProblem(400, f"The body is not valid UTF-8 (byte {exc.start}).") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ApiProblem(400, "The body is not valid JSON: it is nested too deeply.") from None
    except ValueError as exc:  # json.JSONDecodeError, and the parser's own limits (huge integers)
        raise ApiProblem(400, f"The body is not valid JSON: {exc}.") from None


def read_body(schema: Schema) -> dict[str, Any]:
    """The JSON body, validated: 400 for unknown fields, 422 naming each field that is wrong."""
    data = read_json()
    try:
        return schema.validate(data)
    except InvalidPayload as exc:
        raise ApiProblem(exc.status, exc.detail, fields=exc.fields) from None


def read_query(schema: Schema) -> dict[str, Any]:
    """The query-string arguments, validated like a body."""
    try:
        return parse_query(schema, request.args.to_dict(flat=False))
    except InvalidPayload as exc:
        raise ApiProblem(exc.status, exc.detail, fields=exc.fields) from None
