"""Typed results of DataCite calls; each keeps the JSON it came from as ``raw`` for diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit


class UnexpectedDocument(ValueError):
    """A 2xx answer whose JSON is not the document DataCite sends for this call."""


def parse_time(value: Any) -> datetime | None:
    """An aware UTC datetime from DataCite's ISO-8601 strings (with or without milliseconds)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _relation_id(relationships: Any, name: str) -> str | None:
    if not isinstance(relationships, dict):
        return None
    data = (relationships.get(name) or {}).get("data") if isinstance(relationships.get(name), dict) else None
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return data["id"]
    return None


@dataclass(frozen=True)
class Doi:
    """One DOI as DataCite shows it (detail or list view)."""

    doi: str
    prefix: str
    suffix: str
    state: str
    url: str | None
    client_id: str | None
    provider_id: str | None
    title: str
    publisher: str
    publication_year: int | None
    resource_type_general: str | None
    schema_version: str | None
    metadata_version: int | None
    created: datetime | None
    registered: datetime | None
    updated: datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def attributes(self) -> dict[str, Any]:
        """The DOI's JSON attributes as DataCite sent them."""
        attrs = self.raw.get("attributes")
        return attrs if isinstance(attrs, dict) else {}

    @classmethod
    def from_item(cls, item: Any) -> Doi:
        """A Doi from a JSON:API resource object (``data`` of a detail answer, or a list item)."""
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise UnexpectedDocument("a DOI resource needs an id")
        attrs = item.get("attributes") if isinstance(item.get("attributes"), dict) else {}
        doi = str(attrs.get("doi") or item["id"]).lower()
        prefix, _, suffix = doi.partition("/")
        titles = attrs.get("titles") if isinstance(attrs.get("titles"), list) else []
        title = next((str(t["title"]) for t in titles if isinstance(t, dict) and t.get("title")), "")
        publisher = attrs.get("publisher")
        if isinstance(publisher, dict):
            publisher = publisher.get("name")
        types = attrs.get("types") if isinstance(attrs.get("types"), dict) else {}
        relationships = item.get("relationships")
        return cls(
            doi=doi,
            prefix=str(attrs.get("prefix") or prefix),
            suffix=str(attrs.get("suffix") or suffix),
            state=str(attrs.get("state") or ""),
            url=attrs.get("url") if isinstance(attrs.get("url"), str) else None,
            client_id=_relation_id(relationships, "client"),
            provider_id=_relation_id(relationships, "provider"),
            title=title,
            publisher=publisher if isinstance(publisher, str) else "",
            publication_year=_int(attrs.get("publicationYear")),
            resource_type_general=types.get("resourceTypeGeneral") or None,
            schema_version=attrs.get("schemaVersion") if isinstance(attrs.get("schemaVersion"), str) else None,
            metadata_version=_int(attrs.get("metadataVersion")),
            created=parse_time(attrs.get("created")),
            registered=parse_time(attrs.get("registered")),
            updated=parse_time(attrs.get("updated")),
            raw=item,
        )

    @classmethod
    def from_document(cls, document: Any) -> Doi:
        """A Doi from a whole detail answer ``{"data": {...}}``."""
        if not isinstance(document, dict):
            raise UnexpectedDocument("a DOI answer must be a JSON object")
        return cls.from_item(document.get("data"))


@dataclass(frozen=True)
class Facet:
    """One facet bucket: id, title and count, as DataCite sends them."""

    id: str
    title: str
    count: int


# DataCite's camelCase facet names mapped to our field names.
FACET_FIELDS: dict[str, str] = {
    "states": "states", "resourceTypes": "resource_types", "created": "created", "published": "published",
    "registered": "registered", "providers": "providers", "clients": "clients", "affiliations": "affiliations",
    "prefixes": "prefixes", "certificates": "certificates", "licenses": "licenses",
    "schemaVersions": "schema_versions", "linkChecksStatus": "link_checks_status", "subjects": "subjects",
    "fieldsOfScience": "fields_of_science", "citations": "citations", "views": "views", "downloads": "downloads",
    "clientTypes": "client_types",
}
_NOT_FACETS = {"total", "totalPages", "page", "scroll-id", "total-pages"}


