"""The DataCite REST API client: the only code that sends requests (and credentials) to DataCite.

One client per environment. Credentials travel with each call and are never stored on the client; the
base URL is fixed per environment (C25); redirects are never followed; every call is rate limited,
retried within bounds and guarded by a per-environment circuit breaker (C30).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import httpx

from portal.datacite.credentials import Credentials, credential_id_problem
from portal.datacite.environments import BaseURLRefused, Environment, origin, resolve_base_url
from portal.datacite.errors import (
    AuthError,
    DataCiteError,
    DuplicateDoi,
    NotFound,
    PermissionDenied,
    classify_response,
)
from portal.datacite.naming import clean_doi, clean_prefix, doi_path, random_suffix
from portal.datacite.queries import DoiFilters, Many, UpdatedRange, Years, cursor_size, page_params
from portal.datacite.ratelimit import RateLimiter, shared_limiter
from portal.datacite.results import Doi, DoiPage, Facets, Repository, UnexpectedDocument, Verification
from portal.datacite.retry import NO_RETRY, CircuitBreaker, RetryPolicy, shared_breaker
from portal.datacite.sender import JSON_API, Observer, Sender
from portal.datacite.verification import judge_answer, judge_refusal

log = logging.getLogger("portal.datacite")
T = TypeVar("T")



class _ForeignDoi(DuplicateDoi):
    """Concluded from a look-up (not a DataCite answer): the DOI exists and is another repository's."""


