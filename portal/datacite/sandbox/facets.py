"""The ``meta`` facets of GET /dois: which values each facet counts, and DataCite's ids, titles, order and sizes."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from portal.datacite.sandbox.metadata import licence_title
from portal.datacite.sandbox.resource_types import facet_id, facet_label

DEFAULT_FACETS = (
    "states", "resourceTypes", "created", "published", "registered", "providers", "clients", "affiliations",
    "prefixes", "certificates", "licenses", "schemaVersions", "linkChecksStatus", "subjects", "fieldsOfScience",
    "citations", "views", "downloads",
)
# snake_case spellings accepted by ?facets=
FACET_ALIASES = {re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower(): name for name in DEFAULT_FACETS}
SIZES = {"states": 3, "resourceTypes": 34}
YEAR_FACETS = ("created", "registered", "citations", "views", "downloads")
# What a DOI's facet values derive from, as SQL over the dois table (years as text); the first four
# also key the facet_counts table.
FACET_KEY_SQL = (
    "client_id", "provider_id", "prefix", "state", "resource_type_general",
    "strftime('%Y', created_ms / 1000, 'unixepoch')", "strftime('%Y', registered_ms / 1000, 'unixepoch')",
    "publication_year", "affiliation", "license", "schema_version", "link_status", "subject", "field_of_science",
    "citation_count", "view_count", "download_count",
)


def year_of(ms: int | None) -> str | None:
    """The UTC year of an epoch-milliseconds timestamp, as a string."""
    if ms is None:
        return None
    return str(time.gmtime(ms // 1000).tm_year)


def facet_terms(key: tuple[Any, ...]) -> list[tuple[str, str, int]]:
    """(facet, value, amount) contributions of one DOI whose facet columns are ``key``."""
    (client_id, provider_id, prefix, state, general, created_year, registered_year, year, affiliation, licence,
     schema_version, link_status, subject, field_of_science, citations, views, downloads) = key
    terms = [("states", state, 1), ("created", created_year, 1), ("providers", provider_id, 1),
             ("clients", client_id, 1), ("prefixes", prefix, 1)]
    optional = (("resourceTypes", general), ("published", year), ("registered", registered_year),
                ("affiliations", affiliation), ("licenses", licence), ("schemaVersions", schema_version),
                ("linkChecksStatus", link_status), ("subjects", subject), ("fieldsOfScience", field_of_science))
    terms += [(facet, str(value), 1) for facet, value in optional if value not in (None, "")]
    if year:
        terms += [(facet, str(year), amount) for facet, amount in
                  (("citations", citations), ("views", views), ("downloads", downloads)) if amount and amount > 0]
    return terms


def titleize(text: str) -> str:
    """Rails' String#titleize: ``CoreTrustSeal`` -> ``Core Trust Seal``, ``FOS: Clinical medicine`` -> ``Fos: Clinical Medicine``."""
    word = re.sub(r"([A-Z\d]+)([A-Z][a-z])", r"\1_\2", text)
    word = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", word).replace("-", "_").lower()
    word = word.replace("_", " ")
    word = re.sub(r"^\w", lambda m: m.group().upper(), word)
    return re.sub(r"\b(?<!\w['’`()])[a-z]", lambda m: m.group().upper(), word)


def requested_facets(facets_param: str | None, disable_param: str | None, enabled_by_default: bool) -> tuple[str, ...]:
    """Which facets a list request gets: ``facets=`` picks (empty -> none), ``disable-facets`` switches."""
    if facets_param is not None:
        wanted = []
        for part in facets_param.split(","):
            name = FACET_ALIASES.get(part.strip(), part.strip())
            if name in DEFAULT_FACETS and name not in wanted:
                wanted.append(name)
        return tuple(wanted)
    disabled = (disable_param or "").strip().lower()
    if disabled == "true" or (disabled != "false" and not enabled_by_default):
        return ()
    return DEFAULT_FACETS


def render_facets(
    counts: Mapping[str, Mapping[str, int]], names: tuple[str, ...], *, client_titles: Mapping[str, str],
    provider_titles: Mapping[str, str], current_year: int,
) -> dict[str, list[dict[str, Any]]]:
    """Facet lists in DataCite's shape ``{"id","title","count"}``, ordered and cut as DataCite does."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        buckets = {v: n for v, n in counts.get(name, {}).items() if n > 0}
        if name in YEAR_FACETS:
            ordered = sorted(buckets.items(), key=lambda kv: kv[0], reverse=True)[:10]
        elif name == "published":
            ordered = sorted(((v, n) for v, n in buckets.items() if 2010 <= int(v) <= current_year), reverse=True)
        else:
            ordered = sorted(buckets.items(), key=lambda kv: (-kv[1], kv[0]))[: SIZES.get(name, 10)]
        titles = provider_titles if name == "providers" else client_titles
        out[name] = [_bucket(name, value, count, titles) for value, count in ordered]
    return out


def _bucket(name: str, value: str, count: int, titles: Mapping[str, str]) -> dict[str, Any]:
    if name == "resourceTypes":
        ident, title = facet_id(value), facet_label(value)
    elif name in ("clients", "providers"):
        ident, title = value.lower(), titles.get(value, value)
    elif name == "affiliations":
        ident, _, title = value.partition(":")
    elif name == "licenses":
        ident, title = value, licence_title(value)
    elif name == "schemaVersions":
        ident = value.rsplit("-", 1)[-1]
        title = f"Schema {ident}"
    elif name == "fieldsOfScience":
        ident, title = value.lower().replace(" ", "_"), value
    elif name in ("states", "subjects", "certificates"):
        ident, title = value, titleize(value)
    else:
        ident = title = value
    return {"id": ident, "title": title, "count": count}