@dataclass(frozen=True)
class Facets:
    """The facet lists of a list answer; ``present`` names those DataCite sent (they may be switched off)."""

    total: int = 0
    states: list[Facet] = field(default_factory=list)
    resource_types: list[Facet] = field(default_factory=list)
    created: list[Facet] = field(default_factory=list)
    published: list[Facet] = field(default_factory=list)
    registered: list[Facet] = field(default_factory=list)
    providers: list[Facet] = field(default_factory=list)
    clients: list[Facet] = field(default_factory=list)
    affiliations: list[Facet] = field(default_factory=list)
    prefixes: list[Facet] = field(default_factory=list)
    certificates: list[Facet] = field(default_factory=list)
    licenses: list[Facet] = field(default_factory=list)
    schema_versions: list[Facet] = field(default_factory=list)
    link_checks_status: list[Facet] = field(default_factory=list)
    subjects: list[Facet] = field(default_factory=list)
    fields_of_science: list[Facet] = field(default_factory=list)
    citations: list[Facet] = field(default_factory=list)
    views: list[Facet] = field(default_factory=list)
    downloads: list[Facet] = field(default_factory=list)
    client_types: list[Facet] = field(default_factory=list)
    other: dict[str, list[Facet]] = field(default_factory=dict)
    present: frozenset[str] = frozenset()

    @classmethod
    def from_meta(cls, meta: Any) -> Facets:
        """Facets from a list answer's ``meta`` object."""
        if not isinstance(meta, dict):
            return cls()
        known: dict[str, list[Facet]] = {}
        other: dict[str, list[Facet]] = {}
        present: set[str] = set()
        for name, value in meta.items():
            if name in _NOT_FACETS or not isinstance(value, list):
                continue
            buckets = [
                Facet(id=str(b.get("id", "")), title=str(b.get("title", "")), count=_int(b.get("count")) or 0)
                for b in value if isinstance(b, dict)
            ]
            target = FACET_FIELDS.get(name)
            if target:
                known[target] = buckets
                present.add(target)
            else:
                other[name] = buckets
                present.add(name)
        return cls(total=_int(meta.get("total")) or 0, other=other, present=frozenset(present), **known)

    def counts(self, name: str) -> dict[str, int]:
        """A facet as {id: count}; ids repeated by DataCite (schema versions) are summed."""
        buckets = getattr(self, name, None) if name in FACET_FIELDS.values() else self.other.get(name)
        result: dict[str, int] = {}
        for bucket in buckets or []:
            result[bucket.id] = result.get(bucket.id, 0) + bucket.count
        return result


@dataclass(frozen=True)
class DoiPage:
    """One page of a DOI list."""

    items: list[Doi]
    total: int
    total_pages: int
    page: int | None
    next_url: str | None
    facets: Facets
    raw: dict[str, Any] = field(repr=False, compare=False)
    # The repository DataCite recognised from the credentials sent (X-Credential-Username); None when anonymous.
    credential_username: str | None = None

    @property
    def next_cursor(self) -> str | None:
        """The ``page[cursor]`` value of the next link (cursor mode), if any."""
        if not self.next_url:
            return None
        values = parse_qs(urlsplit(self.next_url).query).get("page[cursor]")
        return values[0] if values else None

    @classmethod
    def from_document(cls, document: Any) -> DoiPage:
        """A DoiPage from a list answer ``{"data": [...], "meta": {...}, "links": {...}}``."""
        if not isinstance(document, dict) or not isinstance(document.get("data"), list):
            raise UnexpectedDocument("a DOI list answer needs a data array")
        meta = document.get("meta") if isinstance(document.get("meta"), dict) else {}
        links = document.get("links") if isinstance(document.get("links"), dict) else {}
        next_url = links.get("next") if isinstance(links.get("next"), str) and links.get("next") else None
        return cls(
            items=[Doi.from_item(item) for item in document["data"]],
            total=_int(meta.get("total")) or 0,
            total_pages=_int(meta.get("totalPages", meta.get("total-pages"))) or 0,
            page=_int(meta.get("page")),
            next_url=next_url,
            facets=Facets.from_meta(meta),
            raw=document,
        )


@dataclass(frozen=True)
class Repository:
    """A DataCite repository (``clients`` resource). contact_email/has_password are None when hidden."""

    id: str
    symbol: str
    name: str
    client_type: str | None
    domains: str
    is_active: bool | None
    contact_email: str | None
    has_password: bool | None
    prefixes: list[str]
    provider_id: str | None
    url: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def owner_view(self) -> bool:
        """True when DataCite showed the fields only the repository itself (or its member) may see."""
        attrs = self.raw.get("attributes") if isinstance(self.raw.get("attributes"), dict) else {}
        return "contactEmail" in attrs or "hasPassword" in attrs

    @classmethod
    def from_document(cls, document: Any) -> Repository:
        """A Repository from ``{"data": {...}}`` or from a bare resource object."""
        item = document.get("data") if isinstance(document, dict) and "data" in document else document
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise UnexpectedDocument("a repository answer needs data with an id")
        attrs = item.get("attributes") if isinstance(item.get("attributes"), dict) else {}
        relationships = item.get("relationships") if isinstance(item.get("relationships"), dict) else {}
        prefix_data = (relationships.get("prefixes") or {}).get("data") if isinstance(
            relationships.get("prefixes"), dict) else None
        prefixes = [p["id"] for p in prefix_data or [] if isinstance(p, dict) and isinstance(p.get("id"), str)]
        has_password = attrs.get("hasPassword")
        active = attrs.get("isActive")
        return cls(
            id=item["id"],
            symbol=str(attrs.get("symbol") or item["id"].upper()),
            name=str(attrs.get("name") or ""),
            client_type=attrs.get("clientType") if isinstance(attrs.get("clientType"), str) else None,
            domains=str(attrs.get("domains") or ""),
            is_active=active if isinstance(active, bool) else None,
            contact_email=attrs.get("contactEmail") if isinstance(attrs.get("contactEmail"), str) else None,
            has_password=has_password if isinstance(has_password, bool) else None,
            prefixes=prefixes,
            provider_id=_relation_id(relationships, "provider"),
            url=attrs.get("url") if isinstance(attrs.get("url"), str) else None,
            raw=item,
        )


@dataclass(frozen=True)
class Verification:
    """The verdict on a credential: ok or not, why in plain words, and how it was checked."""

    ok: bool
    reason: str
    repository: Repository | None
    checked_via: str
