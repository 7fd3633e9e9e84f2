"""Fetch the official XSDs (metadata.xsd and its include/ files) for deployments with internet access."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import httpx
from lxml import etree

from portal.datacite.schema.catalog import VERSIONS, check_version
from portal.datacite.schema.xsd import xsd_path

SCHEMA_BASE = "https://schema.datacite.org/meta/"
MAX_BYTES = 2 * 1024 * 1024  # the largest official XSD is about 60 KB
_XS = "{http://www.w3.org/2001/XMLSchema}"

Fetch = Callable[[str], bytes]


class DownloadFailed(RuntimeError):
    """An XSD could not be fetched or is not an XML Schema; the message names the URL."""


def httpx_fetcher(transport: httpx.BaseTransport | None = None) -> Fetch:
    """A fetch function: GET with timeouts, following redirects; DownloadFailed on any failure.

    ``transport`` lets tests answer with httpx.MockTransport instead of the network.
    """

    def fetch(url: str) -> bytes:
        try:
            with httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True, transport=transport,
                              headers={"User-Agent": "rsp-portal schema download"}) as client:
                response = client.get(url)
                response.raise_for_status()
                return response.content
        except httpx.HTTPError as exc:
            raise DownloadFailed(f"Could not fetch {url}: {exc}") from None

    return fetch


def _included(schema: bytes, url: str) -> list[str]:
    try:
        root = etree.fromstring(schema, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise DownloadFailed(f"{url} is not XML: {exc}") from None
    if root.tag != f"{_XS}schema":
        raise DownloadFailed(f"{url} is not an XML Schema (root element {root.tag}).")
    found = []
    for node in root:
        if node.tag in (f"{_XS}include", f"{_XS}import") and node.get("schemaLocation"):
            found.append(node.get("schemaLocation", ""))
    return found


def _safe_relative(location: str) -> PurePosixPath | None:
    """The location as a path inside the version folder; None for absolute URLs (fetched by nobody)."""
    if urlsplit(location).scheme or location.startswith("/"):
        return None
    path = PurePosixPath(location)
    if ".." in path.parts or not path.parts:
        raise DownloadFailed(f"Refusing schemaLocation {location!r}: it points outside the schema folder.")
    return path


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".download-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)


def download_xsds(target: Path, versions: Iterable[str] = VERSIONS, fetch: Fetch | None = None,
                  *, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Fetch kernel-4.X/metadata.xsd and its relative includes into target/kernel-4.X/; returns the files written.

    Absolute imports (the W3C xml.xsd of 4.0 and 4.1) are not fetched: validation serves that one locally.
    """
    wanted = [check_version(v) for v in versions]
    fetch = fetch or httpx_fetcher()
    report = progress or (lambda message: None)
    written: list[Path] = []
    for version in wanted:
        folder = xsd_path(Path(target), version).parent
        base = f"{SCHEMA_BASE}kernel-{version}/"
        queue = [PurePosixPath("metadata.xsd")]
        seen: set[PurePosixPath] = set()
        while queue:
            relative = queue.pop(0)
            if relative in seen:
                continue
            seen.add(relative)
            url = base + relative.as_posix()
            try:
                data = fetch(url)
            except DownloadFailed:
                raise
            except Exception as exc:  # an injected fetch may raise anything; report it with the URL
                raise DownloadFailed(f"Could not fetch {url}: {exc}") from None
            if len(data) > MAX_BYTES:
                raise DownloadFailed(f"{url} is larger than {MAX_BYTES} bytes; not an XSD.")
            for location in _included(data, url):
                nested = _safe_relative(location)
                if nested is None:
                    report(f"  {version}: {location} is absolute, not fetched (served locally when validating)")
                else:
                    queue.append(PurePosixPath(*(relative.parent / nested).parts))
            path = folder / relative
            _write(path, data)
            written.append(path)
            report(f"  {version}: {relative.as_posix()} ({len(data)} bytes)")
    return written
