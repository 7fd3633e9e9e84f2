"""What a REST JSON record uses: controlled values per field, and features tied to a schema version.

Both validation (is the value allowed in version X?) and version detection (which version does the
record need?) read records through these two walkers, so they can never disagree about a field.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from portal.datacite.schema.shapes import as_list, dicts, filled


@dataclass(frozen=True)
class ValueUse:
    """A controlled-list value found in the record."""

    source: str
    list_name: str
    value: Any
    field: str
    item: dict[str, Any]


@dataclass(frozen=True)
class FeatureUse:
    """A property or sub-property that only exists from some schema version on."""

    source: str
    feature: str
    version: str
    name: str
    element: bool = False


def _value(source: str, list_name: str, item: dict[str, Any], key: str, field: str) -> Iterator[ValueUse]:
    value = item.get(key)
    if value is not None and value != "":
        yield ValueUse(source, list_name, value, field, item)


def _names(source: str, people: Any, prefix: str, *, typed: bool) -> Iterator[ValueUse]:
    for person in dicts(people):
        yield from _value(source, "nameType", person, "nameType", f"{prefix}[].nameType")
        if typed:
            yield from _value(source, "contributorType", person, "contributorType", f"{prefix}[].contributorType")


def value_uses(attributes: dict[str, Any]) -> list[ValueUse]:
    """Every controlled value in the record, in a fixed field order."""
    return list(_value_uses(attributes))


def _value_uses(attributes: dict[str, Any]) -> Iterator[ValueUse]:
    types = attributes.get("types")
    if isinstance(types, dict):
        yield from _value("types", "resourceTypeGeneral", types, "resourceTypeGeneral", "types.resourceTypeGeneral")
    yield from _names("creators", attributes.get("creators"), "creators", typed=False)
    for title in dicts(attributes.get("titles")):
        yield from _value("titles", "titleType", title, "titleType", "titles[].titleType")
    yield from _names("contributors", attributes.get("contributors"), "contributors", typed=True)
    for item in dicts(attributes.get("dates")):
        yield from _value("dates", "dateType", item, "dateType", "dates[].dateType")
    for item in dicts(attributes.get("relatedIdentifiers")):
        field = "relatedIdentifiers[]."
        yield from _value("relatedIdentifiers", "relatedIdentifierType", item, "relatedIdentifierType",
                          field + "relatedIdentifierType")
        yield from _value("relatedIdentifiers", "relationType", item, "relationType", field + "relationType")
        yield from _value("relatedIdentifiers", "resourceTypeGeneral", item, "resourceTypeGeneral",
                          field + "resourceTypeGeneral")
    for item in dicts(attributes.get("relatedItems")):
        field = "relatedItems[]."
        yield from _value("relatedItems", "resourceTypeGeneral", item, "relatedItemType", field + "relatedItemType")
        yield from _value("relatedItems", "relationType", item, "relationType", field + "relationType")
        identifier = item.get("relatedItemIdentifier")
        if isinstance(identifier, dict):
            yield from _value("relatedItems", "relatedIdentifierType", identifier, "relatedItemIdentifierType",
                              field + "relatedItemIdentifier.relatedItemIdentifierType")
        number = item.get("number")
        yield from _value("relatedItems", "numberType", number if isinstance(number, dict) else item,
                          "numberType", field + "numberType")
        yield from _names("relatedItems", item.get("creators"), field + "creators", typed=False)
        yield from _names("relatedItems", item.get("contributors"), field + "contributors", typed=True)
        for title in dicts(item.get("titles")):
            yield from _value("relatedItems", "titleType", title, "titleType", field + "titles[].titleType")
    for item in dicts(attributes.get("descriptions")):
        yield from _value("descriptions", "descriptionType", item, "descriptionType", "descriptions[].descriptionType")
    for item in dicts(attributes.get("fundingReferences")):
        yield from _value("fundingReferences", "funderIdentifierType", item, "funderIdentifierType",
                          "fundingReferences[].funderIdentifierType")


def feature_uses(attributes: dict[str, Any]) -> list[FeatureUse]:
    """Every versioned (non-vocabulary) feature the record uses."""
    return list(_feature_uses(attributes))


def _keys(source: str, item: dict[str, Any], keys: tuple[str, ...], version: str, what: str,
          xml_names: dict[str, str] | None = None) -> Iterator[FeatureUse]:
    for key in keys:
        if filled(item.get(key)):
            name = (xml_names or {}).get(key, key)
            yield FeatureUse(source, f"{what} {key}", version, name)


def _people_features(source: str, people: Any, label: str) -> Iterator[FeatureUse]:
    for person in dicts(people):
        if filled(person.get("nameType")):
            yield FeatureUse(source, f"{label} nameType", "4.1", "nameType")
        if filled(person.get("lang")):
            yield FeatureUse(source, f"{label} name language", "4.2", "xml:lang")
        for affiliation in dicts(person.get("affiliation")):
            yield from _keys(source, affiliation, ("affiliationIdentifier", "affiliationIdentifierScheme", "schemeUri"),
                             "4.3", "affiliation", {"schemeUri": "schemeURI"})


def _polygon_features(location: dict[str, Any]) -> Iterator[FeatureUse]:
    polygon = location.get("geoLocationPolygon")
    if not isinstance(polygon, list | dict):
        return
    parts = as_list(polygon)
    if any(isinstance(part, list) for part in parts):
        yield FeatureUse("geoLocations", "several polygons in one geolocation", "4.1", "geoLocationPolygon", True)
    points = [p for part in parts for p in (part if isinstance(part, list) else [part])]
    if any(isinstance(p, dict) and filled(p.get("inPolygonPoint")) for p in points):
        yield FeatureUse("geoLocations", "geolocation inPolygonPoint", "4.1", "inPolygonPoint", True)


def _feature_uses(attributes: dict[str, Any]) -> Iterator[FeatureUse]:
    yield from _people_features("creators", attributes.get("creators"), "creator")
    publisher = attributes.get("publisher")
    if isinstance(publisher, dict):
        yield from _keys("publisher", publisher, ("lang",), "4.2", "publisher", {"lang": "xml:lang"})
        yield from _keys("publisher", publisher, ("publisherIdentifier", "publisherIdentifierScheme", "schemeUri"),
                         "4.5", "publisher", {"schemeUri": "schemeURI"})
    for subject in dicts(attributes.get("subjects")):
        yield from _keys("subjects", subject, ("classificationCode",), "4.4", "subject")
    yield from _people_features("contributors", attributes.get("contributors"), "contributor")
    for item in dicts(attributes.get("dates")):
        yield from _keys("dates", item, ("dateInformation",), "4.1", "date")
    for item in dicts(attributes.get("relatedIdentifiers")):
        yield from _keys("relatedIdentifiers", item, ("resourceTypeGeneral",), "4.1", "related identifier")
        yield from _keys("relatedIdentifiers", item, ("relationTypeInformation",), "4.7", "related identifier")
    if dicts(attributes.get("relatedItems")):
        yield FeatureUse("relatedItems", "relatedItems", "4.4", "relatedItems", True)
    for item in dicts(attributes.get("relatedItems")):
        yield from _keys("relatedItems", item, ("relationTypeInformation",), "4.7", "related item")
    for rights in dicts(attributes.get("rightsList")):
        yield from _keys("rightsList", rights, ("lang",), "4.1", "rights", {"lang": "xml:lang"})
        yield from _keys("rightsList", rights, ("rightsIdentifier", "rightsIdentifierScheme", "schemeUri"), "4.2",
                         "rights", {"schemeUri": "schemeURI"})
    for location in dicts(attributes.get("geoLocations")):
        yield from _polygon_features(location)
    for funding in dicts(attributes.get("fundingReferences")):
        yield from _keys("fundingReferences", funding, ("schemeUri",), "4.3", "funderIdentifier", {"schemeUri": "schemeURI"})