class DataCiteClient:
    """Typed access to DataCite's REST API for one environment (production, test or the local sandbox)."""

    def __init__(
        self,
        environment: Environment,
        *,
        sandbox_url: str | None = None,
        user_agent: str,
        timeout: float = 20.0,
        transport: httpx.BaseTransport | None = None,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        breaker: CircuitBreaker | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.environment = environment
        self.base_url = resolve_base_url(environment, sandbox_url, transport_given=transport is not None)
        self._origin = origin(self.base_url)
        if not user_agent or any(c in user_agent for c in "\r\n"):
            raise ValueError("user_agent must be one line of text; build it with user_agent()")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        real_network = transport is None
        # An injected transport (tests, the in-process sandbox) reaches no DataCite host: no shared limit.
        if limiter is None and real_network:
            limiter = shared_limiter(environment)
        if breaker is None:
            # Shared across the process for the real service; private when a test or sandbox transport is used.
            breaker = shared_breaker(environment) if real_network else CircuitBreaker(clock=clock)
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,
            verify=True,
            trust_env=False,  # no proxy or .netrc credentials from the environment
            headers={"User-Agent": user_agent, "Accept": JSON_API},
            event_hooks={"request": [self._guard_origin]},
        )
        self._sender = Sender(self._http, environment=environment, limiter=limiter, breaker=breaker,
                              retry=retry or RetryPolicy(), sleep=sleep, clock=clock, observer=observer)

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> DataCiteClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DataCiteClient({self.environment!r}, base_url={self.base_url!r})"

    def _guard_origin(self, request: httpx.Request) -> None:
        # Last line of defence for C25: nothing, least of all an Authorization header, leaves for another host.
        if origin(str(request.url)) != self._origin:
            raise BaseURLRefused(f"refusing to send a DataCite request to {request.url.host!r}")

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self._sender.send(method, path, **kwargs)

    @staticmethod
    def _parse(response: httpx.Response, parser: Callable[[Any], T]) -> T:
        try:
            return parser(response.json())
        except (ValueError, UnexpectedDocument):
            raise classify_response(response.status_code, response.content, response.headers) from None

    # ------------------------------------------------------------------ reading

    def heartbeat(self) -> bool:
        """True when DataCite's API process answers its heartbeat with OK (one attempt, never raises)."""
        try:
            response = self._send("GET", "/heartbeat", policy=NO_RETRY)
        except DataCiteError:
            return False
        return response.text.strip() == "OK"

    def get_doi(self, doi: str, credentials: Credentials | None = None, *, affiliation: bool = False,
                publisher: bool = False) -> Doi:
        """One DOI; drafts and registered DOIs are visible only with the owner's credentials."""
        params = {k: "true" for k, on in (("affiliation", affiliation), ("publisher", publisher)) if on}
        response = self._send("GET", doi_path(doi), credentials=credentials, params=params or None)
        return self._parse(response, Doi.from_document)

    def list_dois(self, credentials: Credentials | None = None, *, client_id: Many | None = None,
                  prefix: Many | None = None, state: Many | None = None, query: str | None = None,
                  created: Years | None = None, registered: Years | None = None, updated: UpdatedRange | None = None,
                  resource_type_id: Many | None = None, fields: Sequence[str] | None = None, page: int = 1,
                  size: int = 25, sort: str | None = None) -> DoiPage:
        """One page of DOIs (page-number mode, first 10,000 results only; QueryError beyond)."""
        filters = DoiFilters(client_id=client_id, prefix=prefix, state=state, query=query, created=created,
                             registered=registered, updated=updated, resource_type_id=resource_type_id, fields=fields)
        params = {**filters.params(), **page_params(page, size, sort)}
        response = self._send("GET", "/dois", credentials=credentials, params=params)
        found = self._parse(response, DoiPage.from_document)
        username = (response.headers.get("X-Credential-Username") or "").strip().lower() or None
        return replace(found, credential_username=username) if username else found

    def iter_dois(self, credentials: Credentials | None = None, *, client_id: Many | None = None,
                  prefix: Many | None = None, state: Many | None = None, query: str | None = None,
                  created: Years | None = None, registered: Years | None = None, updated: UpdatedRange | None = None,
                  resource_type_id: Many | None = None, fields: Sequence[str] | None = None,
                  size: int = 1000) -> Iterator[Doi]:
        """Every DOI matching the filters, in creation order, via cursor pages (no 10,000 limit)."""
        filters = DoiFilters(client_id=client_id, prefix=prefix, state=state, query=query, created=created,
                             registered=registered, updated=updated, resource_type_id=resource_type_id, fields=fields)
        params = {**filters.params(), "page[size]": cursor_size(size)}  # checked now, not at the first next()
        return self._walk(credentials, params)

    def _walk(self, credentials: Credentials | None, params: dict[str, str]) -> Iterator[Doi]:
        cursor, seen = "1", set()
        while True:
            response = self._send("GET", "/dois", credentials=credentials, params={**params, "page[cursor]": cursor})
            page = self._parse(response, DoiPage.from_document)
            yield from page.items
            # Only the cursor is taken from links.next: DataCite's next link drops the state filter, and
            # our own base URL is the only place credentials may go.
            following = page.next_cursor
            if not page.items or not following or following in seen:
                return
            seen.add(following)
            cursor = following

    def facets(self, credentials: Credentials | None = None, *, client_id: Many | None = None,
               prefix: Many | None = None, state: Many | None = None, query: str | None = None,
               created: Years | None = None, registered: Years | None = None, updated: UpdatedRange | None = None,
               resource_type_id: Many | None = None) -> Facets:
        """Counts only: the total and the facet lists for the filters (no records)."""
        filters = DoiFilters(client_id=client_id, prefix=prefix, state=state, query=query, created=created,
                             registered=registered, updated=updated, resource_type_id=resource_type_id)
        params = {**filters.params(), "page[size]": "0", "disable-facets": "false"}
        response = self._send("GET", "/dois", credentials=credentials, params=params)
        return self._parse(response, lambda doc: Facets.from_meta(_meta(doc)))

    def get_repository(self, repository_id: str, credentials: Credentials | None = None) -> Repository:
        """A repository's public record; contact fields appear only with its own credentials."""
        problem = credential_id_problem(repository_id)
        if problem:
            raise ValueError(problem)
        response = self._send("GET", f"/clients/{repository_id.strip().lower()}", credentials=credentials)
        return self._parse(response, Repository.from_document)

    # ------------------------------------------------------------------ writing

    def create_draft(self, credentials: Credentials, attributes: Mapping[str, Any], *, doi: str | None = None,
                     prefix: str | None = None) -> Doi:
        """A new draft under an explicit DOI or a prefix (suffix made here); safe to retry, never duplicates."""
        if (doi is None) == (prefix is None):
            raise ValueError("create_draft needs exactly one of doi= or prefix=")
        attrs = dict(attributes)
        if "event" in attrs:
            raise ValueError("create_draft makes drafts; call register() or publish() after creating")
        attrs.pop("prefix", None)
        target = clean_doi(doi) if doi is not None else f"{clean_prefix(prefix or '')}/{random_suffix()}"
        if attrs.get("doi") not in (None, target) and clean_doi(str(attrs["doi"])) != target:
            raise ValueError(f"attributes name DOI {attrs['doi']!r} but the call names {target!r}")
        attrs["doi"] = target
        body = {"data": {"type": "dois", "attributes": attrs}}
        try:
            response = self._send("POST", "/dois", credentials=credentials, body=body,
                                  reconcile=lambda: self._owned(credentials, target))
        except _ForeignDoi:
            raise
        except DuplicateDoi as taken:
            return self._resolve_taken(credentials, target, taken)
        except NotFound as err:
            raise _as_auth(err) from None
        return self._parse(response, Doi.from_document)

    def update_doi(self, credentials: Credentials, doi: str, attributes: Mapping[str, Any]) -> Doi:
        """Change only the given attributes (PUT). DataCite creates the DOI if it does not exist yet."""
        target = clean_doi(doi)
        attrs = dict(attributes)
        if "doi" in attrs and clean_doi(str(attrs["doi"])) != target:
            raise ValueError(f"attributes name DOI {attrs['doi']!r} but the call names {target!r}")
        body = {"data": {"type": "dois", "attributes": attrs}}
        try:
            response = self._send("PUT", doi_path(target), credentials=credentials, body=body)
        except NotFound as err:
            raise _as_auth(err) from None
        if response.status_code == 201:
            log.warning("DataCite %s PUT %s created a DOI that did not exist", self.environment, doi_path(target))
        return self._parse(response, Doi.from_document)

    def register(self, credentials: Credentials, doi: str, attributes: Mapping[str, Any] | None = None) -> Doi:
        """Register the DOI (draft -> registered: resolvable, not public)."""
        return self._event(credentials, doi, "register", attributes)

    def publish(self, credentials: Credentials, doi: str, attributes: Mapping[str, Any] | None = None) -> Doi:
        """Make the DOI findable (draft or registered -> findable)."""
        return self._event(credentials, doi, "publish", attributes)

    def hide(self, credentials: Credentials, doi: str, attributes: Mapping[str, Any] | None = None) -> Doi:
        """Hide a findable DOI (findable -> registered); a ``reason`` attribute is kept by DataCite."""
        return self._event(credentials, doi, "hide", attributes)

    def delete_draft(self, credentials: Credentials, doi: str) -> None:
        """Delete a draft; registered and findable DOIs raise MethodNotAllowed (hide them instead)."""
        target = clean_doi(doi)
        self._send("DELETE", doi_path(target), credentials=credentials,
                   reconcile=lambda: self._gone(credentials, target))

    def _event(self, credentials: Credentials, doi: str, event: str, attributes: Mapping[str, Any] | None) -> Doi:
        attrs = dict(attributes or {})
        if attrs.get("event", event) != event:
            raise ValueError(f"{event}() cannot send event {attrs['event']!r}")
        attrs["event"] = event
        result = self.update_doi(credentials, doi, attrs)
        expected = {"register": ("registered", "findable"), "publish": ("findable",), "hide": ("registered",)}
        if result.state not in expected[event]:
            # DataCite ignores impossible transitions silently; say so in the log at least.
            log.warning("DataCite %s: event %s left %s in state %s", self.environment, event, result.doi, result.state)
        return result

    # ------------------------------------------------------------------ reconciling after uncertainty

    def _owned(self, credentials: Credentials, doi: str) -> httpx.Response | None:
        """After a create of unknown outcome: the DOI's response if it now exists and is ours, else None."""
        try:
            response = self._send("GET", doi_path(doi), credentials=credentials, policy=NO_RETRY)
        except DataCiteError:
            return None  # unknown still; the retried POST meets "already taken" if the first one landed
        existing = self._parse(response, Doi.from_document)
        if credentials.owns(existing.client_id):
            return response
        raise _ForeignDoi(key="doi-already-taken", title="This DOI has already been taken", doi=doi,
                          explanation=f"The DOI {doi} exists and belongs to another repository.")

    def _gone(self, credentials: Credentials, doi: str) -> httpx.Response | None:
        """After a delete of unknown outcome: a 204 stand-in if the draft is gone, else None."""
        try:
            self._send("GET", doi_path(doi), credentials=credentials, policy=NO_RETRY)
        except NotFound:
            return httpx.Response(204)
        except DataCiteError:
            return None
        return None

    def _resolve_taken(self, credentials: Credentials, doi: str, taken: DuplicateDoi) -> Doi:
        """'Already taken' on create: return the DOI when it is ours (an earlier attempt made it)."""
        try:
            existing = self.get_doi(doi, credentials)
        except NotFound:
            raise taken from None  # it exists, but another repository's draft is invisible to us
        if credentials.owns(existing.client_id):
            log.info("DataCite %s: %s already existed and is ours; using it", self.environment, doi)
            return existing
        raise taken

    # ------------------------------------------------------------------ credentials

    def verify_credentials(self, credentials: Credentials) -> Verification:
        """Whether DataCite accepts these credentials, checked with a read of the repository (never a write)."""
        problem = credential_id_problem(credentials.repository_id)
        if problem:
            return Verification(ok=False, reason=problem, repository=None, checked_via="not sent: repository ID")
        path = f"/clients/{credentials.repository_id.strip().lower()}"
        try:
            response = self._send("GET", path, credentials=credentials)
        except (AuthError, PermissionDenied, NotFound) as err:
            return judge_refusal(self.environment, credentials, path, err)
        repository = self._parse(response, Repository.from_document)
        return judge_answer(self.environment, credentials, path, response.headers, repository)


def _meta(document: Any) -> Any:
    if not isinstance(document, dict) or not isinstance(document.get("meta"), dict):
        raise UnexpectedDocument("a facets answer needs a meta object")
    return document["meta"]


def _as_auth(err: NotFound) -> AuthError:
    # DataCite answers a write with a wrong password by 404: it cannot tell which repository is asking.
    return AuthError(key="bad-credentials", status=err.status, title=err.title, source=err.source,
                     errors=err.errors)
