"""JSON:API documents in DataCite's shapes: the detail view of one DOI, list items, and /clients/{id}."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any

from portal.datacite.sandbox.metadata import has_metadata
from portal.datacite.sandbox.repositories import SandboxRepository
from portal.datacite.sandbox.resource_types import derived_types
from portal.datacite.sandbox.rows import DoiRow
from portal.datacite.sandbox.xml_write import build_xml

LIST_KEYS = (
    "doi", "identifiers", "creators", "titles", "publisher", "container", "publicationYear", "subjects", "contributors",
    "dates", "language", "types", "relatedIdentifiers", "relatedItems", "sizes", "formats", "version", "rightsList",
    "descriptions", "geoLocations", "fundingReferences", "url", "contentUrl", "metadataVersion", "schemaVersion",
    "source", "isActive", "state", "reason", "viewCount", "downloadCount", "referenceCount", "citationCount",
    "partCount", "partOfCount", "versionCount", "versionOfCount", "created", "registered", "published", "updated",
)
RELATIONS = ("references", "citations", "parts", "partOf", "versions", "versionOf")


@dataclass(frozen=True)
class View:
    """How a request wants DOIs rendered."""

    affiliation_objects: bool = False
    publisher_object: bool = False
    owner: bool = False


def timestamp(ms: int | None, *, millis: bool) -> str | None:
    """DataCite's timestamps: ``2025-10-29T17:38:38.000Z`` in detail views, without ``.000`` in lists."""
    if ms is None:
        return None
    text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000))
    return f"{text}.000Z" if millis else f"{text}Z"


def _names(entities: list[dict[str, Any]], view: View) -> list[dict[str, Any]]:
    out = []
    for entity in entities:
        item = dict(entity)
        affiliations = item.get("affiliation") or []
        if not view.affiliation_objects:
            item["affiliation"] = [a.get("name") if isinstance(a, dict) else a for a in affiliations]
        out.append(item)
    return out


def _identifiers(row: DoiRow, metadata: dict[str, Any]) -> list[dict[str, Any]]:
    skip = {row.doi, f"https://doi.org/{row.doi}", (row.url or "").lower()}
    return [i for i in metadata.get("identifiers") or [] if str(i.get("identifier", "")).lower() not in skip]


def _published(metadata: dict[str, Any]) -> str | None:
    for date in metadata.get("dates") or []:
        if isinstance(date, dict) and date.get("dateType") == "Issued" and str(date.get("date") or "")[:4].isdigit():
            return str(date["date"])[:4]
    year = metadata.get("publicationYear")
    return str(year) if year else None


def xml_text(row: DoiRow, metadata: dict[str, Any] | None = None) -> str | None:
    """The stored XML, or kernel-4 XML generated from the metadata; None for a record without metadata."""
    if row.xml:
        return row.xml
    metadata = row.document() if metadata is None else metadata
    return build_xml(row.doi, metadata) if has_metadata(metadata) else None


