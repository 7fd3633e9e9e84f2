"""Small schema descriptions for JSON bodies and query strings: one object validates input and documents it.

Rules, the same for every endpoint:
- Unknown fields are refused with 400 (never silently ignored), so a client cannot slip in ``role`` or
  ``organisation_id`` (mass assignment, C03) and typos surface at once.
- Every string has a maximum length. Strings never contain NUL or unpaired surrogates (the databases
  refuse them); single-line strings hold no control characters at all, multi-line ones allow tab and newlines.
- Integers are whole JSON numbers (not ``true``, not ``1.0``) within 64 bits unless tighter bounds are given.
- A missing optional field is left out of the validated data, unless the field has a default.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

INT64 = 2**63 - 1
INT32 = 2**31 - 1  # the databases' integer columns (ids): larger values could never match a row
_MULTILINE_CONTROLS = frozenset("\t\n\r")


class InvalidPayload(Exception):
    """Input that does not fit its schema: 400 for unknown fields or shape, 422 for bad values."""

    def __init__(self, status: int, detail: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.fields = fields or {}


@dataclass(frozen=True)
class Field:
    """One field: its JSON type and the rules its value must follow."""

    kind: str  # string | integer | number | boolean | array | object
    required: bool = False
    description: str = ""
    nullable: bool = False
    max_length: int | None = None
    min_length: int = 0
    multiline: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    items: Field | None = None
    max_items: int | None = None
    schema: Schema | None = None
    values: Field | None = None
    format: str = ""
    default: Any = None
    example: Any = None


def string(*, max_length: int, required: bool = False, min_length: int = 0, choices: tuple[str, ...] = (),
           multiline: bool = False, description: str = "", format: str = "", nullable: bool = False,
           default: Any = None, example: Any = None) -> Field:
    """A text field; ``max_length`` is mandatory."""
    return Field("string", required=required, max_length=max_length, min_length=min_length, choices=choices,
                 multiline=multiline, description=description, format=format, nullable=nullable, default=default,
                 example=example)


def integer(*, required: bool = False, minimum: int | None = None, maximum: int | None = None,
            description: str = "", nullable: bool = False, default: Any = None, example: Any = None) -> Field:
    """A whole number."""
    return Field("integer", required=required, minimum=minimum, maximum=maximum, description=description,
                 nullable=nullable, default=default, example=example)


def record_id(*, required: bool = False, description: str = "") -> Field:
    """The id of a stored row: 1 up to the largest value an integer column holds."""
    return integer(required=required, minimum=1, maximum=INT32, description=description)


def boolean(*, required: bool = False, description: str = "", default: Any = None) -> Field:
    """true or false."""
    return Field("boolean", required=required, description=description, default=default)


def array(items: Field, *, max_items: int, required: bool = False, description: str = "") -> Field:
    """A list of values that each follow ``items``; ``max_items`` is mandatory."""
    return Field("array", required=required, items=items, max_items=max_items, description=description)


def nested(schema: Schema, *, required: bool = False, description: str = "", nullable: bool = False) -> Field:
    """An object described by another schema."""
    return Field("object", required=required, schema=schema, description=description, nullable=nullable)


def mapping(values: Field, *, max_items: int, required: bool = False, description: str = "",
            nullable: bool = False) -> Field:
    """An object with free keys (at most ``max_items``) whose values all follow ``values``."""
    return Field("object", required=required, values=values, max_items=max_items, description=description,
                 nullable=nullable)


@dataclass(frozen=True)
class Schema:
    """A JSON object with named fields; ``name`` is its name in the OpenAPI components."""

    name: str
    fields: Mapping[str, Field] = field(default_factory=dict)
    description: str = ""

    def validate(self, data: Any) -> dict[str, Any]:
        """The validated object; raises InvalidPayload listing every problem at once."""
        if not isinstance(data, dict):
            raise InvalidPayload(422, "The body must be a JSON object.", {})
        unknown: dict[str, str] = {}
        errors: dict[str, str] = {}
        clean = _object(self, data, "", unknown, errors)
        if unknown:
            names = ", ".join(sorted(unknown))
            raise InvalidPayload(400, f"Unknown fields: {names}. Remove them; see the OpenAPI document.", unknown)
        if errors:
            raise InvalidPayload(422, "Some fields are not valid: " + "; ".join(f"{k} {v}" for k, v in errors.items())
                                 + ".", errors)
        return clean

    def json_schema(self, ref: Callable[[Schema], dict[str, Any]]) -> dict[str, Any]:
        """This object as JSON Schema (OpenAPI 3.1); nested schemas become ``ref(schema)``."""
        out: dict[str, Any] = {
            "type": "object",
            "properties": {name: field_schema(f, ref) for name, f in self.fields.items()},
            "additionalProperties": False,
        }
        required = [name for name, f in self.fields.items() if f.required]
        if required:
            out["required"] = required
        if self.description:
            out["description"] = self.description
        return out

    def nested_schemas(self) -> list[Schema]:
        """This schema and every schema it refers to, each once."""
        found: dict[str, Schema] = {}

        def walk(schema: Schema) -> None:
            if schema.name in found:
                return
            found[schema.name] = schema
            for f in schema.fields.values():
                for inner in (f, f.items, f.values):
                    if inner is not None and inner.schema is not None:
                        walk(inner.schema)

        walk(self)
        return list(found.values())


def _object(schema: Schema, data: dict[str, Any], path: str, unknown: dict[str, str],
            errors: dict[str, str]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name in data:
        if name not in schema.fields:
            unknown[f"{path}{printable(name)}"] = "is not a field of this request"
    for name, f in schema.fields.items():
        where = f"{path}{name}"
        if name not in data:
            if f.required:
                errors[where] = "is required"
            elif f.default is not None:
                clean[name] = f.default
            continue
        value = check_value(f, data[name], where, unknown, errors)
        if where not in errors:
            clean[name] = value
    return clean


def printable(name: str) -> str:
    """A client-sent name made safe to echo back in an error."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in str(name)[:60])
    return shown or "(empty name)"


