"""Reading and writing one DOI with DataCite's permission checks, state events and validation."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from typing import Any

from portal.datacite.sandbox.metadata import METADATA_KEYS, AttributeTypeError, normalise_metadata
from portal.datacite.sandbox.repositories import Caller, SandboxRepository
from portal.datacite.sandbox.responses import BAD_CREDENTIALS, FORBIDDEN, NOT_FOUND, ApiError, Invalid
from portal.datacite.sandbox.rows import DoiRow
from portal.datacite.sandbox.states import needs_validation, next_state
from portal.datacite.sandbox.store import Store
from portal.datacite.sandbox.suffixes import doi_syntax_ok, random_suffix
from portal.datacite.sandbox.validation import validation_errors
from portal.datacite.sandbox.xml_read import XmlProblem, decode_xml_attribute, parse_xml
from portal.datacite.sandbox.xml_write import with_identifier

KERNEL_4 = "http://datacite.org/schema/kernel-4"
ALLOW_NON_DRAFT = {"Allow": "HEAD, GET, POST, PATCH, PUT, OPTIONS"}


def visible_doi(store: Store, caller: Caller, doi: str) -> DoiRow:
    """A DOI the caller may read: findable ones for everybody, others only for their repository."""
    row = store.get(doi)
    if row is None or (row.state != "findable" and not caller.owns(row.client_id)):
        raise ApiError(404, NOT_FOUND)
    return row


def create_doi(store: Store, caller: Caller, attributes: dict[str, Any], *, now_ms: int,
               rng: random.Random | None = None) -> DoiRow:
    """POST /dois: a new DOI for the calling repository (explicit name, or prefix plus a generated suffix)."""
    repository = _writer(caller, anonymous=401)
    doi = str(attributes.get("doi") or "").strip().lower()
    if not doi and attributes.get("prefix"):
        shoulder = str(attributes["prefix"]).strip().lower()
        doi = f"{shoulder}-{random_suffix(rng)}" if "/" in shoulder else f"{shoulder}/{random_suffix(rng)}"
    if not doi:
        raise Invalid([{"source": "doi", "title": "Can't be blank"}])
    _may_mint(repository, doi)
    if not doi_syntax_ok(doi):
        raise Invalid([{"source": "doi", "title": "Is invalid", "uid": doi}])
    if store.get(doi) is not None:
        raise Invalid([{"source": "doi", "title": "This DOI has already been taken", "uid": doi}])
    row = _apply(_blank(doi, repository, now_ms), attributes, repository, now_ms=now_ms, new=True)
    return store.insert(row)


def update_doi(store: Store, caller: Caller, doi: str, attributes: dict[str, Any], *, now_ms: int) -> tuple[DoiRow, bool]:
    """PUT /dois/{doi}: update the caller's DOI, or create it when the name is free; True when created."""
    doi = doi.strip().lower()
    existing = store.get(doi)
    if existing is None:
        repository = _writer(caller, anonymous=404)
        _may_mint(repository, doi)
        if not doi_syntax_ok(doi):
            raise Invalid([{"source": "doi", "title": "Is invalid", "uid": doi}])
        row = _apply(_blank(doi, repository, now_ms), attributes, repository, now_ms=now_ms, new=True)
        return store.insert(row), True
    repository = _owner(caller, existing)
    row = _apply(existing, attributes, repository, now_ms=now_ms, new=False)
    return store.update(existing, row), False


def delete_doi(store: Store, caller: Caller, doi: str) -> None:
    """DELETE /dois/{doi}: drafts only; anything else is 405 with DataCite's Allow header."""
    row = store.get(doi)
    if row is None:
        raise ApiError(404, NOT_FOUND)
    _owner(caller, row)
    if row.state != "draft":
        raise ApiError(405, "Method not allowed", ALLOW_NON_DRAFT)
    store.delete(row)


def _writer(caller: Caller, *, anonymous: int) -> SandboxRepository:
    """The repository a new DOI is for. Wrong credentials meet DataCite's nil-client quirk: 404."""
    if caller.repository is None:
        if not caller.presented and anonymous == 401:
            raise ApiError(401, BAD_CREDENTIALS)
        raise ApiError(404, NOT_FOUND)
    if not caller.repository.active:
        raise ApiError(403, FORBIDDEN)
    return caller.repository


def _owner(caller: Caller, row: DoiRow) -> SandboxRepository:
    if caller.repository is None:
        raise ApiError(401, BAD_CREDENTIALS)
    if not caller.owns(row.client_id) or not caller.repository.active:
        raise ApiError(403, FORBIDDEN)
    return caller.repository


def _may_mint(repository: SandboxRepository, doi: str) -> None:
    if doi.split("/", 1)[0] not in repository.prefixes:
        raise ApiError(403, FORBIDDEN)


