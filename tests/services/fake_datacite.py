"""A small stateful stand-in for DataCite's REST API behind httpx.MockTransport, for service and page tests.

It answers the calls the credential and DOI tools make, the way DataCite does (JSON:API documents,
X-Credential-Username on authenticated reads, anonymous reads for wrong passwords, 401 on writes),
records every request it sees, and can be told to fail.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import httpx

from portal.datacite.retry import RetryPolicy
from portal.services.datacite_calls import Connector

NO_RETRY = RetryPolicy(attempts=1)
STAMP = "2026-03-01T10:00:00Z"


def _error(status: int, title: str) -> httpx.Response:
    return httpx.Response(status, json={"errors": [{"status": str(status), "title": title}]})


@dataclass
class FakeRepository:
    symbol: str
    password: str
    prefixes: list[str]
    active: bool = True


@dataclass
class FakeDataCite:
    """Repositories with passwords, DOIs by name, and every request received (``requests``)."""

    repositories: dict[str, FakeRepository] = field(default_factory=dict)
    dois: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    fail: httpx.Response | Exception | None = None
    fail_on: str = ""  # "METHOD /path-prefix"; empty fails every request

    def add(self, symbol: str, password: str, *prefixes: str) -> FakeDataCite:
        self.repositories[symbol.upper()] = FakeRepository(symbol.upper(), password, list(prefixes))
        return self

    def add_doi(self, doi: str, owner: str, state: str = "findable", **attributes: Any) -> None:
        prefix, _, suffix = doi.partition("/")
        self.dois[doi.lower()] = {"doi": doi.lower(), "prefix": prefix, "suffix": suffix, "state": state,
                                  "owner": owner.lower(), "created": STAMP, "updated": STAMP,
                                  "registered": STAMP if state != "draft" else None,
                                  "schemaVersion": "http://datacite.org/schema/kernel-4", **attributes}

    def connector(self, config: dict[str, Any] | None = None) -> Connector:
        cfg = {"BASE_URL": "http://localhost", "CONTACT_EMAIL": "support@rsp.example",
               "DATACITE_SANDBOX_URL": "http://127.0.0.1:5099", **(config or {})}
        return Connector(config=cfg, transport=httpx.MockTransport(self.handler), retry=NO_RETRY)

    # ------------------------------------------------------------ HTTP

    def _caller(self, request: httpx.Request) -> tuple[FakeRepository | None, bool]:
        header = request.headers.get("Authorization", "")
        if not header:
            return None, False
        if header.startswith("Basic "):
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            repo = self.repositories.get(user.upper())
            return (repo if repo and repo.password == password else None), True
        return None, True

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        line = f"{request.method} {request.url.path}"
        if self.fail is not None and line.startswith(self.fail_on):
            if isinstance(self.fail, Exception):
                raise self.fail
            return self.fail
        caller, presented = self._caller(request)
        path = unquote(request.url.path)
        if path.startswith("/clients/"):
            return self._client(path[len("/clients/"):], caller)
        if path == "/dois" and request.method == "GET":
            return self._list(request, caller)
        if path == "/dois" and request.method == "POST":
            if caller is None:
                return _error(401, "Bad credentials.")
            return self._create(json.loads(request.content)["data"]["attributes"], caller)
        if path.startswith("/dois/"):
            return self._one(request, path[len("/dois/"):].lower(), caller, presented)
        return _error(404, "The resource you are looking for doesn't exist.")

    def _headers(self, caller: FakeRepository | None) -> dict[str, str]:
        return {"X-Credential-Username": caller.symbol.lower()} if caller else {}

    def _client(self, ident: str, caller: FakeRepository | None) -> httpx.Response:
        repo = self.repositories.get(ident.upper())
        if repo is None:
            return _error(404, "The resource you are looking for doesn't exist.")
        attributes: dict[str, Any] = {"symbol": repo.symbol, "name": repo.symbol, "isActive": repo.active,
                                      "domains": "*"}
        if caller is repo:
            attributes.update(contactEmail="repo@example.org", hasPassword=True)
        body = {"data": {"id": repo.symbol.lower(), "type": "clients", "attributes": attributes,
                         "relationships": {"prefixes": {"data": [{"id": p, "type": "prefixes"} for p in repo.prefixes]}}}}
        return httpx.Response(200, json=body, headers=self._headers(caller))

    def _resource(self, row: dict[str, Any]) -> dict[str, Any]:
        attributes = {k: v for k, v in row.items() if k != "owner"}
        return {"id": row["doi"], "type": "dois", "attributes": attributes,
                "relationships": {"client": {"data": {"id": row["owner"], "type": "clients"}}}}

    def _visible(self, row: dict[str, Any], caller: FakeRepository | None) -> bool:
        return row["state"] == "findable" or (caller is not None and caller.symbol.lower() == row["owner"])

    def _create(self, attributes: dict[str, Any], caller: FakeRepository) -> httpx.Response:
        doi = str(attributes["doi"]).lower()
        if doi.split("/")[0] not in caller.prefixes:
            return _error(403, "You are not authorized to access this resource.")
        if doi in self.dois:
            return _error(422, "This DOI has already been taken")
        self.add_doi(doi, caller.symbol, "draft", **{k: v for k, v in attributes.items() if k != "doi"})
        return httpx.Response(201, json={"data": self._resource(self.dois[doi])}, headers=self._headers(caller))

    def _one(self, request: httpx.Request, doi: str, caller: FakeRepository | None, presented: bool) -> httpx.Response:
        row = self.dois.get(doi)
        if request.method == "GET":
            if row is None or not self._visible(row, caller):
                return _error(404, "The resource you are looking for doesn't exist.")
            return httpx.Response(200, json={"data": self._resource(row)}, headers=self._headers(caller))
        if caller is None:
            return _error(401 if presented else 401, "Bad credentials.")
        if row is None or row["owner"] != caller.symbol.lower():
            return _error(404, "The resource you are looking for doesn't exist.")
        if request.method == "DELETE":
            if row["state"] != "draft":
                return _error(405, "Method not allowed")
            del self.dois[doi]
            return httpx.Response(204)
        attributes = json.loads(request.content)["data"]["attributes"]
        if attributes.pop("event", None) == "register":
            row["state"] = "registered"
            row["registered"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        row.update(attributes)
        return httpx.Response(200, json={"data": self._resource(row)}, headers=self._headers(caller))

    def _list(self, request: httpx.Request, caller: FakeRepository | None) -> httpx.Response:
        params = request.url.params
        rows = [r for r in self.dois.values() if self._visible(r, caller)]
        if params.get("client-id"):
            rows = [r for r in rows if r["owner"] == params["client-id"]]
        states: dict[str, int] = {}
        for row in rows:
            states[row["state"]] = states.get(row["state"], 0) + 1
        if params.get("state"):
            rows = [r for r in rows if r["state"] in params["state"].split(",")]
        size = int(params.get("page[size]", "25"))
        number = int(params.get("page[number]", "1"))
        meta = {"total": len(rows), "totalPages": -(-len(rows) // size) if size else 0, "page": number,
                "states": [{"id": k, "title": k.capitalize(), "count": v} for k, v in sorted(states.items())]}
        shown = rows[(number - 1) * size: number * size] if size else []
        return httpx.Response(200, json={"data": [self._resource(r) for r in shown], "meta": meta, "links": {}},
                              headers=self._headers(caller))