def check_value(f: Field, value: Any, where: str, unknown: dict[str, str], errors: dict[str, str]) -> Any:
    """Check one value against its field, adding problems to ``unknown`` and ``errors``; returns the clean value."""
    if value is None:
        if not f.nullable:
            errors[where] = "must not be null" if f.required else f"must be {_kind_words(f)} (or be left out)"
        return None
    checker = _CHECKS[f.kind]
    return checker(f, value, where, unknown, errors)


def _kind_words(f: Field) -> str:
    return {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
            "array": "a list", "object": "an object"}[f.kind]


def _check_string(f: Field, value: Any, where: str, _u: dict[str, str], errors: dict[str, str]) -> Any:
    if not isinstance(value, str):
        errors[where] = "must be text"
    elif f.max_length is not None and len(value) > f.max_length:
        errors[where] = f"must be at most {f.max_length} characters"
    elif (f.required or f.min_length) and len(value.strip()) < max(f.min_length, 1):
        errors[where] = "must not be blank" if f.min_length <= 1 else f"must be at least {f.min_length} characters"
    elif f.choices and value not in f.choices:
        errors[where] = "must be one of: " + ", ".join(f.choices)
    elif not _is_unicode(value):
        errors[where] = "must be valid Unicode text"
    elif not _clean_text(value, f.multiline):
        errors[where] = "must not contain control characters" + ("" if f.multiline else " or line breaks")
    return value


def _is_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate from a "\ud800" escape
        return False
    return True


def _clean_text(value: str, multiline: bool) -> bool:
    for ch in value:
        code = ord(ch)
        if (code < 32 or code == 127) and not (multiline and ch in _MULTILINE_CONTROLS):
            return False
    return True


def _check_integer(f: Field, value: Any, where: str, _u: dict[str, str], errors: dict[str, str]) -> Any:
    low = -INT64 if f.minimum is None else f.minimum
    high = INT64 if f.maximum is None else f.maximum
    if isinstance(value, bool) or not isinstance(value, int):
        errors[where] = "must be a whole number"
    elif not low <= value <= high:
        errors[where] = f"must be between {low} and {high}"
    return value


def _check_number(f: Field, value: Any, where: str, _u: dict[str, str], errors: dict[str, str]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors[where] = "must be a number"
    elif (f.minimum is not None and value < f.minimum) or (f.maximum is not None and value > f.maximum):
        errors[where] = f"must be between {f.minimum} and {f.maximum}"
    return value


def _check_boolean(_f: Field, value: Any, where: str, _u: dict[str, str], errors: dict[str, str]) -> Any:
    if not isinstance(value, bool):
        errors[where] = "must be true or false"
    return value


def _check_array(f: Field, value: Any, where: str, unknown: dict[str, str], errors: dict[str, str]) -> Any:
    if not isinstance(value, list):
        errors[where] = "must be a list"
        return value
    if f.max_items is not None and len(value) > f.max_items:
        errors[where] = f"must have at most {f.max_items} items"
        return value
    assert f.items is not None
    return [check_value(f.items, item, f"{where}.{i}", unknown, errors) for i, item in enumerate(value)]


def _check_object(f: Field, value: Any, where: str, unknown: dict[str, str], errors: dict[str, str]) -> Any:
    if not isinstance(value, dict):
        errors[where] = "must be an object"
        return value
    if f.schema is not None:
        return _object(f.schema, value, f"{where}.", unknown, errors)
    assert f.values is not None
    if f.max_items is not None and len(value) > f.max_items:
        errors[where] = f"must have at most {f.max_items} entries"
        return value
    return {key: check_value(f.values, item, f"{where}.{printable(key)}", unknown, errors)
            for key, item in value.items()}


_CHECKS: dict[str, Callable[[Field, Any, str, dict[str, str], dict[str, str]], Any]] = {
    "string": _check_string,
    "integer": _check_integer,
    "number": _check_number,
    "boolean": _check_boolean,
    "array": _check_array,
    "object": _check_object,
}


def field_schema(f: Field, ref: Callable[[Schema], dict[str, Any]]) -> dict[str, Any]:
    """One field as JSON Schema."""
    if f.kind == "object" and f.schema is not None:
        out: dict[str, Any] = dict(ref(f.schema))
        if f.nullable:
            out = {"anyOf": [out, {"type": "null"}]}
        if f.description:
            out["description"] = f.description
        return out
    out = {"type": [f.kind, "null"] if f.nullable else f.kind}
    if f.description:
        out["description"] = f.description
    if f.kind == "object" and f.values is not None:
        out["additionalProperties"] = field_schema(f.values, ref)
        if f.max_items is not None:
            out["maxProperties"] = f.max_items
    if f.kind == "string":
        if f.max_length is not None:
            out["maxLength"] = f.max_length
        if f.required or f.min_length:
            out["minLength"] = max(f.min_length, 1)
        if f.choices:
            out["enum"] = list(f.choices) + ([None] if f.nullable else [])
        if f.format:
            out["format"] = f.format
    if f.kind == "integer":
        out["minimum"] = -INT64 if f.minimum is None else f.minimum
        out["maximum"] = INT64 if f.maximum is None else f.maximum
    if f.kind == "array" and f.items is not None:
        out["items"] = field_schema(f.items, ref)
        if f.max_items is not None:
            out["maxItems"] = f.max_items
    if f.default is not None:
        out["default"] = f.default
    if f.example is not None:
        out["examples"] = [f.example]
    return out