def _blank(doi: str, repository: SandboxRepository, now_ms: int) -> DoiRow:
    return DoiRow(doi=doi, prefix=doi.split("/", 1)[0], client_id=repository.symbol, provider_id=repository.provider_id,
                  state="draft", created_ms=now_ms, updated_ms=now_ms)


def _text(value: Any) -> str | None:
    """A JSON value stored as text (objects and lists as JSON); None stays None."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _truthy(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"


def _apply(row: DoiRow, attributes: dict[str, Any], repository: SandboxRepository, *, now_ms: int, new: bool) -> DoiRow:
    """The DOI after a write: metadata merged, XML handled, event applied, then validated."""
    try:
        given = normalise_metadata(attributes)
    except AttributeTypeError as exc:
        raise Invalid([{"source": exc.source, "title": exc.title, "uid": row.doi}]) from None
    metadata = row.document()
    stored_xml, namespace, xml_problem = row.xml, None, None
    if attributes.get("xml"):
        try:
            text = decode_xml_attribute(attributes["xml"])
        except XmlProblem as exc:
            text, xml_problem = None, str(exc)
        if text is not None:
            stored_xml = text  # kept as sent when it cannot be read (drafts accept anything)
            try:
                parsed = parse_xml(text)
            except XmlProblem as exc:
                xml_problem = str(exc)
            else:
                namespace = parsed.namespace
                metadata.update(normalise_metadata(parsed.metadata))
                stored_xml = None if given else with_identifier(text, row.doi)
    elif given:
        stored_xml = None  # JSON attributes win; the XML is generated from them from now on
    metadata.update(given)
    state = next_state(row.state, attributes.get("event"))
    schema_version = _text(attributes.get("schemaVersion")) or namespace or row.schema_version
    if schema_version is None and needs_validation(state):
        schema_version = KERNEL_4
    url = str(attributes["url"]).strip() if attributes.get("url") else row.url
    if needs_validation(state) or _truthy(attributes.get("should_validate")):
        if xml_problem:
            raise Invalid([{"source": "xml", "title": xml_problem, "uid": row.doi}])
        errors = validation_errors(row.doi, url=url, metadata=metadata, xml=stored_xml, namespace=namespace or schema_version,
                                   schema_version=schema_version, repository=repository, check_url=needs_validation(state))
        if errors:
            raise Invalid(errors)
    changed = bool(given) or (bool(attributes.get("xml")) and not xml_problem)
    updated = replace(
        row, state=state, url=url, updated_ms=now_ms, schema_version=schema_version, xml=stored_xml,
        source=_text(attributes.get("source")) or row.source or "api",
        reason=_text(attributes["reason"]) if "reason" in attributes else row.reason,
        metadata_version=row.metadata_version + (1 if changed and not new else 0),
        registered_ms=row.registered_ms or (now_ms if needs_validation(state) else None),
        metadata=json.dumps({k: metadata[k] for k in METADATA_KEYS if k in metadata}, ensure_ascii=False),
    )
    return with_search_columns(updated, metadata)


def with_search_columns(row: DoiRow, metadata: dict[str, Any]) -> DoiRow:
    """The filter and facet columns derived from a DOI's metadata."""
    types = metadata.get("types") or {}
    creators = [c for c in metadata.get("creators") or [] if isinstance(c, dict)]
    names = [" ".join(str(c.get(k) or "") for k in ("name", "givenName", "familyName")).strip() for c in creators]
    affiliation = next((f"{_ror(a['affiliationIdentifier'])}:{a.get('name') or ''}"
                        for c in creators + list(metadata.get("contributors") or []) if isinstance(c, dict)
                        for a in c.get("affiliation") or [] if isinstance(a, dict) and a.get("affiliationIdentifier")), None)
    subjects = [str(s.get("subject")) for s in metadata.get("subjects") or [] if isinstance(s, dict) and s.get("subject")]
    licence = next((str(r["rightsIdentifier"]).lower() for r in metadata.get("rightsList") or []
                    if isinstance(r, dict) and r.get("rightsIdentifier")), None)
    publisher = metadata.get("publisher") or {}
    return replace(
        row,
        resource_type_general=types.get("resourceTypeGeneral"), resource_type=types.get("resourceType"),
        publication_year=metadata.get("publicationYear"),
        title_text=" | ".join(str(t.get("title") or "") for t in metadata.get("titles") or [] if isinstance(t, dict)).lower(),
        creator_text=" | ".join(names).lower(), publisher=publisher.get("name"), license=licence, affiliation=affiliation,
        subject=subjects[0] if subjects else None,
        field_of_science=next((s.removeprefix("FOS: ") for s in subjects if s.startswith("FOS: ")), None),
    )


def _ror(identifier: str) -> str:
    return str(identifier).strip().lower().removeprefix("https://").removeprefix("http://")
