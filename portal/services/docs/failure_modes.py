"""The stable keys of DataCite's common failures, shared with the client's error classes and the helpdesk.

Each key names one troubleshooting article (``troubleshooting/<key>``); several keys can share an
error class (every 422 metadata problem is a ``validation`` error).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FailureMode:
    """A common DataCite failure: its stable key, error class and HTTP status."""

    key: str
    error_class: str
    status: str

    @property
    def slug(self) -> str:
        return f"troubleshooting/{self.key}"

    @property
    def article_path(self) -> str:
        """Where the article is served: what the client's error classes and canned answers link to."""
        return f"/docs/{self.slug}"


FAILURE_MODES: tuple[FailureMode, ...] = (
    FailureMode("bad-credentials", "auth", "401"),
    FailureMode("not-authorized", "permission", "403"),
    FailureMode("doi-already-taken", "duplicate", "422"),
    FailureMode("url-domain-not-allowed", "url_domain", "422"),
    FailureMode("missing-mandatory-property", "validation", "422"),
    FailureMode("empty-value", "validation", "422"),
    FailureMode("invalid-value", "validation", "422"),
    FailureMode("schema-3-not-supported", "schema3", "422"),
    FailureMode("xml-parse-error", "xml_parse", "400"),
    FailureMode("json-shape", "validation", "422"),
    FailureMode("publisher-affiliation", "validation", "422"),
    FailureMode("cannot-delete-registered", "method_not_allowed", "405"),
    FailureMode("mds-metadata-first", "precondition", "412"),
    FailureMode("rate-limited", "rate_limit", "429"),
    FailureMode("datacite-unavailable", "outage", "5xx"),
    FailureMode("doi-not-found", "not_found", "404"),
)

BY_KEY = {mode.key: mode for mode in FAILURE_MODES}
ERROR_CLASSES = frozenset(mode.error_class for mode in FAILURE_MODES)


def keys_for_class(error_class: str) -> list[str]:
    """Failure keys whose error class is ``error_class`` (empty for an unknown class)."""
    return [mode.key for mode in FAILURE_MODES if mode.error_class == error_class]
