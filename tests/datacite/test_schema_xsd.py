"""Official examples against the official XSDs, libxml2 errors in DataCite's words, and no network use."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from portal.datacite.schema import VERSIONS, XsdMissing, minimum_version_xml, validate_xml
from portal.datacite.schema.catalog import version_key
from portal.datacite.schema.xsd import _compiled, compiled_schema
from tests.datacite.schema_samples import examples, record_xml, schema_dir

# The official 4.1, 4.3 and 4.4 "polygon-advanced" examples wrap their polygons in a <geoLocationPolygons>
# element that no 4.x XSD defines, so libxml2 rejects them; DataCite would too. Checked separately below.
INVALID_OFFICIAL_EXAMPLES = {"datacite-example-polygon-advanced-v4.1.xml", "datacite-example-polygon-advanced-v4.xml"}


@pytest.mark.parametrize("version", VERSIONS)
def test_official_examples_validate_against_their_version(version: str) -> None:
    failures = {}
    checked = 0
    for path in examples(version):
        if path.name in INVALID_OFFICIAL_EXAMPLES:
            continue
        checked += 1
        xml = path.read_bytes()
        with_xsd = validate_xml(xml, version, schema_dir())
        built_in = validate_xml(xml, version)
        if with_xsd or built_in:
            failures[path.name] = with_xsd + built_in
    assert checked >= 7
    assert failures == {}


@pytest.mark.parametrize("version", VERSIONS)
def test_example_minimum_version_is_within_its_folder_and_sufficient(version: str) -> None:
    for path in examples(version):
        if path.name in INVALID_OFFICIAL_EXAMPLES:
            continue
        xml = path.read_bytes()
        needed = minimum_version_xml(xml)
        assert version_key(needed) <= version_key(version), path.name
        # The feature-based minimum is enough: the official XSD of that version accepts the record.
        assert validate_xml(xml, needed, schema_dir()) == [], (path.name, needed)


def test_examples_using_new_features_need_the_new_version() -> None:
    folder = schema_dir()
    assert minimum_version_xml((folder / "kernel-4.7/example/datacite-example-poster-v4.xml").read_bytes()) == "4.7"
    assert minimum_version_xml(
        (folder / "kernel-4.7/example/datacite-example-relationtypeinformation-v4.xml").read_bytes()) == "4.7"
    assert minimum_version_xml((folder / "kernel-4.6/example/datacite-example-award-v4.xml").read_bytes()) == "4.6"
    assert minimum_version_xml((folder / "kernel-4.5/example/datacite-example-full-v4.xml").read_bytes()) == "4.5"
    assert minimum_version_xml((folder / "kernel-4.3/example/datacite-example-affiliation-v4.xml").read_bytes()) == "4.3"
    assert minimum_version_xml((folder / "kernel-4.0/example/datacite-example-full-v4.0.xml").read_bytes()) == "4.0"


@pytest.mark.parametrize("version", ["4.1", "4.3", "4.4"])
def test_the_invalid_official_polygon_example_is_reported_at_its_wrapper(version: str) -> None:
    name = "datacite-example-polygon-advanced-v4.1.xml" if version == "4.1" else "datacite-example-polygon-advanced-v4.xml"
    xml = (schema_dir() / f"kernel-{version}" / "example" / name).read_bytes()
    problems = validate_xml(xml, version, schema_dir())
    assert [p.source for p in problems] == ["geoLocations"]
    assert problems[0].title.startswith("This element is not expected.")
    assert re.search(r" at line 26, column 0$", problems[0].title)


# (what the record uses, splice arguments, the version that introduced it, whether older XSDs reject it)
FEATURES = [
    ("nameType", {"creator": ' nameType="Personal"'}, "4.1", True),
    ("DataPaper", {"rtg": "DataPaper"}, "4.1", True),
    ("dateType Other", {"extra": '<dates><date dateType="Other">2020</date></dates>'}, "4.1", True),
    ("dateInformation", {"extra": '<dates><date dateType="Created" dateInformation="x">2020</date></dates>'}, "4.1", True),
    ("IsVersionOf", {"extra": '<relatedIdentifiers><relatedIdentifier relatedIdentifierType="DOI" '
                     'relationType="IsVersionOf">10.1/x</relatedIdentifier></relatedIdentifiers>'}, "4.1", True),
    ("related resourceTypeGeneral", {"extra": '<relatedIdentifiers><relatedIdentifier relatedIdentifierType="DOI" '
                                     'relationType="Cites" resourceTypeGeneral="Text">10.1/x</relatedIdentifier>'
                                     '</relatedIdentifiers>'}, "4.1", True),
    ("rights xml:lang", {"extra": '<rightsList><rights xml:lang="en">CC0</rights></rightsList>'}, "4.1", True),
    ("w3id", {"extra": '<relatedIdentifiers><relatedIdentifier relatedIdentifierType="w3id" '
              'relationType="Cites">https://w3id.org/x</relatedIdentifier></relatedIdentifiers>'}, "4.2", True),
    ("Withdrawn", {"extra": '<dates><date dateType="Withdrawn">2020</date></dates>'}, "4.2", True),
    ("rightsIdentifier", {"extra": '<rightsList><rights rightsIdentifier="CC0-1.0">CC0</rights></rightsList>'}, "4.2", True),
    ("publisher xml:lang", {"publisher": ' xml:lang="en"'}, "4.2", True),
    ("non-DOI identifier", {"identifier": '<identifier identifierType="Handle">20.500/x</identifier>'}, "4.2", True),
    ("funder ROR", {"extra": '<fundingReferences><fundingReference><funderName>F</funderName><funderIdentifier '
                    'funderIdentifierType="ROR">https://ror.org/x</funderIdentifier></fundingReference>'
                    '</fundingReferences>'}, "4.3", True),
    ("affiliationIdentifier", {"creator": "", "extra": ""}, "4.3", False),
    ("classificationCode", {"extra": '<subjects><subject classificationCode="x">S</subject></subjects>'}, "4.4", True),
    ("JournalArticle", {"rtg": "JournalArticle"}, "4.4", True),
    ("relatedItems", {"extra": '<relatedItems><relatedItem relatedItemType="Journal" relationType="IsPublishedIn">'
                      '<titles><title>J</title></titles></relatedItem></relatedItems>'}, "4.4", True),
    ("publisherIdentifier", {"publisher": ' publisherIdentifier="https://ror.org/04wxnsj81" '
                             'publisherIdentifierScheme="ROR"'}, "4.5", True),
    ("Instrument", {"rtg": "Instrument"}, "4.5", True),
    ("Award", {"rtg": "Award"}, "4.6", True),
    ("Translator", {"extra": '<contributors><contributor contributorType="Translator"><contributorName>T'
                    '</contributorName></contributor></contributors>'}, "4.6", True),
    ("Coverage", {"extra": '<dates><date dateType="Coverage">2020</date></dates>'}, "4.6", True),
    ("CSTR", {"extra": '<relatedIdentifiers><relatedIdentifier relatedIdentifierType="CSTR" '
              'relationType="Cites">x</relatedIdentifier></relatedIdentifiers>'}, "4.6", True),
    ("Poster", {"rtg": "Poster"}, "4.7", True),
    ("relationType Other", {"extra": '<relatedIdentifiers><relatedIdentifier relatedIdentifierType="DOI" '
                            'relationType="Other">10.1/x</relatedIdentifier></relatedIdentifiers>'}, "4.7", True),
    ("relationTypeInformation", {"extra": '<relatedIdentifiers><relatedIdentifier relatedIdentifierType="DOI" '
                                 'relationType="Cites" relationTypeInformation="reuses">10.1/x</relatedIdentifier>'
                                 '</relatedIdentifiers>'}, "4.7", True),
]
AFFILIATION = ('<creators><creator><creatorName>Doe, Jane</creatorName><affiliation affiliationIdentifier='
               '"https://ror.org/04wxnsj81" affiliationIdentifierScheme="ROR">DataCite</affiliation></creator></creators>')


def _feature_record(splice: dict[str, str], label: str) -> str:
    xml = record_xml(**splice)
    if label == "affiliationIdentifier":
        xml = re.sub(r"<creators>.*?</creators>", AFFILIATION, xml)
    return xml


@pytest.mark.parametrize(("label", "splice", "introduced", "older_xsd_rejects"), FEATURES, ids=[f[0] for f in FEATURES])
def test_feature_sets_the_minimum_version_exactly(label: str, splice: dict[str, str], introduced: str,
                                                  older_xsd_rejects: bool) -> None:
    xml = _feature_record(splice, label)
    assert minimum_version_xml(xml) == introduced
    assert validate_xml(xml, introduced, schema_dir()) == []
    assert validate_xml(xml, introduced) == []
    before = VERSIONS[VERSIONS.index(introduced) - 1]
    assert validate_xml(xml, before), "the built-in checks refuse the feature in the version before"
    if older_xsd_rejects:
        assert validate_xml(xml, before, schema_dir()), "the official XSD of the version before refuses it"


def test_plain_record_is_4_0_and_valid_everywhere() -> None:
    xml = record_xml()
    assert minimum_version_xml(xml) == "4.0"
    for version in VERSIONS:
        assert validate_xml(xml, version, schema_dir()) == []


def test_libxml2_errors_become_problems_in_datacite_wording() -> None:
    xml = re.sub(r"<creators>.*?</creators>", "<creators></creators>", record_xml())
    problems = validate_xml(xml, "4.7", schema_dir())
    assert problems[0].source == "creators"
    assert problems[0].title == ("Missing child element(s). Expected is ( {http://datacite.org/schema/kernel-4}creator )."
                                 " at line 5, column 0")
    assert problems[0].hint

    wrong_case = validate_xml(record_xml(creator=' nameType="personal"'), "4.7", schema_dir())
    assert [(p.source, p.title) for p in wrong_case] == [(
        "creators",
        "[facet 'enumeration'] The value 'personal' is not an element of the set {'Organizational', 'Personal'}. "
        "at line 5, column 0",
    )]


def test_built_in_checks_use_the_same_wording_as_libxml2() -> None:
    xml = record_xml(rtg="Blog")
    with_xsd = validate_xml(xml, "4.7", schema_dir())
    built_in = validate_xml(xml, "4.7")
    assert [(p.source, p.title) for p in with_xsd] == [(p.source, p.title) for p in built_in]
    assert built_in[0].source == "types" and "The value 'Blog' is not an element of the set {'Audiovisual'" in built_in[0].title


def test_one_problem_per_source_in_attribute_order() -> None:
    xml = record_xml(rtg="Blog", extra='<dates><date dateType="Start">1</date><date dateType="End">2</date></dates>')
    xml = xml.replace("<publicationYear>2026", "<publicationYear>26")
    problems = validate_xml(xml, "4.7", schema_dir())
    assert [p.source for p in problems] == ["publicationYear", "dates", "types"]
    assert "[facet 'pattern'] The value '26' is not accepted by the pattern '[\\d]{4}'" in problems[0].title
    assert validate_xml(xml, "4.7", schema_dir()) == problems


def test_missing_xsd_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(XsdMissing, match="datacite-schema download"):
        validate_xml(record_xml(), "4.7", tmp_path)


def test_schemas_compile_once_and_never_touch_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    _compiled.cache_clear()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("XSD compilation tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for version in VERSIONS:  # 4.0 and 4.1 import xml.xsd from www.w3.org
        first = compiled_schema(schema_dir(), version)
        assert compiled_schema(schema_dir(), version) is first
    assert _compiled.cache_info().misses == len(VERSIONS)
