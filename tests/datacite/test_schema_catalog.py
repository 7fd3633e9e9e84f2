"""The catalog equals the official XSD enumerations of every version, value for value and in order."""

from __future__ import annotations

from datetime import date

import pytest
from lxml import etree

from portal.datacite.schema import (
    CONTROLLED,
    LATEST,
    RELEASE_DATES,
    REMOVED,
    VERSIONS,
    UnknownVersion,
    allowed_values,
    ordered_values,
    version_features,
)
from portal.datacite.schema.catalog import XSD_TYPE_NAMES, arrival_of, version_key
from tests.datacite.schema_samples import XS, schema_dir


def xsd_enumerations(version: str) -> dict[str, list[str]]:
    """simpleType name -> enumeration values, from metadata.xsd and every DataCite include of a version.

    The W3C xml.xsd (imported for xml:lang) is not DataCite's and is left out.
    """
    folder = schema_dir() / f"kernel-{version}"
    found: dict[str, list[str]] = {}
    for path in [folder / "metadata.xsd", *sorted((folder / "include").glob("datacite-*.xsd"))]:
        for simple in etree.parse(str(path)).iter(f"{XS}simpleType"):
            values = [e.get("value") for e in simple.iter(f"{XS}enumeration")]
            if values:
                assert simple.get("name"), f"{path.name}: an anonymous enumeration the catalog cannot name"
                assert simple.get("name") not in found, f"{simple.get('name')} defined twice in {version}"
                found[simple.get("name")] = values
    return found


@pytest.mark.parametrize("version", VERSIONS)
def test_catalog_equals_xsd_enumerations(version: str) -> None:
    enumerations = xsd_enumerations(version)
    unmapped = set(enumerations) - set(XSD_TYPE_NAMES)
    assert not unmapped, f"XSD {version} has enumerations the catalog does not cover: {unmapped}"
    for xsd_name, list_name in XSD_TYPE_NAMES.items():
        assert list(ordered_values(list_name, version)) == enumerations.get(xsd_name, []), (list_name, version)
        assert allowed_values(list_name, version) == frozenset(enumerations.get(xsd_name, []))


def test_every_controlled_list_is_covered() -> None:
    assert set(CONTROLLED) == {
        "resourceTypeGeneral", "relationType", "relatedIdentifierType", "contributorType", "dateType",
        "descriptionType", "titleType", "funderIdentifierType", "nameType", "numberType",
    }
    sizes = {name: len(values) for name, values in CONTROLLED.items()}
    assert sizes["resourceTypeGeneral"] == 34 and sizes["relationType"] == 39
    assert sizes["relatedIdentifierType"] == 23 and sizes["contributorType"] == 22 and sizes["dateType"] == 12


def test_arrival_versions_are_the_first_version_accepting_the_value() -> None:
    for list_name, values in CONTROLLED.items():
        for value, arrived in values.items():
            accepting = [v for v in VERSIONS if value in allowed_values(list_name, v)]
            assert accepting and accepting[0] == arrived, (list_name, value)
            assert accepting == [v for v in VERSIONS if version_key(v) >= version_key(arrived)], "lists only grow"


def test_values_removed_before_4_0_are_known_but_never_allowed() -> None:
    assert REMOVED["contributorType"] == {"Funder": "4.0"}
    for list_name, values in REMOVED.items():
        for value in values:
            assert arrival_of(list_name, value) is None
            assert all(value not in allowed_values(list_name, v) for v in VERSIONS)


def test_values_that_arrived_late() -> None:
    assert "Poster" not in allowed_values("resourceTypeGeneral", "4.6")
    assert "Poster" in allowed_values("resourceTypeGeneral", "4.7")
    assert "Translator" in allowed_values("contributorType", "4.6") - allowed_values("contributorType", "4.5")
    assert allowed_values("nameType", "4.0") == frozenset()
    assert allowed_values("funderIdentifierType", "4.3") - allowed_values("funderIdentifierType", "4.2") == {"ROR"}


def test_versions_and_release_dates() -> None:
    assert VERSIONS == ("4.0", "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7") and LATEST == "4.7"
    dates = [RELEASE_DATES[v] for v in VERSIONS]
    assert dates == sorted(dates) and RELEASE_DATES["4.7"] == date(2026, 3, 3)


def test_unknown_version_or_list_is_a_clear_error() -> None:
    with pytest.raises(UnknownVersion, match="4.8"):
        allowed_values("relationType", "4.8")
    with pytest.raises(KeyError, match="resourceType"):
        allowed_values("resourceType", "4.7")


@pytest.mark.parametrize("version", VERSIONS)
def test_version_features_describe_each_release(version: str) -> None:
    features = version_features(version)
    assert features and all(isinstance(f, str) and f for f in features)
    new_values = [v for values in CONTROLLED.values() for v, arrived in values.items() if arrived == version]
    if version != "4.0":
        assert all(any(value in f for f in features) for value in new_values)


def test_version_features_name_the_headline_changes() -> None:
    assert any("relatedItems" in f for f in version_features("4.4"))
    assert any("publisherIdentifier" in f for f in version_features("4.5"))
    assert any("Poster" in f for f in version_features("4.7"))
    assert any("Funder" in f for f in version_features("4.0"))
