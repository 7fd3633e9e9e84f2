"""The sandbox WSGI application: routes of the DataCite REST API answered from the sandbox's own store."""

from __future__ import annotations

import gzip
import json
import logging
import random
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from portal.datacite.sandbox import dois
from portal.datacite.sandbox.facets import render_facets
from portal.datacite.sandbox.faults import FaultInjector, Faults
from portal.datacite.sandbox.query import parse_listing
from portal.datacite.sandbox.repositories import Caller, SandboxRepository, identify_caller
from portal.datacite.sandbox.responses import (
    NOT_FOUND,
    ApiError,
    Invalid,
    SearchFailed,
    empty_response,
    json_response,
    text_response,
)
from portal.datacite.sandbox.results import next_link, run_listing, total_pages
from portal.datacite.sandbox.serialize import View, client_resource, detail_resource, list_resource, xml_text
from portal.datacite.sandbox.store import Store
from portal.datacite.sandbox.suffixes import random_suffix

log = logging.getLogger(__name__)
PAYLOAD_MISSING = "You need to provide a payload following the JSONAPI spec"
XML_TYPE = "application/vnd.datacite.datacite+xml"
WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]


class Sandbox:
    """A WSGI stand-in for api.datacite.org with its own SQLite store, repositories and fault injection."""

    def __init__(self, store: Store, faults: Faults | None, now: Callable[[], datetime]) -> None:
        self.store = store
        self.faults = faults
        self.now = now
        self.facets_by_default = True
        self.repositories: dict[str, SandboxRepository] = store.load_repositories()
        self._injector = FaultInjector()
        self._rng = random.SystemRandom()

    # ------------------------------------------------------------ public API

    def add_repository(self, repository: SandboxRepository) -> None:
        """Accept this repository's credentials from now on (replacing one with the same ID)."""
        self.store.save_repository(repository, self.now_ms())
        self.repositories[repository.symbol] = repository

    def seed_dois(self, n: int, *, seed: int = 0, progress: Callable[[int], None] | None = None) -> int:
        """Generate ``n`` DOIs spread over the repositories; returns how many were added."""
        from portal.datacite.sandbox.seed import seed_dois

        return seed_dois(self.store, list(self.repositories.values()), n, seed=seed, progress=progress, now_ms=self.now_ms())

    @property
    def request_count(self) -> int:
        """Requests received since the start or the last reset_counters()."""
        return self._injector.count

    def reset_counters(self) -> None:
        """Reset request_count (and with it the rate-limit rhythm)."""
        self._injector.reset()

    def now_ms(self) -> int:
        """The current time in whole seconds, as epoch milliseconds (DataCite stores seconds)."""
        return int(self.now().timestamp()) * 1000

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    # ------------------------------------------------------------ WSGI

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        faulty = self._injector.before(self.faults, environ)
        if faulty is not None:
            return faulty(environ, start_response)
        request = Request(environ)
        caller = identify_caller(request.headers.get("Authorization"), self.repositories)
        try:
            response = self.dispatch(request, caller)
        except (ApiError, Invalid, SearchFailed) as exc:
            response = exc.response()
        except Exception:
            log.exception("sandbox: unexpected error on %s %s", request.method, request.path)
            response = ApiError(500, "An unexpected error occurred in the DataCite sandbox.").response()
        if caller.repository is not None:
            response.headers["X-Credential-Username"] = caller.repository.uid
        elif not caller.presented:
            response.headers["X-Anonymous-Consumer"] = "true"
        return response(environ, start_response)

    def dispatch(self, request: Request, caller: Caller) -> Response:
        """Route a request to its handler."""
        method, path = request.method, request.path.rstrip("/") or "/"
        parts = path.strip("/").split("/", 1)
        if method == "OPTIONS":
            return text_response("", 200)
        if path == "/heartbeat" and method in ("GET", "HEAD"):
            return text_response("OK")
        if path == "/dois":
            if method in ("GET", "HEAD"):
                return self.list_dois(request, caller)
            if method == "POST":
                row = dois.create_doi(self.store, caller, read_attributes(request), now_ms=self.now_ms())
                return json_response({"data": detail_resource(row, View(owner=True))}, 201,
                                     {"Location": f"{_base(request)}/dois/{row.id}"})
        if path == "/dois/random" and method == "GET":
            return self.random_dois(request)
        if parts[0] == "dois" and len(parts) == 2:
            return self.one_doi(request, caller, parts[1])
        if parts[0] in ("clients", "repositories", "providers") and len(parts) == 2 and method in ("GET", "HEAD"):
            ident, _, rest = parts[1].partition("/")
            if rest == "dois":
                key = "provider_id" if parts[0] == "providers" else "client_id"
                return self.list_dois(request, caller, **{key: ident})
            if not rest and parts[0] != "providers":
                return self.client(caller, ident)
        raise ApiError(404, NOT_FOUND)

    # ------------------------------------------------------------ handlers

    def one_doi(self, request: Request, caller: Caller, name: str) -> Response:
        """GET, PUT/PATCH and DELETE on /dois/{doi}, and GET /dois/{doi}/get-url."""
        method = request.method
        if name.endswith("/get-url") and method == "GET":
            return self.get_url(caller, name.removesuffix("/get-url"))
        if method in ("GET", "HEAD"):
            row = dois.visible_doi(self.store, caller, name)
            if XML_TYPE in request.headers.get("Accept", ""):
                xml = xml_text(row)
                if xml is None:
                    raise ApiError(404, NOT_FOUND)
                return text_response(xml, content_type=f"{XML_TYPE}; charset=utf-8")
            if not _accepts_json(request.headers.get("Accept")):
                raise ApiError(406, "The content type is not recognized.")
            view = View(affiliation_objects=request.args.get("affiliation") == "true",
                        publisher_object=request.args.get("publisher") == "true", owner=caller.owns(row.client_id))
            return json_response({"data": detail_resource(row, view)})
        if method in ("PUT", "PATCH"):
            attributes = read_attributes(request)
            row, created = dois.update_doi(self.store, caller, name, attributes, now_ms=self.now_ms())
            return json_response({"data": detail_resource(row, View(owner=True))}, 201 if created else 200)
        if method == "DELETE":
            dois.delete_doi(self.store, caller, name)
            return empty_response(204)
        raise ApiError(404, NOT_FOUND)

    def list_dois(self, request: Request, caller: Caller, **forced: str) -> Response:
        """GET /dois (and the nested /clients/{id}/dois, /providers/{id}/dois)."""
        listing = parse_listing(request.args, caller, facets_by_default=self.facets_by_default, **forced)
        page = run_listing(self.store, listing)
        data = [list_resource(self.store.to_doi(r), listing.view, detail=listing.detail, fields=listing.fields) for r in page.rows]
        meta: dict[str, Any] = {"total": page.total, "totalPages": total_pages(listing, page.total)}
        if not listing.cursor_mode:
            meta["page"] = listing.number
        if page.total and listing.facets:
            repositories = self.repositories.values()
            meta.update(render_facets(
                page.counts, listing.facets, client_titles={r.symbol: r.name for r in repositories},
                provider_titles={r.provider_id: r.provider_name for r in repositories if r.provider_name},
                current_year=self.now().astimezone(UTC).year))
        links = {"self": _self_url(request)}
        following = next_link(listing, _base(request), len(page.rows), page.total, page.rows[-1] if page.rows else None)
        if following:
            links["next"] = following
        body: dict[str, Any] = {"data": data, "meta": meta, "links": links}
        if listing.include_client:
            body["included"] = [self._client_document(s, authenticated=False) for s in
                                dict.fromkeys(r["client_id"] for r in page.rows) if s in self.repositories]
        return json_response(body)

    def client(self, caller: Caller, ident: str) -> Response:
        """GET /clients/{id}: contact details only for the repository itself."""
        symbol = ident.upper()
        if symbol not in self.repositories:
            raise ApiError(404, NOT_FOUND)
        return json_response({"data": self._client_document(symbol, authenticated=caller.owns(symbol))})

    def _client_document(self, symbol: str, *, authenticated: bool) -> dict[str, Any]:
        created, updated = self.store.repository_times(symbol) or (self.now_ms(), self.now_ms())
        return client_resource(self.repositories[symbol], created_ms=created, updated_ms=updated, authenticated=authenticated)

    def get_url(self, caller: Caller, name: str) -> Response:
        """GET /dois/{doi}/get-url: the URL registered in the handle system (owner only)."""
        row = self.store.get(name)
        if row is None:
            raise ApiError(404, NOT_FOUND)
        if caller.repository is None:
            raise ApiError(401, "Bad credentials.")
        if not caller.owns(row.client_id):
            raise ApiError(403, "You are not authorized to access this resource.")
        if row.state == "draft" or not row.url:
            return json_response({"errors": [{"status": 404, "title": "Not found"}]}, 404)
        return json_response({"url": row.url})

    def random_dois(self, request: Request) -> Response:
        """GET /dois/random?prefix=...: unused DOI names in DataCite's generated form."""
        prefix = (request.args.get("prefix") or "").strip().lower()
        if not prefix:
            raise ApiError(422, "Parameter prefix is required")
        number = max(1, min(_int(request.args.get("number"), 1), 1000))
        names: list[str] = []
        while len(names) < number:
            name = f"{prefix}/{random_suffix(self._rng)}"
            if name not in names and self.store.get(name) is None:
                names.append(name)
        return json_response({"dois": names})


