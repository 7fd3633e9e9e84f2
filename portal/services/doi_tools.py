"""The agents' DOI tools for one repository: look a DOI up and diagnose it; list its recent DOIs with facets.

Calls go through the recorded connection (portal.services.datacite_calls); the repository's stored
credential travels with them when there is one, so drafts and registered DOIs are visible too.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from portal import identifiers
from portal.datacite import Credentials, DataCiteError, Doi, DoiPage, Facets
from portal.datacite.schema import (
    LATEST,
    Completeness,
    Problem,
    Requirement,
    completeness,
    declared_version_xml,
    explain_minimum_version,
    minimum_version,
    validate_attributes,
)
from portal.errors import ValidationFailed
from portal.models import Repository
from portal.services.credentials import NoCredential, flag_credential, get_credential, open_credentials
from portal.services.datacite_calls import Caller, Connector, RecordedConnection, connect
from portal.services.members import prefixes_of
from portal.vault import Vault

ANONYMOUS_NOTE = ("Looked up without credentials (none stored): DataCite shows only findable DOIs this way; "
                  "drafts and registered DOIs of this repository stay invisible.")
RECENT_STATES = ("findable", "registered", "draft")
RECENT_PAGE_SIZE = 25


def parse_doi(raw: str) -> str:
    """A DOI from what an agent pasted (resolver URLs and doi: prefixes allowed); ValidationFailed otherwise."""
    text = (raw or "").strip()
    if not text:
        raise ValidationFailed({"doi": "Enter a DOI, like 10.12345/abc-def."})
    if len(text) > 300:
        raise ValidationFailed({"doi": "That is too long to be a DOI."})
    doi = identifiers.normalise_doi(text)
    if doi is None or any(ord(ch) < 32 for ch in doi):
        raise ValidationFailed({"doi": f"{text[:80]!r} is not a DOI. A DOI starts with 10., then a prefix of 4-9 "
                                       "digits, a slash and a suffix, like 10.12345/abc-def."})
    return doi


def _credentials_if_stored(session: Session, repository: Repository, *, vault: Vault, caller: Caller, purpose: str,
                           ip: str, now: datetime) -> Credentials | None:
    row = get_credential(session, repository)
    if row is None or not row.is_set:
        return None
    try:
        return open_credentials(session, repository, vault=vault, caller=caller, purpose=purpose, ip=ip, now=now)
    except NoCredential:
        return None


def _flag_if_refused(connection: RecordedConnection, err: DataCiteError, used: bool) -> None:
    if used and err.credential_problem:
        flag_credential(connection.session, connection.repository,
                        reason=f"DataCite refused it ({err.title or err.error_class}) during a DOI look-up")
        connection.session.commit()


@dataclass
class DoiDiagnosis:
    """A DOI as DataCite shows it, with what the schema module makes of its metadata."""

    doi: str
    repository: Repository
    found: Doi | None = None
    error: DataCiteError | None = None
    with_credentials: bool = False
    notes: list[str] = field(default_factory=list)
    declared_version: str | None = None
    minimum_version: str = ""
    requirements: list[Requirement] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    completeness: Completeness | None = None
    validated_against: str = LATEST

    @property
    def owned(self) -> bool | None:
        """True when the DOI belongs to this repository, False for another's, None when unknown."""
        if self.found is None or not self.found.client_id:
            return None
        return self.found.client_id.lower() == self.repository.symbol.lower()


def _declared_version(found: Doi) -> str | None:
    xml = found.attributes.get("xml")
    if not isinstance(xml, str) or not xml:
        return None
    try:
        return declared_version_xml(base64.b64decode(xml, validate=False))
    except (binascii.Error, ValueError):
        return None


