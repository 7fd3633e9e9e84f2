"""Facet ids and titles: every bucket of the recorded list answers must come out of our rules unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from portal.datacite.sandbox.facets import DEFAULT_FACETS, render_facets, requested_facets, titleize
from portal.datacite.sandbox.metadata import SPDX, licence_title
from portal.datacite.sandbox.resource_types import (
    RESOURCE_TYPES,
    derived_types,
    facet_id,
    facet_label,
    from_facet_id,
)
from tests.datacite.sandbox_support import recording

LISTS = ("listdois_basic.json", "listdois_exact_match.json", "listdois_pagination.json", "listdois_sorting.json")


def _buckets(facet: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for name in LISTS:
        found += recording(name).body["meta"].get(facet, [])
    assert found, facet
    return found


@pytest.mark.parametrize("facet", ["subjects", "certificates", "states"])
def test_titleized_facets(facet: str) -> None:
    for bucket in _buckets(facet):
        assert titleize(bucket["id"]) == bucket["title"]


def test_resource_type_ids_and_titles() -> None:
    for bucket in _buckets("resourceTypes"):
        general = from_facet_id(bucket["id"])
        assert general in RESOURCE_TYPES
        assert (facet_id(general), facet_label(general)) == (bucket["id"], bucket["title"])


def test_licence_titles() -> None:
    for bucket in _buckets("licenses"):
        if bucket["id"] in SPDX:
            assert licence_title(bucket["id"]) == bucket["title"]
        else:
            assert bucket["title"] == bucket["id"]


def test_rendering_reproduces_recorded_buckets() -> None:
    meta = recording("listdois_basic.json").body["meta"]
    counts: dict[str, dict[str, int]] = {
        "schemaVersions": {"http://datacite.org/schema/kernel-4": 10, "http://datacite.org/schema/kernel-4.3": 5},
        "fieldsOfScience": {b["title"]: b["count"] for b in meta["fieldsOfScience"]},
        "affiliations": {f"{b['id']}:{b['title']}": b["count"] for b in meta["affiliations"]},
        "linkChecksStatus": {b["id"]: b["count"] for b in meta["linkChecksStatus"]},
        "created": {b["id"]: b["count"] for b in meta["created"]} | {"2015": 3},
        "published": {b["id"]: b["count"] for b in meta["published"]} | {"2009": 4, "2031": 2},
    }
    rendered = render_facets(counts, tuple(counts), client_titles={}, provider_titles={}, current_year=2025)
    assert rendered["fieldsOfScience"] == meta["fieldsOfScience"]
    assert rendered["affiliations"] == meta["affiliations"]
    assert rendered["linkChecksStatus"] == meta["linkChecksStatus"]
    assert rendered["created"] == meta["created"]
    assert rendered["published"] == meta["published"]
    assert rendered["schemaVersions"] == [{"id": "4", "title": "Schema 4", "count": 10},
                                          {"id": "4.3", "title": "Schema 4.3", "count": 5}]


def test_requested_facets() -> None:
    assert requested_facets(None, None, True) == DEFAULT_FACETS
    assert requested_facets(None, None, False) == ()
    assert requested_facets(None, "false", False) == DEFAULT_FACETS
    assert requested_facets(None, "true", True) == ()
    assert requested_facets("schema_versions,states,bogus,states", None, True) == ("schemaVersions", "states")
    assert requested_facets("", None, True) == ()


@pytest.mark.parametrize(("general", "expected"), [
    ("Text", {"schemaOrg": "ScholarlyArticle", "citeproc": "article-journal", "bibtex": "article", "ris": "RPRT"}),
    ("Dataset", {"schemaOrg": "Dataset", "citeproc": "dataset", "bibtex": "misc", "ris": "DATA"}),
    ("StudyRegistration", {"schemaOrg": "CreativeWork", "citeproc": "article", "bibtex": "misc", "ris": "GEN"}),
])
def test_derived_citation_types_match_recordings(general: str, expected: dict[str, str]) -> None:
    derived = derived_types({"resourceTypeGeneral": general, "resourceType": "x"})
    assert {k: derived[k] for k in expected} == expected
    assert derived["resourceTypeGeneral"] == general and derived["resourceType"] == "x"
