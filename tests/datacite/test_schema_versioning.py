"""Minimum versions of REST JSON records, declared versions of XML, and schema 3 detection."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portal.datacite.schema import (
    VERSIONS,
    NotKernel4,
    XmlUnreadable,
    declared_version_xml,
    explain_minimum_version,
    is_schema3_xml,
    minimum_version,
    minimum_version_xml,
    validate_attributes,
)
from tests.conftest import shared_path
from tests.datacite.schema_samples import record_json, record_xml

ROR = "https://ror.org/04wxnsj81"
RELATED = {"relatedIdentifier": "10.1/x", "relatedIdentifierType": "DOI", "relationType": "Cites"}

# (what the record uses, attribute changes, the version it needs)
JSON_FEATURES: list[tuple[str, dict[str, Any], str]] = [
    ("nameType", {"creators": [{"name": "Doe, Jane", "nameType": "Personal"}]}, "4.1"),
    ("DataPaper", {"types": {"resourceTypeGeneral": "DataPaper"}}, "4.1"),
    ("dateInformation", {"dates": [{"date": "2020", "dateType": "Created", "dateInformation": "x"}]}, "4.1"),
    ("dateType Other", {"dates": [{"date": "2020", "dateType": "Other"}]}, "4.1"),
    ("HasVersion", {"relatedIdentifiers": [RELATED | {"relationType": "HasVersion"}]}, "4.1"),
    ("related resourceTypeGeneral", {"relatedIdentifiers": [RELATED | {"resourceTypeGeneral": "Text"}]}, "4.1"),
    ("rights lang", {"rightsList": [{"rights": "CC0", "lang": "en"}]}, "4.1"),
    ("inPolygonPoint", {"geoLocations": [{"geoLocationPolygon": [
        {"polygonPoint": {"pointLatitude": 1, "pointLongitude": 1}},
        {"inPolygonPoint": {"pointLatitude": 1.5, "pointLongitude": 1.5}}]}]}, "4.1"),
    ("several polygons", {"geoLocations": [{"geoLocationPolygon": [
        [{"polygonPoint": {"pointLatitude": 1, "pointLongitude": 1}}],
        [{"polygonPoint": {"pointLatitude": 2, "pointLongitude": 2}}]]}]}, "4.1"),
    ("Obsoletes", {"relatedIdentifiers": [RELATED | {"relationType": "Obsoletes"}]}, "4.2"),
    ("w3id", {"relatedIdentifiers": [RELATED | {"relatedIdentifierType": "w3id"}]}, "4.2"),
    ("Withdrawn", {"dates": [{"date": "2020", "dateType": "Withdrawn"}]}, "4.2"),
    ("SPDX rights", {"rightsList": [{"rights": "CC0", "rightsIdentifier": "cc0-1.0",
                                     "rightsIdentifierScheme": "SPDX"}]}, "4.2"),
    ("publisher lang", {"publisher": {"name": "P", "lang": "en"}}, "4.2"),
    ("affiliation ROR", {"creators": [{"name": "Doe, Jane", "affiliation": [
        {"name": "DataCite", "affiliationIdentifier": ROR, "affiliationIdentifierScheme": "ROR"}]}]}, "4.3"),
    ("funder ROR", {"fundingReferences": [{"funderName": "F", "funderIdentifier": ROR,
                                           "funderIdentifierType": "ROR"}]}, "4.3"),
    ("funder schemeUri", {"fundingReferences": [{"funderName": "F", "funderIdentifier": "x",
                                                 "funderIdentifierType": "Other", "schemeUri": "https://x"}]}, "4.3"),
    ("classificationCode", {"subjects": [{"subject": "S", "classificationCode": "001"}]}, "4.4"),
    ("Preprint", {"types": {"resourceTypeGeneral": "Preprint"}}, "4.4"),
    ("IsPublishedIn", {"relatedIdentifiers": [RELATED | {"relationType": "IsPublishedIn"}]}, "4.4"),
    ("relatedItems", {"relatedItems": [{"relatedItemType": "Journal", "relationType": "Cites",
                                        "titles": [{"title": "J"}]}]}, "4.4"),
    ("publisher identifier", {"publisher": {"name": "DataCite", "publisherIdentifier": ROR,
                                            "publisherIdentifierScheme": "ROR", "schemeUri": "https://ror.org/"}}, "4.5"),
    ("StudyRegistration", {"types": {"resourceTypeGeneral": "StudyRegistration"}}, "4.5"),
    ("IsCollectedBy", {"relatedIdentifiers": [RELATED | {"relationType": "IsCollectedBy"}]}, "4.5"),
    ("Project", {"types": {"resourceTypeGeneral": "Project"}}, "4.6"),
    ("RRID", {"relatedIdentifiers": [RELATED | {"relatedIdentifierType": "RRID"}]}, "4.6"),
    ("Translator", {"contributors": [{"name": "T", "contributorType": "Translator"}]}, "4.6"),
    ("IsTranslationOf", {"relatedIdentifiers": [RELATED | {"relationType": "IsTranslationOf"}]}, "4.6"),
    ("Coverage", {"dates": [{"date": "2020", "dateType": "Coverage"}]}, "4.6"),
    ("related item Award", {"relatedItems": [{"relatedItemType": "Award", "relationType": "Cites"}]}, "4.6"),
    ("Presentation", {"types": {"resourceTypeGeneral": "Presentation"}}, "4.7"),
    ("SWHID", {"relatedIdentifiers": [RELATED | {"relatedIdentifierType": "SWHID"}]}, "4.7"),
    ("relationType Other", {"relatedIdentifiers": [RELATED | {"relationType": "Other",
                                                              "relationTypeInformation": "reuses"}]}, "4.7"),
    ("relationTypeInformation", {"relatedIdentifiers": [RELATED | {"relationTypeInformation": "reuses"}]}, "4.7"),
    ("related item relationTypeInformation", {"relatedItems": [{"relatedItemType": "Journal", "relationType": "Cites",
                                                                "relationTypeInformation": "x"}]}, "4.7"),
    ("related item RAiD", {"relatedItems": [{"relatedItemType": "Project", "relationType": "Cites",
                                             "relatedItemIdentifier": {"relatedItemIdentifier": "x",
                                                                       "relatedItemIdentifierType": "RAiD"}}]}, "4.7"),
]


def test_plain_record_needs_only_4_0() -> None:
    assert minimum_version(record_json()) == "4.0"
    assert explain_minimum_version(record_json()) == []


@pytest.mark.parametrize(("label", "changes", "needed"), JSON_FEATURES, ids=[f[0] for f in JSON_FEATURES])
def test_json_feature_sets_the_minimum_version(label: str, changes: dict[str, Any], needed: str) -> None:
    record = record_json(**changes)
    assert minimum_version(record) == needed
    reasons = explain_minimum_version(record)
    assert reasons[0].version == needed and reasons[0].source in changes
    # The record is valid in the version it needs and refused in the one before.
    assert validate_attributes(record, needed) == []
    before = VERSIONS[VERSIONS.index(needed) - 1]
    assert [p.source for p in validate_attributes(record, before)] == list(changes)


def test_null_and_empty_values_do_not_raise_the_minimum() -> None:
    record = record_json(creators=[{"name": "A", "nameType": None, "affiliation": [], "nameIdentifiers": []}],
                         dates=[{"date": "2016", "dateType": "Issued", "dateInformation": None}],
                         publisher={"name": "P", "publisherIdentifier": ""}, relatedItems=[])
    assert minimum_version(record) == "4.0"


def test_unknown_values_do_not_raise_the_minimum() -> None:
    assert minimum_version(record_json(types={"resourceTypeGeneral": "Blog"})) == "4.0"
    assert minimum_version(record_json(contributors=[{"name": "NSF", "contributorType": "Funder"}])) == "4.0"


def test_newest_reason_comes_first() -> None:
    record = record_json(types={"resourceTypeGeneral": "Poster"},
                         creators=[{"name": "Doe, Jane", "nameType": "Personal"}])
    reasons = explain_minimum_version(record)
    assert [r.version for r in reasons] == sorted((r.version for r in reasons), reverse=True)
    assert reasons[0].feature == "types.resourceTypeGeneral 'Poster'"


def test_recorded_datacite_responses_need_a_plausible_version() -> None:
    path = shared_path("datacite-recordings", "rest", "member_getdoi.json")
    attributes = json.loads(json.loads(path.read_text())["data"])["data"]["attributes"]
    assert minimum_version(attributes) in ("4.0", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7")
    listing = json.loads(json.loads(shared_path("datacite-recordings", "rest", "listdois_basic.json").read_text())["data"])
    for item in listing["data"]:
        minimum_version(item["attributes"])  # real-world shapes (nulls, string publishers) never raise


def test_declared_version_reads_schema_location() -> None:
    assert declared_version_xml(record_xml(location="kernel-4.3")) == "4.3"
    assert declared_version_xml(record_xml(location="kernel-4.7").encode()) == "4.7"
    assert declared_version_xml(record_xml(location="kernel-4")) is None  # rolling: always the newest
    assert declared_version_xml(record_xml().replace('xsi:schemaLocation="', 'xsi:other="')) is None
    assert declared_version_xml("not xml") is None


def test_declared_and_feature_versions_are_independent() -> None:
    xml = record_xml(location="kernel-4.3", rtg="Poster")
    assert declared_version_xml(xml) == "4.3"
    assert minimum_version_xml(xml) == "4.7"


SCHEMA3 = """<?xml version="1.0" encoding="UTF-8"?>
<resource xmlns="http://datacite.org/schema/kernel-3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://datacite.org/schema/kernel-3 http://schema.datacite.org/meta/kernel-3/metadata.xsd">
  <identifier identifierType="DOI">10.14454/0000-0003</identifier>
  <creators><creator><creatorName>Fenner, Martin</creatorName></creator></creators>
  <titles><title>Eating your own Dog Food</title></titles>
  <publisher>DataCite</publisher><publicationYear>2016</publicationYear>
</resource>"""


def test_schema3_is_recognised() -> None:
    assert is_schema3_xml(SCHEMA3) and is_schema3_xml(SCHEMA3.encode())
    assert is_schema3_xml(SCHEMA3.replace("kernel-3", "kernel-3.1"))
    assert not is_schema3_xml(record_xml())
    assert not is_schema3_xml("<oops")
    with pytest.raises(NotKernel4, match="kernel-3"):
        minimum_version_xml(SCHEMA3)


def test_unreadable_xml_is_a_clear_error() -> None:
    with pytest.raises(XmlUnreadable, match=r"xmlParseEntityRef: no name at line \d+, column \d+"):
        minimum_version_xml(record_xml().replace("An example", "Tom & Jerry"))
