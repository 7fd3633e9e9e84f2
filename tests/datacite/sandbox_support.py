"""Helpers for the sandbox tests: recorded DataCite responses, VCR cassettes, clients, JSON shapes."""

from __future__ import annotations

import base64
import gzip
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from portal.datacite.sandbox import Sandbox
from tests.conftest import shared_path

BASE = "http://sandbox"
NOW = datetime(2025, 10, 31, 12, 0, 0, tzinfo=UTC)


def client(sandbox: Sandbox, auth: tuple[str, str] | None = None) -> httpx.Client:
    """An httpx client talking to the sandbox in-process."""
    return httpx.Client(transport=httpx.WSGITransport(app=sandbox), base_url=BASE, auth=auth)


@dataclass
class Recording:
    """One recorded REST response: status, headers and the parsed body (None when empty)."""

    status: int
    headers: dict[str, str]
    body: Any


def recording(name: str) -> Recording:
    """A file from ../shared/datacite-recordings/rest (skips when the shared folder is absent)."""
    raw = json.loads(shared_path("datacite-recordings", "rest", name).read_text(encoding="utf-8"))
    text = raw.get("data") or ""
    body: Any = None
    if text:
        body = json.loads(text) if raw["headers"].get("Content-Type", "").startswith("application/json") else text
    return Recording(status=raw["statusCode"], headers=raw["headers"], body=body)


@dataclass
class Interaction:
    """One request/response pair of a VCR cassette."""

    method: str
    uri: str
    request_body: str
    request_headers: dict[str, list[str]]
    status: int
    response_body: str


def cassette(name: str) -> list[Interaction]:
    """The interactions of a cassette in ../shared/datacite-recordings/mds-proxy."""
    return parse_cassette(shared_path("datacite-recordings", "mds-proxy", name))


def parse_cassette(path: Path) -> list[Interaction]:
    """Read the subset of YAML that VCR writes (no YAML library needed): scalars, header lists, !binary blocks."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Interaction] = []
    current: dict[str, Any] = {}
    section, header_name, index = "", "", 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        index += 1
        if stripped == "- request:":
            if current:
                found.append(_interaction(current))
            current, section = {"request_headers": {}}, "request"
        elif stripped == "response:":
            section = "response"
        elif indent == 4 and stripped == "headers:":
            section += ".headers"
        elif indent == 4 and stripped in ("body:", "status:"):
            section = section.split(".")[0]
        elif section == "request.headers" and indent == 6 and stripped.endswith(":"):
            header_name = stripped[:-1]
            current["request_headers"][header_name] = []
        elif section == "request.headers" and indent == 6 and stripped.startswith("- "):
            current["request_headers"][header_name].append(_scalar(stripped[2:]))
        elif indent == 4 and stripped.startswith(("method:", "uri:")) and section == "request":
            key, _, value = stripped.partition(":")
            current[key] = _scalar(value.strip())
        elif indent == 6 and stripped.startswith("code:") and section == "response":
            current["status"] = int(stripped.split(":", 1)[1])
        elif indent == 6 and stripped.startswith("string:") and section in ("request", "response"):
            value = stripped.split(":", 1)[1].strip()
            if value.startswith("!binary"):
                block = []
                while index < len(lines) and len(lines[index]) - len(lines[index].lstrip()) > indent:
                    block.append(lines[index].strip())
                    index += 1
                data = base64.b64decode("".join(block))
                text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8")
            else:
                text = _scalar(value)
            current[f"{section}_body"] = text
    if current:
        found.append(_interaction(current))
    return found


def _scalar(value: str) -> str:
    if value.startswith("'"):
        if not value.endswith("'") or len(value) < 2:
            raise ValueError(f"multi-line quoted scalars are not supported: {value[:40]}...")
        return value[1:-1].replace("''", "'")
    return value


def _interaction(values: dict[str, Any]) -> Interaction:
    return Interaction(method=values["method"].upper(), uri=values["uri"], request_body=values.get("request_body", ""),
                       request_headers=values["request_headers"], status=values["status"],
                       response_body=values.get("response_body", ""))


def json_type(value: Any) -> str:
    """The JSON type name of a value (booleans are not numbers)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {dict: "object", list: "array", str: "string", type(None): "null"}[type(value)]


def type_differences(recorded: dict[str, Any], ours: dict[str, Any], *, nullable: frozenset[str] = frozenset()) -> list[str]:
    """Keys whose JSON types differ; ``nullable`` keys may be null on either side (string-or-null and the like)."""
    problems = []
    for key, value in recorded.items():
        if key not in ours:
            problems.append(f"{key}: missing")
        elif json_type(ours[key]) != json_type(value) and not (key in nullable and None in (ours[key], value)):
            problems.append(f"{key}: recorded {json_type(value)}, sandbox {json_type(ours[key])}")
    return problems


def path_and_query(url: str) -> str:
    """The part of a URL after the host, to compare links across hosts."""
    parsed = httpx.URL(url)
    return parsed.raw_path.decode("ascii")
