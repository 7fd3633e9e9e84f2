"""Test doubles for the DataCite client: a scripted httpx transport, a fake clock, and recording loaders."""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from portal.datacite import Credentials, DataCiteClient, RetryPolicy
from portal.datacite.retry import CircuitBreaker
from portal.vault import Secret
from tests.conftest import shared_path

UA = "RSP-Portal/0.1.0 (https://portal.example; mailto:support@rsp.example)"
PASSWORD = "s3cret-Pa55word!"
CREDS = Credentials("MPQM.QLDNEC", Secret(PASSWORD))

Item = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Script:
    """Answers requests from a queue, in order, and records every request that reached the transport."""

    items: list[Item] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def add(self, *items: Item) -> Script:
        self.items.extend(items)
        return self

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.items:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        item = self.items.pop(0)
        if isinstance(item, Exception):
            if isinstance(item, httpx.RequestError):
                item.request = request
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return item

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def lines(self) -> list[str]:
        """Each request as 'METHOD path' (no query)."""
        return [f"{r.method} {r.url.path}" for r in self.requests]


def make_client(script: Script, clock: FakeClock | None = None, environment: str = "test",
                **kwargs: Any) -> DataCiteClient:
    """A client on the scripted transport whose sleeps advance the fake clock."""
    clock = clock or FakeClock()
    kwargs.setdefault("retry", RetryPolicy())
    kwargs.setdefault("breaker", CircuitBreaker(threshold=50, clock=clock))
    return DataCiteClient(environment, user_agent=UA, transport=script.transport, sleep=clock.sleep,
                          clock=clock, **kwargs)


def json_response(status: int, document: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(document).encode(),
                          headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})


def errors_body(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"errors": list(entries)}


def doi_document(doi: str, client_id: str = "mpqm.qldnec", state: str = "draft") -> dict[str, Any]:
    """A detail answer shaped like DataCite's (trimmed to what the client reads)."""
    prefix, _, suffix = doi.partition("/")
    return {"data": {"id": doi, "type": "dois", "attributes": {
        "doi": doi, "prefix": prefix, "suffix": suffix, "titles": [], "publisher": None, "state": state,
        "url": None, "types": {}, "created": "2025-10-29T17:38:38.000Z", "registered": None,
        "updated": "2025-10-29T17:38:38.000Z", "metadataVersion": 0, "schemaVersion": None},
        "relationships": {"client": {"data": {"id": client_id, "type": "clients"}},
                          "provider": {"data": {"id": client_id.split(".")[0], "type": "providers"}}}}}


# ---------------------------------------------------------------- recordings


@dataclass(frozen=True)
class Recorded:
    status: int
    headers: dict[str, str]
    body: str
    method: str = ""
    uri: str = ""

    def response(self) -> httpx.Response:
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() in ("content-type", "x-credential-username", "x-anonymous-consumer", "location",
                                    "allow", "retry-after")}
        return httpx.Response(self.status, content=self.body.encode(), headers=headers)


def rest_recording(name: str) -> Recorded:
    """A Saloon recording from shared/datacite-recordings/rest (the body is a JSON string inside JSON)."""
    data = json.loads(shared_path("datacite-recordings", "rest", name).read_text(encoding="utf-8"))
    return Recorded(int(data["statusCode"]), {k: str(v) for k, v in data["headers"].items()}, data["data"] or "")


def rest_recording_names() -> Iterator[str]:
    yield from sorted(p.name for p in shared_path("datacite-recordings", "rest").glob("*.json"))


_VCR_HEADER = re.compile(r"^      ([A-Za-z0-9-]+):\n      - '?([^'\n]*)'?$", re.MULTILINE)


def _vcr_body(section: str) -> str:
    binary = re.search(r"string: !binary \|-\n((?:[ ]{8}\S+\n?)+)", section)
    if binary:
        raw = base64.b64decode("".join(binary.group(1).split()))
        return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    quoted = re.search(r"string: '((?:[^']|'')*)'", section, re.DOTALL)
    return quoted.group(1).replace("''", "'") if quoted else ""


def vcr_recording(name: str) -> list[Recorded]:
    """The interactions of a VCR cassette in shared/datacite-recordings/mds-proxy (enough YAML for these)."""
    text = shared_path("datacite-recordings", "mds-proxy", name).read_text(encoding="utf-8")
    found = []
    for chunk in text.split("\n- request:")[1:]:
        request, response = chunk.split("\n  response:", 1)
        method = re.search(r"method: (\w+)", request).group(1).upper()
        uri = re.search(r"uri:\s+(\S+)", request).group(1)
        status = int(re.search(r"code: (\d+)", response).group(1))
        header_part, body_part = response.split("\n    body:", 1)
        headers = dict(_VCR_HEADER.findall(header_part))
        found.append(Recorded(status, headers, _vcr_body(body_part), method, uri))
    return found
