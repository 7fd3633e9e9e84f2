"""GET /dois requests run: counts and facets (from facet_counts when possible), the page, totalPages, links."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from portal.datacite.sandbox.facets import FACET_KEY_SQL, facet_terms
from portal.datacite.sandbox.query import WINDOW, Listing, encode_cursor
from portal.datacite.sandbox.rows import DOI_COLUMNS
from portal.datacite.sandbox.store import Store

_ALL_COLUMNS = "id, " + ", ".join(DOI_COLUMNS)


@dataclass
class Page:
    """The result of running a listing."""

    rows: list[Any]
    total: int
    counts: dict[str, dict[str, int]]


def run_listing(store: Store, listing: Listing) -> Page:
    """Count, facet and fetch one page."""
    where, params = listing.where(), listing.params
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    if listing.aggregate:
        for facet, value, count in store.query(*aggregate_sql(listing)):
            counts[facet][value] = count
        total = sum(counts.get("states", {}).values())
    elif listing.facets:
        counts, total = _scan_facets(store, where, params)
    else:
        total = store.query(f"SELECT count(*) FROM dois WHERE {where}", params)[0][0]  # noqa: S608  (fixed SQL fragments; values bound)
    rows = store.query(*page_sql(listing)) if listing.size else []
    return Page(rows=rows, total=total, counts={k: v for k, v in counts.items() if k in listing.facets})


def aggregate_sql(listing: Listing) -> tuple[str, list[Any]]:
    """Facet counts (and the total, from ``states``) out of facet_counts, for client/provider/prefix/state filters."""
    names = (*listing.facets, "states")
    sql = (f"SELECT facet, value, sum(count) FROM facet_counts WHERE {listing.where()} "  # noqa: S608  (fixed SQL fragments; values bound)
           f"AND facet IN ({', '.join('?' for _ in names)}) GROUP BY facet, value")
    return sql, [*listing.params, *names]


def _scan_facets(store: Store, where: str, params: list[Any]) -> tuple[dict[str, dict[str, int]], int]:
    """Facet counts (and the total) straight from the matching rows, for filters facet_counts cannot answer.

    One plain pass counted in Python: cheaper than a GROUP BY over every facet column.
    """
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    rows = store.query(f"SELECT {', '.join(FACET_KEY_SQL)} FROM dois WHERE {where}", params)  # noqa: S608  (fixed SQL fragments; values bound)
    for row in rows:
        for facet, value, amount in facet_terms(tuple(row)):
            tally[facet][value] += amount
    return {facet: dict(c) for facet, c in tally.items()}, len(rows)


def page_sql(listing: Listing) -> tuple[str, list[Any]]:
    """The rows of the requested page: random sample, after a cursor, or by offset in the 10k window."""
    where, params = listing.where(), listing.params
    if listing.random:
        return f"SELECT {_ALL_COLUMNS} FROM dois WHERE {where} ORDER BY random() LIMIT ?", [*params, listing.size]  # noqa: S608  (fixed SQL fragments; values bound)
    if listing.cursor_mode:
        after, extra = "", []
        if listing.cursor:
            after, extra = " AND (created_ms > ? OR (created_ms = ? AND doi > ?))", [listing.cursor[0], *listing.cursor]
        return (f"SELECT {_ALL_COLUMNS} FROM dois WHERE {where}{after} ORDER BY {listing.order} LIMIT ?",  # noqa: S608  (fixed SQL fragments; values bound)
                [*params, *extra, listing.size])
    return (f"SELECT {_ALL_COLUMNS} FROM dois WHERE {where} ORDER BY {listing.order} LIMIT ? OFFSET ?",  # noqa: S608  (fixed SQL fragments; values bound)
            [*params, listing.size, (listing.number - 1) * listing.size])


def total_pages(listing: Listing, total: int) -> int:
    """DataCite's totalPages: capped by the 10,000 window in page mode, uncapped with a cursor."""
    if listing.size == 0:
        return 0
    pages = math.ceil(total / listing.size)
    return pages if listing.cursor_mode else min(pages, WINDOW // listing.size)


def to_query(params: dict[str, str]) -> str:
    """Rails' Hash#to_query: every ``key=value`` CGI-escaped, then sorted."""
    return "&".join(sorted(f"{quote_plus(k, safe='')}={quote_plus(str(v), safe='')}" for k, v in params.items()))


def next_link(listing: Listing, base: str, count: int, total: int, last: Any | None) -> str | None:
    """links.next, or None when DataCite omits it."""
    if listing.size == 0 or count < listing.size:
        return None
    params = dict(listing.carry)
    params["page[size]"] = str(listing.size)
    if listing.cursor_mode:
        params["page[cursor]"] = encode_cursor(last["created_ms"], last["doi"])
    else:
        if listing.number >= total_pages(listing, total):
            return None
        params["page[number]"] = str(listing.number + 1)
    return f"{base}/dois?{to_query(params)}"