def landing_page(row: DoiRow) -> dict[str, Any] | None:
    """The link checker's last result (seeded DOIs carry one), as DataCite shows it to the owner."""
    if row.link_status is None:
        return None
    return {
        "url": row.url, "error": "" if row.link_status < 400 else f"received a {row.link_status} status",
        "status": row.link_status, "checked": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(row.updated_ms // 1000)),
        "bodyHasPid": row.link_status == 200, "citationDoi": None, "contentType": "text/html; charset=utf-8",
        "schemaOrgId": None, "dcIdentifier": None, "hasSchemaOrg": False, "redirectUrls": [], "redirectCount": 0,
        "downloadLatency": 150 + (row.id or 0) % 700,
    }


def attributes(row: DoiRow, view: View, *, detail: bool, millis: bool) -> dict[str, Any]:
    """Every attribute of a DOI in DataCite's order; ``detail`` adds the detail-only ones."""
    metadata = row.document()
    publisher = metadata.get("publisher")
    identifiers = _identifiers(row, metadata)
    out: dict[str, Any] = {"doi": row.doi}
    if detail:
        out["prefix"], _, out["suffix"] = row.doi.partition("/")
    out["identifiers"] = identifiers
    if detail:
        out["alternateIdentifiers"] = [
            {"alternateIdentifierType": i.get("identifierType"), "alternateIdentifier": i.get("identifier")} for i in identifiers
        ]
    out.update({
        "creators": _names(metadata.get("creators") or [], view),
        "titles": metadata.get("titles") or [],
        "publisher": (publisher if view.publisher_object else publisher.get("name")) if publisher else None,
        "container": metadata.get("container") or {},
        "publicationYear": metadata.get("publicationYear"),
        "subjects": metadata.get("subjects") or [],
        "contributors": _names(metadata.get("contributors") or [], view),
        "dates": metadata.get("dates") or [],
        "language": metadata.get("language"),
        "types": derived_types(metadata.get("types") or {}),
        "relatedIdentifiers": metadata.get("relatedIdentifiers") or [],
        "relatedItems": metadata.get("relatedItems") or [],
        "sizes": metadata.get("sizes") or [],
        "formats": metadata.get("formats") or [],
        "version": metadata.get("version"),
        "rightsList": metadata.get("rightsList") or [],
        "descriptions": metadata.get("descriptions") or [],
        "geoLocations": metadata.get("geoLocations") or [],
        "fundingReferences": metadata.get("fundingReferences") or [],
    })
    if detail:
        xml = xml_text(row, metadata)
        out["xml"] = base64.b64encode(xml.encode("utf-8")).decode("ascii") if xml else None
    out.update({
        "url": row.url, "contentUrl": metadata.get("contentUrl"), "metadataVersion": row.metadata_version,
        "schemaVersion": row.schema_version, "source": row.source, "isActive": row.state == "findable",
        "state": row.state, "reason": row.reason,
    })
    if detail and view.owner:
        out["landingPage"] = landing_page(row)
    out["viewCount"] = row.view_count
    if detail:
        out["viewsOverTime"] = []
    out["downloadCount"] = row.download_count
    if detail:
        out["downloadsOverTime"] = []
    out["referenceCount"] = 0
    out["citationCount"] = row.citation_count
    if detail:
        out["citationsOverTime"] = []
    out.update({"partCount": 0, "partOfCount": 0, "versionCount": 0, "versionOfCount": 0,
                "created": timestamp(row.created_ms, millis=millis), "registered": timestamp(row.registered_ms, millis=millis),
                "published": _published(metadata) if millis else None, "updated": timestamp(row.updated_ms, millis=millis)})
    return out


def relationships(row: DoiRow, *, full: bool) -> dict[str, Any]:
    """Client always; provider, media and the (empty) relation lists in detail views."""
    out: dict[str, Any] = {"client": {"data": {"id": row.client_id.lower(), "type": "clients"}}}
    if full:
        out["provider"] = {"data": {"id": row.provider_id.lower(), "type": "providers"}}
        out["media"] = {"data": {"id": row.doi, "type": "media"}}
        out.update({name: {"data": []} for name in RELATIONS})
    return out


def detail_resource(row: DoiRow, view: View) -> dict[str, Any]:
    """The ``data`` member of GET/POST/PUT /dois/{id}."""
    return {"id": row.doi, "type": "dois", "attributes": attributes(row, view, detail=True, millis=True),
            "relationships": relationships(row, full=True)}


def list_resource(row: DoiRow, view: View, *, detail: bool, fields: list[str] | None) -> dict[str, Any]:
    """One item of GET /dois: fewer keys and no milliseconds, unless ``detail=true``."""
    attrs = attributes(row, view, detail=detail, millis=detail)
    if not detail:
        attrs = {k: attrs[k] for k in LIST_KEYS}
    if fields is not None:
        return {"id": row.doi, "type": "dois", "attributes": {k: v for k, v in attrs.items() if k in fields},
                "relationships": {}}
    return {"id": row.doi, "type": "dois", "attributes": attrs, "relationships": relationships(row, full=detail)}


def client_resource(repository: SandboxRepository, *, created_ms: int, updated_ms: int, authenticated: bool) -> dict[str, Any]:
    """GET /clients/{id}: contactEmail and hasPassword only for the repository itself."""
    attrs: dict[str, Any] = {"name": repository.name, "symbol": repository.symbol,
                             "year": int(time.strftime("%Y", time.gmtime(created_ms // 1000)))}
    if authenticated:
        attrs["contactEmail"] = repository.contact_email or None
    attrs.update({
        "alternateName": None, "description": None, "language": [], "clientType": "repository",
        "domains": repository.domains, "re3data": None, "opendoar": None, "issn": {}, "url": None,
        "created": timestamp(created_ms, millis=True), "updated": timestamp(updated_ms, millis=True),
        "isActive": repository.active,
    })
    if authenticated:
        attrs["hasPassword"] = bool(repository.password)
    return {"id": repository.uid, "type": "clients", "attributes": attrs, "relationships": {
        "provider": {"data": {"id": repository.provider_id.lower(), "type": "providers"}},
        "prefixes": {"data": [{"id": p, "type": "prefixes"} for p in repository.prefixes]},
    }}