def look_up_doi(session: Session, repository: Repository, *, raw: str, connector: Connector, vault: Vault,
                caller: Caller, ip: str, now: datetime) -> DoiDiagnosis:
    """Fetch a DOI and diagnose its metadata against schema 4.7; DataCite's refusals come back in ``error``."""
    doi = parse_doi(raw)
    diagnosis = DoiDiagnosis(doi=doi, repository=repository)
    credentials = _credentials_if_stored(session, repository, vault=vault, caller=caller, purpose="doi lookup",
                                         ip=ip, now=now)
    diagnosis.with_credentials = credentials is not None
    if credentials is None:
        diagnosis.notes.append(ANONYMOUS_NOTE)
    prefix = identifiers.doi_prefix(doi)
    if prefix not in prefixes_of(session, repository):
        diagnosis.notes.append(f"The prefix {prefix} is not one of {repository.symbol}'s prefixes.")
    with connect(session, connector, repository, caller=caller) as connection:
        try:
            found = connection.call("get_doi", lambda client: client.get_doi(doi, credentials), doi=doi,
                                    with_credentials=credentials is not None,
                                    summarise=lambda d: f"{d.state or 'no state'}, schema {d.schema_version or '?'}")
        except DataCiteError as err:
            _flag_if_refused(connection, err, credentials is not None)
            diagnosis.error = err
            return diagnosis
    diagnosis.found = found
    attributes = found.attributes
    diagnosis.declared_version = _declared_version(found)
    diagnosis.requirements = explain_minimum_version(attributes)
    diagnosis.minimum_version = minimum_version(attributes)
    diagnosis.problems = validate_attributes(attributes, LATEST)
    diagnosis.completeness = completeness(attributes)
    if diagnosis.owned is False:
        diagnosis.notes.append(f"This DOI belongs to {found.client_id.upper() if found.client_id else '?'}, "
                               f"not {repository.symbol}.")
    return diagnosis


@dataclass
class RecentDois:
    """A page of a repository's DOIs, newest change first, with the facet counts of all of them."""

    repository: Repository
    state: str
    page: int
    items: list[Doi] = field(default_factory=list)
    total: int = 0
    total_pages: int = 0
    facets: Facets | None = None
    error: DataCiteError | None = None
    with_credentials: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages


def recent_dois(session: Session, repository: Repository, *, connector: Connector, vault: Vault, caller: Caller,
                ip: str, now: datetime, page: int = 1, state: str = "") -> RecentDois:
    """The repository's DOIs by last update (one page) and its facets; DataCite's refusals come back in ``error``."""
    state = state if state in RECENT_STATES else ""
    # DataCite serves the first 10,000 results page by page, so later pages are not asked for.
    page = max(1, min(page, 10_000 // RECENT_PAGE_SIZE))
    result = RecentDois(repository=repository, state=state, page=page)
    credentials = _credentials_if_stored(session, repository, vault=vault, caller=caller, purpose="recent dois",
                                         ip=ip, now=now)
    result.with_credentials = credentials is not None
    if credentials is None:
        result.notes.append("Listed without credentials (none stored): only findable DOIs are shown.")
    client_id = repository.symbol.lower()
    with connect(session, connector, repository, caller=caller) as connection:
        try:
            result.facets = connection.call(
                "facets", lambda client: client.facets(credentials, client_id=client_id),
                with_credentials=credentials is not None, summarise=lambda f: f"{f.total} DOIs in all")
            listing: DoiPage = connection.call(
                "list_dois", lambda client: client.list_dois(credentials, client_id=client_id, state=state or None,
                                                             page=page, size=RECENT_PAGE_SIZE, sort="-updated"),
                with_credentials=credentials is not None,
                summarise=lambda p: f"page {page}: {len(p.items)} of {p.total} DOIs")
        except DataCiteError as err:
            _flag_if_refused(connection, err, credentials is not None)
            result.error = err
            return result
    result.items = listing.items
    result.total = listing.total
    result.total_pages = min(listing.total_pages, 10_000 // RECENT_PAGE_SIZE)
    return result
