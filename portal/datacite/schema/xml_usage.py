"""What a kernel-4 XML document uses: controlled values and features tied to a schema version."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from portal.datacite.schema.xmldoc import XML_NS, children, local_name

# Top-level element -> the REST attribute that carries the same property.
REST_SOURCE: dict[str, str] = {
    "identifier": "doi", "creators": "creators", "titles": "titles", "publisher": "publisher",
    "publicationYear": "publicationYear", "resourceType": "types", "subjects": "subjects",
    "contributors": "contributors", "dates": "dates", "language": "language",
    "alternateIdentifiers": "identifiers", "relatedIdentifiers": "relatedIdentifiers", "sizes": "sizes",
    "formats": "formats", "version": "version", "rightsList": "rightsList", "descriptions": "descriptions",
    "geoLocations": "geoLocations", "fundingReferences": "fundingReferences", "relatedItems": "relatedItems",
}

LANG = f"{{{XML_NS}}}lang"
_DOI_PATTERN = re.compile(r"^10\..+/.+$")

# element local name -> ((attribute, controlled list), ...)
_CONTROLLED_ATTRIBUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "resourceType": (("resourceTypeGeneral", "resourceTypeGeneral"),),
    "creatorName": (("nameType", "nameType"),),
    "contributorName": (("nameType", "nameType"),),
    "contributor": (("contributorType", "contributorType"),),
    "title": (("titleType", "titleType"),),
    "date": (("dateType", "dateType"),),
    "relatedIdentifier": (
        ("relatedIdentifierType", "relatedIdentifierType"), ("relationType", "relationType"),
        ("resourceTypeGeneral", "resourceTypeGeneral"),
    ),
    "description": (("descriptionType", "descriptionType"),),
    "funderIdentifier": (("funderIdentifierType", "funderIdentifierType"),),
    "relatedItem": (("relatedItemType", "resourceTypeGeneral"), ("relationType", "relationType")),
    "relatedItemIdentifier": (("relatedItemIdentifierType", "relatedIdentifierType"),),
    "number": (("numberType", "numberType"),),
}

# element local name -> ((attribute, version), ...): attributes that arrived after 4.0
_VERSIONED_ATTRIBUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "creatorName": (("nameType", "4.1"), (LANG, "4.2")),
    "contributorName": (("nameType", "4.1"), (LANG, "4.2")),
    "date": (("dateInformation", "4.1"),),
    "relatedIdentifier": (("resourceTypeGeneral", "4.1"), ("relationTypeInformation", "4.7")),
    "rights": ((LANG, "4.1"), ("rightsIdentifier", "4.2"), ("rightsIdentifierScheme", "4.2"), ("schemeURI", "4.2")),
    "affiliation": (("affiliationIdentifier", "4.3"), ("affiliationIdentifierScheme", "4.3"), ("schemeURI", "4.3")),
    "funderIdentifier": (("schemeURI", "4.3"),),
    "subject": (("classificationCode", "4.4"),),
    "relatedItem": (("relationTypeInformation", "4.7"),),
}
_TOP_PUBLISHER_ATTRIBUTES = ((LANG, "4.2"), ("publisherIdentifier", "4.5"), ("publisherIdentifierScheme", "4.5"),
                             ("schemeURI", "4.5"))


@dataclass(frozen=True)
class XmlValueUse:
    """A controlled-list value in an XML attribute."""

    source: str
    list_name: str
    value: str
    element: str
    attribute: str
    line: int


@dataclass(frozen=True)
class XmlFeatureUse:
    """An XML element or attribute that only exists from some schema version on."""

    source: str
    feature: str
    version: str
    element: str
    attribute: str
    line: int


def _walk(root: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """Every element with the REST attribute its top-level ancestor stands for ("xml" for the root)."""
    yield "xml", root
    for top in children(root):
        source = REST_SOURCE.get(local_name(top), local_name(top))
        for node in top.iter():
            if isinstance(node.tag, str):
                yield source, node


def _attribute_label(name: str) -> str:
    return "xml:lang" if name == LANG else name


def xml_value_uses(root: etree._Element) -> list[XmlValueUse]:
    """Every controlled value in the document, in document order."""
    found: list[XmlValueUse] = []
    for source, node in _walk(root):
        name = local_name(node)
        for attribute, list_name in _CONTROLLED_ATTRIBUTES.get(name, ()):
            value = node.get(attribute)
            if value is not None:
                found.append(XmlValueUse(source, list_name, value, name, attribute, node.sourceline or 0))
    return found


def xml_feature_uses(root: etree._Element) -> list[XmlFeatureUse]:
    """Every versioned (non-vocabulary) feature the document uses, in document order."""
    return list(_xml_feature_uses(root))


def _xml_feature_uses(root: etree._Element) -> Iterator[XmlFeatureUse]:
    for source, node in _walk(root):
        name = local_name(node)
        line = node.sourceline or 0
        versioned = _VERSIONED_ATTRIBUTES.get(name, ())
        if name == "publisher" and node.getparent() is root:
            versioned = _TOP_PUBLISHER_ATTRIBUTES
        for attribute, version in versioned:
            if node.get(attribute) is not None:
                label = _attribute_label(attribute)
                yield XmlFeatureUse(source, f"{name} {label}", version, name, label, line)
        if name == "relatedItems" and node.getparent() is root:
            yield XmlFeatureUse(source, "relatedItems", "4.4", name, "", line)
        elif name == "inPolygonPoint":
            yield XmlFeatureUse(source, "geolocation inPolygonPoint", "4.1", name, "", line)
        elif name == "geoLocation":
            seen = [local_name(c) for c in children(node)]
            if len(seen) != len(set(seen)):
                yield XmlFeatureUse(source, "repeated parts in one geolocation", "4.1", name, "", line)
        elif name == "identifier" and node.getparent() is root:
            if (node.get("identifierType") or "") != "DOI" or not _DOI_PATTERN.match((node.text or "").strip()):
                yield XmlFeatureUse(source, "identifier that is not a DOI", "4.2", name, "", line)
