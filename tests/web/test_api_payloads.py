"""JSON bodies and query strings: 415, 400 with the parser's message, 422 naming each field, unknown fields refused."""

from __future__ import annotations

import pytest

from portal.db import engine_of, session_scope
from portal.models import Role
from portal.web.api.openapi import ERROR_SCHEMA
from portal.web.api.schemas import InvalidPayload, Schema, array, integer, nested, string
from tests import factories
from tests.conftest import bearer


@pytest.fixture
def token(app):
    with session_scope(engine_of(app)) as s:
        return factories.api_token(s, factories.user(s, Role.agent))[1]


@pytest.fixture
def echo(client, token):
    counter = iter(range(10_000))

    def post(json=None, *, data=None, content_type="application/json"):
        headers = bearer(token, **{"Idempotency-Key": f"payload-{next(counter)}"})
        if json is not None:
            return client.post("/api/v1/echo", json=json, headers=headers)
        return client.post("/api/v1/echo", data=data, content_type=content_type, headers=headers)

    return post


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    ERROR_SCHEMA.validate(body)  # every error has the documented shape
    assert body["error"]["status"] == status
    return body["error"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          "application/json; charset=latin-1", "", "application/xml"])
def test_other_content_types_get_415(echo, content_type):
    error = error_of(echo(data=b'{"message": "hi"}', content_type=content_type), 415)
    assert "application/json" in error["detail"] or "UTF-8" in error["detail"]


def test_json_subtypes_and_utf8_charset_are_accepted(echo):
    assert echo(data=b'{"message": "hi"}', content_type="application/json; charset=UTF-8").status_code == 200
    assert echo(data=b'{"message": "hi"}', content_type="application/merge-patch+json").status_code == 200


@pytest.mark.parametrize(("raw", "words"), [
    (b"", "empty"),
    (b"   ", "empty"),
    (b'{"message": "hi"', "Expecting"),
    (b"{'message': 'hi'}", "Expecting property name enclosed in double quotes"),
    (b'{"message": "hi"} extra', "Extra data"),
    (b'{"message": "\xff"}', "not valid UTF-8"),
    (b'{"message": "hi", "priority": NaN}', "NaN is not valid JSON"),
    (b'{"message": "hi", "priority": -Infinity}', "-Infinity is not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
    (b'{"message": "hi", "priority": ' + b"9" * 5000 + b"}", "not valid JSON"),
    (b'\xef\xbb\xbf{"message": "hi"}', "BOM"),
])
def test_malformed_json_gets_400_with_the_parsers_message(echo, raw, words):
    error = error_of(echo(data=raw), 400)
    assert words in error["detail"]


@pytest.mark.parametrize("body", [[], [{"message": "hi"}], "hi", 3, None])
def test_a_body_that_is_not_an_object_gets_422(echo, body):
    raw = b"null" if body is None else None
    response = echo(data=raw) if raw else echo(json=body)
    assert "must be a JSON object" in error_of(response, 422)["detail"]


def test_unknown_fields_are_refused_with_400_and_named(echo):
    error = error_of(echo(json={"message": "hi", "role": "admin", "contact": {"name": "n", "is_admin": True},
                               "user_id": 1}), 400)
    assert error["fields"] == {"role": "is not a field of this request", "user_id": "is not a field of this request",
                               "contact.is_admin": "is not a field of this request"}
    assert "Unknown fields" in error["detail"]


def test_every_invalid_field_is_named_at_once(echo):
    error = error_of(echo(json={
        "kind": "other", "priority": 9, "urgent": "yes", "tags": ["ok", 5, ""], "contact": {"email": "x"},
    }), 422)
    assert error["fields"] == {
        "message": "is required",
        "kind": "must be one of: question, incident, request",
        "priority": "must be between 1 and 5",
        "urgent": "must be true or false",
        "tags.1": "must be text",
        "tags.2": "must not be blank",
        "contact.name": "is required",
    }


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"message": 5}, "message", "must be text"),
    ({"message": None}, "message", "must not be null"),
    ({"message": "   "}, "message", "must not be blank"),
    ({"message": "x" * 2001}, "message", "must be at most 2000 characters"),
    ({"message": "a\x00b"}, "message", "must not contain control characters"),
    ({"message": "m", "priority": True}, "priority", "must be a whole number"),
    ({"message": "m", "priority": 2.0}, "priority", "must be a whole number"),
    ({"message": "m", "priority": "2"}, "priority", "must be a whole number"),
    ({"message": "m", "priority": None}, "priority", "must be a whole number (or be left out)"),
    ({"message": "m", "priority": 10**30}, "priority", "must be between 1 and 5"),
    ({"message": "m", "tags": "a"}, "tags", "must be a list"),
    ({"message": "m", "tags": ["t"] * 11}, "tags", "must have at most 10 items"),
    ({"message": "m", "contact": "c"}, "contact", "must be an object"),
    ({"message": "m", "contact": {"name": "a\nb"}}, "contact.name", "must not contain control characters or line breaks"),
])
def test_field_errors(echo, body, field, message):
    assert error_of(echo(json=body), 422)["fields"] == {field: message}


