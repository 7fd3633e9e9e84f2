"""Query parameters for GET /dois, checked before they are sent so mistakes get a clear error, not a 400."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

PAGE_WINDOW = 10_000  # page-number mode reaches only the first 10,000 results
MAX_PAGE_SIZE = 1000
STATES = ("findable", "registered", "draft")
SORTS = frozenset({
    "relevance", "name", "-name", "created", "-created", "updated", "-updated", "published", "-published",
    "view-count", "-view-count", "download-count", "-download-count", "citation-count", "-citation-count",
    "title", "-title",
})
_PREFIX = re.compile(r"^10\.\d{4,9}$")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9]+(?:\.[A-Za-z0-9-]+)?$")
_RESOURCE_TYPE_ID = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_YEARS = re.compile(r"^\d{4}(?:,\d{4})?$")

Years = int | str | tuple[int, int]
Many = str | Sequence[str]
UpdatedRange = datetime | tuple[datetime | None, datetime | None]


class QueryError(ValueError):
    """A list request DataCite would refuse or silently change; the message says what to do instead."""


def _many(name: str, value: Many, pattern: re.Pattern[str] | None = None,
          allowed: Sequence[str] | None = None) -> str:
    items = [value] if isinstance(value, str) else list(value)
    cleaned = [str(v).strip() for v in items if str(v).strip()]
    if not cleaned:
        raise QueryError(f"{name} is empty")
    for item in cleaned:
        if allowed is not None and item not in allowed:
            raise QueryError(f"{name} {item!r} is not one of {', '.join(allowed)}")
        if pattern is not None and not pattern.match(item):
            raise QueryError(f"{name} {item!r} is not valid")
    return ",".join(cleaned)


def _years(name: str, value: Years) -> str:
    if isinstance(value, tuple):
        text = f"{int(value[0])},{int(value[1])}"
    else:
        text = str(value).strip()
    if not _YEARS.match(text):
        raise QueryError(f"{name} takes a year (2024) or a range of years (2020,2024), not {text!r}")
    return text


def _when(value: datetime | None) -> str:
    if value is None:
        return "*"
    if value.tzinfo is None:
        raise QueryError("updated needs timezone-aware datetimes (UTC)")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _updated_clause(value: UpdatedRange) -> str:
    start, end = (value, None) if isinstance(value, datetime) else value
    return f"updated:[{_when(start)} TO {_when(end)}]"


@dataclass(frozen=True)
class DoiFilters:
    """The filters shared by list_dois, iter_dois and facets."""

    client_id: Many | None = None
    prefix: Many | None = None
    state: Many | None = None
    query: str | None = None
    created: Years | None = None
    registered: Years | None = None
    updated: UpdatedRange | None = None
    resource_type_id: Many | None = None
    fields: Sequence[str] | None = None

    def params(self) -> dict[str, str]:
        """The query parameters, in DataCite's hyphenated spelling."""
        params: dict[str, str] = {}
        if self.client_id is not None:
            params["client-id"] = _many("client_id", self.client_id, _CLIENT_ID).lower()
        if self.prefix is not None:
            params["prefix"] = _many("prefix", self.prefix, _PREFIX)
        if self.state is not None:
            params["state"] = _many("state", self.state, allowed=STATES)
        clauses = []
        if self.query is not None and self.query.strip():
            clauses.append(self.query.strip())
        if self.updated is not None:
            clauses.append(_updated_clause(self.updated))
        if clauses:
            params["query"] = clauses[0] if len(clauses) == 1 else " AND ".join(f"({c})" for c in clauses)
        if self.created is not None:
            params["created"] = _years("created", self.created)
        if self.registered is not None:
            params["registered"] = _years("registered", self.registered)
        if self.resource_type_id is not None:
            params["resource-type-id"] = _many("resource_type_id", self.resource_type_id, _RESOURCE_TYPE_ID)
        if self.fields is not None:
            params["fields[dois]"] = _many("fields", self.fields, _FIELD)
        return params


def page_params(page: int, size: int, sort: str | None) -> dict[str, str]:
    """page[number]/page[size]/sort for page-number mode, refusing what DataCite would clamp."""
    if not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
        raise QueryError(f"size must be between 1 and {MAX_PAGE_SIZE}, not {size!r}; use facets() for counts only")
    if not isinstance(page, int) or page < 1:
        raise QueryError(f"page must be 1 or more, not {page!r}")
    last = PAGE_WINDOW // size
    if page > last:
        raise QueryError(
            f"page {page} of size {size} lies beyond the first {PAGE_WINDOW:,} results, which is all DataCite "
            f"serves page by page (the last page is {last}); use iter_dois() to walk every result, "
            "or narrow the filters"
        )
    params = {"page[number]": str(page), "page[size]": str(size)}
    if sort is not None:
        if sort not in SORTS:
            raise QueryError(f"sort {sort!r} is not one of {', '.join(sorted(SORTS))}")
        params["sort"] = sort
    return params


def cursor_size(size: int) -> str:
    """page[size] for cursor mode."""
    if not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
        raise QueryError(f"size must be between 1 and {MAX_PAGE_SIZE}, not {size!r}")
    return str(size)
