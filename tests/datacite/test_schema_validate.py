"""validate_attributes: each failure mode DataCite reports, in its words, and no crash on any JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.datacite.schema import (
    LATEST,
    Problem,
    UnknownVersion,
    completeness,
    minimum_version,
    validate_attributes,
)
from portal.datacite.schema.rules import SOURCE_ORDER
from tests.conftest import shared_path
from tests.datacite.schema_samples import record_json

NS = "{http://datacite.org/schema/kernel-4}"


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_minimal_record_is_valid_in_every_version() -> None:
    for version in ("4.0", "4.3", LATEST):
        assert validate_attributes(record_json(), version) == []


def test_missing_creators() -> None:
    for creators in (None, []):
        problem = only(validate_attributes(record_json(creators=creators)))
        assert problem.source == "creators"
        assert problem.title == f"Missing child element(s). Expected is ( {NS}creator )."
        assert "creator" in problem.hint


def test_creator_without_name() -> None:
    problem = only(validate_attributes(record_json(creators=[{"givenName": "Jane"}])))
    assert (problem.source, problem.title) == ("creators", f"Missing child element(s). Expected is ( {NS}creatorName ).")


def test_blank_or_missing_title() -> None:
    blank = only(validate_attributes(record_json(titles=[{"title": "  "}])))
    assert blank.source == "titles"
    assert blank.title == "[facet 'minLength'] The value has a length of '0'; this underruns the allowed minimum length of '1'."
    assert only(validate_attributes(record_json(titles=[]))).title == f"Missing child element(s). Expected is ( {NS}title )."


@pytest.mark.parametrize("year", ["99", "2016-01-01", 20160, "", True, 2016.5, [2016]])
def test_bad_publication_year(year: Any) -> None:
    problem = only(validate_attributes(record_json(publicationYear=year)))
    assert problem.source == "publicationYear"
    assert problem.title.startswith("[facet 'pattern'] The value '")
    assert problem.title.endswith("' is not accepted by the pattern '[\\d]{4}'.")
    assert "four digits" in problem.hint


def test_missing_year_and_empty_year() -> None:
    assert only(validate_attributes(record_json(publicationYear=None))).title == "Can't be blank"
    assert only(validate_attributes(record_json(publicationYear=""))).title == (
        "[facet 'pattern'] The value '' is not accepted by the pattern '[\\d]{4}'.")


def test_year_as_number_or_text_is_fine() -> None:
    assert validate_attributes(record_json(publicationYear="2016")) == []
    assert validate_attributes(record_json(publicationYear=2016)) == []


def test_bad_enumeration_quotes_the_versions_set() -> None:
    problem = only(validate_attributes(record_json(types={"resourceTypeGeneral": "Blog"})))
    assert problem.source == "types"
    assert problem.title.startswith("[facet 'enumeration'] The value 'Blog' is not an element of the set {'Audiovisual', ")
    assert problem.title.endswith("'Text', 'Workflow', 'Other'}.") and problem.title.count("', '") == 33


def test_value_from_4_7_is_refused_by_4_6_only() -> None:
    record = record_json(types={"resourceTypeGeneral": "Poster"})
    assert validate_attributes(record, "4.7") == []
    problem = only(validate_attributes(record, "4.6"))
    assert problem.source == "types" and "'Poster' is not an element of the set" in problem.title
    assert "'Poster'" not in problem.title.split("set", 1)[1]
    assert "4.7" in problem.hint


def test_wrong_case_gets_a_pointed_hint() -> None:
    record = record_json(creators=[{"name": "Doe, Jane", "nameType": "personal"}])
    problem = only(validate_attributes(record))
    assert problem.title == ("[facet 'enumeration'] The value 'personal' is not an element of the set "
                             "{'Organizational', 'Personal'}.")
    assert "'Personal'" in problem.hint


@pytest.mark.parametrize(("key", "value", "title"), [
    ("titles", ["Submitted chemical data"], "Title 'Submitted chemical data' should be an object instead of a string."),
    ("creators", ["Doe, Jane"], "Creator 'Doe, Jane' should be an object instead of a string."),
    ("descriptions", ["About"], "Description 'About' should be an object instead of a string."),
    ("subjects", ["Chemistry"], "Subject 'Chemistry' should be an object instead of a string."),
    ("rightsList", ["CC0"], "Rights 'CC0' should be an object instead of a string."),
    ("dates", ["2020"], "Date 2020 should be an object instead of a string."),
    ("relatedIdentifiers", ["10.1/x"], "Related identifier '10.1/x' should be an object instead of a string."),
    ("fundingReferences", ["NSF"], "Funding reference 'NSF' should be an object instead of a string."),
    ("types", "Dataset", "Types 'Dataset' should be an object instead of a string."),
])
def test_string_instead_of_object(key: str, value: Any, title: str) -> None:
    problem = validate_attributes(record_json(**{key: value}))[0]
    assert (problem.source, problem.title) == (key, title)
    assert "object" in problem.hint


def test_funder_contributor_type() -> None:
    contributor = {"name": "National Science Foundation", "contributorType": "Funder"}
    problem = only(validate_attributes(record_json(contributors=[contributor])))
    assert problem.source == "contributors"
    assert problem.title == ('Contributor \'{"name"=>"National Science Foundation", "contributorType"=>"Funder"}\' '
                             "has a contributor type that is not supported in schema 4: 'Funder'.")
    assert "fundingReferences" in problem.hint


def test_translator_needs_4_6() -> None:
    record = record_json(contributors=[{"name": "T", "contributorType": "Translator"}])
    assert validate_attributes(record, "4.6") == []
    assert only(validate_attributes(record, "4.5")).title.endswith("not supported in schema 4: 'Translator'.")


def test_contributor_without_type_or_name() -> None:
    untyped = only(validate_attributes(record_json(contributors=[{"name": "A"}])))
    assert untyped.title == "Contributor '{\"name\"=>\"A\"}' is missing a required element: contributor type."
    nameless = only(validate_attributes(record_json(contributors=[{"contributorType": "Editor"}])))
    assert nameless.title == "A contributor is missing a required element: name."


@pytest.mark.parametrize(("url", "title"), [
    (None, "Can't be blank"), ("", "Can't be blank"), ("www.example.org/x", "URL is not valid"),
    ("https:///nohost", "URL is not valid"), ("https://exa mple.org", "URL is not valid"),
    ("mailto:a@b.org", "URL is not valid"), (["https://x.org"], "URL is not valid"),
])
def test_url_present_and_http(url: Any, title: str) -> None:
    problem = only(validate_attributes(record_json(url=url)))
    assert (problem.source, problem.title) == ("url", title)


def test_publisher_string_or_object() -> None:
    assert validate_attributes(record_json(publisher={"name": "DataCite", "publisherIdentifier": "x"})) == []
    assert only(validate_attributes(record_json(publisher=None))).title == "Can't be blank"
    assert only(validate_attributes(record_json(publisher={"publisherIdentifier": "x"}))).title.startswith(
        "[facet 'minLength']")


def test_resource_type_general_required() -> None:
    problem = only(validate_attributes(record_json(types={"resourceType": "Thing"})))
    assert (problem.source, problem.title) == ("types", "The attribute 'resourceTypeGeneral' is required but missing.")


def test_other_datacite_checks() -> None:
    assert only(validate_attributes(record_json(language="en_GB"))).title == "Language en_GB is in an invalid format."
    assert validate_attributes(record_json(language="en-GB")) == []
    long_rights = [{"rights": "x" * 2001}]
    assert only(validate_attributes(record_json(rightsList=long_rights))).title == (
        "Rights should not have a length of more than 2000 characters.")
    assert only(validate_attributes(record_json(doi="10.14454/107+03"))).title == "Is invalid"
    assert only(validate_attributes(record_json(dates=[{"date": "2020"}]))).title == (
        "The attribute 'dateType' is required but missing.")


def test_newer_structure_is_refused_by_older_versions() -> None:
    record = record_json(relatedItems=[{"relatedItemType": "Journal", "relationType": "IsPublishedIn"}])
    assert only(validate_attributes(record, "4.3")).title == "This element is not expected."
    info = record_json(relatedIdentifiers=[{"relatedIdentifier": "10.1/x", "relatedIdentifierType": "DOI",
                                            "relationType": "Cites", "relationTypeInformation": "reuses"}])
    problem = only(validate_attributes(info, "4.6"))
    assert problem.title == "The attribute 'relationTypeInformation' is not allowed." and "4.7" in problem.hint
    assert only(validate_attributes(record_json(creators=[{"name": "A", "nameType": "Personal"}]), "4.0")).title == (
        "The attribute 'nameType' is not allowed.")


def test_one_problem_per_source_in_a_fixed_order() -> None:
    record = record_json(url=None, creators=[], titles=["T"], types={"resourceTypeGeneral": "Blog"},
                         contributors=[{"name": "A", "contributorType": "Funder"}, {"name": "B"}])
    problems = validate_attributes(record)
    sources = [p.source for p in problems]
    assert sources == ["url", "creators", "titles", "contributors", "types"]
    assert sources == sorted(sources, key=SOURCE_ORDER.index)
    assert validate_attributes(json.loads(json.dumps(record))) == problems


def test_unknown_version_is_an_error_not_a_problem() -> None:
    with pytest.raises(UnknownVersion):
        validate_attributes(record_json(), "5.0")


def test_not_an_object() -> None:
    assert [p.source for p in validate_attributes(["a"])] == ["attributes"]  # type: ignore[arg-type]


def test_recorded_findable_doi_is_valid() -> None:
    path = shared_path("datacite-recordings", "rest", "member_getdoi.json")
    attributes = json.loads(json.loads(path.read_text())["data"])["data"]["attributes"]
    assert attributes["state"] == "findable"
    assert validate_attributes(attributes) == []


KEYS = st.sampled_from([
    "doi", "url", "creators", "contributors", "titles", "title", "publisher", "publicationYear", "types",
    "resourceTypeGeneral", "name", "nameType", "contributorType", "affiliation", "affiliationIdentifier", "lang",
    "dates", "date", "dateType", "dateInformation", "relatedIdentifiers", "relatedItems", "relationType",
    "relatedIdentifierType", "relatedItemType", "relatedItemIdentifier", "relatedItemIdentifierType", "number",
    "numberType", "relationTypeInformation", "descriptions", "descriptionType", "fundingReferences", "funderName",
    "funderIdentifier", "funderIdentifierType", "schemeUri", "rightsList", "rights", "rightsIdentifier",
    "subjects", "classificationCode", "geoLocations", "geoLocationPolygon", "inPolygonPoint", "language",
    "identifiers", "alternateIdentifiers", "container", "publisherIdentifier", "nameIdentifiers",
]) | st.text(max_size=4)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.sampled_from(
    ["Dataset", "Poster", "Funder", "Personal", "ROR", "Other", "https://x.org", "2016", ":unav"])
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
                    max_leaves=40)


@given(JSON, st.sampled_from(["4.0", "4.4", "4.7"]))
def test_never_raises_on_any_json(value: Any, version: str) -> None:
    problems = validate_attributes(value, version)
    assert all(isinstance(p, Problem) and p.source and p.title for p in problems)
    assert len({p.source for p in problems}) == len(problems)
    if isinstance(value, dict):
        assert minimum_version(value) in ("4.0", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7")
    assert 0.0 <= completeness(value).score <= 1.0
