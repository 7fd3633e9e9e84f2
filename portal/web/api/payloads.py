"""Reading what a client sent: the JSON body and the query string, checked against a schema."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import request

from portal.web.api.problems import ApiProblem
from portal.web.api.schemas import Field, InvalidPayload, Schema, check_value, printable

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


def parse_query(schema: Schema, args: Mapping[str, list[str]]) -> dict[str, Any]:
    """Validate query-string arguments (each given at most once) against a flat schema of scalars."""
    unknown = {printable(name): "is not a parameter of this request" for name in args if name not in schema.fields}
    if unknown:
        raise InvalidPayload(400, "Unknown query parameters: " + ", ".join(sorted(unknown)) + ".", unknown)
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, f in schema.fields.items():
        values = args.get(name, [])
        if not values:
            if f.required:
                errors[name] = "is required"
            elif f.default is not None:
                clean[name] = f.default
            continue
        if len(values) > 1:
            errors[name] = "must be given once"
            continue
        converted = _from_query(f, values[0], name, errors)
        if name not in errors:
            clean[name] = check_value(f, converted, name, {}, errors)
    if errors:
        raise InvalidPayload(422, "Some query parameters are not valid: "
                             + "; ".join(f"{k} {v}" for k, v in errors.items()) + ".", errors)
    return clean


def _from_query(f: Field, raw: str, name: str, errors: dict[str, str]) -> Any:
    if f.kind == "integer":
        body = raw[1:] if raw.startswith("-") else raw
        if not body.isascii() or not body.isdigit() or len(body) > 19:
            errors[name] = "must be a whole number"
            return None
        return int(raw)
    if f.kind == "boolean":
        lowered = raw.lower()
        if lowered not in ("true", "false", "1", "0"):
            errors[name] = "must be true or false"
            return None
        return lowered in ("true", "1")
    return raw