def test_unpaired_surrogates_are_refused(echo):
    error = error_of(echo(data=b'{"message": "\\ud800"}'), 422)
    assert error["fields"] == {"message": "must be valid Unicode text"}


def test_valid_bodies_come_back_with_defaults(echo):
    response = echo(json={"message": "line one\nline two\ttabbed", "tags": ["a"], "contact": {"name": "N"}})
    assert response.status_code == 200
    assert response.get_json()["received"] == {"message": "line one\nline two\ttabbed", "kind": "question",
                                               "tags": ["a"], "contact": {"name": "N"}}


def test_query_strings_are_validated(client, testbed, token):
    def get(query):
        return client.get(f"/api/test/items{query}", headers=bearer(token))

    assert get("").get_json() == {"query": {"page": 1}}
    assert get("?page=2&state=open&mine=true").get_json() == {"query": {"page": 2, "state": "open", "mine": True}}
    assert error_of(get("?page=x"), 422)["fields"] == {"page": "must be a whole number"}
    assert error_of(get("?page=0"), 422)["fields"] == {"page": "must be between 1 and 1000"}
    assert error_of(get("?page=1&page=2"), 422)["fields"] == {"page": "must be given once"}
    assert error_of(get("?state=lost"), 422)["fields"] == {"state": "must be one of: open, closed"}
    assert error_of(get("?sort=name"), 400)["fields"] == {"sort": "is not a parameter of this request"}


def test_endpoints_without_a_query_schema_refuse_query_parameters(client, token):
    assert error_of(client.get("/api/v1/me?x=1", headers=bearer(token)), 400)["fields"] == {
        "x": "is not a parameter of this request"}
    assert client.get("/api/v1/health?x=1").status_code == 400


def test_path_converters_and_domain_errors(client, testbed, token):
    assert client.get("/api/test/items/7", headers=bearer(token)).get_json() == {"id": 7}
    error_of(client.get("/api/test/items/7000", headers=bearer(token)), 404)
    error_of(client.get("/api/test/items/abc", headers=bearer(token)), 404)


def test_schema_validation_without_flask():
    inner = Schema("Inner", {"n": integer(required=True, maximum=3)})
    outer = Schema("Outer", {"items": array(nested(inner), max_items=2), "name": string(max_length=5)})
    assert outer.validate({"items": [{"n": 1}], "name": "ok"}) == {"items": [{"n": 1}], "name": "ok"}
    with pytest.raises(InvalidPayload) as caught:
        outer.validate({"items": [{"n": 4}, {"m": 1}]})
    assert caught.value.status == 400 and caught.value.fields == {"items.1.m": "is not a field of this request"}
    with pytest.raises(InvalidPayload) as caught:
        outer.validate({"items": [{"n": 4}, {}], "name": "toolong"})
    assert caught.value.status == 422
    assert caught.value.fields == {"items.0.n": "must be between -9223372036854775807 and 3",
                                   "items.1.n": "is required", "name": "must be at most 5 characters"}
    assert [s.name for s in outer.nested_schemas()] == ["Outer", "Inner"]
    document = outer.json_schema(lambda s: {"$ref": s.name})
    assert document["additionalProperties"] is False
    assert document["properties"]["items"] == {"type": "array", "items": {"$ref": "Inner"}, "maxItems": 2}
