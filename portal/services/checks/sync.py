"""Bring one repository's DOIs up to date: one listing (facets plus the most recently updated DOIs), and the
`updated` cursor only when more changed than that first page holds. Every DOI seen is kept in ``checked_doi``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, select

from portal.datacite import Credentials, DataCiteClient
from portal.datacite.results import Doi, Facets
from portal.datacite.schema import LATEST, completeness, validate_attributes
from portal.identifiers import url_allowed_by_domains
from portal.models import CheckedDoi, Environment, Repository
from portal.services.datacite_calls import RecordedConnection

BATCH = 500
OVERLAP = timedelta(seconds=2)  # DataCite keeps whole seconds: look a little behind the watermark


class CredentialRejected(Exception):
    """DataCite did not recognise the stored credential (reads with a wrong password are served anonymously)."""


def credentials_kind(credentials: Credentials) -> str:
    """'API key' or 'password'."""
    return "API key" if credentials.is_api_key else "password"


@dataclass
class Synced:
    """What one repository's sync saw: the facets over all its DOIs and how many DOIs changed."""

    facets: Facets
    changed: int = 0
    requests: int = 0
    newest_updated: datetime | None = None
    stored: list[str] = field(default_factory=list)


def schema_label(doi: Doi) -> str:
    """'3' or '4' (the kernel the record declares), '' when unknown."""
    value = (doi.schema_version or "").lower()
    if "kernel-3" in value:
        return "3"
    if "kernel-4" in value:
        return "4"
    return value[:80]


def url_problem(state: str, url: str, domains: str) -> str:
    """Why a findable DOI's landing page URL is wrong ('' when it is fine)."""
    if state != "findable":
        return ""
    if not url:
        return "url_missing"
    host = urlsplit(url).hostname or ""
    if not host or not url_allowed_by_domains(host, domains or "*"):
        return "url_outside_domains"
    return ""


def assess(doi: Doi, repository: Repository) -> tuple[int, list[str]]:
    """Completeness (0-100) and problem codes of one DOI: URL, schema 3, validation against the newest schema."""
    attributes: dict[str, Any] = (doi.raw or {}).get("attributes") or {}
    problems: list[str] = []
    if problem := url_problem(doi.state, doi.url or "", repository.domains):
        problems.append(problem)
    if schema_label(doi) == "3":
        problems.append("schema3")
    if doi.state != "draft":
        problems.extend(f"invalid:{p.source}" for p in validate_attributes(attributes, LATEST)[:5])
    return round(completeness(attributes).score * 100), problems


def store_dois(session: Session, repository: Repository, dois: Iterable[Doi], *, now: datetime) -> int:
    """Insert or update the DOIs in ``checked_doi`` (batched); returns how many were stored."""
    count = 0
    for batch in _batches(dois, BATCH):
        existing = {row.doi: row for row in session.exec(select(CheckedDoi).where(
            CheckedDoi.doi.in_([d.doi.lower() for d in batch])))}  # type: ignore[attr-defined]
        for doi in batch:
            key = doi.doi.lower()
            row = existing.get(key) or CheckedDoi(doi=key, repository_id=repository.id or 0,
                                                  organisation_id=repository.organisation_id)
            score, problems = assess(doi, repository)
            row.repository_id, row.organisation_id = repository.id or 0, repository.organisation_id
            row.environment = repository.environment if repository.environment in Environment.__members__ else "test"
            row.state, row.url, row.schema_version = doi.state, (doi.url or "")[:2000], schema_label(doi)
            row.created, row.registered, row.updated = doi.created, doi.registered, doi.updated
            row.completeness, row.problems, row.seen_at = score, problems, now
            session.add(row)
            existing[key] = row
            count += 1
        session.commit()
    return count


def _batches(items: Iterable[Doi], size: int) -> Iterator[list[Doi]]:
    batch: list[Doi] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def sync_repository(session: Session, connection: RecordedConnection, credentials: Credentials, *,
                    repository: Repository, watermark: datetime | None, page_size: int, now: datetime,
                    initial_page_size: int = 1000) -> Synced:
    """One listing sorted by -updated (facets included); the `updated` cursor only for what did not fit."""
    symbol = repository.symbol.lower()
    first = connection.call("checks.facets", lambda c: c.list_dois(credentials, client_id=symbol, sort="-updated",
                                                                    size=page_size if watermark else initial_page_size),
                            with_credentials=True, summarise=lambda p: f"{p.total} DOIs, {len(p.items)} listed")
    if first.credential_username != symbol:
        raise CredentialRejected(f"DataCite treated the request as anonymous: the stored {credentials_kind(credentials)} "
                                 f"for {repository.symbol} was not accepted" if not first.credential_username else
                                 f"DataCite accepted the credential as {first.credential_username.upper()}, "
                                 f"not {repository.symbol}")
    synced = Synced(facets=first.facets, requests=max(1, len(connection.attempts)))
    since = watermark - OVERLAP if watermark else None
    fresh = [d for d in first.items if since is None or (d.updated and d.updated >= since)]
    store_dois(session, repository, fresh, now=now)
    newer = [d for d in first.items if watermark is None or (d.updated and d.updated > watermark)]
    synced.changed += len(newer)
    synced.newest_updated = max((d.updated for d in first.items if d.updated), default=watermark)
    if len(newer) < len(first.items) or len(first.items) >= first.total:
        return synced  # the first page reaches back to the watermark: nothing more changed
    oldest = min((d.updated for d in first.items if d.updated), default=None)
    window = (since, oldest)

    counted = {d.doi.lower() for d in newer}

    def changed_only(dois: Iterable[Doi]) -> Iterator[Doi]:
        for doi in dois:
            key = doi.doi.lower()
            if key not in counted and (watermark is None or (doi.updated and doi.updated > watermark)):
                counted.add(key)
                synced.changed += 1
            yield doi

    def rest(client: DataCiteClient) -> int:
        return store_dois(session, repository,
                          changed_only(client.iter_dois(credentials, client_id=symbol, updated=window)), now=now)

    connection.call("checks.updated", rest, with_credentials=True, summarise=lambda n: f"{n} DOIs listed")
    synced.requests += max(1, len(connection.attempts))
    return synced
