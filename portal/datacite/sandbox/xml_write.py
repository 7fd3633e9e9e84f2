"""Write kernel-4 DataCite XML from stored metadata, as DataCite generates it for JSON-only records."""

from __future__ import annotations

import json
import re
from typing import Any

from lxml import etree

KERNEL_4 = "http://datacite.org/schema/kernel-4"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = f"{KERNEL_4} http://schema.datacite.org/meta/kernel-4/metadata.xsd"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _clean(value: Any) -> str:
    """Text XML 1.0 can hold: control characters and lone surrogates dropped."""
    return _NOT_XML.sub("", value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                        if isinstance(value, dict | list) else str(value))


def _el(parent: Any, tag: str, text: Any = None, **attrs: Any) -> Any:
    element = etree.SubElement(parent, f"{{{KERNEL_4}}}{tag}")
    for key, value in attrs.items():
        if value not in (None, ""):
            element.set(XML_LANG if key == "lang" else key, _clean(value))
    if text not in (None, ""):
        element.text = _clean(text)
    return element


def _name(parent: Any, tag: str, entity: dict[str, Any], name_tag: str) -> None:
    element = _el(parent, tag, contributorType=entity.get("contributorType")) if tag == "contributor" else _el(parent, tag)
    _el(element, name_tag, entity.get("name"), nameType=entity.get("nameType"))
    for key in ("givenName", "familyName"):
        if entity.get(key):
            _el(element, key, entity[key])
    for ident in entity.get("nameIdentifiers") or []:
        if isinstance(ident, dict):
            _el(element, "nameIdentifier", ident.get("nameIdentifier"),
                nameIdentifierScheme=ident.get("nameIdentifierScheme"), schemeURI=ident.get("schemeUri"))
    for affiliation in entity.get("affiliation") or []:
        if isinstance(affiliation, dict):
            _el(element, "affiliation", affiliation.get("name"),
                affiliationIdentifier=affiliation.get("affiliationIdentifier"),
                affiliationIdentifierScheme=affiliation.get("affiliationIdentifierScheme"),
                schemeURI=affiliation.get("schemeUri"))
        else:
            _el(element, "affiliation", affiliation)


