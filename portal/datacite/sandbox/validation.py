"""What DataCite checks before a DOI may be registered or findable, with its 422 error sources and titles."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from portal.datacite.sandbox.metadata import has_metadata, language_problem
from portal.datacite.sandbox.repositories import SandboxRepository
from portal.datacite.sandbox.resource_types import RESOURCE_TYPES
from portal.datacite.schema import is_schema3_xml, validate_attributes
from portal.identifiers import url_allowed_by_domains

KERNEL_4 = "{http://datacite.org/schema/kernel-4}"
URL_SYNTAX = re.compile(r"^(http|https|ftp)://\S+$")
NO_LONGER_SUPPORTED = ("kernel-2.1", "kernel-2.2", "kernel-3", "kernel-3.0", "kernel-3.1")


# Sources the sandbox words itself, exactly as DataCite's recorded answers show them.
OWN_SOURCES = frozenset({"url", "language", "creators", "titles", "publisher", "publicationYear", "types"})


def schema_problems(metadata: dict[str, Any], *, xml: str | None, version: str) -> list[tuple[str, str]]:
    """(source, title) pairs: the mandatory properties and resource type in DataCite's recorded wording, then
    everything else the schema catalogue (portal.datacite.schema) finds: the one place the sandbox calls it."""
    if xml and is_schema3_xml(xml):
        return [("xml", "Schema http://datacite.org/schema/kernel-3 is no longer supported")]
    problems = _mandatory_problems(metadata)
    problems += [(p.source, p.title) for p in validate_attributes(metadata, version) if p.source not in OWN_SOURCES]
    return problems


def _mandatory_problems(metadata: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not [c for c in metadata.get("creators") or [] if c.get("name")]:
        problems.append(("creators", f"Missing child element(s). Expected is ( {KERNEL_4}creator )."))
    if not [t for t in metadata.get("titles") or [] if t.get("title")]:
        problems.append(("titles", f"Missing child element(s). Expected is ( {KERNEL_4}title )."))
    if not (metadata.get("publisher") or {}).get("name"):
        problems.append(("publisher", f"Missing child element(s). Expected is ( {KERNEL_4}publisher )."))
    if not metadata.get("publicationYear"):
        problems.append(("publicationYear", f"Missing child element(s). Expected is ( {KERNEL_4}publicationYear )."))
    general = (metadata.get("types") or {}).get("resourceTypeGeneral")
    if not general:
        problems.append(("types", f"Missing child element(s). Expected is ( {KERNEL_4}resourceType )."))
    elif general not in RESOURCE_TYPES:
        allowed = ", ".join(f"'{v}'" for v in RESOURCE_TYPES)
        problems.append(("resourceType', attribute 'resourceTypeGeneral",
                         f"[facet 'enumeration'] The value '{general}' is not an element of the set {{{allowed}}}."))
    return problems


def unsupported_schema(namespace: str | None) -> str | None:
    """The namespace when it names a kernel DataCite no longer accepts (2.x, 3.x), else None."""
    if namespace and namespace.rstrip("/").rsplit("/", 1)[-1] in NO_LONGER_SUPPORTED:
        return namespace
    return None


def url_problem(url: str | None, repository: SandboxRepository) -> str | None:
    """DataCite's title for a missing, malformed or not-allowed landing page URL, else None."""
    if not url:
        return "Can't be blank"
    if not URL_SYNTAX.match(url):
        return "URL is not valid"
    host = urlsplit(url).hostname or ""
    if not repository.domains or not url_allowed_by_domains(host, repository.domains):
        return f"URL {url} is not allowed by repository {repository.uid} domain settings."
    return None


def validation_errors(
    doi: str, *, url: str | None, metadata: dict[str, Any], xml: str | None, namespace: str | None,
    schema_version: str | None, repository: SandboxRepository, check_url: bool = True,
) -> list[dict[str, str]]:
    """DataCite's 422 entries for a DOI being validated: one per source, in DataCite's order.

    The URL is checked only for registered and findable DOIs (``check_url``); drafts validated on request
    (MDS's should_validate) need metadata but no URL.
    """
    unsupported = unsupported_schema(namespace)
    if unsupported:
        return [{"source": "xml", "title": f"DOI {doi}: Schema {unsupported} is no longer supported", "uid": doi}]
    if not has_metadata(metadata):
        # A record without any metadata fails on its (absent) XML first, as the recorded MDS case shows.
        return [{"source": "xml", "title": "Can't be blank", "uid": doi}]
    found: list[tuple[str, str]] = []
    problem = url_problem(url, repository) if check_url else None
    if problem:
        found.append(("url", problem))
    for source, title in schema_problems(metadata, xml=xml, version=_version(schema_version)):
        found.append((source, title if source == "url" else f"DOI {doi}: {title}"))
    problem = language_problem(metadata.get("language"))
    if problem:
        found.append(("language", problem))
    errors: list[dict[str, str]] = []
    for source, title in found:
        if all(e["source"] != source for e in errors):
            errors.append({"source": source, "title": title, "uid": doi})
    return errors


def _version(schema_version: str | None) -> str:
    tail = (schema_version or "").rsplit("kernel-", 1)[-1]
    return tail if re.fullmatch(r"4\.\d", tail) else "4.7"
