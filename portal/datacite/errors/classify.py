"""Turn any DataCite answer, or a message pasted into a ticket, into a known failure."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from portal.datacite.errors.catalogue import FAILURE_MODES, TEXT_PRIORITY, VALIDATION_PRIORITY, FailureMode
from portal.datacite.errors.types import DataCiteError, make_error

_HTML_START = re.compile(r"^\s*(?:<!doctype html|<html|<head|<body)", re.IGNORECASE)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>|<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_PLAIN_TEXT_LIMIT = 500


def _header(headers: Mapping[str, str] | None, name: str) -> str:
    if not headers:
        return ""
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value if isinstance(value, str) else ", ".join(value)
    return ""


def _is_html(text: str, headers: Mapping[str, str] | None) -> bool:
    return bool(_HTML_START.match(text)) or "text/html" in _header(headers, "content-type").lower()


def _html_title(text: str) -> str:
    match = _HTML_TITLE.search(text)
    if not match:
        return ""
    inner = match.group(1) or match.group(2) or ""
    return _SPACE.sub(" ", html.unescape(_TAGS.sub("", inner))).strip()


def error_entries(text: str) -> list[dict[str, Any]]:
    """DataCite's error entries from a body: the JSON:API array, the search-error object or a bare title."""
    try:
        document = json.loads(text)
    except ValueError:
        return []
    if not isinstance(document, dict):
        return []
    errors = document.get("errors")
    if isinstance(errors, list):
        return [e if isinstance(e, dict) else {"title": str(e)} for e in errors]
    if isinstance(errors, dict):
        return [errors]
    if isinstance(errors, str):
        return [{"title": errors}]
    if "title" in document:  # the search middleware's outage body: {"status": 400, "title": "[503] ..."}
        return [document]
    return []


def parse_retry_after(value: str, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when unusable."""
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _validation_mode(entries: list[dict[str, Any]]) -> tuple[FailureMode | None, dict[str, Any] | None]:
    for key in VALIDATION_PRIORITY:
        mode = FAILURE_MODES[key]
        for entry in entries:
            title = str(entry.get("title", ""))
            source = str(entry.get("source", ""))
            if mode.title_pattern.search(title):
                return mode, entry
            if key == "publisher-affiliation" and source.split("'")[0] in ("publisher", "affiliation"):
                return mode, entry
    for entry in entries:
        # DataCite's bare "Is invalid" names the field only in source (doi, url, metadata ...).
        if str(entry.get("title", "")).strip().lower() == "is invalid":
            return FAILURE_MODES["invalid-value"], entry
    return None, None


def classify_response(status: int, body: str | bytes, headers: Mapping[str, str] | None = None) -> DataCiteError:
    """The typed error for any DataCite answer: JSON:API errors, validation, search errors, HTML, empty."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    entries = error_entries(text)
    looks_html = _is_html(text, headers)
    first = entries[0] if entries else {}
    title = str(first.get("title", "")) if first else ""
    if not title and looks_html:
        title = _html_title(text)
    if not title and not entries and text.strip() and not looks_html and len(text) <= _PLAIN_TEXT_LIMIT:
        title = text.strip()  # MDS and some proxies answer in plain text
        entries = [{"title": title}]
    fields: dict[str, Any] = {
        "status": status, "title": title, "source": str(first.get("source", "")) if first else "",
        "errors": entries, "doi": str(first.get("uid", "")) if first else "",
    }

    if 300 <= status < 400:
        location = _header(headers, "location")
        return make_error("outage", **{**fields, "title": title or f"Unexpected redirect to {location or '?'}",
                                       "retryable": False},
                          explanation="DataCite answered with a redirect, which the portal never follows: "
                          "credentials are sent only to the configured DataCite address.",
                          fix="Check the configured DataCite base URL; if it is right, DataCite may be "
                          "moving an endpoint, so contact support.")
    if status == 429:
        retry_after = parse_retry_after(_header(headers, "retry-after"))
        return make_error("rate_limit", key="rate-limited", retry_after=retry_after,
                          **{**fields, "title": title or "Your request has been rate limited"})
    if status >= 500 or (status < 200):
        return make_error("outage", key="datacite-unavailable", retry_after=parse_retry_after(
            _header(headers, "retry-after")), **{**fields, "title": title or f"HTTP {status}"})
    if status < 300:
        return make_error("outage", key="datacite-unavailable",
                          **{**fields, "title": title or "Unexpected response body", "retryable": False},
                          explanation="DataCite answered, but not with the document the portal expected "
                          "(perhaps a maintenance page).")
    if looks_html and status == 403 and "awselb" in _header(headers, "server").lower():
        # The load balancer refuses floods with an HTML 403 before the API sees them.
        return make_error("rate_limit", key="rate-limited", **{**fields, "title": title or "Forbidden"})
    if status == 401:
        return make_error("auth", key="bad-credentials", **fields)
    if status == 403:
        return make_error("permission", key="not-authorized", **fields)
    if status == 404:
        return make_error("not_found", key="doi-not-found", **fields)
    if status == 405:
        return make_error("method_not_allowed", key="cannot-delete-registered", **fields)
    if status == 409:
        return make_error("duplicate", key="doi-already-taken", **fields)
    if status == 412:
        return make_error("precondition", key="mds-metadata-first", **fields)

    mode, entry = _validation_mode(entries)
    if mode is None or entry is None:
        return make_error("validation", **fields)
    return make_error(mode.error_class, key=mode.key, **{
        **fields, "title": str(entry.get("title", "")), "source": str(entry.get("source", "")),
        "doi": str(entry.get("uid", "")),
    })


def _normalise(text: str) -> str:
    text = html.unescape(text).replace("\u2019", "'").replace("\u2018", "'")
    return _SPACE.sub(" ", text).strip()


def classify_text(text: str) -> FailureMode | None:
    """The failure mode a pasted DataCite error message shows, or None when it is none we know."""
    if not text or not text.strip():
        return None
    cleaned = _normalise(text)
    for key in TEXT_PRIORITY:
        mode = FAILURE_MODES[key]
        if mode.title_pattern.search(cleaned):
            return mode
    return None
