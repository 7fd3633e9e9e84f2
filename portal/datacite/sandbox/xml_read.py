"""Read DataCite XML (kernel-3 and kernel-4) into REST metadata attributes, as DataCite does on upload."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from lxml import etree

from portal.datacite.sandbox.metadata import normalise_language, spdx_rights

XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


class XmlProblem(ValueError):
    """The XML could not be read; the message follows libxml's ``... at line L, column C`` form."""


@dataclass(frozen=True)
class ParsedXml:
    """DataCite XML read into attributes; ``namespace`` is the kernel namespace of the root element."""

    namespace: str
    metadata: dict[str, Any]
    root: Any


def decode_xml_attribute(value: str) -> str:
    """The XML text of a base64 ``xml`` attribute; BOM and surrounding blanks removed as DataCite does."""
    try:
        raw = base64.b64decode("".join(str(value).split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise XmlProblem(f"The xml attribute is not base64: {exc}") from exc
    return raw.decode("utf-8", errors="replace").lstrip("\ufeff").strip()


def parse_xml(text: str) -> ParsedXml:
    """Parse DataCite XML; XmlProblem when it is not well-formed or not a <resource>."""
    try:
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        raise XmlProblem(f"{exc.msg} at line {line}, column {column}") from exc
    if etree.QName(root).localname != "resource":
        raise XmlProblem(f"Element '{root.tag}': No matching global declaration available for the validation root.")
    return ParsedXml(namespace=etree.QName(root).namespace or "", metadata=read_resource(root), root=root)


def _children(parent: Any, name: str) -> list[Any]:
    if parent is None:
        return []
    return [c for c in parent if isinstance(c.tag, str) and etree.QName(c).localname == name]


def _child(parent: Any, name: str) -> Any:
    found = _children(parent, name)
    return found[0] if found else None


def _text(element: Any) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def _attrs(element: Any, mapping: dict[str, str]) -> dict[str, Any]:
    """Selected XML attributes renamed to their JSON keys; absent ones left out."""
    out: dict[str, Any] = {}
    for xml_name, json_name in mapping.items():
        value = element.get(xml_name)
        if value not in (None, ""):
            out[json_name] = value
    return out


def read_resource(root: Any) -> dict[str, Any]:
    """Every metadata property of a <resource> element, keyed like the REST API's attributes."""
    year_text = _text(_child(root, "publicationYear"))
    year = int(year_text) if year_text and year_text[:4].isdigit() else None
    resource_type = _child(root, "resourceType")
    types: dict[str, Any] = {}
    if resource_type is not None:
        types = _attrs(resource_type, {"resourceTypeGeneral": "resourceTypeGeneral"})
        if _text(resource_type):
            types["resourceType"] = _text(resource_type)
    dates = [{"date": _text(d), **_attrs(d, {"dateType": "dateType", "dateInformation": "dateInformation"})}
             for d in _children(_child(root, "dates"), "date")]
    if year and not any(d.get("dateType") == "Issued" for d in dates):
        dates.append({"date": str(year), "dateType": "Issued"})
    return {
        "identifiers": [
            {**_attrs(a, {"alternateIdentifierType": "identifierType"}), "identifier": _text(a)}
            for a in _children(_child(root, "alternateIdentifiers"), "alternateIdentifier")
        ],
        "creators": [_name(c, "creatorName") for c in _children(_child(root, "creators"), "creator")],
        "titles": [_lang({"title": _text(t), **_attrs(t, {"titleType": "titleType"})}, t)
                   for t in _children(_child(root, "titles"), "title")],
        "publisher": _publisher(_child(root, "publisher")),
        "container": {},
        "publicationYear": year,
        "subjects": [
            _lang({"subject": _text(s), **_attrs(s, {"subjectScheme": "subjectScheme", "classificationCode": "classificationCode",
                                                     "schemeURI": "schemeUri", "valueURI": "valueUri"})}, s)
            for s in _children(_child(root, "subjects"), "subject")
        ],
        "contributors": [_name(c, "contributorName") for c in _children(_child(root, "contributors"), "contributor")],
        "dates": dates,
        "language": normalise_language(_text(_child(root, "language"))),
        "types": types,
        "relatedIdentifiers": [_related_identifier(r) for r in _children(_child(root, "relatedIdentifiers"), "relatedIdentifier")],
        "relatedItems": [_related_item(r) for r in _children(_child(root, "relatedItems"), "relatedItem")],
        "sizes": [t for s in _children(_child(root, "sizes"), "size") if (t := _text(s))],
        "formats": [t for f in _children(_child(root, "formats"), "format") if (t := _text(f))],
        "version": _text(_child(root, "version")),
        "rightsList": [
            spdx_rights(_lang({"rights": _text(r), **_attrs(r, {"rightsURI": "rightsUri", "rightsIdentifier": "rightsIdentifier",
                                                                 "rightsIdentifierScheme": "rightsIdentifierScheme",
                                                                 "schemeURI": "schemeUri"})}, r))
            for r in _children(_child(root, "rightsList"), "rights")
        ],
        "descriptions": [_lang({"description": _text(d), **_attrs(d, {"descriptionType": "descriptionType"})}, d)
                         for d in _children(_child(root, "descriptions"), "description")],
        "geoLocations": [_geo_location(g) for g in _children(_child(root, "geoLocations"), "geoLocation")],
        "fundingReferences": [_funding(f) for f in _children(_child(root, "fundingReferences"), "fundingReference")],
    }


def _lang(entry: dict[str, Any], element: Any) -> dict[str, Any]:
    lang = element.get(f"{XML_NS}lang")
    if lang:
        entry["lang"] = lang
    return {k: v for k, v in entry.items() if v is not None}


def _name(element: Any, name_tag: str) -> dict[str, Any]:
    name_element = _child(element, name_tag)
    entity: dict[str, Any] = {}
    if name_element is not None and name_element.get("nameType"):
        entity["nameType"] = name_element.get("nameType")
    entity["name"] = _text(name_element)
    for key in ("givenName", "familyName"):
        if _text(_child(element, key)):
            entity[key] = _text(_child(element, key))
    entity["nameIdentifiers"] = [_name_identifier(n) for n in _children(element, "nameIdentifier")]
    entity["affiliation"] = [
        {"name": _text(a), **_attrs(a, {"affiliationIdentifier": "affiliationIdentifier",
                                        "affiliationIdentifierScheme": "affiliationIdentifierScheme",
                                        "schemeURI": "schemeUri"})}
        for a in _children(element, "affiliation")
    ]
    if element.get("contributorType"):
        entity["contributorType"] = element.get("contributorType")
    return entity


def _name_identifier(element: Any) -> dict[str, Any]:
    value = _text(element) or ""
    scheme = element.get("nameIdentifierScheme")
    scheme_uri = (element.get("schemeURI") or "").rstrip("/") or None
    if scheme == "ORCID" and value and not value.startswith("http"):
        value = f"https://orcid.org/{value}"
    return {k: v for k, v in {"nameIdentifier": value, "schemeUri": scheme_uri, "nameIdentifierScheme": scheme}.items() if v}


def _publisher(element: Any) -> dict[str, Any] | None:
    if element is None or not _text(element):
        return None
    entry = {"name": _text(element), **_attrs(element, {"publisherIdentifier": "publisherIdentifier",
                                                         "publisherIdentifierScheme": "publisherIdentifierScheme",
                                                         "schemeURI": "schemeUri"})}
    return _lang(entry, element)


def _related_identifier(element: Any) -> dict[str, Any]:
    return {"relatedIdentifier": _text(element), **_attrs(element, {
        "relatedIdentifierType": "relatedIdentifierType", "relationType": "relationType",
        "relatedMetadataScheme": "relatedMetadataScheme", "schemeURI": "schemeUri", "schemeType": "schemeType",
        "resourceTypeGeneral": "resourceTypeGeneral", "relationTypeInformation": "relationTypeInformation"})}


def _related_item(element: Any) -> dict[str, Any]:
    item: dict[str, Any] = _attrs(element, {"relationType": "relationType", "relatedItemType": "relatedItemType"})
    identifier = _child(element, "relatedItemIdentifier")
    if identifier is not None:
        item["relatedItemIdentifier"] = {"relatedItemIdentifier": _text(identifier), **_attrs(identifier, {
            "relatedItemIdentifierType": "relatedItemIdentifierType", "relatedMetadataScheme": "relatedMetadataScheme",
            "schemeURI": "schemeURI", "schemeType": "schemeType"})}
    item["creators"] = [_name(c, "creatorName") for c in _children(_child(element, "creators"), "creator")]
    item["titles"] = [_lang({"title": _text(t), **_attrs(t, {"titleType": "titleType"})}, t)
                      for t in _children(_child(element, "titles"), "title")]
    for key in ("publicationYear", "volume", "issue", "firstPage", "lastPage", "publisher", "edition"):
        if _text(_child(element, key)):
            item[key] = _text(_child(element, key))
    number = _child(element, "number")
    if _text(number):
        item["number"] = _text(number)
        if number.get("numberType"):
            item["numberType"] = number.get("numberType")
    item["contributors"] = [_name(c, "contributorName") for c in _children(_child(element, "contributors"), "contributor")]
    return item


def _point(element: Any) -> dict[str, Any]:
    return {k: _text(_child(element, k)) for k in ("pointLatitude", "pointLongitude") if _text(_child(element, k))}


def _geo_location(element: Any) -> dict[str, Any]:
    geo: dict[str, Any] = {}
    if _text(_child(element, "geoLocationPlace")):
        geo["geoLocationPlace"] = _text(_child(element, "geoLocationPlace"))
    if _child(element, "geoLocationPoint") is not None:
        geo["geoLocationPoint"] = _point(_child(element, "geoLocationPoint"))
    box = _child(element, "geoLocationBox")
    if box is not None:
        geo["geoLocationBox"] = {k: _text(_child(box, k)) for k in
                                 ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude")
                                 if _text(_child(box, k))}
    for polygon in _children(element, "geoLocationPolygon"):
        points: list[dict[str, Any]] = [{"polygonPoint": _point(p)} for p in _children(polygon, "polygonPoint")]
        points += [{"inPolygonPoint": _point(p)} for p in _children(polygon, "inPolygonPoint")]
        geo["geoLocationPolygon"] = points
    return geo


def _funding(element: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if _text(_child(element, "funderName")):
        entry["funderName"] = _text(_child(element, "funderName"))
    funder = _child(element, "funderIdentifier")
    if _text(funder):
        entry["funderIdentifier"] = _text(funder)
        entry.update(_attrs(funder, {"funderIdentifierType": "funderIdentifierType", "schemeURI": "schemeUri"}))
    award = _child(element, "awardNumber")
    if _text(award):
        entry["awardNumber"] = _text(award)
        entry.update(_attrs(award, {"awardURI": "awardUri"}))
    if _text(_child(element, "awardTitle")):
        entry["awardTitle"] = _text(_child(element, "awardTitle"))
    return entry