def read_attributes(request: Request) -> dict[str, Any]:
    """The ``data.attributes`` of a JSON:API body (gzip/deflate bodies accepted); 400 as DataCite words it."""
    raw = request.get_data()
    encoding = request.headers.get("Content-Encoding", "").lower()
    try:
        if encoding == "gzip":
            raw = gzip.decompress(raw)
        elif encoding == "deflate":
            raw = zlib.decompress(raw)
        body = json.loads(raw or b"null")
    except (OSError, zlib.error, ValueError) as exc:
        raise ApiError(400, f"The request body could not be read: {exc}") from None
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise ApiError(400, PAYLOAD_MISSING)
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise ApiError(400, PAYLOAD_MISSING)
    return attributes


def _accepts_json(accept: str | None) -> bool:
    if not accept:
        return True
    return any(token in accept for token in ("json", "*/*", "text/html", "application/*", "text/plain", "application/xml"))


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _base(request: Request) -> str:
    return request.host_url.rstrip("/")


def _self_url(request: Request) -> str:
    query = request.environ.get("QUERY_STRING", "")
    return f"{_base(request)}{request.path}" + (f"?{query}" if query else "")


def create_sandbox(
    db_path: str | Path = ":memory:",
    repositories: Iterable[SandboxRepository] = (),
    faults: Faults | None = None,
    now: Callable[[], datetime] | None = None,
) -> Sandbox:
    """A sandbox on a SQLite file (or memory) that accepts ``repositories``; ``now`` fixes the clock in tests."""
    sandbox = Sandbox(Store(db_path), faults, now or (lambda: datetime.now(UTC)))
    for repository in repositories:
        sandbox.add_repository(repository)
    return sandbox
