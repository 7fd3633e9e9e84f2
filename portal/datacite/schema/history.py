"""What each 4.x release added, in a few plain words per item (for docs and readiness reports)."""

from __future__ import annotations

from portal.datacite.schema.catalog import CONTROLLED, check_version

_STRUCTURE: dict[str, tuple[str, ...]] = {
    "4.0": (
        "resourceTypeGeneral becomes mandatory",
        "fundingReferences replace the contributor type Funder, which is removed",
        "givenName and familyName for creators and contributors",
        "geoLocationPolygon; point and box redefined",
        "valueURI on subjects",
    ),
    "4.1": (
        "nameType (Personal or Organizational) on creator and contributor names",
        "dateInformation on dates",
        "resourceTypeGeneral on related identifiers",
        "several polygons per geolocation, inPolygonPoint, geolocation parts in any order",
        "language (xml:lang) on rights",
    ),
    "4.2": (
        "rightsIdentifier, rightsIdentifierScheme and schemeURI on rights (SPDX licence identifiers)",
        "language (xml:lang) on organisational creator, contributor and publisher names",
        "the identifier is no longer pattern-checked as a DOI",
    ),
    "4.3": (
        "affiliationIdentifier, affiliationIdentifierScheme and schemeURI on affiliations (ROR)",
        "schemeURI on funderIdentifier",
    ),
    "4.4": (
        "relatedItems: structured details of a journal, book or series the resource belongs to",
        "classificationCode on subjects",
        "numberType for related item numbers",
    ),
    "4.5": ("publisherIdentifier, publisherIdentifierScheme and schemeURI on the publisher (REST: publisher object)",),
    "4.6": ("clarified which language values are allowed",),
    "4.7": ("relationTypeInformation on related identifiers and related items (free text for relationType Other)",),
}

_LIST_LABELS = {
    "resourceTypeGeneral": "resource types",
    "relationType": "relation types",
    "relatedIdentifierType": "related identifier types",
    "contributorType": "contributor types",
    "dateType": "date types",
    "descriptionType": "description types",
    "titleType": "title types",
    "funderIdentifierType": "funder identifier types",
    "nameType": "name types",
    "numberType": "number types",
}


def version_features(version: str) -> list[str]:
    """A short human list of what a schema version added (structure first, then new controlled values)."""
    check_version(version)
    items = list(_STRUCTURE[version])
    if version == "4.0":
        return items
    for list_name, values in CONTROLLED.items():
        added = [value for value, arrived in values.items() if arrived == version]
        if added:
            items.append(f"new {_LIST_LABELS[list_name]}: {', '.join(added)}")
    return items