def build_xml(doi: str, metadata: dict[str, Any]) -> str:
    """A well-formed kernel-4 <resource> for ``doi`` (upper-cased, as DataCite writes it)."""
    root = etree.Element(f"{{{KERNEL_4}}}resource", nsmap={None: KERNEL_4, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    _el(root, "identifier", doi.upper(), identifierType="DOI")
    creators = _el(root, "creators")
    for creator in metadata.get("creators") or []:
        _name(creators, "creator", creator, "creatorName")
    titles = _el(root, "titles")
    for title in metadata.get("titles") or []:
        _el(titles, "title", title.get("title"), lang=title.get("lang"), titleType=title.get("titleType"))
    publisher = metadata.get("publisher") or {}
    if publisher:
        _el(root, "publisher", publisher.get("name"), lang=publisher.get("lang"),
            publisherIdentifier=publisher.get("publisherIdentifier"),
            publisherIdentifierScheme=publisher.get("publisherIdentifierScheme"), schemeURI=publisher.get("schemeUri"))
    if metadata.get("publicationYear"):
        _el(root, "publicationYear", metadata["publicationYear"])
    types = metadata.get("types") or {}
    if types.get("resourceTypeGeneral"):
        _el(root, "resourceType", types.get("resourceType"), resourceTypeGeneral=types["resourceTypeGeneral"])
    _list(root, "subjects", "subject", metadata.get("subjects"), "subject",
          {"subjectScheme": "subjectScheme", "schemeUri": "schemeURI", "valueUri": "valueURI",
           "classificationCode": "classificationCode", "lang": "lang"})
    if metadata.get("contributors"):
        contributors = _el(root, "contributors")
        for contributor in metadata["contributors"]:
            _name(contributors, "contributor", contributor, "contributorName")
    _list(root, "dates", "date", metadata.get("dates"), "date", {"dateType": "dateType", "dateInformation": "dateInformation"})
    if metadata.get("language"):
        _el(root, "language", metadata["language"])
    _list(root, "alternateIdentifiers", "alternateIdentifier", metadata.get("identifiers"), "identifier",
          {"identifierType": "alternateIdentifierType"})
    _list(root, "relatedIdentifiers", "relatedIdentifier", metadata.get("relatedIdentifiers"), "relatedIdentifier",
          {"relatedIdentifierType": "relatedIdentifierType", "relationType": "relationType",
           "relatedMetadataScheme": "relatedMetadataScheme", "schemeUri": "schemeURI", "schemeType": "schemeType",
           "resourceTypeGeneral": "resourceTypeGeneral", "relationTypeInformation": "relationTypeInformation"})
    sizes = _el(root, "sizes")
    for size in metadata.get("sizes") or []:
        _el(sizes, "size", size)
    formats = _el(root, "formats")
    for fmt in metadata.get("formats") or []:
        _el(formats, "format", fmt)
    _el(root, "version", metadata.get("version"))
    _list(root, "rightsList", "rights", metadata.get("rightsList"), "rights",
          {"rightsUri": "rightsURI", "rightsIdentifier": "rightsIdentifier", "rightsIdentifierScheme": "rightsIdentifierScheme",
           "schemeUri": "schemeURI", "lang": "lang"})
    _list(root, "descriptions", "description", metadata.get("descriptions"), "description",
          {"descriptionType": "descriptionType", "lang": "lang"})
    _geo_locations(root, metadata.get("geoLocations") or [])
    _funding(root, metadata.get("fundingReferences") or [])
    _related_items(root, metadata.get("relatedItems") or [])
    return DECLARATION + etree.tostring(root, encoding="unicode", pretty_print=True)


def _list(root: Any, wrapper: str, tag: str, items: Any, text_key: str, attrs: dict[str, str]) -> None:
    if not items:
        return
    parent = _el(root, wrapper)
    for item in items:
        if isinstance(item, dict):
            _el(parent, tag, item.get(text_key), **{xml: item.get(json) for json, xml in attrs.items()})


def _point(parent: Any, tag: str, point: Any) -> None:
    if isinstance(point, dict):
        element = _el(parent, tag)
        _el(element, "pointLongitude", point.get("pointLongitude"))
        _el(element, "pointLatitude", point.get("pointLatitude"))


def _geo_locations(root: Any, locations: list[Any]) -> None:
    if not locations:
        return
    parent = _el(root, "geoLocations")
    for location in locations:
        if not isinstance(location, dict):
            continue
        element = _el(parent, "geoLocation")
        if location.get("geoLocationPlace"):
            _el(element, "geoLocationPlace", location["geoLocationPlace"])
        if location.get("geoLocationPoint"):
            _point(element, "geoLocationPoint", location["geoLocationPoint"])
        box = location.get("geoLocationBox")
        if isinstance(box, dict):
            box_element = _el(element, "geoLocationBox")
            for key in ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude"):
                _el(box_element, key, box.get(key))
        polygon = location.get("geoLocationPolygon")
        if isinstance(polygon, list) and polygon:
            polygon_element = _el(element, "geoLocationPolygon")
            for point in polygon:
                if isinstance(point, dict):
                    for key in ("polygonPoint", "inPolygonPoint"):
                        if key in point:
                            _point(polygon_element, key, point[key])


def _funding(root: Any, references: list[Any]) -> None:
    if not references:
        return
    parent = _el(root, "fundingReferences")
    for ref in references:
        if not isinstance(ref, dict):
            continue
        element = _el(parent, "fundingReference")
        _el(element, "funderName", ref.get("funderName"))
        if ref.get("funderIdentifier"):
            _el(element, "funderIdentifier", ref["funderIdentifier"], funderIdentifierType=ref.get("funderIdentifierType"),
                schemeURI=ref.get("schemeUri"))
        if ref.get("awardNumber"):
            _el(element, "awardNumber", ref["awardNumber"], awardURI=ref.get("awardUri"))
        if ref.get("awardTitle"):
            _el(element, "awardTitle", ref["awardTitle"])


def _related_items(root: Any, items: list[Any]) -> None:
    if not items:
        return
    parent = _el(root, "relatedItems")
    for item in items:
        if not isinstance(item, dict):
            continue
        element = _el(parent, "relatedItem", relationType=item.get("relationType"), relatedItemType=item.get("relatedItemType"))
        ident = item.get("relatedItemIdentifier")
        if isinstance(ident, dict) and ident.get("relatedItemIdentifier"):
            _el(element, "relatedItemIdentifier", ident["relatedItemIdentifier"],
                relatedItemIdentifierType=ident.get("relatedItemIdentifierType"))
        if item.get("creators"):
            creators = _el(element, "creators")
            for creator in item["creators"]:
                if isinstance(creator, dict):
                    _name(creators, "creator", creator, "creatorName")
        titles = _el(element, "titles")
        for title in item.get("titles") or []:
            if isinstance(title, dict):
                _el(titles, "title", title.get("title"), titleType=title.get("titleType"))
        for key in ("publicationYear", "volume", "issue"):
            if item.get(key):
                _el(element, key, item[key])
        if item.get("number"):
            _el(element, "number", item["number"], numberType=item.get("numberType"))
        for key in ("firstPage", "lastPage", "publisher", "edition"):
            if item.get(key):
                _el(element, key, item[key])


def with_identifier(xml_text: str, doi: str) -> str:
    """Stored XML with its <identifier> set to ``doi`` upper-cased; the rest re-serialised unchanged."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(xml_text.encode("utf-8"), parser)
    for element in root:
        if isinstance(element.tag, str) and etree.QName(element).localname == "identifier":
            element.text = doi.upper()
            break
    return DECLARATION + etree.tostring(root, encoding="unicode")
