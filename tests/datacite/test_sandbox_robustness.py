"""Bad input gets DataCite's error shapes, never a stack trace: arbitrary JSON attributes and query strings."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from portal.datacite.sandbox import create_sandbox
from tests.datacite.conftest import creds, repository
from tests.datacite.sandbox_support import NOW, client

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)
KEYS = st.sampled_from(["doi", "prefix", "url", "xml", "event", "reason", "source", "schemaVersion", "creators", "titles",
                        "publisher", "publicationYear", "types", "subjects", "dates", "language", "rightsList",
                        "identifiers", "alternateIdentifiers", "version", "sizes", "container", "relatedItems",
                        "geoLocations", "contentUrl", "should_validate"])


@given(attributes=st.dictionaries(KEYS, JSON, max_size=6), event=st.sampled_from([None, "publish", "register", "hide"]))
def test_arbitrary_attributes_never_crash(attributes: dict[str, Any], event: str | None) -> None:
    repo = repository("FUZZ.REPO", ["10.5072"])
    box = create_sandbox(repositories=[repo], now=lambda: NOW)
    if event:
        attributes["event"] = event
    with client(box, creds(repo)) as owner:
        created = owner.post("/dois", json={"data": {"type": "dois", "attributes": attributes}})
        updated = owner.put("/dois/10.5072/fuzz", json={"data": {"type": "dois", "attributes": attributes}})
        listed = owner.get("/dois", params={"client-id": "fuzz.repo"})
    box.close()
    for response in (created, updated):
        assert response.status_code in (200, 201, 400, 403, 404, 422), response.text
        assert "errors" in response.json() or "data" in response.json()
    assert listed.status_code == 200


@given(query=st.text(max_size=40))
def test_arbitrary_queries_answer_200_or_400(query: str) -> None:
    box = create_sandbox(repositories=[repository("FUZZ.REPO", ["10.5072"])], now=lambda: NOW)
    with client(box) as anonymous:
        response = anonymous.get("/dois", params={"query": query})
    box.close()
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert isinstance(response.json()["errors"], dict)


PARAMS = st.sampled_from(["page[size]", "page[number]", "page[cursor]", "sort", "created", "published", "updated",
                          "client-id", "prefix", "state", "resource-type-id", "schema-version", "fields[dois]", "facets",
                          "disable-facets", "random", "ids", "affiliation-id", "has-views", "include", "detail"])


@given(params=st.dictionaries(PARAMS, st.text(max_size=12), max_size=5))
def test_arbitrary_list_parameters_answer_200_or_400(params: dict[str, str]) -> None:
    repo = repository("FUZZ.REPO", ["10.5072"])
    box = create_sandbox(repositories=[repo], now=lambda: NOW)
    box.seed_dois(30, seed=2)
    with client(box, creds(repo)) as owner:
        response = owner.get("/dois", params=params)
    box.close()
    assert response.status_code in (200, 400), response.text
    assert set(response.json()) <= {"data", "meta", "links", "included", "errors"}
